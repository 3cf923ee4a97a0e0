package e2e

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	extprocv3 "github.com/envoyproxy/go-control-plane/envoy/service/ext_proc/v3"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/warden-gw/warden/cmd/warden/mainlib"
	"github.com/warden-gw/warden/creds"
	"github.com/warden-gw/warden/extproc/extproctest"
	"github.com/warden-gw/warden/internal/testenv/vaulttest"
	"github.com/warden-gw/warden/internal/tlsconf"
)

// testPKI is `warden certs` output: warden's server files, the gateway's client files, and the
// CA to issue strangers from.
type testPKI struct {
	dir string
	ca  *tlsconf.CA
}

func newTestPKI(t *testing.T) testPKI {
	t.Helper()
	dir := t.TempDir()
	if _, err := tlsconf.WriteDevCerts(dir, tlsconf.DevCertOptions{}); err != nil {
		t.Fatal(err)
	}
	ca, err := tlsconf.LoadCA(mustRead(t, filepath.Join(dir, "ca/ca.crt")), mustRead(t, filepath.Join(dir, "ca/ca.key")))
	if err != nil {
		t.Fatal(err)
	}
	return testPKI{dir: dir, ca: ca}
}

func mustRead(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (p testPKI) file(rel string) string { return filepath.Join(p.dir, filepath.FromSlash(rel)) }

// wardenTLS is the tls: section the shipped configurations use, over these files.
func (p testPKI) wardenTLS() *tlsconf.Config {
	return &tlsconf.Config{
		CertFile: p.file("warden/tls.crt"), KeyFile: p.file("warden/tls.key"),
		ClientCAFile: p.file("warden/ca.crt"), AllowedSPIFFEIDs: []string{tlsconf.DevClientID},
	}
}

// clientTLS trusts warden's CA and presents leaf (nil: no client certificate). served, if not
// nil, receives the serial of the certificate warden presented.
func (p testPKI) clientTLS(t *testing.T, leaf *tlsconf.Leaf, served chan<- *big.Int) *tls.Config {
	t.Helper()
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(mustRead(t, p.file("envoy/ca.crt")))
	c := &tls.Config{RootCAs: pool, ServerName: tlsconf.DevServerName, MinVersion: tls.VersionTLS12}
	if leaf != nil {
		kp, err := tls.X509KeyPair(leaf.CertPEM, leaf.KeyPEM)
		if err != nil {
			t.Fatal(err)
		}
		c.Certificates = []tls.Certificate{kp}
	}
	if served != nil {
		c.VerifyConnection = func(cs tls.ConnectionState) error {
			served <- cs.PeerCertificates[0].SerialNumber
			return nil
		}
	}
	return c
}

func (p testPKI) gatewayLeaf(t *testing.T) *tlsconf.Leaf {
	return &tlsconf.Leaf{CertPEM: mustRead(t, p.file("envoy/tls.crt")), KeyPEM: mustRead(t, p.file("envoy/tls.key"))}
}

func dialExtProc(t *testing.T, target string, tc *tls.Config) extprocv3.ExternalProcessorClient {
	t.Helper()
	tcreds := insecure.NewCredentials()
	if tc != nil {
		tcreds = credentials.NewTLS(tc)
	}
	conn, err := grpc.NewClient(target, grpc.WithTransportCredentials(tcreds))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return extprocv3.NewExternalProcessorClient(conn)
}

// openaiHeaders is the request_headers message of a request the credential route matches.
func openaiHeaders() *extprocv3.ProcessingRequest {
	hs := []*corev3.HeaderValue{
		{Key: ":method", RawValue: []byte("POST")},
		{Key: ":path", RawValue: []byte("/v1/chat/completions")},
		{Key: ":authority", RawValue: []byte("api.openai.com")},
		{Key: ":scheme", RawValue: []byte("https")},
		{Key: "content-type", RawValue: []byte("application/json")},
		{Key: "authorization", RawValue: []byte("Bearer agent-own")},
	}
	return &extprocv3.ProcessingRequest{Request: &extprocv3.ProcessingRequest_RequestHeaders{
		RequestHeaders: &extprocv3.HttpHeaders{Headers: &corev3.HeaderMap{Headers: hs}},
	}}
}

// TestOnlyTheGatewayReceivesInjectedCredentials runs warden with mutual TLS and a real Vault:
// the gateway's certificate gets the Vault key injected; callers without a certificate, with a
// certificate the allowlist does not name, or from another CA cannot open an ext_proc stream,
// so no reply (and no credential) ever reaches them.
func TestOnlyTheGatewayReceivesInjectedCredentials(t *testing.T) {
	v := vaulttest.Start(t)
	const apiKey = "sk-vault-mtls-4b1e0c9a77"
	v.Write(t, "secret/data/llm/openai", map[string]any{"data": map[string]any{"api_key": apiKey}})
	vc, err := creds.ParseConfig([]byte("address: " + v.Addr + "\nauth: {method: token, token: " + v.RootToken + "}\n" +
		"roles: [{name: openai, source: kv2, mount: secret, path: llm/openai}]\n" +
		"routes: [{host: api.openai.com, role: openai, headers: {authorization: \"Bearer {{ .api_key }}\"}}]\n"))
	if err != nil {
		t.Fatal(err)
	}
	p := newTestPKI(t)
	w := startWarden(t, func(c *mainlib.Config) { c.Vault, c.TLS = &vc, p.wardenTLS() })

	t.Run("the gateway's certificate: credential injected", func(t *testing.T) {
		envoy := newEnvoy(t, dialExtProc(t, w.addrs.GRPC, p.clientTLS(t, p.gatewayLeaf(t), nil)))
		up, _ := staticUpstream(200, extproctest.Headers{{Key: "content-type", Value: "application/json"}}, `{"ok":true}`)
		res, err := envoy.Run(context.Background(), request("POST", "https://api.openai.com/v1/chat/completions",
			map[string]string{"content-type": "application/json", "authorization": "Bearer agent-own"}, `{"model":"m","messages":[]}`), up)
		if err != nil || res.Status != 200 {
			t.Fatalf("%v %+v", err, res)
		}
		if got := res.Upstream.Headers.Values("authorization"); len(got) != 1 || got[0] != "Bearer "+apiKey {
			t.Fatalf("upstream authorization = %q, want the Vault key", got)
		}
	})

	assertStrangersRefused(t, p, w.addrs.GRPC)
}

// TestUnauthenticatedCallersCannotOpenExtProcStreams is the refusal half of the test above
// without Vault: nobody but the gateway gets a single ext_proc reply.
func TestUnauthenticatedCallersCannotOpenExtProcStreams(t *testing.T) {
	p := newTestPKI(t)
	w := startWarden(t, func(c *mainlib.Config) { c.TLS = p.wardenTLS() })
	assertStrangersRefused(t, p, w.addrs.GRPC)
	if !strings.Contains(w.logs.String(), "TLS handshake refused") {
		t.Errorf("no refusal in warden's log:\n%s", w.logs.String())
	}
}

// assertStrangersRefused sends the headers of a credential-injected request as callers other
// than the gateway and checks that none of them gets any reply.
func assertStrangersRefused(t *testing.T, p testPKI, target string) {
	t.Helper()
	stranger, err := p.ca.Issue(tlsconf.LeafOptions{CommonName: "agent", URIs: []string{"spiffe://warden.local/agent"}, Client: true})
	if err != nil {
		t.Fatal(err)
	}
	other := newTestPKI(t) // same SPIFFE ID, another CA
	for _, tt := range []struct {
		name string
		tc   *tls.Config
	}{
		{"plaintext", nil},
		{"TLS without a client certificate", p.clientTLS(t, nil, nil)},
		{"a certificate of the same CA the allowlist does not name", p.clientTLS(t, &stranger, nil)},
		{"the gateway's SPIFFE ID signed by another CA", p.clientTLS(t, other.gatewayLeaf(t), nil)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			stream, err := dialExtProc(t, target, tt.tc).Process(ctx, grpc.WaitForReady(false))
			if err == nil {
				err = stream.Send(openaiHeaders())
			}
			if err == nil {
				var resp *extprocv3.ProcessingResponse
				resp, err = stream.Recv()
				if resp != nil {
					t.Fatalf("caller received a reply: %v", resp)
				}
			}
			if err == nil || errors.Is(err, io.EOF) {
				t.Fatalf("stream opened: %v", err)
			}
		})
	}
	// The gateway itself still gets replies on the same listener.
	stream, err := dialExtProc(t, target, p.clientTLS(t, p.gatewayLeaf(t), nil)).Process(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if err := stream.Send(openaiHeaders()); err != nil {
		t.Fatal(err)
	}
	if _, err := stream.Recv(); err != nil {
		t.Fatalf("the gateway's stream: %v", err)
	}
}

// TestExtProcCertificateRotation replaces warden's certificate files while it runs: the next
// connection gets the new certificate, with no restart.
func TestExtProcCertificateRotation(t *testing.T) {
	p := newTestPKI(t)
	w := startWarden(t, func(c *mainlib.Config) { c.TLS = p.wardenTLS() })
	served := make(chan *big.Int, 4)
	health := func() {
		t.Helper()
		envoy := newEnvoy(t, dialExtProc(t, w.addrs.GRPC, p.clientTLS(t, p.gatewayLeaf(t), served)))
		up, _ := staticUpstream(200, nil, "")
		if _, err := envoy.Run(context.Background(), request("GET", "http://mock/healthz", nil), up); err != nil {
			t.Fatal(err)
		}
	}
	health()
	before := <-served
	leaf, err := p.ca.Issue(tlsconf.LeafOptions{CommonName: "warden", DNSNames: []string{"warden"}, Server: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []struct {
		name string
		data []byte
	}{{"warden/tls.key", leaf.KeyPEM}, {"warden/tls.crt", leaf.CertPEM}} {
		tmp := p.file(f.name + ".new")
		if err := os.WriteFile(tmp, f.data, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, p.file(f.name)); err != nil {
			t.Fatal(err)
		}
	}
	kp, _ := tls.X509KeyPair(leaf.CertPEM, leaf.KeyPEM)
	health()
	if after := <-served; after.Cmp(kp.Leaf.SerialNumber) != 0 || after.Cmp(before) == 0 {
		t.Errorf("after rotation warden served serial %v, want the new %v (old %v)", after, kp.Leaf.SerialNumber, before)
	}
}

// TestExtProcOnUnixSocket serves ext_proc on a Unix socket with a file mode, as for an Envoy
// sidecar sharing a volume, and runs a request through it.
func TestExtProcOnUnixSocket(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "extproc.sock")
	w := startWarden(t, func(c *mainlib.Config) { c.Listen, c.ListenSocketMode = "unix://"+sock, "0660" })
	if w.addrs.GRPC != "unix://"+sock {
		t.Fatalf("ext_proc address %q", w.addrs.GRPC)
	}
	fi, err := os.Stat(sock)
	if err != nil || fi.Mode().Perm() != 0o660 {
		t.Fatalf("socket: %v %v", fi, err)
	}
	up, _ := staticUpstream(200, nil, "ok")
	res, err := w.envoy.Run(context.Background(), request("GET", "http://mock/v1/models", nil), up)
	if err != nil || res.Status != 200 {
		t.Fatalf("%v %+v", err, res)
	}
}

// TestAdminTLS serves the admin listener over HTTPS with client certificates: probes need
// none, /metrics needs the allowed one.
func TestAdminTLS(t *testing.T) {
	p := newTestPKI(t)
	w := startWarden(t, func(c *mainlib.Config) { c.AdminTLS = p.wardenTLS() })
	if !w.addrs.AdminTLS {
		t.Fatal("admin not TLS")
	}
	get := func(leaf *tlsconf.Leaf, path string) int {
		t.Helper()
		c := &http.Client{Transport: &http.Transport{TLSClientConfig: p.clientTLS(t, leaf, nil)}}
		resp, err := c.Get("https://" + w.addrs.Admin + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		return resp.StatusCode
	}
	for _, tt := range []struct {
		leaf *tlsconf.Leaf
		path string
		want int
	}{{nil, "/healthz", 200}, {nil, "/readyz", 200}, {nil, "/metrics", 403}, {p.gatewayLeaf(t), "/metrics", 200}} {
		if got := get(tt.leaf, tt.path); got != tt.want {
			t.Errorf("GET %s (client cert %v) = %d, want %d", tt.path, tt.leaf != nil, got, tt.want)
		}
	}
	if resp, err := http.Get("http://" + w.addrs.Admin + "/healthz"); err == nil {
		resp.Body.Close()
		if resp.StatusCode == 200 {
			t.Error("plain HTTP served on the TLS admin listener")
		}
	}
}

// TestServeRefusesPlaintextOnTheNetwork: 0.0.0.0 without TLS needs insecure_plaintext.
func TestServeRefusesPlaintextOnTheNetwork(t *testing.T) {
	cfg := mainlib.DefaultConfig()
	cfg.DataDir = t.TempDir()
	cfg.Listen, cfg.Admin = "0.0.0.0:0", "127.0.0.1:0"
	err := mainlib.Serve(context.Background(), cfg, io.Discard, nil)
	if !errors.Is(err, tlsconf.ErrPlaintext) || !strings.Contains(err.Error(), "insecure_plaintext") {
		t.Fatalf("Serve = %v, want a refusal naming insecure_plaintext", err)
	}
}
