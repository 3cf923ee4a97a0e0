package kafkaconn_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/warden-gw/warden/internal/kafkaconn"
	"github.com/warden-gw/warden/internal/kafkaconn/kafkaconntest"
)

const topic = "warden.test"

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// Every supported mechanism authenticates against a broker that requires it, over TLS, and the
// partition scan reads the topic.
func TestEveryMechanismConnects(t *testing.T) {
	_, base := kafkaconntest.SecureCluster(t, topic, 2)
	for _, m := range kafkaconn.Mechanisms {
		t.Run(m, func(t *testing.T) {
			s := base
			sasl := *base.SASL
			sasl.Mechanism = strings.ToLower(m)
			s.SASL = &sasl
			conn, err := s.Connect("test.kafka", "warden-test")
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			parts, err := conn.Partitions(ctx, conn.Client(5*time.Second), topic)
			if err != nil {
				t.Fatalf("partitions over TLS with %s: %v", m, err)
			}
			if len(parts) != 2 || parts[0].ID != 0 || parts[1].ID != 1 {
				t.Fatalf("partitions = %+v, want 0 and 1", parts)
			}
		})
	}
}

func TestRefusedConnectionsSayWhyWithoutThePassword(t *testing.T) {
	_, base := kafkaconntest.SecureCluster(t, topic, 2)
	ca := base.TLS.CAFile
	bad := writeFile(t, "bad", "wrong-pw")
	notPEM := writeFile(t, "ca.pem", "hello")
	tests := []struct {
		name      string
		mod       func(*kafkaconn.Settings)
		atConnect bool // refused before any network traffic
		want      string
	}{
		{"wrong password", func(s *kafkaconn.Settings) {
			s.SASL = &kafkaconn.SASL{Mechanism: "SCRAM-SHA-256", Username: "warden", PasswordFile: bad}
		}, false, "read metadata"},
		{"unknown CA", func(s *kafkaconn.Settings) { s.TLS = &kafkaconn.TLS{} }, false, "read metadata"},
		{"unsupported mechanism", func(s *kafkaconn.Settings) { s.SASL.Mechanism = "GSSAPI" }, true, "use one of PLAIN, SCRAM-SHA-256, SCRAM-SHA-512"},
		{"no password file", func(s *kafkaconn.Settings) { s.SASL = &kafkaconn.SASL{Mechanism: "PLAIN", Username: "warden"} }, true, "set username and password_file"},
		{"missing CA file", func(s *kafkaconn.Settings) { s.TLS = &kafkaconn.TLS{CAFile: filepath.Join(t.TempDir(), "nope")} }, true, "test.kafka.tls.ca_file"},
		{"CA file without a certificate", func(s *kafkaconn.Settings) { s.TLS = &kafkaconn.TLS{CAFile: notPEM} }, true, "holds no PEM certificate"},
		{"bad client pair", func(s *kafkaconn.Settings) { s.TLS = &kafkaconn.TLS{CAFile: ca, CertFile: notPEM, KeyFile: notPEM} }, true, "cert_file/key_file"},
		{"no brokers", func(s *kafkaconn.Settings) { s.Brokers = nil }, true, "test.kafka.brokers is empty"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := base
			sasl := *base.SASL
			s.SASL = &sasl
			tc.mod(&s)
			conn, err := s.Connect("test.kafka", "warden-test")
			if err == nil && !tc.atConnect {
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				_, err = conn.Partitions(ctx, conn.Client(3*time.Second), topic)
			}
			if err == nil {
				t.Fatal("the connection was accepted")
			}
			if !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), kafkaconntest.Password) {
				t.Fatalf("error %q: want it to mention %q and never the password", err, tc.want)
			}
		})
	}
}

func TestMissingTopic(t *testing.T) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	conn, err := kafkaconn.Settings{Brokers: c.ListenAddrs()}.Connect("test.kafka", "warden-test")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := conn.Partitions(ctx, conn.Client(5*time.Second), "absent"); !errors.Is(err, kafkaconn.ErrTopicNotFound) {
		t.Fatalf("Partitions of a missing topic = %v, want ErrTopicNotFound", err)
	}
}
