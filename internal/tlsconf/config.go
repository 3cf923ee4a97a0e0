// Package tlsconf puts warden's network listeners (the ext_proc and xDS gRPC servers and the
// admin HTTP server) behind TLS: it parses listen addresses (TCP or a Unix socket), refuses
// plaintext where anyone else could connect unless the operator opted in, loads certificates
// that are re-read when rotated on disk, and admits only the client certificates an allowlist
// names (SPIFFE IDs or subject DNs).
//
// The design choice for rotation: the files are re-read on every TLS handshake and parsed only
// when their content changed. Envoy keeps its HTTP/2 connections to warden open, so handshakes
// are rare; reading three small files costs microseconds (BenchmarkHandshakeConfig), and no
// file-watching goroutine can miss a Kubernetes Secret's symlink swap.
package tlsconf

import (
	"errors"
	"fmt"
	"strings"
)

// Config is one listener's TLS section in warden's YAML (tls:, admin_tls:) and the xDS flags.
type Config struct {
	// CertFile is the server's certificate chain (PEM), leaf first.
	CertFile string `yaml:"cert_file"`
	// KeyFile is the private key of CertFile's leaf (PEM).
	KeyFile string `yaml:"key_file"`
	// ClientCAFile holds the CA certificates (PEM) that sign the callers' client certificates.
	ClientCAFile string `yaml:"client_ca_file"`
	// AllowedSPIFFEIDs are the URI SANs (spiffe://…) of the callers admitted, exact match.
	AllowedSPIFFEIDs []string `yaml:"allowed_spiffe_ids"`
	// AllowedSubjects are the subject DNs admitted, exact match on the RFC 2253 form (as
	// `openssl x509 -noout -subject -nameopt RFC2253` prints it, e.g. "CN=gateway,O=acme").
	AllowedSubjects []string `yaml:"allowed_subjects"`
}

// ClientAuth says whether a listener demands client certificates.
type ClientAuth int

const (
	// RequireClientCert: the handshake fails without a certificate that chains to
	// ClientCAFile and that the allowlist names (ext_proc, xDS).
	RequireClientCert ClientAuth = iota
	// OptionalClientCert: a certificate, if sent, must chain to ClientCAFile; whether it is
	// required is decided per request (admin: probes need none, /metrics does). See
	// RequireAllowedClient.
	OptionalClientCert
)

// ErrConfig is wrapped by every error about a TLS section's content.
var ErrConfig = errors.New("tls configuration")

// Validate checks that the section is complete for the given client authentication. key names
// the section in messages ("tls", "admin_tls", "--tls-*").
func (c *Config) Validate(key string, auth ClientAuth) error {
	switch {
	case c.CertFile == "" || c.KeyFile == "":
		return fmt.Errorf("%w: %s: cert_file and key_file are both required", ErrConfig, key)
	case auth == RequireClientCert && c.ClientCAFile == "":
		return fmt.Errorf("%w: %s: client_ca_file is required: callers must present a client certificate signed by it", ErrConfig, key)
	case c.ClientCAFile != "" && len(c.AllowedSPIFFEIDs)+len(c.AllowedSubjects) == 0:
		return fmt.Errorf("%w: %s: name the callers allowed in allowed_spiffe_ids or allowed_subjects (the gateway's identity); "+
			"any certificate the CA signed is not enough", ErrConfig, key)
	case auth == OptionalClientCert && c.ClientCAFile == "" && len(c.AllowedSPIFFEIDs)+len(c.AllowedSubjects) > 0:
		return fmt.Errorf("%w: %s: allowed_spiffe_ids/allowed_subjects need client_ca_file to verify the callers against", ErrConfig, key)
	}
	for _, id := range c.AllowedSPIFFEIDs {
		if !strings.HasPrefix(id, "spiffe://") || len(id) == len("spiffe://") {
			return fmt.Errorf("%w: %s: allowed_spiffe_ids: %q is not a spiffe:// ID", ErrConfig, key, id)
		}
	}
	for _, s := range c.AllowedSubjects {
		if !strings.Contains(s, "=") {
			return fmt.Errorf("%w: %s: allowed_subjects: %q is not a DN like CN=gateway,O=acme", ErrConfig, key, s)
		}
	}
	return nil
}

// AddAllowed sorts identities given on the command line into SPIFFE IDs (spiffe://…) and
// subject DNs (anything else).
func (c *Config) AddAllowed(ids ...string) {
	for _, id := range ids {
		if strings.HasPrefix(id, "spiffe://") {
			c.AllowedSPIFFEIDs = append(c.AllowedSPIFFEIDs, id)
		} else {
			c.AllowedSubjects = append(c.AllowedSubjects, id)
		}
	}
}
