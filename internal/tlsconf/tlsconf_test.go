package tlsconf

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// pki is a CA with warden's server files and Envoy's client files written by WriteDevCerts.
type pki struct {
	dir string
	ca  *CA
}

func newPKI(t *testing.T) pki {
	t.Helper()
	dir := t.TempDir()
	if _, err := WriteDevCerts(dir, DevCertOptions{}); err != nil {
		t.Fatal(err)
	}
	ca, err := LoadCA(readFile(t, filepath.Join(dir, "ca/ca.crt")), readFile(t, filepath.Join(dir, "ca/ca.key")))
	if err != nil {
		t.Fatal(err)
	}
	return pki{dir: dir, ca: ca}
}

func (p pki) path(rel string) string { return filepath.Join(p.dir, filepath.FromSlash(rel)) }

func (p pki) serverConfig() Config {
	return Config{
		CertFile: p.path("warden/tls.crt"), KeyFile: p.path("warden/tls.key"),
		ClientCAFile: p.path("warden/ca.crt"), AllowedSPIFFEIDs: []string{DevClientID},
	}
}

// client returns a client tls.Config presenting leaf (nil: no certificate) and trusting the CA.
func (p pki) client(t *testing.T, leaf *Leaf) *tls.Config {
	t.Helper()
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(p.ca.CertPEM())
	c := &tls.Config{RootCAs: pool, ServerName: DevServerName, MinVersion: tls.VersionTLS12}
	if leaf != nil {
		kp, err := tls.X509KeyPair(leaf.CertPEM, leaf.KeyPEM)
		if err != nil {
			t.Fatal(err)
		}
		c.Certificates = []tls.Certificate{kp}
	}
	return c
}

func (p pki) envoyLeaf(t *testing.T) *Leaf {
	return &Leaf{CertPEM: readFile(t, p.path("envoy/tls.crt")), KeyPEM: readFile(t, p.path("envoy/tls.key"))}
}

func readFile(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// syncLog collects log output from the server goroutines.
type syncLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *syncLog) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(b)
}

func (l *syncLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// serveTLS runs a TLS echo-once server on 127.0.0.1 with src and returns its address.
func serveTLS(t *testing.T, src *Source) string {
	t.Helper()
	l, err := tls.Listen("tcp", "127.0.0.1:0", src.ServerConfig())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				_ = c.(*tls.Conn).HandshakeContext(context.Background())
				_, _ = c.Write([]byte("hello"))
			}()
		}
	}()
	return l.Addr().String()
}

// dial completes a handshake and reads the greeting; it returns the server's leaf.
func dial(addr string, cfg *tls.Config) (*x509.Certificate, error) {
	c, err := tls.Dial("tcp", addr, cfg)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	// TLS 1.3 reports a refused client certificate on the first read, not in Dial.
	if _, err := io.ReadFull(c, make([]byte, 5)); err != nil {
		return nil, err
	}
	return c.ConnectionState().PeerCertificates[0], nil
}

func newSource(t *testing.T, cfg Config, auth ClientAuth) (*Source, *syncLog) {
	t.Helper()
	lw := &syncLog{}
	src, err := NewSource("ext_proc", cfg, auth, slog.New(slog.NewTextHandler(lw, nil)))
	if err != nil {
		t.Fatal(err)
	}
	return src, lw
}

func TestOnlyAllowedClientCertificatesConnect(t *testing.T) {
	p := newPKI(t)
	src, logs := newSource(t, p.serverConfig(), RequireClientCert)
	addr := serveTLS(t, src)

	stranger, err := p.ca.Issue(LeafOptions{CommonName: "intruder", URIs: []string{"spiffe://warden.local/intruder"}, Client: true})
	if err != nil {
		t.Fatal(err)
	}
	otherCA := newPKI(t)
	tests := []struct {
		name string
		leaf *Leaf
		ok   bool
	}{
		{"the gateway's certificate", p.envoyLeaf(t), true},
		{"no certificate", nil, false},
		{"same CA, SPIFFE ID not allowed", &stranger, false},
		{"allowed SPIFFE ID from another CA", otherCA.envoyLeaf(t), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := dial(addr, p.client(t, tt.leaf))
			if (err == nil) != tt.ok {
				t.Fatalf("connect: err = %v, want success %v", err, tt.ok)
			}
		})
	}
	_ = logs
}

