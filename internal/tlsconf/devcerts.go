package tlsconf

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
)

// Defaults of WriteDevCerts: the identities the shipped development configurations expect.
const (
	DevClientID   = "spiffe://warden.local/gateway"
	DevServerID   = "spiffe://warden.local/warden"
	DevServerName = "warden"
)

// DevCertOptions configure WriteDevCerts.
type DevCertOptions struct {
	// ServerNames are DNS names for warden's certificate besides warden and localhost.
	ServerNames []string
	// ClientID is the SPIFFE ID of Envoy's client certificate; default DevClientID.
	ClientID string
	// Force replaces existing files; without it an existing DIR/ca/ca.crt leaves all as is.
	Force bool
	// KeyMode is the mode of the key files; default 0600.
	KeyMode fs.FileMode
}

// ErrExists is returned by WriteDevCerts when the directory already holds a CA.
var ErrExists = errors.New("certificates already exist")

// WriteDevCerts writes a throwaway CA and two certificates it signed, in the layout of
// Kubernetes TLS Secrets (tls.crt, tls.key, ca.crt):
//
//	DIR/ca/ca.crt, ca.key                 the CA
//	DIR/warden/tls.crt, tls.key, ca.crt   warden's server certificate; ca.crt verifies Envoy
//	DIR/envoy/tls.crt, tls.key, ca.crt    Envoy's client certificate; ca.crt verifies warden
//
// It returns the files written.
func WriteDevCerts(dir string, o DevCertOptions) ([]string, error) {
	if o.ClientID == "" {
		o.ClientID = DevClientID
	}
	if o.KeyMode == 0 {
		o.KeyMode = 0o600
	}
	if _, err := os.Stat(filepath.Join(dir, "ca", "ca.crt")); err == nil && !o.Force {
		return nil, fmt.Errorf("%w in %s (use --force to replace them)", ErrExists, dir)
	}
	ca, err := NewCA("warden development CA")
	if err != nil {
		return nil, err
	}
	server, err := ca.Issue(LeafOptions{
		CommonName: DevServerName, DNSNames: append([]string{DevServerName, "localhost"}, o.ServerNames...),
		IPs: []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}, URIs: []string{DevServerID}, Server: true,
	})
	if err != nil {
		return nil, err
	}
	client, err := ca.Issue(LeafOptions{CommonName: "warden-gateway", URIs: []string{o.ClientID}, Client: true})
	if err != nil {
		return nil, err
	}
	caKey, err := ca.KeyPEM()
	if err != nil {
		return nil, err
	}
	files := []struct {
		path string
		data []byte
		mode fs.FileMode
	}{
		{"ca/ca.crt", ca.CertPEM(), 0o644},
		{"ca/ca.key", caKey, 0o600},
		{"warden/tls.crt", server.CertPEM, 0o644},
		{"warden/tls.key", server.KeyPEM, o.KeyMode},
		{"warden/ca.crt", ca.CertPEM(), 0o644},
		{"envoy/tls.crt", client.CertPEM, 0o644},
		{"envoy/tls.key", client.KeyPEM, o.KeyMode},
		{"envoy/ca.crt", ca.CertPEM(), 0o644},
	}
	var written []string
	for _, f := range files {
		p := filepath.Join(dir, filepath.FromSlash(f.path))
		dirMode := fs.FileMode(0o755) // warden/ and envoy/ are read by containers that may run as other users
		if strings.HasPrefix(f.path, "ca/") {
			dirMode = 0o700 // the CA key never leaves the machine that ran warden certs
		}
		if err := os.MkdirAll(filepath.Dir(p), dirMode); err != nil { //nolint:gosec // G301: see dirMode
			return written, err
		}
		if err := writeFileAtomic(p, f.data, f.mode); err != nil {
			return written, err
		}
		written = append(written, p)
	}
	return written, nil
}

// writeFileAtomic writes through a temporary file and a rename, so a reader (warden's TLS
// reload) never sees half a file.
func writeFileAtomic(path string, data []byte, mode fs.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer func() { _ = os.Remove(tmp.Name()) }()
	if _, err := tmp.Write(data); err != nil {
		_ = tmp.Close()
		return err
	}
	if err := tmp.Chmod(mode); err != nil {
		_ = tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
