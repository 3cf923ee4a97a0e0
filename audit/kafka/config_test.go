package kafka

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestConfigDefaultsAndValidation(t *testing.T) {
	c := Config{Brokers: []string{"127.0.0.1:9092"}}.WithDefaults()
	if c.Topic != "warden.audit" || c.BatchBytes < int64(c.MaxMessageBytes) || c.BatchTimeout != 5*time.Millisecond {
		t.Fatalf("defaults: %+v", c)
	}
	cases := []struct {
		name string
		cfg  Config
		want string
	}{
		{"no brokers", Config{}.WithDefaults(), "brokers is empty"},
		{"tiny messages", Config{Brokers: []string{"b:1"}, MaxMessageBytes: 100}.WithDefaults(), "too small"},
		{"unknown compression", Config{Brokers: []string{"b:1"}, Compression: "brotli"}.WithDefaults(), "use none, gzip, snappy, lz4 or zstd"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.cfg.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Validate = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestTLSConfigErrors(t *testing.T) {
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(notPEM, []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		tls  TLSConfig
		want string
	}{
		{"missing CA", TLSConfig{CAFile: filepath.Join(dir, "nope.pem")}, "read kafka CA file"},
		{"CA without certificate", TLSConfig{CAFile: notPEM}, "holds no PEM certificate"},
		{"bad client pair", TLSConfig{CertFile: notPEM, KeyFile: notPEM}, "client certificate"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Config{TLS: &tc.tls}.tlsConfig()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("tlsConfig = %v, want %q", err, tc.want)
			}
		})
	}
	if tc, err := (Config{TLS: &TLSConfig{ServerName: "kafka.internal"}}).tlsConfig(); err != nil || tc.ServerName != "kafka.internal" {
		t.Fatalf("plain TLS config: %v %v", tc, err)
	}
}

func TestDamagedPositionFileSaysWhatToDo(t *testing.T) {
	p := filepath.Join(t.TempDir(), "ship.pos")
	if err := os.WriteFile(p, []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := readPos(p)
	if err == nil || !strings.Contains(err.Error(), "delete it to re-ship") {
		t.Fatalf("readPos = %v", err)
	}
	if n, err := readPos(filepath.Join(t.TempDir(), "absent")); err != nil || n != 0 {
		t.Fatalf("missing position file: %d %v", n, err)
	}
}
