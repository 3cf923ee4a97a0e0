package creds

import (
	"bytes"
	"context"
	"encoding/base64"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/warden-gw/warden/internal/testenv/pgtest"
	"github.com/warden-gw/warden/internal/testenv/vaulttest"
)

// env is a real Vault dev server, optionally wired to a real PostgreSQL
// through the database secrets engine.
type env struct {
	vault *vaulttest.Server
	pg    *pgtest.Server
}

const openAIKey = "sk-test-4e1f0c9b7a2d"

// newEnv starts Vault with a KV v2 secret at secret/llm/openai. With db, it
// also starts PostgreSQL and configures database/roles/app (TTL dbTTL) and
// database/roles/short (TTL 3s, for renewal tests).
func newEnv(t testing.TB, db bool) *env {
	t.Helper()
	e := &env{vault: vaulttest.Start(t)}
	e.vault.Write(t, "secret/data/llm/openai", map[string]any{"data": map[string]any{"api_key": openAIKey, "org": "org-test-1"}})
	if !db {
		return e
	}
	e.pg = pgtest.Start(t)
	e.pg.Exec(t, "CREATE TABLE orders (id int, item text); INSERT INTO orders VALUES (1, 'anvil'), (2, 'rope')")
	e.vault.Mount(t, "database", "database")
	e.vault.Write(t, "database/config/orders", map[string]any{
		"plugin_name":    "postgresql-database-plugin",
		"connection_url": e.pg.VaultConnectionURL(),
		"username":       e.pg.User,
		"password":       e.pg.Password,
		"allowed_roles":  "*",
	})
	create := `CREATE ROLE "{{name}}" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}';
GRANT SELECT ON orders TO "{{name}}";`
	for name, ttl := range map[string]string{"app": "1h", "short": "3s"} {
		e.vault.Write(t, "database/roles/"+name, map[string]any{
			"db_name":             "orders",
			"creation_statements": create,
			"default_ttl":         ttl,
			"max_ttl":             "2h",
		})
	}
	return e
}

// config is a token-auth config with roles openai (kv2), db (database/app)
// and short (database/short), routed from api.openai.com, db.orders.internal
// and short.orders.internal.
func (e *env) config() Config {
	return Config{
		Address: e.vault.Addr,
		Auth:    Auth{Method: AuthToken, Token: e.vault.RootToken},
		Timeout: 5 * time.Second,
		Roles: []Role{
			{Name: "openai", Source: SourceKV2, Path: "llm/openai", Fields: map[string]string{"key": "api_key"}},
			{Name: "db", Source: SourceDatabase, Path: "app"},
			{Name: "short", Source: SourceDatabase, Path: "short", TTL: 3 * time.Second},
		},
		Routes: []Route{
			{Host: "api.openai.com", Role: "openai", Headers: map[string]string{"authorization": "Bearer {{ .key }}", "x-api-key": "{{ .key }}"}},
			{Host: "db.orders.internal", Role: "db", Headers: map[string]string{"authorization": "Basic {{ basicAuth .username .password }}"}},
			{Host: "short.orders.internal", Role: "short", Headers: map[string]string{"authorization": "Basic {{ basicAuth .username .password }}"}},
		},
	}
}

// recorder collects broker events and every log line, so tests can wait for
// an event and check that no secret was ever logged.
type recorder struct {
	mu     sync.Mutex
	events []event
	notify chan struct{}
	logs   bytes.Buffer
}

func newBroker(t testing.TB, cfg Config) (*Broker, *recorder) {
	t.Helper()
	rec := &recorder{notify: make(chan struct{}, 1)}
	b, err := New(context.Background(), cfg, WithLogger(slog.New(slog.NewJSONHandler(&lockedBuffer{rec: rec}, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	b.event = rec.add
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = b.Close(ctx)
	})
	return b, rec
}

type lockedBuffer struct{ rec *recorder }

func (w *lockedBuffer) Write(p []byte) (int, error) {
	w.rec.mu.Lock()
	defer w.rec.mu.Unlock()
	return w.rec.logs.Write(p)
}

func (r *recorder) add(e event) {
	r.mu.Lock()
	r.events = append(r.events, e)
	r.mu.Unlock()
	select {
	case r.notify <- struct{}{}:
	default:
	}
}

// wait blocks until an event of kind for role has been recorded (counting
// from index from), and returns its index.
func (r *recorder) wait(t *testing.T, from int, kind, role string, within time.Duration) int {
	t.Helper()
	deadline := time.After(within)
	for {
		r.mu.Lock()
		for i := from; i < len(r.events); i++ {
			if r.events[i].kind == kind && r.events[i].role == role {
				r.mu.Unlock()
				return i
			}
		}
		r.mu.Unlock()
		select {
		case <-r.notify:
		case <-deadline:
			t.Fatalf("no %s event for role %s within %s", kind, role, within)
		}
	}
}

func (r *recorder) count(kind, role string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, e := range r.events {
		if e.kind == kind && e.role == role {
			n++
		}
	}
	return n
}

func (r *recorder) len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.events)
}

// assertNotLogged fails if any secret appears in the broker's logs.
func (r *recorder) assertNotLogged(t *testing.T, secrets ...string) {
	t.Helper()
	r.mu.Lock()
	logs := r.logs.String()
	r.mu.Unlock()
	if logs == "" {
		t.Fatal("broker logged nothing: the log capture is broken")
	}
	for _, s := range secrets {
		if s != "" && strings.Contains(logs, s) {
			t.Fatalf("a secret value appears in the logs")
		}
	}
}

// basicCreds decodes the username and password of an injected Basic header.
func basicCreds(t testing.TB, in Injection) (user, pass string) {
	t.Helper()
	for _, h := range in.Set {
		if h.Name != "authorization" {
			continue
		}
		enc, ok := strings.CutPrefix(h.Value, "Basic ")
		if !ok {
			t.Fatal("authorization header is not Basic")
		}
		raw, err := base64.StdEncoding.DecodeString(enc)
		if err != nil {
			t.Fatalf("decode basic credentials: %v", err)
		}
		user, pass, ok = strings.Cut(string(raw), ":")
		if !ok {
			t.Fatal("basic credentials without colon")
		}
		return user, pass
	}
	t.Fatal("no authorization header injected")
	return "", ""
}

func header(in Injection, name string) string {
	for _, h := range in.Set {
		if h.Name == name {
			return h.Value
		}
	}
	return ""
}
