package xdscli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/warden-gw/warden/internal/tlsconf"
)

func TestRunCheck(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(bad, []byte("warden: {addresses: [w:1]}\ngateways: [{node: a, listen_port: 1, routes: [{prefix: /, cluster: x}]}]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		args    []string
		wantOut string
		wantErr string
	}{
		{
			"example",
			[]string{"--config", "../testdata/gateways.yaml", "--check"},
			"gateway edge-1: port 10000, 3 routes, 4 clusters + warden (2 replicas)", "",
		},
		{"bad file", []string{"--config", bad, "--check"}, "", `cluster "x" is not in this gateway's clusters`},
		{"no config", []string{"--check"}, "", "--config is required"},
		{"stray argument", []string{"--config", bad, "serve"}, "", `unexpected argument "serve"`},
		{"missing file", []string{"--config", bad + ".nope", "--check"}, "", "read gateways file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			err := Run(context.Background(), tt.args, nil, &out, &errOut)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
			} else if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error = %v, want %q", err, tt.wantErr)
			}
			if !strings.Contains(out.String(), tt.wantOut) {
				t.Errorf("stdout = %q, want %q", out.String(), tt.wantOut)
			}
		})
	}
}

func TestRunServesUntilCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // serve, then stop at once: the listener must come up and shut down cleanly
	var errOut bytes.Buffer
	err := Run(ctx, []string{"--config", "../testdata/gateways.yaml", "--listen", "127.0.0.1:0"}, nil, &bytes.Buffer{}, &errOut)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(errOut.String(), "xDS server listening") || !strings.Contains(errOut.String(), "node=edge-1") {
		t.Errorf("logs = %s", errOut.String())
	}
}

func TestRunTLSFlags(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var errOut bytes.Buffer
	err := Run(ctx, []string{"--config", "../testdata/gateways.yaml", "--listen", "0.0.0.0:0"}, nil, &bytes.Buffer{}, &errOut)
	if err == nil || !strings.Contains(err.Error(), "--insecure-plaintext") {
		t.Fatalf("plaintext on 0.0.0.0: %v", err)
	}
	dir := t.TempDir()
	if _, err := tlsconf.WriteDevCerts(dir, tlsconf.DevCertOptions{}); err != nil {
		t.Fatal(err)
	}
	errOut.Reset()
	err = Run(ctx, []string{
		"--config", "../testdata/gateways.yaml", "--listen", "0.0.0.0:0",
		"--tls-cert", filepath.Join(dir, "warden/tls.crt"), "--tls-key", filepath.Join(dir, "warden/tls.key"),
		"--tls-client-ca", filepath.Join(dir, "warden/ca.crt"), "--tls-allow", tlsconf.DevClientID,
	}, nil, &bytes.Buffer{}, &errOut)
	if err != nil || !strings.Contains(errOut.String(), "TLS certificate loaded") {
		t.Fatalf("with TLS: %v\n%s", err, errOut.String())
	}
	err = Run(ctx, []string{"--config", "../testdata/gateways.yaml", "--tls-cert", filepath.Join(dir, "warden/tls.crt")}, nil, &bytes.Buffer{}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "key_file") {
		t.Errorf("half the TLS flags: %v", err)
	}
}
