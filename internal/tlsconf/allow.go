package tlsconf

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// Peer is who a verified client certificate says the caller is.
type Peer struct {
	// SPIFFEIDs are the certificate's spiffe:// URI SANs.
	SPIFFEIDs []string
	// Subject is the subject DN in RFC 2253 form, in the certificate's own RDN order.
	Subject string
}

// PeerOf reads the identity of a certificate.
func PeerOf(cert *x509.Certificate) Peer {
	p := Peer{Subject: subjectString(cert)}
	for _, u := range cert.URIs {
		if u.Scheme == "spiffe" {
			p.SPIFFEIDs = append(p.SPIFFEIDs, u.String())
		}
	}
	return p
}

// String names the peer for logs (a certificate's names are not secrets).
func (p Peer) String() string {
	if len(p.SPIFFEIDs) == 0 {
		return "subject " + p.Subject
	}
	return fmt.Sprintf("subject %s, SPIFFE IDs %s", p.Subject, strings.Join(p.SPIFFEIDs, " "))
}

// subjectString formats the subject from its DER so the order is the certificate's, as openssl
// prints it with -nameopt RFC2253 (pkix.Name.String re-orders the attributes).
func subjectString(cert *x509.Certificate) string {
	var rdn pkix.RDNSequence
	if rest, err := asn1.Unmarshal(cert.RawSubject, &rdn); err != nil || len(rest) > 0 {
		return cert.Subject.String()
	}
	return rdn.String()
}

// Allowlist admits the callers a Config names.
type Allowlist struct {
	spiffe   []string
	subjects []string
}

// NewAllowlist builds the allowlist of c.
func NewAllowlist(c *Config) Allowlist {
	return Allowlist{spiffe: slices.Clone(c.AllowedSPIFFEIDs), subjects: slices.Clone(c.AllowedSubjects)}
}

// Empty reports whether the allowlist names nobody.
func (a Allowlist) Empty() bool { return len(a.spiffe)+len(a.subjects) == 0 }

// ErrNotAllowed is returned for a verified certificate the allowlist does not name.
var ErrNotAllowed = errors.New("client certificate not allowed")

// Check returns nil if p is admitted, else an error wrapping ErrNotAllowed that names p.
func (a Allowlist) Check(p Peer) error {
	for _, id := range p.SPIFFEIDs {
		if slices.Contains(a.spiffe, id) {
			return nil
		}
	}
	if slices.Contains(a.subjects, p.Subject) {
		return nil
	}
	return fmt.Errorf("%w: %s is in neither allowed_spiffe_ids nor allowed_subjects", ErrNotAllowed, p)
}

// RequireAllowedClient wraps an HTTP handler of a listener served with OptionalClientCert: the
// paths in open (exact, e.g. /healthz) are served to anyone who completed the TLS handshake;
// every other path needs a verified client certificate the allowlist names (else 403).
func RequireAllowedClient(a Allowlist, open []string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if slices.Contains(open, r.URL.Path) {
			h.ServeHTTP(w, r)
			return
		}
		if r.TLS == nil || len(r.TLS.VerifiedChains) == 0 {
			http.Error(w, "client certificate required", http.StatusForbidden)
			return
		}
		if err := a.Check(PeerOf(r.TLS.VerifiedChains[0][0])); err != nil {
			http.Error(w, "client certificate not allowed", http.StatusForbidden)
			return
		}
		h.ServeHTTP(w, r)
	})
}
