package tlsconf

import (
	"crypto/tls"
	"crypto/x509"
	"log/slog"
	"net"
	"os"
	"testing"
)

// BenchmarkHandshakeConfig is the cost rotation adds to each TLS handshake: reading and hashing
// the three files (unchanged, so nothing is parsed).
func BenchmarkHandshakeConfig(b *testing.B) {
	dir := b.TempDir()
	if _, err := WriteDevCerts(dir, DevCertOptions{}); err != nil {
		b.Fatal(err)
	}
	p := pki{dir: dir}
	src, err := NewSource("ext_proc", p.serverConfig(), RequireClientCert, slog.New(slog.DiscardHandler))
	if err != nil {
		b.Fatal(err)
	}
	hello := &tls.ClientHelloInfo{}
	b.ReportAllocs()
	for b.Loop() {
		if c := src.configFor(hello, nil); len(c.Certificates) != 1 {
			b.Fatal("no certificate")
		}
	}
}

// BenchmarkMutualTLSHandshake is a whole handshake (client certificate verified, allowlist
// checked) over an in-memory pipe, to put BenchmarkHandshakeConfig in proportion.
func BenchmarkMutualTLSHandshake(b *testing.B) {
	dir := b.TempDir()
	if _, err := WriteDevCerts(dir, DevCertOptions{}); err != nil {
		b.Fatal(err)
	}
	p := pki{dir: dir}
	src, err := NewSource("ext_proc", p.serverConfig(), RequireClientCert, slog.New(slog.DiscardHandler))
	if err != nil {
		b.Fatal(err)
	}
	ca, err := LoadCA(mustReadB(b, p.path("ca/ca.crt")), mustReadB(b, p.path("ca/ca.key")))
	if err != nil {
		b.Fatal(err)
	}
	p.ca = ca
	kp, err := tls.X509KeyPair(mustReadB(b, p.path("envoy/tls.crt")), mustReadB(b, p.path("envoy/tls.key")))
	if err != nil {
		b.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(ca.CertPEM())
	clientCfg := &tls.Config{RootCAs: pool, ServerName: DevServerName, Certificates: []tls.Certificate{kp}, MinVersion: tls.VersionTLS12}
	serverCfg := src.ServerConfig()
	b.ReportAllocs()
	for b.Loop() {
		cc, sc := net.Pipe()
		done := make(chan error, 1)
		go func() { done <- tls.Server(sc, serverCfg).Handshake() }()
		if err := tls.Client(cc, clientCfg).Handshake(); err != nil {
			b.Fatal(err)
		}
		if err := <-done; err != nil {
			b.Fatal(err)
		}
		_ = cc.Close()
		_ = sc.Close()
	}
}

func mustReadB(b *testing.B, path string) []byte {
	b.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	return data
}
