package creds

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestClientAlone logs in with AppRole from a config that has only the connection settings (no
// roles, no routes), as the audit transit signer does, and checks that Close revokes the login
// token and can be called twice.
func TestClientAlone(t *testing.T) {
	e := newEnv(t, false)
	e.vault.EnableAuth(t, "approle", "approle")
	e.vault.Write(t, "auth/approle/role/signer", map[string]any{"token_policies": "default", "token_ttl": "1h"})
	rid, err := e.vault.Client(t).Logical().Read("auth/approle/role/signer/role-id")
	if err != nil {
		t.Fatal(err)
	}
	sid := e.vault.Write(t, "auth/approle/role/signer/secret-id", nil)
	secretFile := filepath.Join(t.TempDir(), "secret-id")
	if err := os.WriteFile(secretFile, []byte(sid.Data["secret_id"].(string)), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := Config{Address: e.vault.Addr, Auth: Auth{Method: AuthAppRole, RoleID: rid.Data["role_id"].(string), SecretIDFile: secretFile}}
	ctx := context.Background()
	c, err := NewClient(ctx, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	token := c.API().Token()
	if token == "" {
		t.Fatal("no token after login")
	}
	if _, err := c.API().Auth().Token().LookupSelfWithContext(ctx); err != nil {
		t.Fatalf("the logged-in client cannot look itself up: %v", err)
	}
	if err := c.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(ctx); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	root := e.vault.Client(t)
	if _, err := root.Auth().Token().LookupWithContext(ctx, token); err == nil {
		t.Fatal("the login token still exists after Close")
	}

	t.Run("connection settings are checked", func(t *testing.T) {
		_, err := NewClient(ctx, Config{Auth: Auth{Method: AuthToken, Token: "x"}}, nil)
		if err == nil || !strings.Contains(err.Error(), "address is empty") {
			t.Fatalf("err = %v, want the address problem", err)
		}
	})
}
