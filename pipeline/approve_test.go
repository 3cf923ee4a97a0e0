package pipeline

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/warden-gw/warden/approval"
	"github.com/warden-gw/warden/exchange"
	"github.com/warden-gw/warden/extproc"
)

var (
	approver = exchange.Identity{Subject: "alice@example.com", Groups: []string{"warden-approvers"}}
	agent    = exchange.Identity{Subject: "agent-7", Session: "s1"}
)

// newService is a real approval service on a memory store, on a fixed clock and without its
// janitor (no ticks arrive).
func newService(t *testing.T, cfg approval.Config) (*approval.Service, *approval.MemoryStore) {
	t.Helper()
	store := approval.NewMemoryStore()
	cfg.ApproverGroups = []string{"warden-approvers"}
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	svc, err := approval.New(context.Background(), cfg, store,
		approval.WithClock(func() time.Time { return now }), approval.WithTicks(make(chan time.Time)),
		approval.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = svc.Close() })
	return svc, store
}

func deleteRequest() *exchange.Exchange {
	return &exchange.Exchange{
		ID:       "req-1",
		Request:  exchange.Request{Method: "DELETE", Scheme: "https", Authority: "db.internal", Path: "/tables/orders"},
		Identity: agent,
	}
}

func needsApproval() exchange.Decision {
	return exchange.Decision{
		Action: exchange.RequireApproval, Code: exchange.CodeApprovalRequired, Phase: exchange.PhaseRequest,
		Policy: "p", Rule: "destructive", Reason: "deleting needs a human",
	}
}

func TestApprovalsFirstRequestOpensAnApprovalAndRefuses(t *testing.T) {
	svc, store := newService(t, approval.Config{})
	a := &Approvals{Service: svc, History: store}
	d, err := a.Resolve(context.Background(), deleteRequest(), needsApproval(), noHold)
	if err != nil {
		t.Fatal(err)
	}
	if !d.Blocks() || d.Code != exchange.CodeApprovalRequired || d.ApprovalID == "" {
		t.Fatalf("got %+v, want require_approval with an approval id", d)
	}
	if p := svc.Pending(); len(p) != 1 || p[0].ID != d.ApprovalID {
		t.Fatalf("pending approvals %+v, want the one named in the decision", p)
	}
	// The agent retries before anyone decided: the same request, no second one.
	d2, err := a.Resolve(context.Background(), deleteRequest(), needsApproval(), noHold)
	if err != nil || d2.ApprovalID != d.ApprovalID || len(svc.Pending()) != 1 {
		t.Fatalf("retry: %+v, %v; pending %d", d2, err, len(svc.Pending()))
	}
}

func TestApprovalsRetryAfterApprovalIsReleasedNamingTheApprover(t *testing.T) {
	svc, store := newService(t, approval.Config{})
	a := &Approvals{Service: svc, History: store}
	d, _ := a.Resolve(context.Background(), deleteRequest(), needsApproval(), noHold)
	if err := svc.Decide(context.Background(), d.ApprovalID, approver, true, "ok once"); err != nil {
		t.Fatal(err)
	}
	got, err := a.Resolve(context.Background(), deleteRequest(), needsApproval(), noHold)
	if err != nil {
		t.Fatal(err)
	}
	if got.Blocks() || got.Code != exchange.CodeApproved || got.ApprovedBy != approver.Subject || got.ApprovalID != d.ApprovalID {
		t.Fatalf("got %+v, want allow approved by %s", got, approver.Subject)
	}
	if !strings.Contains(got.Reason, approver.Subject) {
		t.Fatalf("reason %q does not name the approver", got.Reason)
	}
	// Approved once: the next retry needs a new approval.
	again, _ := a.Resolve(context.Background(), deleteRequest(), needsApproval(), noHold)
	if !again.Blocks() || again.ApprovalID == d.ApprovalID {
		t.Fatalf("second use of a once-only approval: %+v", again)
	}
}

