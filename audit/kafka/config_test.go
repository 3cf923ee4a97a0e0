package kafka

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/warden-gw/warden/internal/kafkaconn"
)

func TestConfigDefaultsAndValidation(t *testing.T) {
	c := Config{Settings: kafkaconn.Settings{Brokers: []string{"127.0.0.1:9092"}}}.WithDefaults()
	if c.Topic != "warden.audit" || c.BatchBytes < int64(c.MaxMessageBytes) || c.BatchTimeout != 5*time.Millisecond {
		t.Fatalf("defaults: %+v", c)
	}
	cases := []struct {
		name string
		cfg  Config
		want string
	}{
		{"no brokers", Config{}.WithDefaults(), "brokers is empty"},
		{"tiny messages", Config{Settings: kafkaconn.Settings{Brokers: []string{"b:1"}}, MaxMessageBytes: 100}.WithDefaults(), "too small"},
		{"unknown SASL mechanism", Config{Settings: kafkaconn.Settings{Brokers: []string{"b:1"}, SASL: &kafkaconn.SASL{Mechanism: "GSSAPI"}}}.WithDefaults(), "use one of PLAIN, SCRAM-SHA-256, SCRAM-SHA-512"},
		{"unknown compression", Config{Settings: kafkaconn.Settings{Brokers: []string{"b:1"}}, Compression: "brotli"}.WithDefaults(), "use none, gzip, snappy, lz4 or zstd"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.cfg.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Validate = %v, want %q", err, tc.want)
			}
		})
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
