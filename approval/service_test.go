package approval

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/warden-gw/warden/exchange"
)

func TestDigest(t *testing.T) {
	base := Digest("POST", "https", "Api.Example.com:443", "/x", []byte("{}"), Principal{Subject: "sub", Agent: "agent", Session: "s_1"})
	same := []struct{ name, d string }{
		{"method case and default port", Digest("post", "https", "api.example.com", "/x", []byte("{}"), Principal{Subject: "sub", Agent: "agent", Session: "s_1"})},
		{"session of an identified request", Digest("POST", "https", "api.example.com", "/x", []byte("{}"), Principal{Subject: "sub", Agent: "agent", Session: "s_2"})},
	}
	diff := []struct{ name, d string }{
		{"method", Digest("PUT", "https", "api.example.com", "/x", []byte("{}"), Principal{Subject: "sub", Agent: "agent", Session: "s_1"})},
		{"host", Digest("POST", "https", "api2.example.com", "/x", []byte("{}"), Principal{Subject: "sub", Agent: "agent", Session: "s_1"})},
		{"path", Digest("POST", "https", "api.example.com", "/y", []byte("{}"), Principal{Subject: "sub", Agent: "agent", Session: "s_1"})},
		{"body", Digest("POST", "https", "api.example.com", "/x", []byte("{ }"), Principal{Subject: "sub", Agent: "agent", Session: "s_1"})},
		{"subject", Digest("POST", "https", "api.example.com", "/x", []byte("{}"), Principal{Subject: "sub2", Agent: "agent", Session: "s_1"})},
		{"agent", Digest("POST", "https", "api.example.com", "/x", []byte("{}"), Principal{Subject: "sub", Agent: "agent2", Session: "s_1"})},
		{"field boundary", Digest("POST", "https", "api.example.com", "/x", []byte("{}"), Principal{Subject: "suba", Agent: "gent", Session: "s_1"})},
		{"issuer", Digest("POST", "https", "api.example.com", "/x", []byte("{}"), Principal{Subject: "sub", Issuer: "https://other-idp.example", Agent: "agent", Session: "s_1"})},
		{"no subject", Digest("POST", "https", "api.example.com", "/x", []byte("{}"), Principal{Subject: "", Agent: "agent", Session: "s_1"})},
	}
	for _, c := range same {
		t.Run(c.name, func(t *testing.T) {
			if c.d != base {
				t.Fatal("digest differs for an equivalent request")
			}
		})
	}
	for _, c := range diff {
		t.Run(c.name, func(t *testing.T) {
			if c.d == base {
				t.Fatalf("digest ignores the %s", c.name)
			}
		})
	}
}

func TestRequestDeduplicatesByDigest(t *testing.T) {
	clk := newClock()
	s, ev, _ := newService(t, Config{}, NewMemoryStore(), clk)
	ctx := context.Background()
	a1, err := s.Request(ctx, testExchange(`{"pod":"web-1"}`), decision)
	if err != nil {
		t.Fatal(err)
	}
	a2, _ := s.Request(ctx, testExchange(`{"pod":"web-1"}`), decision)
	a3, _ := s.Request(ctx, testExchange(`{"pod":"web-2"}`), decision)
	if a1.ID != a2.ID {
		t.Fatalf("same action got two requests %s %s", a1.ID, a2.ID)
	}
	if a3.ID == a1.ID {
		t.Fatal("another body reused the request")
	}
	want := Requester{Subject: "bot-7", Agent: "coder-agent", OnBehalfOf: "bob@example.com", Session: "s_1"}
	if a1.Requester != want || a1.Action.Rule != "prod-deletes" || a1.Status != Pending ||
		!reflect.DeepEqual(a1.Action.ToolCalls, []string{"k8s delete: kubectl delete pod web-1 -n prod"}) {
		t.Fatalf("approval = %+v", a1)
	}
	if !a1.Expires.Equal(clk.Now().Add(5 * time.Minute)) {
		t.Fatalf("expires %s, want now+5m", a1.Expires)
	}
	if got := ev.kinds(); !reflect.DeepEqual(got, []EventKind{EventRequested, EventRequested}) {
		t.Fatalf("events %v", got)
	}
	if p := s.Pending(); len(p) != 2 {
		t.Fatalf("pending = %d", len(p))
	}
}