func TestApprovalsRetryAfterDenialLearnsTheDenial(t *testing.T) {
	svc, store := newService(t, approval.Config{})
	a := &Approvals{Service: svc, History: store}
	d, _ := a.Resolve(context.Background(), deleteRequest(), needsApproval(), noHold)
	if err := svc.Decide(context.Background(), d.ApprovalID, approver, false, "not on a Friday"); err != nil {
		t.Fatal(err)
	}
	got, err := a.Resolve(context.Background(), deleteRequest(), needsApproval(), noHold)
	if err != nil {
		t.Fatal(err)
	}
	if got.Action != exchange.Deny || got.Code != exchange.CodeApprovalDenied || got.ApprovedBy != approver.Subject || got.ApprovalID != d.ApprovalID {
		t.Fatalf("got %+v, want the denial of %s by %s", got, d.ApprovalID, approver.Subject)
	}
	if want := "denied by alice@example.com (approval " + d.ApprovalID + "): not on a Friday"; got.Reason != want {
		t.Fatalf("reason %q, want %q", got.Reason, want)
	}
	if n := len(store.List()); n != 1 {
		t.Fatalf("%d approvals in the store, want 1: a retry of a denied action opens no new request", n)
	}
	t.Run("without history a retry opens a new request", func(t *testing.T) {
		b := &Approvals{Service: svc}
		got, _ := b.Resolve(context.Background(), deleteRequest(), needsApproval(), noHold)
		if got.Code != exchange.CodeApprovalRequired || got.ApprovalID == d.ApprovalID {
			t.Fatalf("got %+v", got)
		}
	})
}

// holder grants a hold and, once the request is waiting, lets the test decide.
type holder struct {
	granted chan struct{}
	once    sync.Once
}

func (h *holder) hold(d time.Duration) (time.Duration, bool) {
	h.once.Do(func() { close(h.granted) })
	return d, true
}

func TestApprovalsHoldReleasesOrRefusesInFlight(t *testing.T) {
	for _, tc := range []struct {
		name    string
		approve bool
		want    exchange.DecisionCode
		action  exchange.Action
	}{
		{"approved while held", true, exchange.CodeApproved, exchange.Allow},
		{"denied while held", false, exchange.CodeApprovalDenied, exchange.Deny},
	} {
		t.Run(tc.name, func(t *testing.T) {
			svc, store := newService(t, approval.Config{})
			a := &Approvals{Service: svc, History: store, Hold: time.Minute}
			h := &holder{granted: make(chan struct{})}
			type result struct {
				d   exchange.Decision
				err error
			}
			done := make(chan result, 1)
			go func() {
				d, err := a.Resolve(context.Background(), deleteRequest(), needsApproval(), h.hold)
				done <- result{d, err}
			}()
			<-h.granted
			p := svc.Pending() // stored before the hold is asked for
			if len(p) != 1 {
				t.Fatalf("pending %+v", p)
			}
			if err := svc.Decide(context.Background(), p[0].ID, approver, tc.approve, "note"); err != nil {
				t.Fatal(err)
			}
			r := <-done
			if r.err != nil || r.d.Action != tc.action || r.d.Code != tc.want || r.d.ApprovedBy != approver.Subject {
				t.Fatalf("got %+v, %v; want %s/%s by %s", r.d, r.err, tc.action, tc.want, approver.Subject)
			}
		})
	}
}

func TestApprovalsHoldEndsPendingWhenNobodyDecides(t *testing.T) {
	svc, store := newService(t, approval.Config{})
	a := &Approvals{Service: svc, History: store, Hold: time.Minute}
	// Envoy grants only 20ms: the wait ends (just before) and the agent gets the pending id.
	d, err := a.Resolve(context.Background(), deleteRequest(), needsApproval(), func(time.Duration) (time.Duration, bool) { return 20 * time.Millisecond, true })
	if err != nil || d.Code != exchange.CodeApprovalRequired || d.ApprovalID == "" {
		t.Fatalf("got %+v, %v", d, err)
	}
}

// fakeApprovals is an approval service whose answers the test sets.
type fakeApprovals struct {
	reqErr  error
	status  approval.Status
	waitErr error
	got     approval.Approval
	hasGet  bool
}

func (f *fakeApprovals) Consume(context.Context, approval.Key) (approval.Approval, bool) {
	return approval.Approval{}, false
}

