// Package kafkaconntest starts in-process Kafka clusters (franz-go's kfake, the real protocol)
// that require what production clusters do: TLS and SASL.
package kafkaconntest

import (
	"crypto/tls"
	"os"
	"path/filepath"
	"testing"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/warden-gw/warden/internal/kafkaconn"
	"github.com/warden-gw/warden/internal/testenv"
)

// Password is the password of the user "warden" on a SecureCluster.
const Password = "s3cret-kafka-pw"

// SecureCluster starts a one-broker cluster with topic (partitions partitions) that accepts only
// TLS connections authenticated with SASL as "warden", under every mechanism warden supports.
// The returned settings connect with SCRAM-SHA-512; change SASL.Mechanism for another.
func SecureCluster(t testing.TB, topic string, partitions int32) (*kfake.Cluster, kafkaconn.Settings) {
	t.Helper()
	cert, ca := testenv.SelfSignedTLS(t)
	opts := []kfake.Opt{
		kfake.NumBrokers(1), kfake.SeedTopics(partitions, topic),
		kfake.TLS(&tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}),
		kfake.EnableSASL(),
	}
	for _, m := range kafkaconn.Mechanisms {
		opts = append(opts, kfake.Superuser(m, "warden", Password))
	}
	c, err := kfake.NewCluster(opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	pw := filepath.Join(t.TempDir(), "kafka-password")
	if err := os.WriteFile(pw, []byte(Password+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return c, kafkaconn.Settings{
		Brokers: c.ListenAddrs(), TLS: &kafkaconn.TLS{CAFile: ca},
		SASL: &kafkaconn.SASL{Mechanism: "SCRAM-SHA-512", Username: "warden", PasswordFile: pw},
	}
}