func TestExpiry(t *testing.T) {
	clk := newClock()
	s, ev, tk := newService(t, Config{Timeout: time.Minute}, NewMemoryStore(), clk)
	ctx := context.Background()
	x := testExchange("{}")
	a, _ := s.Request(ctx, x, decision)
	got := make(chan Status, 1)
	go func() {
		st, _ := s.Wait(ctx, a.ID)
		got <- st
	}()
	clk.Add(61 * time.Second)
	tk.tick(clk.Now())
	select {
	case st := <-got:
		if st != Expired {
			t.Fatalf("Wait = %s, want expired", st)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Wait did not return after expiry")
	}
	ev.waitFor(t, EventExpired)
	if err := s.Decide(ctx, a.ID, alice, true, ""); !errors.Is(err, ErrExpired) {
		t.Fatalf("approving an expired request: %v", err)
	}
	if _, ok := s.Consume(ctx, KeyOf(x)); ok {
		t.Fatal("an expired request was consumable")
	}
	if len(s.Pending()) != 0 {
		t.Fatal("expired request still listed as pending")
	}
	// A new request for the same action is a new approval.
	b, _ := s.Request(ctx, x, decision)
	if b.ID == a.ID {
		t.Fatal("expired approval reused")
	}
}

func TestConsumeOnceAndWindow(t *testing.T) {
	for _, reusable := range []bool{false, true} {
		t.Run(map[bool]string{false: "once", true: "reusable window"}[reusable], func(t *testing.T) {
			clk := newClock()
			s, ev, tk := newService(t, Config{Window: 10 * time.Minute, Reusable: reusable}, NewMemoryStore(), clk)
			ctx := context.Background()
			x := testExchange(`{"drop":"table"}`)
			a, _ := s.Request(ctx, x, decision)
			if _, ok := s.Consume(ctx, DigestKey(a.Digest)); ok {
				t.Fatal("a pending request was consumable")
			}
			if err := s.Decide(ctx, a.ID, alice, true, "ok for the migration"); err != nil {
				t.Fatal(err)
			}
			if st, err := s.Wait(ctx, a.ID); st != Approved || err != nil {
				t.Fatalf("Wait = %s %v", st, err)
			}
			got, ok := s.Consume(ctx, KeyOf(x))
			if !ok || got.ID != a.ID || got.Uses != 1 {
				t.Fatalf("first Consume = %+v %v", got, ok)
			}
			_, ok = s.Consume(ctx, DigestKey(a.Digest))
			if ok != reusable {
				t.Fatalf("second Consume within the window = %v, want %v", ok, reusable)
			}
			clk.Add(11 * time.Minute)
			if _, ok := s.Consume(ctx, DigestKey(a.Digest)); ok {
				t.Fatal("replay after the window was let through")
			}
			tk.tick(clk.Now())
			final, _ := s.Get(a.ID)
			if final.Status != Used {
				t.Fatalf("status after window = %s, want used", final.Status)
			}
			if ev.waitFor(t, EventApproved).Actor != alice.Subject {
				t.Fatal("approved event lacks the approver")
			}
		})
	}
}

func TestDecideRefusals(t *testing.T) {
	clk := newClock()
	s, ev, _ := newService(t, Config{FourEyes: true}, NewMemoryStore(), clk)
	ctx := context.Background()
	a, _ := s.Request(ctx, testExchange("{}"), decision)
	bot := alice
	bot.Subject = "bot-7"
	bob := alice
	bob.Subject = "bob@example.com"
	tests := []struct {
		name     string
		id       string
		approver func() (string, []string)
		want     error
	}{
		{"unknown id", "apr_nope", nil, ErrNotFound},
		{"outside the approver groups", a.ID, func() (string, []string) { return mallory.Subject, mallory.Groups }, ErrForbidden},
		{"the requesting agent itself", a.ID, func() (string, []string) { return bot.Subject, bot.Groups }, ErrSelfApproval},
		{"four eyes: the human the agent acts for", a.ID, func() (string, []string) { return bob.Subject, bob.Groups }, ErrSelfApproval},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			who := alice
			if tc.approver != nil {
				who.Subject, who.Groups = tc.approver()
			}
			if err := s.Decide(ctx, tc.id, who, true, ""); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			ev.waitFor(t, EventRefused)
			if last := ev.last(); last.Kind != EventRefused || last.Actor != who.Subject {
				t.Fatalf("refusal not reported with the actor: %+v", last)
			}
		})
	}
	if cur, _ := s.Get(a.ID); cur.Status != Pending {
		t.Fatalf("refused decisions changed the request: %s", cur.Status)
	}
	if err := s.Decide(ctx, a.ID, alice, false, "no"); err != nil {
		t.Fatal(err)
	}
	if err := s.Decide(ctx, a.ID, alice, true, "changed my mind"); !errors.Is(err, ErrAlreadyDecided) {
		t.Fatalf("second decision: %v", err)
	}
	if st, _ := s.Wait(ctx, a.ID); st != Denied {
		t.Fatalf("Wait = %s, want denied", st)
	}
	if _, ok := s.Consume(ctx, DigestKey(a.Digest)); ok {
		t.Fatal("a denied request was consumable")
	}
}

