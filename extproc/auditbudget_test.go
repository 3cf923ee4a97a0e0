package extproc

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/warden-gw/warden/exchange"
)

// slowAudit is an audit log whose request-record write never lands before its deadline (a disk
// that stalls) and whose completion record fails; it keeps the deadlines it was given.
type slowAudit struct {
	mu        sync.Mutex
	deadlines []time.Time // zero: no deadline
	compErr   error
	completes int
}

func (a *slowAudit) RecordRequest(ctx context.Context, _ *exchange.Exchange) error {
	d, ok := ctx.Deadline()
	a.mu.Lock()
	if !ok {
		d = time.Time{}
	}
	a.deadlines = append(a.deadlines, d)
	a.mu.Unlock()
	if !ok {
		return nil // no deadline: the write lands
	}
	<-ctx.Done()
	return ctx.Err()
}

func (a *slowAudit) RecordCompletion(context.Context, *exchange.Exchange) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.completes++
	return a.compErr
}

// TestAuditWriteDeadlineAnswers503 (#14): a request-record write that does not land within the
// message timeout is given up in time for warden to answer 503 audit_unavailable itself, before
// Envoy's timer would answer an empty 504.
func TestAuditWriteDeadlineAnswers503(t *testing.T) {
	const timeout = 80 * time.Millisecond
	a := &slowAudit{}
	h := newHarness(t, func(o *Options, p *Pipeline) { o.MessageTimeout = timeout; p.Audit = a })
	ir := one(t, h.send(reqHeaders(true))).GetImmediateResponse()
	arrived := h.st.msgStart // when the stream took the message: Envoy's timer was already running
	if ir.GetStatus().GetCode() != 503 || !strings.Contains(string(ir.GetBody()), "audit_unavailable") {
		t.Fatalf("want 503 audit_unavailable, got %v", ir)
	}
	if len(a.deadlines) != 1 || a.deadlines[0].IsZero() {
		t.Fatalf("the request record was written without a deadline: %v", a.deadlines)
	}
	// The write is given up at 7/8 of the message timeout counted from the message's arrival,
	// leaving the rest for the 503 to reach Envoy before its timer answers 504. (Checked on the
	// deadline itself: how soon the answer comes after it depends on the scheduler, and a
	// wall-clock bound failed on a loaded machine: answer after 98ms for an 80ms timeout.)
	if want := arrived.Add(AuditBudget(timeout)); !a.deadlines[0].Equal(want) || AuditBudget(timeout) >= timeout {
		t.Fatalf("audit write deadline %s after the message arrived, want %s (7/8 of the message timeout %s)", a.deadlines[0].Sub(arrived), want.Sub(arrived), timeout)
	}
}

// TestStreamEndRecordHasNoDeadline: a record written because the stream ended (no client waits
// for an answer) is not bounded by a message that was answered long ago.
func TestStreamEndRecordHasNoDeadline(t *testing.T) {
	a := &slowAudit{}
	h := newHarness(t, func(o *Options, p *Pipeline) { o.MessageTimeout = time.Millisecond; p.Audit = a })
	h.send(reqHeaders(false, "content-type", "application/json"))
	h.st.finish(context.Background(), context.Canceled)
	if len(a.deadlines) != 1 || !a.deadlines[0].IsZero() {
		t.Fatalf("stream-end record deadlines: %v", a.deadlines)
	}
}

// TestCompletionFailureKeepsTheAnswer (#13): the upstream already acted; a completion record
// that cannot be written does not turn the response into a 503 the client might retry.
func TestCompletionFailureKeepsTheAnswer(t *testing.T) {
	a := &slowAudit{compErr: errAuditDown}
	h := newHarness(t, func(o *Options, p *Pipeline) { o.MessageTimeout = 0; p.Audit = a })
	one(t, h.send(reqHeaders(true)))
	r := one(t, h.send(respHeaders(true, "content-type", "application/json")))
	if r.GetImmediateResponse() != nil || r.GetResponseHeaders() == nil {
		t.Fatalf("response changed by a failed completion record: %v", r)
	}
	if a.completes != 1 {
		t.Fatalf("completion record attempted %d times", a.completes)
	}
}
