package approval

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/warden-gw/warden/exchange"
)

// fakeAuth maps bearer tokens to identities.
type fakeAuth map[string]exchange.Identity

func (f fakeAuth) AuthenticateBearer(_ context.Context, tok string) (exchange.Identity, error) {
	if id, ok := f[tok]; ok {
		return id, nil
	}
	return exchange.Identity{}, errors.New("unknown token")
}

var (
	alice   = exchange.Identity{Subject: "alice@example.com", Groups: []string{"sre", "approvers"}}
	mallory = exchange.Identity{Subject: "mallory@example.com", Groups: []string{"dev"}}
	auth    = fakeAuth{"tok-alice": alice, "tok-mallory": mallory}
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// eventLog records events and lets tests wait for one kind.
type eventLog struct {
	mu  sync.Mutex
	all []Event
	ch  chan Event
}

func newEventLog() *eventLog { return &eventLog{ch: make(chan Event, 1024)} }

func (e *eventLog) fn(_ context.Context, ev Event) {
	e.mu.Lock()
	e.all = append(e.all, ev)
	e.mu.Unlock()
	select { // a wake-up; waitFor rereads all, so a full channel loses nothing
	case e.ch <- ev:
	default:
	}
}

func (e *eventLog) kinds() []EventKind {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []EventKind
	for _, ev := range e.all {
		out = append(out, ev.Kind)
	}
	return out
}

func (e *eventLog) find(kind EventKind) (Event, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, ev := range e.all {
		if ev.Kind == kind {
			return ev, true
		}
	}
	return Event{}, false
}

func (e *eventLog) last() Event {
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.all) == 0 {
		return Event{}
	}
	return e.all[len(e.all)-1]
}

// waitFor returns the first event of kind, waiting for it if it has not happened yet.
func (e *eventLog) waitFor(t *testing.T, kind EventKind) Event {
	t.Helper()
	deadline := time.After(15 * time.Second)
	for {
		if ev, ok := e.find(kind); ok {
			return ev
		}
		select {
		case <-e.ch:
		case <-deadline:
			t.Fatalf("no %s event within 15s; saw %v", kind, e.kinds())
		}
	}
}

type ticker chan time.Time

// tick runs one janitor sweep and returns when it has been picked up. A second send proves the
// first sweep finished, because the janitor only receives between sweeps.
func (tk ticker) tick(now time.Time) {
	tk <- now
	tk <- now
}

func newService(t testing.TB, cfg Config, store Store, clk *clock, opts ...Option) (*Service, *eventLog, ticker) {
	t.Helper()
	if cfg.ApproverGroups == nil {
		cfg.ApproverGroups = []string{"approvers"}
	}
	ev := newEventLog()
	tk := make(ticker)
	// The exchanges here stand for what warden's view hands the service (tool calls filled in,
	// secrets redacted), so the view passes them through.
	pass := func(x *exchange.Exchange) *exchange.Exchange { return x }
	opts = append([]Option{WithEvents(ev.fn), WithClock(clk.Now), WithTicks(tk), WithView(pass)}, opts...)
	s, err := New(context.Background(), cfg, store, opts...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s, ev, tk
}

func testExchange(body string) *exchange.Exchange {
	return &exchange.Exchange{
		Request: exchange.Request{
			Method: "POST", Scheme: "https", Authority: "k8s.internal:443", Path: "/api/v1/namespaces/prod/pods",
			Body: []byte(body),
		},
		Identity:  exchange.Identity{Subject: "bot-7", Agent: "coder-agent", OnBehalfOf: "bob@example.com", Session: "s_1"},
		ToolCalls: []exchange.ToolCall{{Kind: "k8s", Name: "delete", Text: "kubectl delete pod web-1 -n prod"}},
	}
}

var decision = exchange.Decision{
	Action: exchange.RequireApproval, Phase: exchange.PhaseRequest, Policy: "k8s",
	Rule: "prod-deletes", Reason: "deleting pods in prod needs a human",
}
