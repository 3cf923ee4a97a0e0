package xds

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	discoveryv3 "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"github.com/warden-gw/warden/internal/tlsconf"
)

// xdsPKI is `warden certs` output plus its CA, for the xDS server and its Envoys.
type xdsPKI struct {
	dir string
	ca  *tlsconf.CA
}

func newXDSPKI(t *testing.T) xdsPKI {
	t.Helper()
	dir := t.TempDir()
	if _, err := tlsconf.WriteDevCerts(dir, tlsconf.DevCertOptions{}); err != nil {
		t.Fatal(err)
	}
	crt, _ := os.ReadFile(filepath.Join(dir, "ca/ca.crt"))
	key, _ := os.ReadFile(filepath.Join(dir, "ca/ca.key"))
	ca, err := tlsconf.LoadCA(crt, key)
	if err != nil {
		t.Fatal(err)
	}
	return xdsPKI{dir: dir, ca: ca}
}

func (p xdsPKI) serverTLS(allow ...string) *tlsconf.Config {
	c := &tlsconf.Config{
		CertFile: filepath.Join(p.dir, "warden/tls.crt"), KeyFile: filepath.Join(p.dir, "warden/tls.key"),
		ClientCAFile: filepath.Join(p.dir, "warden/ca.crt"),
	}
	c.AddAllowed(allow...)
	return c
}

// creds returns client credentials with a certificate for spiffeID ("" for none).
func (p xdsPKI) creds(t *testing.T, spiffeID string) credentials.TransportCredentials {
	t.Helper()
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(p.ca.CertPEM())
	c := &tls.Config{RootCAs: pool, ServerName: tlsconf.DevServerName, MinVersion: tls.VersionTLS12}
	if spiffeID != "" {
		leaf, err := p.ca.Issue(tlsconf.LeafOptions{CommonName: "envoy", URIs: []string{spiffeID}, Client: true})
		if err != nil {
			t.Fatal(err)
		}
		kp, err := tls.X509KeyPair(leaf.CertPEM, leaf.KeyPEM)
		if err != nil {
			t.Fatal(err)
		}
		c.Certificates = []tls.Certificate{kp}
	}
	return credentials.NewTLS(c)
}

func startXDS(t *testing.T, text string, opts Options) *Server {
	t.Helper()
	opts.ConfigPath = filepath.Join(t.TempDir(), "gateways.yaml")
	if err := os.WriteFile(opts.ConfigPath, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	opts.PollInterval = -1
	opts.Logger = slog.New(slog.DiscardHandler)
	srv, err := NewServer(opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Stop() })
	return srv
}

// firstListener opens ADS as node with tc and returns the error of asking for listeners.
func firstListener(t *testing.T, target string, tc credentials.TransportCredentials, node *corev3.Node) error {
	t.Helper()
	conn, err := grpc.NewClient(target, grpc.WithTransportCredentials(tc))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	s, err := discoveryv3.NewAggregatedDiscoveryServiceClient(conn).StreamAggregatedResources(ctx)
	if err != nil {
		return err
	}
	if err := s.Send(&discoveryv3.DiscoveryRequest{Node: node, TypeUrl: ListenerTypeURL}); err != nil {
		return err
	}
	r, err := s.Recv()
	if err == nil && len(r.GetResources()) != 1 {
		t.Fatalf("listener response %v", r)
	}
	return err
}

func TestXDSOverMutualTLS(t *testing.T) {
	p := newXDSPKI(t)
	const edge = "spiffe://warden.local/edge-1"
	text := withSecond("edge-1", "11000") + "  clients: [\"" + edge + "\"]\n"
	srv := startXDS(t, text, Options{ListenAddr: "127.0.0.1:0", TLS: p.serverTLS(tlsconf.DevClientID, edge)})
	addr := srv.Addr().String()
	for _, tt := range []struct {
		name string
		tc   credentials.TransportCredentials
		node string
		want codes.Code
	}{
		{"an allowed Envoy", p.creds(t, tlsconf.DevClientID), "n1", codes.OK},
		{"plaintext", insecure.NewCredentials(), "n1", codes.Unavailable},
		{"no client certificate", p.creds(t, ""), "n1", codes.Unavailable},
		{"a certificate the server does not allow", p.creds(t, "spiffe://warden.local/intruder"), "n1", codes.Unavailable},
		{"an allowed Envoy posing as another gateway", p.creds(t, tlsconf.DevClientID), "edge-1", codes.PermissionDenied},
		{"that gateway's own Envoy", p.creds(t, edge), "edge-1", codes.OK},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := firstListener(t, addr, tt.tc, &corev3.Node{Id: tt.node})
			if status.Code(err) != tt.want {
				t.Errorf("got %v, want %v", err, tt.want)
			}
		})
	}
}

func TestXDSListenRules(t *testing.T) {
	t.Run("plaintext on the network needs the opt-in", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "g.yaml")
		if err := os.WriteFile(path, []byte(minimal), 0o600); err != nil {
			t.Fatal(err)
		}
		srv, err := NewServer(Options{ConfigPath: path, ListenAddr: "0.0.0.0:0", PollInterval: -1, Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		if err := srv.Start(t.Context()); !errors.Is(err, tlsconf.ErrPlaintext) {
			_ = srv.Stop()
			t.Fatalf("Start on 0.0.0.0 without TLS = %v", err)
		}
	})
	t.Run("unix socket", func(t *testing.T) {
		sock := filepath.Join(t.TempDir(), "xds.sock")
		startXDS(t, minimal, Options{ListenAddr: "unix://" + sock})
		if err := firstListener(t, "unix://"+sock, insecure.NewCredentials(), &corev3.Node{Id: "n1"}); err != nil {
			t.Fatal(err)
		}
	})
}
