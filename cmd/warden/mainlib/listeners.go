package mainlib

import (
	"fmt"
	"log/slog"
	"net"
	"net/http"

	"google.golang.org/grpc"

	"github.com/warden-gw/warden/internal/tlsconf"
)

// listeners are the bound ext_proc and admin listeners with what serving them needs.
type listeners struct {
	grpc, admin net.Listener
	grpcAddr    string // as a gRPC target: host:port or unix:///path
	grpcCreds   []grpc.ServerOption
	adminSpec   tlsconf.Spec
	adminWrap   func(http.Handler) http.Handler
}

// openListeners checks the TLS sections, refuses plaintext off loopback without
// insecure_plaintext, and binds both listeners.
func openListeners(cfg Config, log *slog.Logger) (*listeners, error) {
	ext, err := listenerSpec(cfg, log, "ext_proc", cfg.Listen, cfg.TLS, tlsconf.RequireClientCert)
	if err != nil {
		return nil, err
	}
	if ext.SocketMode, err = tlsconf.ParseSocketMode(cfg.ListenSocketMode); err != nil {
		return nil, fmt.Errorf("config: listen_socket_mode: %w", err)
	}
	adm, err := listenerSpec(cfg, log, "admin", cfg.Admin, cfg.AdminTLS, tlsconf.OptionalClientCert)
	if err != nil {
		return nil, err
	}
	if adm.Addr.Network != "tcp" {
		return nil, fmt.Errorf("config: admin %q: the admin listener is TCP only (Kubernetes probes and Prometheus need it)", cfg.Admin)
	}
	if err := ext.CheckPlaintext(log, "tls"); err != nil {
		return nil, err
	}
	if err := adm.CheckPlaintext(log, "admin_tls"); err != nil {
		return nil, err
	}
	l := &listeners{adminSpec: adm, adminWrap: func(h http.Handler) http.Handler { return h }}
	if l.grpc, err = ext.Listen(); err != nil {
		return nil, err
	}
	if l.admin, err = adm.Listen(); err != nil {
		_ = l.grpc.Close()
		return nil, err
	}
	l.grpcAddr = l.grpc.Addr().String()
	if ext.Addr.Network == "unix" {
		l.grpcAddr = ext.Addr.String()
	}
	if ext.TLS != nil {
		l.grpcCreds = append(l.grpcCreds, grpc.Creds(ext.TLS.GRPCCredentials()))
	}
	if adm.TLS != nil && cfg.AdminTLS.ClientCAFile != "" {
		allow := adm.TLS.Allowlist()
		l.adminWrap = func(h http.Handler) http.Handler {
			return tlsconf.RequireAllowedClient(allow, []string{"/healthz", "/readyz"}, h)
		}
	}
	return l, nil
}

func listenerSpec(cfg Config, log *slog.Logger, name, addr string, tc *tlsconf.Config, auth tlsconf.ClientAuth) (tlsconf.Spec, error) {
	a, err := tlsconf.ParseAddress(addr)
	if err != nil {
		return tlsconf.Spec{}, fmt.Errorf("config: %s address: %w", name, err)
	}
	sp := tlsconf.Spec{Name: name, Addr: a, InsecurePlaintext: cfg.InsecurePlaintext}
	if tc != nil {
		key := map[string]string{"ext_proc": "tls", "admin": "admin_tls"}[name]
		if sp.TLS, err = tlsconf.NewSource(key, *tc, auth, log); err != nil {
			return tlsconf.Spec{}, fmt.Errorf("config: %w", err)
		}
	}
	return sp, nil
}