func (f *fakeApprovals) Request(context.Context, *exchange.Exchange, exchange.Decision) (approval.Approval, error) {
	return approval.Approval{ID: "apr_1"}, f.reqErr
}

func (f *fakeApprovals) Wait(context.Context, string) (approval.Status, error) {
	return f.status, f.waitErr
}

func (f *fakeApprovals) Get(string) (approval.Approval, bool) { return f.got, f.hasGet }

func TestApprovalsStoreFailures(t *testing.T) {
	t.Run("store unavailable is a 503 the record keeps", func(t *testing.T) {
		a := &Approvals{Service: &fakeApprovals{reqErr: approval.ErrStoreUnavailable}, Budget: time.Second}
		d, err := a.Resolve(context.Background(), deleteRequest(), needsApproval(), noHold)
		var rj *extproc.Reject
		if !errors.As(err, &rj) || rj.Status != 503 || rj.Code != "approval_store_unavailable" {
			t.Fatalf("err %v, want the 503 reject", err)
		}
		if d.Code != exchange.CodeApprovalUnavailable || !d.Blocks() {
			t.Fatalf("decision %+v", d)
		}
	})
	t.Run("too many pending keeps the action blocked", func(t *testing.T) {
		a := &Approvals{Service: &fakeApprovals{reqErr: approval.ErrTooMany}}
		d, err := a.Resolve(context.Background(), deleteRequest(), needsApproval(), noHold)
		if err != nil || !d.Blocks() || d.ApprovalID != "" {
			t.Fatalf("got %+v, %v", d, err)
		}
	})
	t.Run("expired while held", func(t *testing.T) {
		a := &Approvals{Service: &fakeApprovals{status: approval.Expired}, Hold: time.Second}
		d, _ := a.Resolve(context.Background(), deleteRequest(), needsApproval(), func(d time.Duration) (time.Duration, bool) { return d, true })
		if d.Action != exchange.Deny || d.Code != exchange.CodeApprovalExpired || !strings.Contains(d.Reason, "expired") {
			t.Fatalf("got %+v", d)
		}
	})
	t.Run("denied while held, approval gone", func(t *testing.T) {
		a := &Approvals{Service: &fakeApprovals{status: approval.Denied}, Hold: time.Second}
		d, _ := a.Resolve(context.Background(), deleteRequest(), needsApproval(), func(d time.Duration) (time.Duration, bool) { return d, true })
		if d.Action != exchange.Deny || d.Code != exchange.CodeApprovalDenied {
			t.Fatalf("got %+v", d)
		}
	})
	t.Run("approved while held but the use is lost", func(t *testing.T) {
		a := &Approvals{Service: &fakeApprovals{status: approval.Approved}, Hold: time.Second}
		d, _ := a.Resolve(context.Background(), deleteRequest(), needsApproval(), func(d time.Duration) (time.Duration, bool) { return d, true })
		if !d.Blocks() || d.ApprovalID != "apr_1" {
			t.Fatalf("got %+v, want still pending", d)
		}
	})
}

// Check looks approvals up without side effects: nothing is requested or consumed.
func TestCheckLooksApprovalsUp(t *testing.T) {
	svc, store := newService(t, approval.Config{})
	a := &Approvals{Service: svc, History: store}
	p := extproc.Pipeline{Policy: fixedDecision(needsApproval()), Approve: a}
	if d := Check(context.Background(), p, deleteRequest(), false); d.Code != exchange.CodeApprovalRequired || d.ApprovalID != "" || len(store.List()) != 0 {
		t.Fatalf("no approval yet: %+v, %d approvals in the store", d, len(store.List()))
	}
	first, _ := a.Resolve(context.Background(), deleteRequest(), needsApproval(), noHold)
	if d := Check(context.Background(), p, deleteRequest(), false); d.ApprovalID != first.ApprovalID || !d.Blocks() {
		t.Fatalf("pending: %+v", d)
	}
	if err := svc.Decide(context.Background(), first.ApprovalID, approver, true, ""); err != nil {
		t.Fatal(err)
	}
	for range 2 { // shown as released every time: check does not use the approval up
		if d := Check(context.Background(), p, deleteRequest(), false); d.Code != exchange.CodeApproved || d.ApprovedBy != approver.Subject {
			t.Fatalf("approved: %+v", d)
		}
	}
	if ap, _ := svc.Get(first.ApprovalID); ap.Status != approval.Approved || ap.Uses != 0 {
		t.Fatalf("check consumed the approval: %+v", ap)
	}
	second := deleteRequest()
	second.Request.Path = "/tables/users"
	d, _ := a.Resolve(context.Background(), second, needsApproval(), noHold)
	if err := svc.Decide(context.Background(), d.ApprovalID, approver, false, "no"); err != nil {
		t.Fatal(err)
	}
	second = deleteRequest()
	second.Request.Path = "/tables/users"
	if got := Check(context.Background(), p, second, false); got.Code != exchange.CodeApprovalDenied || got.Action != exchange.Deny {
		t.Fatalf("denied: %+v", got)
	}
}

