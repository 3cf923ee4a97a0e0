package identity

import (
	"context"
	"testing"
	"time"

	"github.com/warden-gw/warden/exchange"
)

func TestAnonymousSession(t *testing.T) {
	h := func(kv ...string) exchange.Headers {
		var out exchange.Headers
		for i := 0; i+1 < len(kv); i += 2 {
			out = append(out, exchange.Header{Key: kv[i], Value: kv[i+1]})
		}
		return out
	}
	base := AnonymousSession(h("user-agent", "sdk/1"), "10.0.0.1:5000", "")
	tests := []struct {
		name    string
		headers exchange.Headers
		addr    string
		same    bool
	}{
		{"same client, another connection", h("user-agent", "sdk/1"), "10.0.0.1:6000", true},
		{"another address", h("user-agent", "sdk/1"), "10.0.0.2:5000", false},
		{"another user agent", h("user-agent", "sdk/2"), "10.0.0.1:5000", false},
		{"the client names its session", h("user-agent", "sdk/1", "x-agent-session", "task-7"), "10.0.0.1:5000", false},
		{"an address header the client sends does not choose its session", h("user-agent", "sdk/1", "x-envoy-external-address", "10.0.0.1", "x-forwarded-for", "10.0.0.1"), "192.168.0.9:1", false},
		{"x-envoy-external-address when Envoy sent no address", h("user-agent", "sdk/1", "x-envoy-external-address", "10.0.0.1"), "", true},
		{"x-forwarded-for when Envoy sent no address", h("user-agent", "sdk/1", "x-forwarded-for", "10.0.0.1, 172.16.0.1"), "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := AnonymousSession(tc.headers, tc.addr, "")
			if (got == base) != tc.same {
				t.Fatalf("session %s vs %s: same=%v, want %v", got, base, got == base, tc.same)
			}
			if len(got) != 34 || got[:2] != "s_" {
				t.Fatalf("session id %q is not an s_ id", got)
			}
		})
	}
}

// TestVerifierGivesAnonymousRequestsASession: a request without a credential is anonymous but
// still belongs to a session, tracked like any other.
func TestVerifierGivesAnonymousRequestsASession(t *testing.T) {
	testKeys(t)
	clk := newClock()
	is := newIssuer(t, pub(&rsaKey1.PublicKey, "k1", "RS256"))
	v := newVerifier(t, jwtConfig(is, false), clk)
	x := exchangeWith("user-agent", "sdk/1")
	if err := v.IdentifyFrom(context.Background(), x, nil, "10.1.2.3:4444"); err != nil {
		t.Fatal(err)
	}
	if x.Identity.Subject != "" || x.Identity.Session != AnonymousSession(x.Request.Headers, "10.1.2.3:4444", "") {
		t.Fatalf("identity = %+v, want anonymous with the client's session", x.Identity)
	}
}

// An anonymous session a client named itself ends when idle, like an identified one, when
// Anonymous has a tracker: its OnEnd callbacks (lease revocation) run.
func TestAnonymousSessionsEndWhenIdle(t *testing.T) {
	clk := newClock()
	s := NewSessions(SessionConfig{IdleTimeout: time.Minute}, WithClock(clk.Now), WithTicks(make(chan time.Time)))
	defer func() { _ = s.Close(context.Background()) }()
	ends := newEndLog()
	s.OnEnd(ends.fn)
	x := exchangeWith("user-agent", "sdk/1", "x-agent-session", "task-9")
	Anonymous{Sessions: s}.Identify(x, "10.0.0.1:5000")
	clk.Add(2 * time.Minute)
	if n := s.Sweep(context.Background()); n != 1 {
		t.Fatalf("sweep ended %d sessions, want the idle anonymous one", n)
	}
	if got := ends.next(t); got != x.Identity.Session {
		t.Fatalf("ended %s, want %s", got, x.Identity.Session)
	}
}
