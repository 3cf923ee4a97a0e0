package mainlib

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/warden-gw/warden/audit"
	"github.com/warden-gw/warden/audit/auditcli"
	"github.com/warden-gw/warden/exchange"
	"github.com/warden-gw/warden/internal/testenv/vaulttest"
)

// TestServeSignsCheckpointsWithVaultTransit runs the configuration path of `warden serve` with
// audit.checkpoint.vault_transit and a vault: section (a token limited to the documented
// policy), writes records, shuts down, and checks the spool with `warden audit verify --dir`.
func TestServeSignsCheckpointsWithVaultTransit(t *testing.T) {
	v := vaulttest.Start(t)
	v.Mount(t, "transit", "transit")
	v.Write(t, "transit/keys/warden-audit", map[string]any{"type": "ed25519"})
	policy := `path "transit/keys/warden-audit" { capabilities = ["read"] }
path "transit/sign/warden-audit" { capabilities = ["update"] }`
	if err := v.Client(t).Sys().PutPolicy("audit-signer", policy); err != nil {
		t.Fatal(err)
	}
	tok := v.Write(t, "auth/token/create", map[string]any{"policies": []string{"audit-signer"}}).Auth.ClientToken
	dir := t.TempDir()
	tokenFile := filepath.Join(dir, "vault-token")
	if err := os.WriteFile(tokenFile, []byte(tok), 0o600); err != nil {
		t.Fatal(err)
	}
	cfgFile := filepath.Join(dir, "warden.yaml")
	yaml := `data_dir: ` + filepath.Join(dir, "data") + `
listen: 127.0.0.1:0
admin: 127.0.0.1:0
vault:
  address: ` + v.Addr + `
  auth: {method: token, token_file: ` + tokenFile + `}
audit:
  checkpoint: {every: 2, vault_transit: {key: warden-audit}}
`
	if err := os.WriteFile(cfgFile, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := LoadConfig(cfgFile)
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	ctx := context.Background()
	rt, err := buildRuntime(ctx, cfg, log, prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		x := &exchange.Exchange{
			ID: "req-" + string(rune('a'+i)), Start: time.Now(), Disposition: exchange.Allowed,
			Request: exchange.Request{Method: "GET", Authority: "example.com", Path: "/"},
		}
		if err := rt.auditLog.Record(ctx, x, "request"); err != nil {
			t.Fatal(err)
		}
	}
	rt.close(ctx, log)

	auditDir := filepath.Join(dir, "data", "audit")
	if _, err := os.Stat(filepath.Join(auditDir, "checkpoint.key")); err == nil {
		t.Fatal("a private key file was generated although checkpoints are signed by Vault")
	}
	sec, err := v.Client(t).Logical().Read("transit/keys/warden-audit")
	if err != nil {
		t.Fatal(err)
	}
	pk := sec.Data["keys"].(map[string]any)["1"].(map[string]any)["public_key"].(string)
	raw, _ := base64.StdEncoding.DecodeString(pk)
	id := audit.KeyID(ed25519.PublicKey(raw))
	var out bytes.Buffer
	if err := auditcli.Run(ctx, []string{"verify", "--dir", auditDir, "--strict"}, strings.NewReader(""), &out, &out); err != nil {
		t.Fatalf("warden audit verify: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "verify: OK") || !strings.Contains(out.String(), "checkpoint key id(s) "+id) ||
		!strings.Contains(out.String(), "signed up to seq 5") {
		t.Fatalf("verify output:\n%s", out.String())
	}
	if strings.Contains(logs.String(), tok) {
		t.Fatal("the Vault token is in the log")
	}
	if !strings.Contains(logs.String(), "checkpoints are signed with a Vault transit key") {
		t.Fatalf("startup log does not say how checkpoints are signed:\n%s", logs.String())
	}
}
