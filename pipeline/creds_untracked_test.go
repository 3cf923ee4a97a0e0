package pipeline_test

import (
	"context"
	"encoding/base64"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/warden-gw/warden/creds"
	"github.com/warden-gw/warden/envoy"
	"github.com/warden-gw/warden/exchange"
	"github.com/warden-gw/warden/extproc"
	"github.com/warden-gw/warden/extproc/extproctest"
	"github.com/warden-gw/warden/identity"
	"github.com/warden-gw/warden/internal/testenv/pgtest"
	"github.com/warden-gw/warden/internal/testenv/vaulttest"
	"github.com/warden-gw/warden/pipeline"
)

// releaseSignal is the credential stage with a signal once an exchange's Release returned.
type releaseSignal struct {
	pipeline.Credentials
	released chan string
}

func (r releaseSignal) Release(ctx context.Context, x *exchange.Exchange) {
	r.Credentials.Release(ctx, x)
	r.released <- x.ID
}

// leaseLog keeps the leases each exchange recorded.
type leaseLog struct {
	mu sync.Mutex
	by map[string][]exchange.Credential
}

func (l *leaseLog) RecordRequest(_ context.Context, x *exchange.Exchange) error { return l.keep(x) }

func (l *leaseLog) RecordCompletion(_ context.Context, x *exchange.Exchange) error {
	return l.keep(x)
}

func (l *leaseLog) keep(x *exchange.Exchange) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.by[x.ID] = append([]exchange.Credential(nil), x.Credentials...)
	return nil
}

func (l *leaseLog) of(id string) []exchange.Credential {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.by[id]
}

// Against a real Vault and PostgreSQL, through the ext_proc server as Envoy drives it: with the
// session table full, a second client's session is not tracked, so nothing would end it. Its
// exchange's database user is revoked when the exchange ends (before: it lived to its 1h TTL);
// the tracked session's user lives on and is reused by its next request.
func TestUntrackedSessionLeaseEndsWithItsExchange(t *testing.T) {
	vault, pg := vaulttest.Start(t), pgtest.Start(t)
	pg.Exec(t, "CREATE TABLE orders (id int, item text); INSERT INTO orders VALUES (1, 'anvil')")
	vault.Mount(t, "database", "database")
	vault.Write(t, "database/config/orders", map[string]any{
		"plugin_name": "postgresql-database-plugin", "connection_url": pg.VaultConnectionURL(),
		"username": pg.User, "password": pg.Password, "allowed_roles": "*",
	})
	vault.Write(t, "database/roles/app", map[string]any{
		"db_name": "orders", "default_ttl": "1h", "max_ttl": "2h",
		"creation_statements": `CREATE ROLE "{{name}}" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}'; GRANT SELECT ON orders TO "{{name}}";`,
	})
	ctx := context.Background()
	broker, err := creds.New(ctx, creds.Config{
		Address: vault.Addr, Auth: creds.Auth{Method: creds.AuthToken, Token: vault.RootToken}, Timeout: 5 * time.Second,
		Roles:  []creds.Role{{Name: "db", Source: creds.SourceDatabase, Path: "app"}},
		Routes: []creds.Route{{Host: "db.orders.internal", Role: "db", Headers: map[string]string{"authorization": "Basic {{ basicAuth .username .password }}"}}},
	}, creds.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = broker.Close(context.Background()) })
	tracker := identity.NewSessions(identity.SessionConfig{MaxSessions: 1}, identity.WithTicks(make(chan time.Time)),
		identity.WithSessionLogger(slog.New(slog.DiscardHandler)))
	t.Cleanup(func() { _ = tracker.Close(context.Background()) })

	stage := releaseSignal{
		Credentials: pipeline.Credentials{Leases: broker, Sessions: tracker, Exchanges: broker},
		released:    make(chan string, 8),
	}
	leases := &leaseLog{by: map[string][]exchange.Credential{}}
	filter := envoy.DefaultExtProcFilter()
	srv, err := extproc.NewServer(extproc.Pipeline{
		Identity: pipeline.Anonymous{A: identity.Anonymous{Sessions: tracker}}, Creds: stage, Audit: leases,
	}, extproc.OptionsFromFilter(filter, extproc.DefaultOptions()))
	if err != nil {
		t.Fatal(err)
	}
	emu, err := extproctest.New(extproctest.StartServer(t, srv), filter)
	if err != nil {
		t.Fatal(err)
	}
	// The upstream queries PostgreSQL as the injected user: the credential works while its
	// exchange is in flight.
	up := extproctest.UpstreamFunc(func(_ context.Context, r *extproctest.UpstreamRequest) (*extproctest.Response, error) {
		auth, _ := r.Headers.Get("authorization")
		raw, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(auth, "Basic "))
		user, pass, _ := strings.Cut(string(raw), ":")
		if out, err := pg.QueryAs(user, pass, "SELECT item FROM orders"); err != nil || out != "anvil" {
			return &extproctest.Response{Status: 502, Headers: extproctest.H(":status", "502")}, nil
		}
		return &extproctest.Response{Status: 200, Headers: extproctest.H(":status", "200")}, nil
	})
	send := func(id, session string) exchange.Credential {
		t.Helper()
		res, err := emu.Run(ctx, &extproctest.Request{Headers: extproctest.H(
			":method", "GET", ":path", "/orders", ":authority", "db.orders.internal", ":scheme", "https",
			"x-request-id", id, "x-agent-session", session)}, up)
		if err != nil {
			t.Fatal(err)
		}
		if res.Status != 200 {
			t.Fatalf("%s: status %d, want 200 (the injected user could query)", id, res.Status)
		}
		select {
		case got := <-stage.released:
			if got != id {
				t.Fatalf("released %s, want %s", got, id)
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("%s: the exchange's end never reached the credential stage", id)
		}
		cs := leases.of(id)
		if len(cs) != 1 || cs[0].LeaseID == "" {
			t.Fatalf("%s: leases %+v, want one database lease", id, cs)
		}
		return cs[0]
	}
	alive := func(c exchange.Credential) bool {
		_, err := vault.Client(t).Sys().Lookup(c.LeaseID)
		return err == nil
	}

	tracked := send("r-tracked", "client-a")
	untracked := send("r-untracked", "client-b") // the table (1 session) is full: not tracked
	if untracked.LeaseID == tracked.LeaseID {
		t.Fatal("the untracked exchange was given the tracked session's lease")
	}
	if alive(untracked) {
		t.Fatalf("the untracked exchange's lease %s outlived its exchange", untracked.LeaseID)
	}
	if !alive(tracked) {
		t.Fatal("an exchange's end revoked the tracked session's lease")
	}
	if again := send("r-tracked-2", "client-a"); again.LeaseID != tracked.LeaseID || !alive(tracked) {
		t.Fatalf("the tracked session's next request got %s, want its lease %s still alive", again.LeaseID, tracked.LeaseID)
	}
	if other := send("r-untracked-2", "client-b"); other.LeaseID == untracked.LeaseID || alive(other) {
		t.Fatalf("the untracked session's next exchange: lease %s (alive %v), want a new one, revoked at its end", other.LeaseID, alive(other))
	}
}
