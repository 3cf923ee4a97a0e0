package extproc

import (
	"context"
	"errors"
	"io"
	"testing"
	"time"

	extprocv3 "github.com/envoyproxy/go-control-plane/envoy/service/ext_proc/v3"
	"google.golang.org/grpc"

	"github.com/warden-gw/warden/exchange"
)

// TestLastReplyDoesNotWaitForTheCompletionRecord (#13 item 3): the reply that ends the exchange
// is handed back before the completion record is written; the record follows once it is sent.
func TestLastReplyDoesNotWaitForTheCompletionRecord(t *testing.T) {
	h := newHarness(t, nil)
	h.send(reqHeaders(true))
	replies, err := h.st.handle(context.Background(), respHeaders(true, "content-type", "application/json"))
	if err != nil || len(replies) != 1 {
		t.Fatalf("last reply: %v, %v", replies, err)
	}
	if _, comp := h.audit.counts(); comp != 0 {
		t.Fatalf("the completion record was written before the last reply was sent")
	}
	h.st.afterReplies(context.Background())
	h.st.finish(context.Background(), nil)
	req, comp := h.audit.counts()
	if req != 1 || comp != 1 || h.audit.completions[0].Disposition != exchange.Allowed || h.audit.completions[0].Status != 200 {
		t.Fatalf("records %d/%d, completion %+v", req, comp, h.audit.completions)
	}
}

// TestCompletionRecordWhenTheLastReplyIsNotSent: when the last reply cannot be sent, the
// exchange still leaves one completion record, which says the stream failed instead of that the
// answer went out.
func TestCompletionRecordWhenTheLastReplyIsNotSent(t *testing.T) {
	h := newHarness(t, nil)
	h.send(reqHeaders(true))
	if _, err := h.st.handle(context.Background(), respHeaders(true, "content-type", "application/json")); err != nil {
		t.Fatal(err)
	}
	h.st.finish(context.Background(), errors.New("transport is closing")) // Send failed: serve returns its error
	h.st.afterReplies(context.Background())
	req, comp := h.audit.counts()
	if req != 1 || comp != 1 {
		t.Fatalf("records: %d request, %d completion; want 1 and 1", req, comp)
	}
	if c := h.audit.completions[0]; c.Disposition != exchange.Failed || c.ErrorCode != "stream_error" {
		t.Fatalf("completion record after a failed send: disposition %q, error_code %q", c.Disposition, c.ErrorCode)
	}
}

// scriptedStream is an ext_proc stream for Server.Process: it hands out msgs, then io.EOF (Envoy
// half-closing after its last expected reply), and keeps what the server sent.
type scriptedStream struct {
	grpc.ServerStream
	msgs   []*extprocv3.ProcessingRequest
	sent   []*extprocv3.ProcessingResponse
	failAt int    // the send that fails (1 is the first), 0 for none
	atEnd  func() // called when the stream is about to end (Envoy closing it)
}

func (s *scriptedStream) Context() context.Context { return context.Background() }

func (s *scriptedStream) Recv() (*extprocv3.ProcessingRequest, error) {
	if len(s.msgs) == 0 {
		if s.atEnd != nil {
			s.atEnd()
		}
		return nil, io.EOF
	}
	m := s.msgs[0]
	s.msgs = s.msgs[1:]
	return m, nil
}

func (s *scriptedStream) Send(r *extprocv3.ProcessingResponse) error {
	if len(s.sent)+1 == s.failAt {
		return errors.New("transport is closing")
	}
	s.sent = append(s.sent, r)
	return nil
}