// TestGRPCCredentialsLogRefusals: a refused handshake is logged with the caller's names, at
// most once a second, and the refusals in between are counted.
func TestGRPCCredentialsLogRefusals(t *testing.T) {
	p := newPKI(t)
	src, logs := newSource(t, p.serverConfig(), RequireClientCert)
	src.refusalLogEvery = time.Hour // all three refusals fall in one period, however slow the machine
	creds := src.GRPCCredentials()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close() })
	handshakes := make(chan error, 8)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			out, _, err := creds.ServerHandshake(c)
			if err == nil {
				_, _ = out.Write([]byte("hello"))
				_ = out.Close()
			} else {
				_ = c.Close()
			}
			handshakes <- err
		}
	}()
	stranger, err := p.ca.Issue(LeafOptions{CommonName: "intruder", URIs: []string{"spiffe://warden.local/intruder"}, Client: true})
	if err != nil {
		t.Fatal(err)
	}
	h2 := func(c *tls.Config) *tls.Config { c.NextProtos = []string{"h2"}; return c } // gRPC insists on ALPN
	for range 3 {
		if _, err := dial(l.Addr().String(), h2(p.client(t, &stranger))); err == nil {
			t.Fatal("stranger admitted")
		}
		if err := <-handshakes; !errors.Is(err, ErrNotAllowed) {
			t.Fatalf("server handshake error %v, want ErrNotAllowed", err)
		}
	}
	if got := strings.Count(logs.String(), "TLS handshake refused"); got != 1 || !strings.Contains(logs.String(), "spiffe://warden.local/intruder") {
		t.Errorf("%d refusal lines (want 1 per period, naming the intruder):\n%s", got, logs)
	}
	if _, err := dial(l.Addr().String(), h2(p.client(t, p.envoyLeaf(t)))); err != nil {
		t.Errorf("the gateway: %v", err)
	}
	if err := <-handshakes; err != nil {
		t.Errorf("gateway handshake: %v", err)
	}
}

