package mainlib

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"testing"

	"github.com/warden-gw/warden/exchange"
	"github.com/warden-gw/warden/extproc"
	"github.com/warden-gw/warden/identity"
	"github.com/warden-gw/warden/pipeline"
)

// endedLeases records the sessions whose leases were handed back.
type endedLeases struct {
	mu    sync.Mutex
	ended []string
}

func (e *endedLeases) EndSession(_ context.Context, session string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.ended = append(e.ended, session)
	return nil
}

// Without an identity section every request gets an anonymous session, and a client picks a
// new one by changing x-agent-session; each such session gets its own Vault lease. The session
// must end (here: at shutdown; idle and lifetime as for identified sessions) so that its lease
// goes back to Vault, instead of being renewed for as long as warden runs.
func TestAnonymousSessionsEndAndGiveTheirLeasesBack(t *testing.T) {
	leases := &endedLeases{}
	rt := &runtime{}
	cfg := DefaultConfig()
	anon := rt.openAnonymousSessions(cfg, pipeline.Sessions{Leases: leases, Logger: slog.New(slog.DiscardHandler)})
	if anon == nil {
		t.Fatal("no session tracker without an identity section")
	}
	stage := (*agents)(nil).stage(anon)
	var sessions []string
	for _, name := range []string{"task-1", "task-2"} {
		x := &exchange.Exchange{Request: exchange.Request{Headers: exchange.Headers{
			{Key: "user-agent", Value: "sdk/1"}, {Key: "x-agent-session", Value: name},
		}}}
		if _, err := stage.Identify(context.Background(), x, extproc.Metadata{}); err != nil {
			t.Fatal(err)
		}
		if x.Identity.Session == "" {
			t.Fatal("anonymous request without a session")
		}
		sessions = append(sessions, x.Identity.Session)
	}
	rt.close(context.Background(), slog.New(slog.DiscardHandler))
	slices.Sort(sessions)
	slices.Sort(leases.ended)
	if !slices.Equal(leases.ended, sessions) {
		t.Fatalf("leases handed back for sessions %v, want %v", leases.ended, sessions)
	}

	withIdentity := cfg
	withIdentity.Identity = &identity.Config{Modes: []string{identity.ModeJWTAuthn}}
	if (&runtime{}).openAnonymousSessions(withIdentity, pipeline.Sessions{}) != nil {
		t.Fatal("with an identity section the verifier tracks anonymous sessions; a second tracker would end them twice")
	}
}
