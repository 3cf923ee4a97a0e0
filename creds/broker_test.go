package creds

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestKV2APIKeyInjected(t *testing.T) {
	e := newEnv(t, false)
	b, rec := newBroker(t, e.config())
	ctx := context.Background()

	in, err := b.Inject(ctx, "s1", "api.openai.com", "/v1/chat/completions")
	if err != nil {
		t.Fatal(err)
	}
	if got := header(in, "authorization"); got != "Bearer "+openAIKey {
		t.Errorf("authorization header is not the Vault secret")
	}
	if got := header(in, "x-api-key"); got != openAIKey {
		t.Errorf("x-api-key header is not the Vault secret")
	}
	if in.Role != "openai" || in.LeaseID != "" || in.Version != 1 {
		t.Errorf("injection = %v, want role openai, no lease, version 1", in)
	}
	for _, h := range []string{"authorization", "x-api-key", "proxy-authorization", "cookie"} {
		if !slices.Contains(in.Remove, h) {
			t.Errorf("agent header %q is not removed", h)
		}
	}
	for _, s := range []string{openAIKey, "Bearer " + openAIKey} {
		if !slices.Contains(in.Secrets, s) {
			t.Errorf("redactor list misses a secret form (%d entries)", len(in.Secrets))
		}
	}

	t.Run("a new version reaches new sessions", func(t *testing.T) {
		e.vault.Write(t, "secret/data/llm/openai", map[string]any{"data": map[string]any{"api_key": "sk-rotated-0000"}})
		in2, err := b.Inject(ctx, "s2", "api.openai.com", "/")
		if err != nil {
			t.Fatal(err)
		}
		if header(in2, "x-api-key") != "sk-rotated-0000" || in2.Version != 2 {
			t.Errorf("session s2 got version %d, want the rotated version 2", in2.Version)
		}
		// s1 keeps its cached read (no Vault call) until the role TTL passes.
		in1, err := b.Inject(ctx, "s1", "api.openai.com", "/")
		if err != nil || in1.Version != 1 {
			t.Errorf("session s1: version %d, err %v; want its cached version 1", in1.Version, err)
		}
	})
	t.Run("a cached read is refreshed after the role TTL", func(t *testing.T) {
		cfg := e.config()
		cfg.Roles[0].TTL = time.Second
		fast, rec := newBroker(t, cfg)
		before, err := fast.Inject(ctx, "s", "api.openai.com", "/")
		if err != nil {
			t.Fatal(err)
		}
		e.vault.Write(t, "secret/data/llm/openai", map[string]any{"data": map[string]any{"api_key": "sk-rotated-1111"}})
		// A refresh may already be on its way with the old value: wait for
		// one that starts after the write.
		mark := rec.len()
		rec.wait(t, rec.wait(t, mark, evRefreshed, "openai", 10*time.Second)+1, evRefreshed, "openai", 10*time.Second)
		after, err := fast.Inject(ctx, "s", "api.openai.com", "/")
		if err != nil {
			t.Fatal(err)
		}
		if after.Version != before.Version+1 || header(after, "x-api-key") != "sk-rotated-1111" {
			t.Fatalf("version %d after refresh, want %d", after.Version, before.Version+1)
		}
	})
	t.Run("no route needs no credential", func(t *testing.T) {
		if _, err := b.Inject(ctx, "s1", "example.com", "/"); !errors.Is(err, ErrNoRoute) {
			t.Fatalf("err = %v, want ErrNoRoute", err)
		}
	})
	rec.assertNotLogged(t, openAIKey, "sk-rotated-0000")
}