func TestSubjectAllowlist(t *testing.T) {
	p := newPKI(t)
	cfg := p.serverConfig()
	cfg.AllowedSPIFFEIDs = nil
	cfg.AllowedSubjects = []string{"CN=ops-console,O=warden"}
	src, _ := newSource(t, cfg, RequireClientCert)
	addr := serveTLS(t, src)
	ops, err := p.ca.Issue(LeafOptions{CommonName: "ops-console", Client: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dial(addr, p.client(t, &ops)); err != nil {
		t.Errorf("allowed subject refused: %v", err)
	}
	if _, err := dial(addr, p.client(t, p.envoyLeaf(t))); err == nil {
		t.Error("subject CN=warden-gateway,O=warden admitted by an allowlist of CN=ops-console,O=warden")
	}
}

// rotate replaces warden's certificate with a new one from the same CA, as cert-manager does.
func rotate(t *testing.T, p pki) *x509.Certificate {
	t.Helper()
	leaf, err := p.ca.Issue(LeafOptions{CommonName: DevServerName, DNSNames: []string{DevServerName}, Server: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := writeFileAtomic(p.path("warden/tls.key"), leaf.KeyPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := writeFileAtomic(p.path("warden/tls.crt"), leaf.CertPEM, 0o644); err != nil {
		t.Fatal(err)
	}
	kp, err := tls.X509KeyPair(leaf.CertPEM, leaf.KeyPEM)
	if err != nil {
		t.Fatal(err)
	}
	return kp.Leaf
}

func TestRotatedCertificateIsServedWithoutRestart(t *testing.T) {
	p := newPKI(t)
	src, logs := newSource(t, p.serverConfig(), RequireClientCert)
	addr := serveTLS(t, src)
	before, err := dial(addr, p.client(t, p.envoyLeaf(t)))
	if err != nil {
		t.Fatal(err)
	}
	want := rotate(t, p)
	after, err := dial(addr, p.client(t, p.envoyLeaf(t)))
	if err != nil {
		t.Fatal(err)
	}
	if after.SerialNumber.Cmp(want.SerialNumber) != 0 || after.SerialNumber.Cmp(before.SerialNumber) == 0 {
		t.Errorf("served serial %v after rotation, want the new %v (old %v)", after.SerialNumber, want.SerialNumber, before.SerialNumber)
	}

	// A rotation that leaves a certificate with someone else's key keeps the last good pair.
	if err := writeFileAtomic(p.path("warden/tls.key"), readFile(t, p.path("envoy/tls.key")), 0o600); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		got, err := dial(addr, p.client(t, p.envoyLeaf(t)))
		if err != nil {
			t.Fatalf("broken rotation took the listener down: %v", err)
		}
		if got.SerialNumber.Cmp(want.SerialNumber) != 0 {
			t.Errorf("after a broken rotation serving %v, want the last good %v", got.SerialNumber, want.SerialNumber)
		}
	}
	if n := strings.Count(logs.String(), "unusable"); n != 1 {
		t.Errorf("broken rotation logged %d times, want once:\n%s", n, logs)
	}
}

func TestRotatedClientCAIsTrustedWithoutRestart(t *testing.T) {
	p := newPKI(t)
	src, _ := newSource(t, p.serverConfig(), RequireClientCert)
	addr := serveTLS(t, src)
	next := newPKI(t) // a new CA signs the gateway's next certificate
	if _, err := dial(addr, p.client(t, next.envoyLeaf(t))); err == nil {
		t.Fatal("certificate of a CA not yet trusted was admitted")
	}
	bundle := append(readFile(t, p.path("warden/ca.crt")), next.ca.CertPEM()...)
	if err := writeFileAtomic(p.path("warden/ca.crt"), bundle, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, leaf := range []*Leaf{p.envoyLeaf(t), next.envoyLeaf(t)} {
		if _, err := dial(addr, p.client(t, leaf)); err != nil {
			t.Errorf("with both CAs in client_ca_file: %v", err)
		}
	}
}

func TestValidate(t *testing.T) {
	full := Config{CertFile: "c", KeyFile: "k", ClientCAFile: "ca", AllowedSPIFFEIDs: []string{"spiffe://td/gw"}}
	tests := []struct {
		name string
		edit func(*Config)
		auth ClientAuth
		want string
	}{
		{"complete", func(*Config) {}, RequireClientCert, ""},
		{"no key", func(c *Config) { c.KeyFile = "" }, RequireClientCert, "cert_file and key_file"},
		{"no client CA", func(c *Config) { c.ClientCAFile = "" }, RequireClientCert, "client_ca_file is required"},
		{"nobody allowed", func(c *Config) { c.AllowedSPIFFEIDs = nil }, RequireClientCert, "any certificate the CA signed is not enough"},
		{"not a SPIFFE ID", func(c *Config) { c.AllowedSPIFFEIDs = []string{"gw"} }, RequireClientCert, "not a spiffe:// ID"},
		{"admin without client CA", func(c *Config) { c.ClientCAFile, c.AllowedSPIFFEIDs = "", nil }, OptionalClientCert, ""},
		{"allowlist without CA", func(c *Config) { c.ClientCAFile = "" }, OptionalClientCert, "need client_ca_file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := full
			tt.edit(&c)
			err := c.Validate("tls", tt.auth)
			if (tt.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tt.want)) {
				t.Errorf("Validate = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestNewSourceRefusesUnusableFiles(t *testing.T) {
	p := newPKI(t)
	cfg := p.serverConfig()
	cfg.KeyFile = p.path("envoy/tls.key") // not the certificate's key
	if _, err := NewSource("ext_proc", cfg, RequireClientCert, slog.New(slog.DiscardHandler)); err == nil {
		t.Error("mismatched key accepted at start-up")
	}
	cfg = p.serverConfig()
	cfg.ClientCAFile = p.path("warden/tls.key")
	if _, err := NewSource("ext_proc", cfg, RequireClientCert, slog.New(slog.DiscardHandler)); err == nil || !strings.Contains(err.Error(), "no PEM certificate") {
		t.Errorf("key file as client CA: err = %v", err)
	}
}

func TestAdminOpenPathsAndClientCerts(t *testing.T) {
	p := newPKI(t)
	src, _ := newSource(t, p.serverConfig(), OptionalClientCert)
	h := RequireAllowedClient(src.Allowlist(), []string{"/healthz"}, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "ok")
	}))
	srv := httptest.NewUnstartedServer(h)
	srv.TLS = src.ServerConfig("http/1.1")
	srv.StartTLS()
	t.Cleanup(srv.Close)
	get := func(leaf *Leaf, path string) int {
		t.Helper()
		c := &http.Client{Transport: &http.Transport{TLSClientConfig: p.client(t, leaf)}}
		resp, err := c.Get("https://" + srv.Listener.Addr().String() + path)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		defer resp.Body.Close()
		return resp.StatusCode
	}
	stranger, _ := p.ca.Issue(LeafOptions{CommonName: "x", Client: true})
	for _, tt := range []struct {
		leaf *Leaf
		path string
		want int
	}{
		{nil, "/healthz", 200}, {nil, "/metrics", 403}, {&stranger, "/metrics", 403}, {p.envoyLeaf(t), "/metrics", 200},
	} {
		if got := get(tt.leaf, tt.path); got != tt.want {
			t.Errorf("GET %s with cert %v: %d, want %d", tt.path, tt.leaf != nil, got, tt.want)
		}
	}
}

func TestWriteDevCerts(t *testing.T) {
	p := newPKI(t)
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(readFile(t, p.path("envoy/ca.crt")))
	server, err := tls.X509KeyPair(readFile(t, p.path("warden/tls.crt")), readFile(t, p.path("warden/tls.key")))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := server.Leaf.Verify(x509.VerifyOptions{DNSName: "warden", Roots: pool}); err != nil {
		t.Errorf("warden's certificate does not verify as 'warden' against envoy/ca.crt: %v", err)
	}
	client, err := tls.X509KeyPair(readFile(t, p.path("envoy/tls.crt")), readFile(t, p.path("envoy/tls.key")))
	if err != nil {
		t.Fatal(err)
	}
	if got := PeerOf(client.Leaf); len(got.SPIFFEIDs) != 1 || got.SPIFFEIDs[0] != DevClientID || got.Subject != "CN=warden-gateway,O=warden" {
		t.Errorf("client identity = %+v", got)
	}
	if fi, _ := os.Stat(p.path("envoy/tls.key")); fi.Mode().Perm() != 0o600 {
		t.Errorf("key mode %v", fi.Mode())
	}
	if _, err := WriteDevCerts(p.dir, DevCertOptions{}); !errors.Is(err, ErrExists) {
		t.Errorf("second run: %v, want ErrExists", err)
	}
}

func TestDevCertsCADirectoryIsPrivate(t *testing.T) {
	p := newPKI(t)
	fi, err := os.Stat(p.path("ca"))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		t.Errorf("ca/ (with the CA key) has mode %v; others can enter it", fi.Mode().Perm())
	}
}
