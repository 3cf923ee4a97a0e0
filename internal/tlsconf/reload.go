package tlsconf

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/binary"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"
)

// Source hands out a listener's TLS configuration, re-reading the certificate, key and client
// CA files on every handshake and parsing them again when their content changed. A rotation
// that leaves the files unusable (a half-written pair, a key that does not match) is logged
// once and the previous material stays in use, so a botched rotation does not take the
// listener down; the log names the files, never their content.
type Source struct {
	name  string
	cfg   Config
	auth  ClientAuth
	allow Allowlist
	log   *slog.Logger
	// refusalLogEvery spaces the refused-handshake log lines; default a second.
	refusalLogEvery time.Duration

	mu     sync.Mutex
	cur    *material
	badSum [sha256.Size]byte // content last refused, logged once
}

// material is one parsed generation of the files.
type material struct {
	sum  [sha256.Size]byte
	cert *tls.Certificate
	pool *x509.CertPool // nil without ClientCAFile
}

// NewSource validates cfg and loads its files; name labels the listener in logs ("ext_proc").
func NewSource(name string, cfg Config, auth ClientAuth, log *slog.Logger) (*Source, error) {
	if err := cfg.Validate(name, auth); err != nil {
		return nil, err
	}
	s := &Source{name: name, cfg: cfg, auth: auth, allow: NewAllowlist(&cfg), log: log}
	raw, sum, err := s.read()
	if err != nil {
		return nil, err
	}
	m, err := s.parse(raw, sum)
	if err != nil {
		return nil, err
	}
	s.cur = m
	s.logLoaded(m, "TLS certificate loaded")
	return s, nil
}

// Allowlist is the callers this listener admits.
func (s *Source) Allowlist() Allowlist { return s.allow }

// ServerConfig is the tls.Config to serve with: each handshake gets the current files.
// nextProtos are the ALPN protocols (gRPC's credentials add h2 themselves).
func (s *Source) ServerConfig(nextProtos ...string) *tls.Config {
	return &tls.Config{
		MinVersion: tls.VersionTLS12,
		GetConfigForClient: func(hello *tls.ClientHelloInfo) (*tls.Config, error) {
			return s.configFor(hello, nextProtos), nil
		},
	}
}

func (s *Source) configFor(_ *tls.ClientHelloInfo, nextProtos []string) *tls.Config {
	m := s.current()
	c := &tls.Config{
		MinVersion:   tls.VersionTLS12,
		Certificates: []tls.Certificate{*m.cert},
		NextProtos:   nextProtos,
	}
	if m.pool == nil {
		return c
	}
	c.ClientCAs = m.pool
	c.ClientAuth = tls.VerifyClientCertIfGiven
	if s.auth == OptionalClientCert {
		return c
	}
	c.ClientAuth = tls.RequireAndVerifyClientCert
	// The refusal is logged by whoever runs the handshake (GRPCCredentials, the HTTP server's
	// error log), with the peer's names: the error says who was refused.
	c.VerifyConnection = func(cs tls.ConnectionState) error {
		if len(cs.VerifiedChains) == 0 { // RequireAndVerifyClientCert makes this unreachable
			return fmt.Errorf("%w: no verified client certificate", ErrNotAllowed)
		}
		return s.allow.Check(PeerOf(cs.VerifiedChains[0][0]))
	}
	return c
}

// current returns the material for a handshake, re-reading the files.
func (s *Source) current() *material {
	raw, sum, err := s.read()
	s.mu.Lock()
	defer s.mu.Unlock()
	if err == nil && sum == s.cur.sum {
		return s.cur
	}
	if err == nil && sum == s.badSum {
		return s.cur
	}
	if err != nil {
		// An unreadable file (mid-rotation, deleted) keeps the previous generation; log once
		// per distinct error.
		bad := sha256.Sum256([]byte(err.Error()))
		if bad != s.badSum {
			s.badSum = bad
			s.log.Error("TLS files unreadable; serving the previous certificate", "listener", s.name, "err", err)
		}
		return s.cur
	}
	m, err := s.parse(raw, sum)
	if err != nil {
		s.badSum = sum
		s.log.Error("TLS files changed but are unusable; serving the previous certificate", "listener", s.name, "err", err)
		return s.cur
	}
	s.cur = m
	s.logLoaded(m, "TLS certificate reloaded")
	return m
}

type rawFiles struct{ cert, key, ca []byte }

func (s *Source) read() (rawFiles, [sha256.Size]byte, error) {
	var r rawFiles
	h := sha256.New()
	for _, f := range []struct {
		path string
		dst  *[]byte
	}{{s.cfg.CertFile, &r.cert}, {s.cfg.KeyFile, &r.key}, {s.cfg.ClientCAFile, &r.ca}} {
		if f.path == "" {
			continue
		}
		b, err := os.ReadFile(f.path)
		if err != nil {
			return r, [sha256.Size]byte{}, fmt.Errorf("%s: %w", s.name, err)
		}
		*f.dst = b
		_ = binary.Write(h, binary.BigEndian, uint64(len(b)))
		h.Write(b)
	}
	var sum [sha256.Size]byte
	h.Sum(sum[:0])
	return r, sum, nil
}

func (s *Source) parse(r rawFiles, sum [sha256.Size]byte) (*material, error) {
	cert, err := tls.X509KeyPair(r.cert, r.key)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %s / %s: %w", ErrConfig, s.name, s.cfg.CertFile, s.cfg.KeyFile, err)
	}
	m := &material{sum: sum, cert: &cert}
	if s.cfg.ClientCAFile != "" {
		m.pool = x509.NewCertPool()
		if !m.pool.AppendCertsFromPEM(r.ca) {
			return nil, fmt.Errorf("%w: %s: client_ca_file %s holds no PEM certificate", ErrConfig, s.name, s.cfg.ClientCAFile)
		}
	}
	return m, nil
}

func (s *Source) logLoaded(m *material, msg string) {
	leaf := m.cert.Leaf
	if leaf == nil {
		return
	}
	lvl := slog.LevelInfo
	if time.Until(leaf.NotAfter) < 0 {
		lvl = slog.LevelError
		msg += " (EXPIRED: clients will refuse it)"
	}
	s.log.Log(context.Background(), lvl, msg, "listener", s.name, "subject", subjectString(leaf),
		"not_after", leaf.NotAfter.UTC().Format(time.RFC3339), "client_ca", s.cfg.ClientCAFile != "")
}