func TestDatabaseUserPerSession(t *testing.T) {
	e := newEnv(t, true)
	b, rec := newBroker(t, e.config())
	ctx := context.Background()

	in, err := b.Inject(ctx, "alice-session", "db.orders.internal", "/query")
	if err != nil {
		t.Fatal(err)
	}
	user, pass := basicCreds(t, in)
	if in.LeaseID == "" || !strings.HasPrefix(in.LeaseID, "database/creds/app/") {
		t.Fatalf("lease id %q, want one under database/creds/app/", in.LeaseID)
	}
	if in.TTL < 59*time.Minute || in.TTL > time.Hour {
		t.Errorf("TTL = %s, want about 1h", in.TTL)
	}
	if !slices.Contains(in.Secrets, pass) {
		t.Error("the database password is not in the redactor list")
	}
	out, err := e.pg.QueryAs(user, pass, "SELECT item FROM orders ORDER BY id")
	if err != nil {
		t.Fatalf("the leased user cannot query: %v", err)
	}
	if out != "anvil\nrope" {
		t.Fatalf("query result %q", out)
	}

	other, err := b.Inject(ctx, "bob-session", "db.orders.internal", "/query")
	if err != nil {
		t.Fatal(err)
	}
	if otherUser, _ := basicCreds(t, other); otherUser == user || other.LeaseID == in.LeaseID {
		t.Fatal("two sessions share one database user")
	}

	if err := b.EndSession(ctx, "alice-session"); err != nil {
		t.Fatal(err)
	}
	if e.pg.RoleExists(t, user) {
		t.Fatalf("PostgreSQL role of the ended session still exists")
	}
	if _, err := e.pg.QueryAs(user, pass, "SELECT 1"); err == nil {
		t.Fatal("the ended session's credential still logs in")
	}
	if _, err := e.vault.Client(t).Sys().Lookup(in.LeaseID); err == nil {
		t.Fatal("vault still knows the revoked lease")
	}
	bobUser, _ := basicCreds(t, other)
	if !e.pg.RoleExists(t, bobUser) {
		t.Fatal("ending alice's session dropped bob's user")
	}

	t.Run("Close revokes the rest", func(t *testing.T) {
		if err := b.Close(ctx); err != nil {
			t.Fatal(err)
		}
		if e.pg.RoleExists(t, bobUser) {
			t.Fatal("Close left a PostgreSQL role behind")
		}
		if _, err := b.Inject(ctx, "bob-session", "db.orders.internal", "/"); !errors.Is(err, ErrClosed) {
			t.Fatalf("Inject after Close: %v, want ErrClosed", err)
		}
	})
	rec.assertNotLogged(t, pass)
}

func TestSingleFlight(t *testing.T) {
	e := newEnv(t, true)
	b, rec := newBroker(t, e.config())
	before := e.pg.Exec(t, "SELECT count(*) FROM pg_roles WHERE rolname LIKE 'v-%'")

	const n = 32
	var wg sync.WaitGroup
	results := make([]Injection, n)
	errs := make([]error, n)
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			results[i], errs[i] = b.Inject(context.Background(), "s", "db.orders.internal", "/")
		})
	}
	close(start)
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("caller %d: %v", i, errs[i])
		}
		if results[i].LeaseID != results[0].LeaseID {
			t.Fatalf("caller %d got lease %s, caller 0 got %s", i, results[i].LeaseID, results[0].LeaseID)
		}
	}
	after := e.pg.Exec(t, "SELECT count(*) FROM pg_roles WHERE rolname LIKE 'v-%'")
	if before != "0" || after != "1" {
		t.Fatalf("vault-created PostgreSQL roles: %s before, %s after %d concurrent Injects; want 0 then 1", before, after, n)
	}
	if got := rec.count(evIssued, "db"); got != 1 {
		t.Fatalf("%d leases issued, want 1", got)
	}
}

func TestRenewalKeepsTheLeaseAlive(t *testing.T) {
	e := newEnv(t, true)
	b, rec := newBroker(t, e.config())
	ctx := context.Background()

	first, err := b.Inject(ctx, "s", "short.orders.internal", "/")
	if err != nil {
		t.Fatal(err)
	}
	issuedExpiry := time.Now().Add(3 * time.Second)
	// Renewal happens when a third of the 3s TTL is left.
	rec.wait(t, 0, evRenewed, "short", 10*time.Second)
	lookup, err := e.vault.Client(t).Sys().Lookup(first.LeaseID)
	if err != nil {
		t.Fatalf("lease lookup after renewal: %v", err)
	}
	if lookup.Data["last_renewal"] == nil {
		t.Fatal("vault has no record of a renewal")
	}
	// Wait past the first expiry: without renewal Vault would have revoked
	// the user, and PostgreSQL's VALID UNTIL would refuse it.
	time.Sleep(time.Until(issuedExpiry.Add(500 * time.Millisecond)))
	again, err := b.Inject(ctx, "s", "short.orders.internal", "/")
	if err != nil {
		t.Fatal(err)
	}
	if again.LeaseID != first.LeaseID {
		t.Fatalf("lease replaced (%s → %s); want the renewed one", first.LeaseID, again.LeaseID)
	}
	user, pass := basicCreds(t, again)
	if _, err := e.pg.QueryAs(user, pass, "SELECT count(*) FROM orders"); err != nil {
		t.Fatalf("renewed user cannot log in after its first expiry: %v", err)
	}
}

