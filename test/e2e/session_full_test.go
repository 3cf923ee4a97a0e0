package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/warden-gw/warden/cmd/warden/mainlib"
	"github.com/warden-gw/warden/extproc/extproctest"
	"github.com/warden-gw/warden/identity"
)

// TestSessionTableFullIsServedAndCounted: with identity.sessions.max_sessions reached, a client
// in a new session is still served (who is served does not change), and /metrics shows that its
// session is not tracked (warden_sessions_untracked_requests_total), so the operator can see that
// nothing will end that session or revoke its leases at session end.
func TestSessionTableFullIsServedAndCounted(t *testing.T) {
	is := newTestIssuer(t)
	w := startWarden(t, func(c *mainlib.Config) {
		c.Identity = &identity.Config{
			Modes:    []string{identity.ModeJWT},
			JWT:      identity.JWTConfig{Issuer: is.url, Audiences: []string{"warden"}, JWKSURL: is.url},
			Sessions: identity.SessionConfig{MaxSessions: 1},
		}
	})
	up, _ := staticUpstream(200, extproctest.Headers{{Key: "content-type", Value: "text/plain"}}, "hi")
	// Three anonymous clients (by user agent); the third sends twice.
	for i, ua := range []string{"agent-a/1", "agent-b/1", "agent-c/1", "agent-c/1"} {
		res, err := w.envoy.Run(context.Background(), request("GET", "https://api.example/v1/models",
			map[string]string{"user-agent": ua, "x-request-id": fmt.Sprint("full-", i)}), up)
		if err != nil {
			t.Fatal(err)
		}
		if res.Status != 200 {
			t.Fatalf("request %d (%s) got %d with the session table full, want it served", i, ua, res.Status)
		}
	}
	code, metrics := w.adminGet(t, "/metrics")
	if code != 200 {
		t.Fatalf("/metrics: %d", code)
	}
	for _, want := range []string{"warden_sessions_active 1", "warden_sessions_max 1", "warden_sessions_untracked_requests_total 3"} {
		if !strings.Contains(metrics, want+"\n") {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}