// TestProcessWritesTheCompletionRecordAfterTheLastReply drives a whole exchange through
// Server.Process, as gRPC does: the completion record written after the last reply is sent says
// the answer went out (allowed, status 200), not that the stream ended early. The tests above
// call afterReplies themselves; this one fails if the server's stream loop stops calling it.
func TestProcessWritesTheCompletionRecordAfterTheLastReply(t *testing.T) {
	h := newHarness(t, nil)
	s := &scriptedStream{msgs: []*extprocv3.ProcessingRequest{
		reqHeaders(true), respHeaders(true, "content-type", "application/json"),
	}}
	if err := h.st.srv.Process(s); err != nil {
		t.Fatal(err)
	}
	if len(s.sent) != 2 {
		t.Fatalf("replies sent: %d, want 2", len(s.sent))
	}
	req, comp := h.audit.counts()
	if req != 1 || comp != 1 {
		t.Fatalf("records: %d request, %d completion; want 1 and 1", req, comp)
	}
	if c := h.audit.completions[0]; c.Disposition != exchange.Allowed || c.Status != 200 || c.ErrorCode != "" {
		t.Fatalf("completion record: disposition %q, status %d, error_code %q; want allowed, 200, none",
			c.Disposition, c.Status, c.ErrorCode)
	}
}

// TestProcessRecordsAFailedLastReply: when gRPC cannot send the last reply, Server.Process
// still leaves one completion record, which says the stream failed.
func TestProcessRecordsAFailedLastReply(t *testing.T) {
	h := newHarness(t, nil)
	s := &scriptedStream{msgs: []*extprocv3.ProcessingRequest{
		reqHeaders(true), respHeaders(true, "content-type", "application/json"),
	}, failAt: 2}
	if err := h.st.srv.Process(s); err == nil {
		t.Fatal("Process returned no error though the last reply was not sent")
	}
	req, comp := h.audit.counts()
	if req != 1 || comp != 1 {
		t.Fatalf("records: %d request, %d completion; want 1 and 1", req, comp)
	}
	if c := h.audit.completions[0]; c.Disposition != exchange.Failed || c.ErrorCode != "stream_error" {
		t.Fatalf("completion record after a failed send: disposition %q, error_code %q", c.Disposition, c.ErrorCode)
	}
}

// TestProcessWritesTheCompletionRecordWhenTheStreamEnds: once the reply that ends the exchange
// is sent, the server waits for the stream to end (Envoy closes it right after its last expected
// reply) before doing the completion record's work, so that the reply leaves first; the record's
// end time is when the reply went out, not when the stream closed.
func TestProcessWritesTheCompletionRecordWhenTheStreamEnds(t *testing.T) {
	h := newHarness(t, nil)
	var atEnd int
	var sentAt time.Time
	s := &scriptedStream{msgs: []*extprocv3.ProcessingRequest{
		reqHeaders(true), respHeaders(true, "content-type", "application/json"),
	}}
	s.atEnd = func() {
		_, atEnd = h.audit.counts()
		sentAt = time.Now()
	}
	if err := h.st.srv.Process(s); err != nil {
		t.Fatal(err)
	}
	if atEnd != 0 {
		t.Fatalf("the completion record was written before the stream ended")
	}
	req, comp := h.audit.counts()
	if req != 1 || comp != 1 {
		t.Fatalf("records: %d request, %d completion; want 1 and 1", req, comp)
	}
	c := h.audit.completions[0]
	if c.Disposition != exchange.Allowed || c.Status != 200 || c.ErrorCode != "" {
		t.Fatalf("completion record: disposition %q, status %d, error_code %q; want allowed, 200, none", c.Disposition, c.Status, c.ErrorCode)
	}
	if c.End.After(sentAt) {
		t.Fatalf("completion record ends at the stream's close (%v after the reply), not when the reply went out", c.End.Sub(sentAt))
	}
}

// TestStreamResetAfterTheLastReplyIsNotAFailure: Envoy resets the stream right after its last
// expected reply (a cancel, or a transport error when the connection goes); the exchange was
// answered, and its record says so.
func TestStreamResetAfterTheLastReplyIsNotAFailure(t *testing.T) {
	h := newHarness(t, nil)
	h.st.handle(context.Background(), reqHeaders(true))
	h.st.repliesSent()
	if _, err := h.st.handle(context.Background(), respHeaders(true, "content-type", "application/json")); err != nil {
		t.Fatal(err)
	}
	h.st.repliesSent()
	h.st.finish(context.Background(), errors.New("transport is closing"))
	if c := h.audit.completions; len(c) != 1 || c[0].Disposition != exchange.Allowed || c[0].ErrorCode != "" {
		t.Fatalf("completion records %+v; want one, allowed", c)
	}
}
