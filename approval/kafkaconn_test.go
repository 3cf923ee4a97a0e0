package approval

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
)

// selfSigned returns a server certificate for 127.0.0.1 and the PEM file of its CA (itself).
func selfSigned(t *testing.T) (tls.Certificate, string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "kfake"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, ca
}

func TestKafkaStoreTLSAndSASL(t *testing.T) {
	cert, ca := selfSigned(t)
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, topic),
		kfake.TLS(&tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}),
		kfake.EnableSASL(), kfake.Superuser("PLAIN", "warden", "s3cret"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	dir := t.TempDir()
	good, bad := filepath.Join(dir, "pw"), filepath.Join(dir, "bad")
	_ = os.WriteFile(good, []byte("s3cret\n"), 0o600)
	_ = os.WriteFile(bad, []byte("wrong"), 0o600)
	cfg := KafkaConfig{
		Brokers: c.ListenAddrs(), Topic: topic, StartupTimeout: 10 * time.Second,
		TLS: &KafkaTLS{CAFile: ca}, SASL: &KafkaSASL{Mechanism: "PLAIN", Username: "warden", PasswordFile: good},
	}

	s, err := NewKafkaStore(context.Background(), cfg, nil)
	if err != nil {
		t.Fatalf("TLS+SASL store: %v", err)
	}
	defer s.Close()
	a := Approval{ID: "apr_tls", Version: 1, Status: Pending, Created: time.Now()}
	if err := s.Put(context.Background(), a); err != nil {
		t.Fatalf("Put over TLS+SASL: %v", err)
	}

	tests := []struct {
		name string
		mod  func(*KafkaConfig)
		want string
	}{
		{"wrong password", func(c *KafkaConfig) { c.SASL = &KafkaSASL{Mechanism: "PLAIN", Username: "warden", PasswordFile: bad} }, "approval topic"},
		{"unknown CA", func(c *KafkaConfig) { c.TLS = &KafkaTLS{} }, "approval topic"},
		{"SCRAM not supported", func(c *KafkaConfig) { c.SASL = &KafkaSASL{Mechanism: "SCRAM-SHA-512"} }, "not supported"},
		{"missing CA file", func(c *KafkaConfig) { c.TLS = &KafkaTLS{CAFile: filepath.Join(dir, "nope")} }, "ca_file"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			bcfg := cfg
			bcfg.StartupTimeout = 3 * time.Second
			tc.mod(&bcfg)
			s, err := NewKafkaStore(context.Background(), bcfg, nil)
			if err == nil {
				_ = s.Close()
				t.Fatal("store started with a bad connection config")
			}
			if !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "s3cret") {
				t.Fatalf("error %q: want it to mention %q and never the password", err, tc.want)
			}
		})
	}
}
