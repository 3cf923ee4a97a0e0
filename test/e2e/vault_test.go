package e2e

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/warden-gw/warden/audit"
	"github.com/warden-gw/warden/cmd/warden/mainlib"
	"github.com/warden-gw/warden/creds"
	"github.com/warden-gw/warden/extproc/extproctest"
	"github.com/warden-gw/warden/internal/testenv/pgtest"
	"github.com/warden-gw/warden/internal/testenv/vaulttest"
)

// TestVaultCredentialsThroughExtProc runs warden with a real Vault dev server and a real
// PostgreSQL: a KV v2 API key is injected in place of the agent's own, an upstream that echoes it
// has it redacted, the database engine issues a user that a local upstream uses to run a query,
// warden's shutdown revokes that user in PostgreSQL, and with Vault down a request that needs a
// credential fails closed with 503 while one that needs none goes through.
func TestVaultCredentialsThroughExtProc(t *testing.T) {
	v := vaulttest.Start(t)
	pg := pgtest.Start(t)
	const apiKey = "sk-vault-e2e-7f3a9c21d4b8"
	v.Write(t, "secret/data/llm/openai", map[string]any{"data": map[string]any{"api_key": apiKey}})
	pg.Exec(t, "CREATE TABLE orders (id int, item text); INSERT INTO orders VALUES (1, 'anvil')")
	v.Mount(t, "database", "database")
	v.Write(t, "database/config/orders", map[string]any{
		"plugin_name": "postgresql-database-plugin", "connection_url": pg.VaultConnectionURL(),
		"username": pg.User, "password": pg.Password, "allowed_roles": "*",
	})
	v.Write(t, "database/roles/app", map[string]any{
		"db_name":             "orders",
		"creation_statements": `CREATE ROLE "{{name}}" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}'; GRANT SELECT ON orders TO "{{name}}";`,
		"default_ttl":         "1h", "max_ttl": "2h",
	})
	cfg, err := creds.ParseConfig([]byte(`
address: ` + v.Addr + `
auth: {method: token, token: ` + v.RootToken + `}
roles:
  - {name: openai, source: kv2, mount: secret, path: llm/openai}
  - {name: orders-db, source: database, mount: database, path: app}
routes:
  - host: api.openai.com
    role: openai
    headers: {authorization: "Bearer {{ .api_key }}"}
  - host: db.orders.internal
    role: orders-db
    headers: {x-db-user: "{{ .username }}", x-db-password: "{{ .password }}"}
  - host: models.internal:8443
    role: openai
    headers: {x-model-key: "{{ .api_key }}"}
`))
	if err != nil {
		t.Fatal(err)
	}
	w := startWarden(t, func(c *mainlib.Config) { c.Vault = &cfg })

	t.Run("KV v2 key replaces the agent's", func(t *testing.T) {
		up, _ := staticUpstream(200, extproctest.Headers{{Key: "content-type", Value: "application/json"}}, `{"echo":"Bearer `+apiKey+`"}`)
		res, err := w.envoy.Run(context.Background(), request("POST", "https://api.openai.com/v1/chat/completions",
			map[string]string{"content-type": "application/json", "authorization": "Bearer agent-own-key", "x-request-id": "vault-kv"},
			`{"model":"gpt-4o","messages":[]}`), up)
		if err != nil || res.Status != 200 {
			t.Fatalf("%v %+v", err, res)
		}
		if got := res.Upstream.Headers.Values("authorization"); len(got) != 1 || got[0] != "Bearer "+apiKey {
			t.Fatalf("upstream authorization = %q", got)
		}
		if strings.Contains(res.Body(), apiKey) {
			t.Fatalf("the injected key echoed back reached the agent: %s", res.Body())
		}
	})

	t.Run("a route that names a port matches that port only", func(t *testing.T) {
		up, _ := staticUpstream(200, extproctest.Headers{{Key: "content-type", Value: "text/plain"}}, "ok")
		for _, tc := range []struct{ url, want string }{
			{"https://models.internal:8443/v1/models?x=1", apiKey},
			{"https://models.internal:9443/v1/models", ""},
		} {
			res, err := w.envoy.Run(context.Background(), request("GET", tc.url, map[string]string{"x-request-id": "vault-port"}), up)
			if err != nil || res.Status != 200 {
				t.Fatalf("%s: %v %+v", tc.url, err, res)
			}
			if got := res.Upstream.Headers.Value("x-model-key"); got != tc.want {
				t.Fatalf("%s: x-model-key %q, want %q", tc.url, got, tc.want)
			}
		}
	})

	var dbUser string
	t.Run("database engine issues a user the upstream can query with", func(t *testing.T) {
		up := extproctest.UpstreamFunc(func(_ context.Context, req *extproctest.UpstreamRequest) (*extproctest.Response, error) {
			dbUser = req.Headers.Value("x-db-user")
			out, err := pg.QueryAs(dbUser, req.Headers.Value("x-db-password"), "SELECT item FROM orders WHERE id = 1")
			body, _ := json.Marshal(map[string]string{"result": strings.TrimSpace(out), "error": errString(err)})
			return &extproctest.Response{Status: 200, Headers: extproctest.Headers{{Key: "content-type", Value: "application/json"}}, Body: extproctest.Chunks(nil, string(body))}, nil
		})
		res, err := w.envoy.Run(context.Background(), request("POST", "https://db.orders.internal/v1/query",
			map[string]string{"content-type": "application/json", "x-request-id": "vault-db"}, `{"sql":"SELECT item FROM orders WHERE id = 1"}`), up)
		if err != nil || res.Status != 200 || !strings.Contains(res.Body(), `"result":"anvil"`) {
			t.Fatalf("%v %+v %s", err, res, res.Body())
		}
		if dbUser == "" || !pg.RoleExists(t, dbUser) {
			t.Fatalf("no per-session PostgreSQL user: %q", dbUser)
		}
	})

	recs := byRequest(w.records(t))
	for _, id := range []string{"vault-kv", "vault-db"} {
		r := recs[id][audit.StageRequest]
		if cs := r.Unmapped.Warden.Credentials; len(cs) != 1 || cs[0].Role == "" || (id == "vault-db" && cs[0].LeaseID == "") {
			t.Errorf("%s: credentials in the record: %+v", id, cs)
		}
		b, _ := json.Marshal(r)
		if strings.Contains(string(b), apiKey) {
			t.Fatalf("%s: a credential reached the audit record", id)
		}
	}

	t.Run("a request denied by creds.role never causes a lease", func(t *testing.T) {
		policy := filepath.Join(t.TempDir(), "creds.yaml")
		if err := os.WriteFile(policy, []byte(`apiVersion: warden.dev/v1
kind: Policy
metadata: {name: creds}
spec:
  rules:
  - name: no-writes-with-db-credentials
    when: creds.role == "orders-db" && request.method == "DELETE"
    action: deny
    message: the orders database credential is read-only
`), 0o600); err != nil {
			t.Fatal(err)
		}
		roles := func() string { return pg.Exec(t, "SELECT count(*) FROM pg_roles WHERE rolname LIKE 'v-%'") }
		before := roles()
		wp := startWarden(t, func(c *mainlib.Config) { c.Vault = &cfg; c.Policy = policy })
		up, _ := staticUpstream(200, nil, "ok")
		res, err := wp.envoy.Run(context.Background(), request("DELETE", "https://db.orders.internal/v1/rows/1", map[string]string{"x-request-id": "creds-deny"}), up)
		if err != nil || res.Status != 403 || !strings.Contains(res.Body(), "no-writes-with-db-credentials") || res.Upstream != nil {
			t.Fatalf("%v status %d %s", err, res.Status, res.Body())
		}
		if after := roles(); after != before {
			t.Fatalf("a denied request created a database user: %s roles before, %s after", before, after)
		}
		if cs := byRequest(wp.records(t))["creds-deny"][audit.StageRequest].Unmapped.Warden.Credentials; len(cs) != 1 || cs[0].LeaseID != "" {
			t.Fatalf("the record must name the role the policy saw, with no lease: %+v", cs)
		}
	})

	t.Run("shutdown revokes the database user", func(t *testing.T) {
		_ = w.stop()
		waitUntil(t, 30*time.Second, func() bool { return !pg.RoleExists(t, dbUser) })
	})

	t.Run("Vault down fails closed only where a credential is needed", func(t *testing.T) {
		w2 := startWarden(t, func(c *mainlib.Config) { c.Vault = &cfg })
		up, _ := staticUpstream(200, nil, "ok")
		kv := func(id string) *extproctest.Result {
			res, err := w2.envoy.Run(context.Background(), request("GET", "https://api.openai.com/v1/models", map[string]string{"x-request-id": id}), up)
			if err != nil {
				t.Fatal(err)
			}
			return res
		}
		if res := kv("kv-warm"); res.Status != 200 {
			t.Fatalf("warming the KV lease: %d %s", res.Status, res.Body())
		}
		v.Stop()
		if res := kv("kv-cached"); res.Status != 200 || res.Upstream.Headers.Value("authorization") != "Bearer "+apiKey {
			t.Fatalf("a cached credential must keep working while Vault is down: %d", res.Status)
		}
		res, err := w2.envoy.Run(context.Background(), request("POST", "https://db.orders.internal/v1/query",
			map[string]string{"content-type": "application/json", "x-request-id": "vault-down"}, `{"sql":"SELECT 1"}`), up)
		if err != nil || res.Status != 503 || !strings.Contains(res.Body(), "credentials_unavailable") || res.Upstream != nil {
			t.Fatalf("a new lease with Vault down: %v status %d %s", err, res.Status, res.Body())
		}
		if res, err := w2.envoy.Run(context.Background(), request("GET", "https://api.example/plain", nil), up); err != nil || res.Status != 200 {
			t.Fatalf("a request that needs no credential: %v %+v", err, res)
		}
		if r := byRequest(w2.records(t))["vault-down"][audit.StageRequest]; r.Unmapped.Warden.ErrorCode != "credentials_unavailable" {
			t.Errorf("the refusal must be audited with its reason, got %+v", r.Unmapped.Warden)
		}
	})
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