func TestRevokedLeaseIsReplaced(t *testing.T) {
	e := newEnv(t, true)
	b, rec := newBroker(t, e.config())
	ctx := context.Background()

	t.Run("detected by renewal", func(t *testing.T) {
		first, err := b.Inject(ctx, "s", "short.orders.internal", "/")
		if err != nil {
			t.Fatal(err)
		}
		mark := rec.len()
		if err := e.vault.Client(t).Sys().Revoke(first.LeaseID); err != nil {
			t.Fatal(err)
		}
		rec.wait(t, mark, evDead, "short", 10*time.Second)
		next, err := b.Inject(ctx, "s", "short.orders.internal", "/")
		if err != nil {
			t.Fatal(err)
		}
		if next.LeaseID == first.LeaseID {
			t.Fatal("revoked lease still served")
		}
		user, pass := basicCreds(t, next)
		if _, err := e.pg.QueryAs(user, pass, "SELECT 1"); err != nil {
			t.Fatalf("replacement credential does not work: %v", err)
		}
		if n := rec.count(evRenewFailed, "short"); n != 1 {
			t.Fatalf("%d renewal attempts of the revoked lease, want exactly 1 (no retrying forever)", n)
		}
	})
	t.Run("after Invalidate", func(t *testing.T) {
		first, err := b.Inject(ctx, "s2", "db.orders.internal", "/")
		if err != nil {
			t.Fatal(err)
		}
		b.Invalidate("s2", "db")
		next, err := b.Inject(ctx, "s2", "db.orders.internal", "/")
		if err != nil {
			t.Fatal(err)
		}
		if next.LeaseID == first.LeaseID {
			t.Fatal("Invalidate did not drop the cached lease")
		}
	})
}

func TestVaultDown(t *testing.T) {
	e := newEnv(t, true)
	b, rec := newBroker(t, e.config())
	ctx := context.Background()

	kv, err := b.Inject(ctx, "cached", "api.openai.com", "/")
	if err != nil {
		t.Fatal(err)
	}
	db, err := b.Inject(ctx, "cached", "db.orders.internal", "/")
	if err != nil {
		t.Fatal(err)
	}
	short, err := b.Inject(ctx, "cached", "short.orders.internal", "/")
	if err != nil {
		t.Fatal(err)
	}
	shortExpiry := time.Now().Add(short.TTL + time.Second)

	e.vault.Stop()

	t.Run("cached leases keep serving", func(t *testing.T) {
		for _, want := range []Injection{kv, db} {
			got, err := b.Inject(ctx, "cached", hostOf(want.Role), "/")
			if err != nil {
				t.Fatalf("role %s: %v", want.Role, err)
			}
			if got.LeaseID != want.LeaseID || header(got, "authorization") != header(want, "authorization") {
				t.Fatalf("role %s: cached credential not served", want.Role)
			}
		}
	})
	t.Run("new sessions fail closed", func(t *testing.T) {
		_, err := b.Inject(ctx, "new", "db.orders.internal", "/")
		if !errors.Is(err, ErrUnavailable) {
			t.Fatalf("err = %v, want ErrUnavailable", err)
		}
		if !strings.Contains(err.Error(), "connection refused") || !strings.Contains(err.Error(), `role "db"`) {
			t.Errorf("error %q does not say why and for which role", err)
		}
		if role, ok := b.RoleFor("db.orders.internal", "/"); !ok || role != "db" {
			t.Error("RoleFor depends on Vault")
		}
	})
	t.Run("an expired cached lease is not served", func(t *testing.T) {
		time.Sleep(time.Until(shortExpiry))
		if _, err := b.Inject(ctx, "cached", "short.orders.internal", "/"); !errors.Is(err, ErrUnavailable) {
			t.Fatalf("err = %v, want ErrUnavailable once the lease expired", err)
		}
	})
	_, dbPass := basicCreds(t, db)
	rec.assertNotLogged(t, openAIKey, dbPass)
}