// fixedDecision is a policy that always decides d (request phase) or allows (response).
type fixedDecision exchange.Decision

func (f fixedDecision) Decide(_ context.Context, _ *exchange.Exchange, phase exchange.Phase) exchange.Decision {
	if phase == exchange.PhaseRequest {
		return exchange.Decision(f)
	}
	return exchange.Decision{Action: exchange.Allow, Phase: phase}
}

func noHold(time.Duration) (time.Duration, bool) { return 0, false }

// history is an approval history the test writes.
type history []approval.Approval

func (h history) ByDigest(digest string) []approval.Approval {
	var out []approval.Approval
	for _, a := range h {
		if a.Digest == digest {
			out = append(out, a)
		}
	}
	return out
}

// A newer record of the same action that does not stand for itself (another replica's twin,
// closed in favour of the denied request) does not hide the denial.
func TestLastDenialSkipsClosedTwins(t *testing.T) {
	t0 := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	a := &Approvals{Digest: func(*exchange.Exchange) string { return "d1" }, History: history{
		{ID: "apr_1", Digest: "d1", Status: approval.Denied, DecidedBy: "alice", Note: "no", Created: t0},
		{ID: "apr_2", Digest: "d1", Status: approval.Status("superseded"), Created: t0.Add(time.Millisecond)},
		{ID: "apr_3", Digest: "d2", Status: approval.Pending, Created: t0.Add(time.Second)},
	}}
	if d := a.Lookup(deleteRequest(), needsApproval()); d.Code != exchange.CodeApprovalDenied || d.ApprovalID != "apr_1" {
		t.Fatalf("got %+v, want the denial of apr_1", d)
	}
}

// watchedCtx counts the child contexts registered on it (context.WithCancel and WithTimeout
// register through AfterFunc) that were not released again.
type watchedCtx struct {
	context.Context
	done chan struct{}
	mu   sync.Mutex
	live int
}

func (c *watchedCtx) Done() <-chan struct{} { return c.done }

func (c *watchedCtx) AfterFunc(func()) func() bool {
	c.mu.Lock()
	c.live++
	c.mu.Unlock()
	var once sync.Once
	return func() bool {
		once.Do(func() { c.mu.Lock(); c.live--; c.mu.Unlock() })
		return true
	}
}

// Resolve releases every context it derives from the stream's: a derived context left
// uncancelled stays registered on the stream's context (and, for a context without a cancelCtx
// inside, keeps a goroutine) until the stream ends.
func TestResolveReleasesItsContexts(t *testing.T) {
	for _, budget := range []time.Duration{0, time.Minute} {
		svc, store := newService(t, approval.Config{})
		a := &Approvals{Service: svc, History: store, Budget: budget}
		ctx := &watchedCtx{Context: context.Background(), done: make(chan struct{})}
		if _, err := a.Resolve(ctx, deleteRequest(), needsApproval(), noHold); err != nil {
			t.Fatal(err)
		}
		if ctx.live != 0 {
			t.Errorf("budget %v: %d derived contexts still registered after Resolve returned", budget, ctx.live)
		}
	}
}
