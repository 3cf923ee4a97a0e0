package mainlib

import (
	"bytes"
	"context"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestTLSConfigFromFileAndFlags(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "warden.yaml")
	yamlText := `
listen: unix:///run/warden/extproc.sock
listen_socket_mode: "0660"
tls:
  cert_file: /etc/warden/tls/tls.crt
  key_file: /etc/warden/tls/tls.key
  client_ca_file: /etc/warden/tls/ca.crt
  allowed_spiffe_ids: [spiffe://cluster.local/ns/gw/sa/envoy]
admin_tls: {cert_file: /a.crt, key_file: /a.key}
insecure_plaintext: true
`
	if err := os.WriteFile(path, []byte(yamlText), 0o600); err != nil {
		t.Fatal(err)
	}
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	sf := addServerFlags(fs, "", "")
	cfg, err := sf.parse(fs, []string{"--config", path, "--tls-allow", "spiffe://cluster.local/ns/gw/sa/other", "--tls-allow", "CN=ops,O=acme", "--tls-key", "/k"})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Listen != "unix:///run/warden/extproc.sock" || cfg.ListenSocketMode != "0660" || !cfg.InsecurePlaintext {
		t.Errorf("listen settings: %+v", cfg)
	}
	if got := cfg.TLS; got.CertFile != "/etc/warden/tls/tls.crt" || got.KeyFile != "/k" || got.ClientCAFile != "/etc/warden/tls/ca.crt" ||
		strings.Join(got.AllowedSPIFFEIDs, " ") != "spiffe://cluster.local/ns/gw/sa/envoy spiffe://cluster.local/ns/gw/sa/other" ||
		strings.Join(got.AllowedSubjects, " ") != "CN=ops,O=acme" {
		t.Errorf("tls = %+v", got)
	}
	if cfg.AdminTLS == nil || cfg.AdminTLS.CertFile != "/a.crt" {
		t.Errorf("admin_tls = %+v", cfg.AdminTLS)
	}
}

func TestServeRefusesIncompleteTLS(t *testing.T) {
	cfg := DefaultConfig()
	cfg.DataDir = t.TempDir()
	cfg.Listen, cfg.Admin = "127.0.0.1:0", "127.0.0.1:0"
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	sf := addServerFlags(fs, "", "")
	c, err := sf.parse(fs, []string{"--tls-cert", "/c", "--tls-key", "/k", "--tls-client-ca", "/ca"})
	if err != nil {
		t.Fatal(err)
	}
	cfg.TLS = c.TLS
	err = Serve(context.Background(), cfg, io.Discard, nil)
	if err == nil || !strings.Contains(err.Error(), "allowed_spiffe_ids or allowed_subjects") {
		t.Fatalf("TLS without allowed callers: %v", err)
	}
}

func TestCertsCommand(t *testing.T) {
	dir := t.TempDir()
	var out bytes.Buffer
	if err := Main(context.Background(), []string{"certs", "--dir", dir, "--server-name", "warden.agents.svc"}, nil, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"warden/tls.crt", "warden/tls.key", "warden/ca.crt", "envoy/tls.crt", "envoy/tls.key", "envoy/ca.crt"} {
		if !strings.Contains(out.String(), filepath.Join(dir, f)) {
			t.Errorf("%s not written:\n%s", f, out.String())
		}
	}
	before, _ := os.ReadFile(filepath.Join(dir, "warden/tls.crt"))
	out.Reset()
	if err := Main(context.Background(), []string{"certs", "--dir", dir}, nil, &out, io.Discard); err != nil || !strings.Contains(out.String(), "kept") {
		t.Fatalf("second run: %v %s", err, out.String())
	}
	if after, _ := os.ReadFile(filepath.Join(dir, "warden/tls.crt")); !bytes.Equal(before, after) {
		t.Error("second run replaced the certificate without --force")
	}
	if err := Main(context.Background(), []string{"certs", "--dir", dir, "--key-mode", "0666"}, nil, io.Discard, io.Discard); ExitCode(err) != 2 {
		t.Errorf("world-writable key mode: %v", err)
	}
}