func hostOf(role string) string {
	switch role {
	case "openai":
		return "api.openai.com"
	case "db":
		return "db.orders.internal"
	}
	return role + ".orders.internal"
}

func TestAppRoleLogin(t *testing.T) {
	e := newEnv(t, false)
	e.vault.EnableAuth(t, "approle", "approle")
	if err := e.vault.Client(t).Sys().PutPolicy("warden", `path "secret/data/llm/*" { capabilities = ["read"] }`); err != nil {
		t.Fatal(err)
	}
	e.vault.Write(t, "auth/approle/role/warden", map[string]any{"token_policies": "warden", "token_ttl": "1h"})
	roleID := e.vault.Client(t)
	rid, err := roleID.Logical().Read("auth/approle/role/warden/role-id")
	if err != nil {
		t.Fatal(err)
	}
	sid := e.vault.Write(t, "auth/approle/role/warden/secret-id", nil)
	dir := t.TempDir()
	secretFile := filepath.Join(dir, "secret-id")
	if err := os.WriteFile(secretFile, []byte(sid.Data["secret_id"].(string)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	cfg := e.config()
	cfg.Auth = Auth{Method: AuthAppRole, RoleID: rid.Data["role_id"].(string), SecretIDFile: secretFile}
	b, _ := newBroker(t, cfg)
	in, err := b.Inject(context.Background(), "s", "api.openai.com", "/")
	if err != nil {
		t.Fatal(err)
	}
	if header(in, "x-api-key") != openAIKey {
		t.Fatal("approle-authenticated broker did not inject the secret")
	}
	t.Run("policy limits what the broker can read", func(t *testing.T) {
		_, err := b.Inject(context.Background(), "s", "db.orders.internal", "/")
		if !errors.Is(err, ErrVault) || errors.Is(err, ErrUnavailable) {
			t.Fatalf("err = %v, want ErrVault (permission denied)", err)
		}
	})
	t.Run("a wrong secret id is refused with a clear error", func(t *testing.T) {
		if err := os.WriteFile(secretFile, []byte("not-the-secret-id"), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := New(context.Background(), cfg)
		if !errors.Is(err, ErrVault) || !strings.Contains(err.Error(), "approle login") {
			t.Fatalf("err = %v", err)
		}
		if strings.Contains(err.Error(), "not-the-secret-id") {
			t.Fatal("error contains the secret id")
		}
	})
	t.Run("token file", func(t *testing.T) {
		tokenFile := filepath.Join(dir, "token")
		if err := os.WriteFile(tokenFile, []byte(e.vault.RootToken), 0o600); err != nil {
			t.Fatal(err)
		}
		cfg := e.config()
		cfg.Auth = Auth{Method: AuthToken, TokenFile: tokenFile}
		b, err := New(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		if err := b.Close(context.Background()); err != nil {
			t.Fatal(err)
		}
		cfg.Auth = Auth{Method: AuthToken, Token: "bogus"}
		if _, err := New(context.Background(), cfg); !errors.Is(err, ErrVault) {
			t.Fatalf("bogus token: err = %v, want ErrVault", err)
		}
	})
}

func TestNewWithVaultDown(t *testing.T) {
	e := newEnv(t, false)
	cfg := e.config()
	e.vault.Stop()
	_, err := New(context.Background(), cfg)
	if !errors.Is(err, ErrUnavailable) {
		t.Fatalf("err = %v, want ErrUnavailable", err)
	}
	if strings.Contains(err.Error(), e.vault.RootToken) {
		t.Fatal("error contains the token")
	}
}