func TestWaitContextCancel(t *testing.T) {
	clk := newClock()
	s, _, _ := newService(t, Config{}, NewMemoryStore(), clk)
	a, _ := s.Request(context.Background(), testExchange("{}"), decision)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if st, err := s.Wait(ctx, a.ID); st != Pending || !errors.Is(err, context.Canceled) {
		t.Fatalf("Wait = %s %v", st, err)
	}
	if _, err := s.Wait(context.Background(), "apr_unknown"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Wait unknown: %v", err)
	}
}

func TestMaxPending(t *testing.T) {
	clk := newClock()
	s, _, _ := newService(t, Config{MaxPending: 1}, NewMemoryStore(), clk)
	ctx := context.Background()
	if _, err := s.Request(ctx, testExchange("1"), decision); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Request(ctx, testExchange("2"), decision); !errors.Is(err, ErrTooMany) {
		t.Fatalf("got %v", err)
	}
}

// Without a view, approvers (webhook, API, Kafka) see no query string and no tool calls: both can
// carry secrets that only warden's redactor knows how to remove.
func TestDefaultViewShowsNoQueryOrToolCalls(t *testing.T) {
	clk := newClock()
	s, err := New(context.Background(), Config{ApproverGroups: []string{"approvers"}}, NewMemoryStore(), WithClock(clk.Now))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	x := testExchange(`{"pod":"web-1"}`)
	x.Request.Path += "?key=AIzaSECRETSECRET"
	a, err := s.Request(context.Background(), x, decision)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(a.Action.Path, "SECRET") || a.Action.Path != "/api/v1/namespaces/prod/pods" || len(a.Action.ToolCalls) != 0 {
		t.Fatalf("action = %+v; want the path without its query and no tool calls", a.Action)
	}
	if a.Digest != DigestOf(x) {
		t.Fatal("the digest is not the real exchange's")
	}
}

// TestDigestOfBindsAnAnonymousRequestToItsSession: without a subject, nothing else in the digest
// tells two anonymous clients apart, so their session (identity.AnonymousSession: client
// address, user agent, x-agent-session) is part of it; an identified request's digest does not
// depend on its session (the same agent's retry in a new session still matches).
func TestDigestOfBindsAnAnonymousRequestToItsSession(t *testing.T) {
	anon := func(session string) *exchange.Exchange {
		x := testExchange(`{"pod":"web-1"}`)
		x.Identity = exchange.Identity{Session: session}
		return x
	}
	if DigestOf(anon("s_a")) == DigestOf(anon("s_b")) {
		t.Fatal("two anonymous sessions sending the same request share a digest: either consumes the other's approval")
	}
	if first, retry := DigestOf(anon("s_a")), DigestOf(anon("s_a")); first != retry {
		t.Fatal("the same anonymous session's retry gets another digest")
	}
	idA, idB := testExchange(`{"pod":"web-1"}`), testExchange(`{"pod":"web-1"}`)
	idB.Identity.Session = "s_2"
	if DigestOf(idA) != DigestOf(idB) {
		t.Fatal("an identified request's digest depends on its session")
	}
}
