package mainlib

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"google.golang.org/protobuf/proto"

	"github.com/warden-gw/warden/envoy"
	"github.com/warden-gw/warden/extproc"
	"github.com/warden-gw/warden/internal/testenv"
)

func TestServerModesComeFromTheEnvoyConfigTheEmulatorUses(t *testing.T) {
	rt, err := buildRuntime(context.Background(), testConfig(t), slog.New(slog.DiscardHandler), prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	defer rt.close(context.Background(), slog.New(slog.DiscardHandler))
	got := rt.server.Options()
	want := extproc.OptionsFromFilter(envoy.DefaultExtProcFilter(), extproc.DefaultOptions())
	if got.RequestBodyMode != want.RequestBodyMode || got.ResponseBodyMode != want.ResponseBodyMode ||
		got.AllowModeOverride != want.AllowModeOverride || !proto.Equal(got.StreamedOverride, want.StreamedOverride) {
		t.Fatalf("server modes %+v differ from envoy/bootstrap.yaml's %+v", got, want)
	}
	if got.StreamedOverride == nil {
		t.Fatal("the embedded Envoy config allows a STREAMED override; warden must know it")
	}
}

func TestLoadConfig(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name, body, wantErr string
	}{
		{"empty file is the defaults", "", ""},
		{"override", "listen: 0.0.0.0:9002\nlimits: {max_body_bytes: 1024}\n", ""},
		{"misspelt key", "lisen: x\n", "field lisen not found"},
		{"bad limit", "limits: {max_body_bytes: -1}\n", "max_body_bytes must be positive"},
		{"bad yaml", "listen: [\n", "config"},
		{"kafka sections share the connection keys", "audit: {kafka: {brokers: [k:9093], sasl: {mechanism: SCRAM-SHA-512, username: w, password_file: /run/pw}, tls: {ca_file: /ca.pem}}}\napproval: {kafka: {brokers: [k:9093], sasl: {mechanism: PLAIN, username: w, password_file: /run/pw}}}\n", ""},
		{"misspelt kafka key", "audit: {kafka: {brokers: [k:9093], sasl: {mechansim: PLAIN}}}\n", "field mechansim not found"}, //nolint:misspell // the typo is the test
		{"vault transit without vault", "audit: {checkpoint: {vault_transit: {key: warden-audit}}}\n", "there is no vault: section"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadConfig(write(strings.ReplaceAll(tt.name, " ", "_")+".yaml", tt.body))
			if tt.wantErr == "" && err != nil {
				t.Fatalf("unexpected error %v", err)
			}
			if tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("error %v, want it to mention %q", err, tt.wantErr)
			}
		})
	}
	if _, err := LoadConfig(filepath.Join(dir, "missing.yaml")); err == nil {
		t.Fatal("a missing config file must be an error")
	}
}

func testConfig(t *testing.T) Config {
	t.Helper()
	c := DefaultConfig()
	c.DataDir = t.TempDir()
	c.Listen, c.Admin = "127.0.0.1:0", "127.0.0.1:0"
	return c
}

// TestShippedConfigsLoad keeps the configuration files users copy in step with the schema:
// deploy/warden.yaml (what docker-compose mounts) and the example in docs/configuration.md.
func TestShippedConfigsLoad(t *testing.T) {
	if _, err := LoadConfig("../../../deploy/warden.yaml"); err != nil {
		t.Errorf("deploy/warden.yaml: %v", err)
	}
	doc, err := os.ReadFile("../../../docs/configuration.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(doc), "```yaml\n")
	block, _, ok2 := strings.Cut(rest, "```")
	if !ok || !ok2 {
		t.Fatal("docs/configuration.md has no yaml block")
	}
	p := filepath.Join(t.TempDir(), "doc.yaml")
	if err := os.WriteFile(p, []byte(block), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadConfig(p); err != nil {
		t.Errorf("the example in docs/configuration.md: %v", err)
	}
	// The Vault transit example of docs/audit.md.
	auditDoc, err := os.ReadFile("../../../docs/audit.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok = strings.Cut(string(auditDoc), "```yaml\nvault:")
	block, _, ok2 = strings.Cut(rest, "```")
	if !ok || !ok2 {
		t.Fatal("docs/audit.md has no yaml example starting with vault:")
	}
	p = filepath.Join(t.TempDir(), "transit.yaml")
	if err := os.WriteFile(p, []byte("vault:"+block), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := LoadConfig(p)
	if err != nil {
		t.Fatalf("the Vault transit example in docs/audit.md: %v", err)
	}
	if vt := cfg.Audit.Checkpoint.VaultTransit; vt == nil || vt.Key != "warden-audit" || cfg.Vault == nil || cfg.Vault.Auth.Method != "approle" {
		t.Fatalf("the Vault transit example in docs/audit.md decodes to %+v, vault %+v", vt, cfg.Vault)
	}
}

// An approval hold longer than Envoy lets a message wait is capped by Envoy; warden says so at
// start-up instead of capping silently.
func TestHoldBeyondEnvoyIsWarned(t *testing.T) {
	cfg := testConfig(t)
	cfg.Approval.Hold = time.Hour // the embedded filter's max_message_timeout is far shorter
	var logs testenv.SyncBuffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	rt, err := buildRuntime(context.Background(), cfg, log, prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	defer rt.close(context.Background(), log)
	if !strings.Contains(logs.String(), "approval.hold exceeds the Envoy filter's max_message_timeout") {
		t.Fatalf("no start-up warning for approval.hold 1h:\n%s", logs.String())
	}
	for _, tc := range []struct {
		hold, max time.Duration
		warn      bool
	}{{0, time.Minute, false}, {time.Minute, time.Minute, false}, {2 * time.Minute, time.Minute, true}, {time.Second, 0, true}} {
		if got := holdBeyondEnvoy(tc.hold, tc.max) != ""; got != tc.warn {
			t.Errorf("hold %v, max %v: warned %v, want %v", tc.hold, tc.max, got, tc.warn)
		}
	}
}
