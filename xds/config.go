// Package xds is warden's xDS control plane: it programs Envoy gateways over ADS (LDS, RDS and
// CDS) so that every request they carry passes through warden's ext_proc filter, fail closed.
//
// What each gateway serves comes from a small YAML file (see README.md): its listener port, its
// routes and upstream clusters, and the addresses of the warden replicas. The HTTP connection
// manager, the ext_proc settings and the warden cluster are taken from the embedded
// envoy/bootstrap.yaml, so a gateway programmed over xDS runs warden exactly as the static
// bootstrap does. A file that does not parse or whose resources fail Envoy's validation rules
// is refused and the configuration in force stays.
package xds

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// ErrInvalidConfig is wrapped by every error about the content of a gateways file.
var ErrInvalidConfig = errors.New("invalid xDS gateways file")

// Config is the gateways file as written by an operator.
type Config struct {
	Warden   Warden    `yaml:"warden"`
	Gateways []Gateway `yaml:"gateways"`
}

// Warden lists the warden replicas and says how Envoy authenticates to them.
type Warden struct {
	// Addresses are the ext_proc gRPC servers: host:port each, or unix:///path each (a Unix
	// socket shared with a sidecar warden, reached as an Envoy pipe address without TLS).
	Addresses []string `yaml:"addresses"`
	// TLS overrides the mutual TLS settings of envoy/bootstrap.yaml's warden cluster.
	TLS *WardenTLS `yaml:"tls"`
	// Plaintext drops TLS to TCP addresses: only where something else (a mesh sidecar)
	// authenticates the connection, and warden runs with insecure_plaintext.
	Plaintext bool `yaml:"plaintext"`
}

// WardenTLS is how Envoy connects to warden: its client certificate and how it checks warden's.
// Paths are on the Envoy's file system. Empty fields keep envoy/bootstrap.yaml's values
// (/etc/envoy/warden-tls/{tls.crt,tls.key,ca.crt}, server name warden).
type WardenTLS struct {
	// ServerName is the SNI and the DNS SAN warden's certificate must carry.
	ServerName string `yaml:"server_name"`
	// ServerSPIFFEID, if set, is the URI SAN checked instead of the DNS name.
	ServerSPIFFEID string `yaml:"server_spiffe_id"`
	CertFile       string `yaml:"cert_file"`
	KeyFile        string `yaml:"key_file"`
	CAFile         string `yaml:"ca_file"`
}

// Gateway is what one Envoy (matched by node id, or else by node cluster) is programmed with.
type Gateway struct {
	Node string `yaml:"node"`
	// Clients are the identities (spiffe:// IDs or subject DNs of client certificates) of the
	// Envoys allowed to receive this gateway; empty: every caller `warden xds --tls-allow`
	// admits. Needs the xDS server to run with TLS.
	Clients       []string  `yaml:"clients"`
	ListenAddress string    `yaml:"listen_address"` // default 0.0.0.0
	ListenPort    uint32    `yaml:"listen_port"`
	JWT           *JWT      `yaml:"jwt"`
	Routes        []Route   `yaml:"routes"`
	Clusters      []Cluster `yaml:"clusters"`
}

// JWT turns on the jwt_authn filter of envoy/bootstrap.yaml in front of ext_proc, with this
// issuer and key set: a present token must verify, a missing one passes to warden's policy.
type JWT struct {
	Issuer      string `yaml:"issuer"`
	JWKSURI     string `yaml:"jwks_uri"`
	JWKSCluster string `yaml:"jwks_cluster"`
}

// Route sends requests whose path starts with Prefix to Cluster.
type Route struct {
	Prefix        string `yaml:"prefix"`
	Cluster       string `yaml:"cluster"`
	PrefixRewrite string `yaml:"prefix_rewrite"`
	HostRewrite   string `yaml:"host_rewrite"`
	Timeout       string `yaml:"timeout"` // Go duration; default 600s (LLM calls are slow)
}

// Cluster is an upstream reached by DNS name or IP address.
type Cluster struct {
	Name    string `yaml:"name"`
	Address string `yaml:"address"`
	Port    uint32 `yaml:"port"`
	// TLS checks the upstream's certificate against CAFile and the name Address.
	TLS    bool   `yaml:"tls"`
	CAFile string `yaml:"ca_file"` // default /etc/ssl/certs/ca-certificates.crt
}

const (
	defaultRouteTimeout = 600 * time.Second
	defaultCAFile       = "/etc/ssl/certs/ca-certificates.crt"
	maxConfigBytes      = 4 << 20
)

// ParseConfig decodes a gateways file strictly (unknown fields are errors) and checks that it
// is complete and self-consistent. Envoy's own validation rules are applied later, when the
// resources are built (see BuildSnapshots).
func ParseConfig(data []byte) (*Config, error) {
	if len(data) > maxConfigBytes {
		return nil, fmt.Errorf("%w: %d bytes; the limit is %d", ErrInvalidConfig, len(data), maxConfigBytes)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	c := &Config{}
	if err := dec.Decode(c); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%w: empty file; it needs warden.addresses and gateways", ErrInvalidConfig)
		}
		return nil, fmt.Errorf("%w: YAML: %w", ErrInvalidConfig, err)
	}
	if err := c.check(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidConfig, err)
	}
	return c, nil
}

func (c *Config) check() error {
	if len(c.Warden.Addresses) == 0 {
		return errors.New("warden.addresses is empty; list the host:port of every warden replica")
	}
	if err := c.Warden.check(); err != nil {
		return err
	}
	if len(c.Gateways) == 0 {
		return errors.New("gateways is empty; add one per Envoy node")
	}
	seen := map[string]bool{}
	for i := range c.Gateways {
		g := &c.Gateways[i]
		if g.Node == "" {
			return fmt.Errorf("gateways[%d].node is empty; set it to the Envoy's --service-node (node id) or --service-cluster", i)
		}
		if seen[g.Node] {
			return fmt.Errorf("gateways[%d]: node %q appears twice", i, g.Node)
		}
		seen[g.Node] = true
		if err := g.check(); err != nil {
			return fmt.Errorf("gateway %q: %w", g.Node, err)
		}
	}
	return nil
}

func (w *Warden) check() error {
	unix := 0
	for i, a := range w.Addresses {
		if p, ok := unixPath(a); ok {
			if !strings.HasPrefix(p, "/") {
				return fmt.Errorf("warden.addresses[%d]: %q: a Unix socket path must be absolute (unix:///run/warden/extproc.sock)", i, a)
			}
			unix++
			continue
		}
		if _, _, err := splitHostPort(a); err != nil {
			return fmt.Errorf("warden.addresses[%d]: %w", i, err)
		}
	}
	switch {
	case unix > 0 && unix < len(w.Addresses):
		return errors.New("warden.addresses mixes Unix sockets and host:port; use one kind")
	case unix > 0 && (w.TLS != nil || w.Plaintext):
		return errors.New("warden.addresses are Unix sockets: they are reached without TLS, so drop warden.tls and warden.plaintext")
	case w.TLS != nil && w.Plaintext:
		return errors.New("warden.tls and warden.plaintext: true contradict each other")
	case w.TLS != nil && w.TLS.CertFile != "" != (w.TLS.KeyFile != ""):
		return errors.New("warden.tls: cert_file and key_file go together")
	}
	return nil
}

// unixPath returns the path of a unix:// address.
func unixPath(a string) (string, bool) {
	rest, ok := strings.CutPrefix(a, "unix:")
	return strings.TrimPrefix(rest, "//"), ok
}

func (g *Gateway) check() error {
	for _, id := range g.Clients {
		if !strings.HasPrefix(id, "spiffe://") && !strings.Contains(id, "=") {
			return fmt.Errorf("clients: %q is neither a spiffe:// ID nor a subject DN like CN=edge-1,O=acme", id)
		}
	}
	if err := checkPort(g.ListenPort); err != nil {
		return fmt.Errorf("listen_port: %w", err)
	}
	if g.ListenAddress != "" && net.ParseIP(g.ListenAddress) == nil {
		return fmt.Errorf("listen_address %q is not an IP address", g.ListenAddress)
	}
	clusters := map[string]bool{}
	for i, cl := range g.Clusters {
		switch {
		case cl.Name == "":
			return fmt.Errorf("clusters[%d].name is empty", i)
		case cl.Name == wardenClusterName:
			return fmt.Errorf("cluster name %q is reserved for the warden replicas; rename it", cl.Name)
		case clusters[cl.Name]:
			return fmt.Errorf("cluster %q appears twice", cl.Name)
		case cl.Address == "":
			return fmt.Errorf("cluster %q: address is empty", cl.Name)
		}
		if err := checkPort(cl.Port); err != nil {
			return fmt.Errorf("cluster %q: port: %w", cl.Name, err)
		}
		if cl.CAFile != "" && !cl.TLS {
			return fmt.Errorf("cluster %q: ca_file is set but tls is false", cl.Name)
		}
		clusters[cl.Name] = true
	}
	if len(g.Routes) == 0 {
		return errors.New("routes is empty; a gateway needs at least one route")
	}
	for i, r := range g.Routes {
		if !strings.HasPrefix(r.Prefix, "/") {
			return fmt.Errorf("routes[%d]: prefix %q must start with /", i, r.Prefix)
		}
		if !clusters[r.Cluster] {
			return fmt.Errorf("routes[%d] (prefix %q): cluster %q is not in this gateway's clusters", i, r.Prefix, r.Cluster)
		}
		if _, err := r.timeout(); err != nil {
			return fmt.Errorf("routes[%d] (prefix %q): %w", i, r.Prefix, err)
		}
	}
	if j := g.JWT; j != nil {
		if j.Issuer == "" {
			return errors.New("jwt.issuer is empty")
		}
		u, err := url.Parse(j.JWKSURI)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("jwt.jwks_uri %q is not an http(s) URL", j.JWKSURI)
		}
		if !clusters[j.JWKSCluster] {
			return fmt.Errorf("jwt.jwks_cluster %q is not in this gateway's clusters", j.JWKSCluster)
		}
	}
	return nil
}

func (r Route) timeout() (time.Duration, error) {
	if r.Timeout == "" {
		return defaultRouteTimeout, nil
	}
	d, err := time.ParseDuration(r.Timeout)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("timeout %q is not a duration like 30s or 10m", r.Timeout)
	}
	return d, nil
}

func checkPort(p uint32) error {
	if p < 1 || p > 65535 {
		return fmt.Errorf("%d is not a port (1-65535)", p)
	}
	return nil
}

func splitHostPort(a string) (string, uint32, error) {
	host, ps, err := net.SplitHostPort(a)
	if err != nil || host == "" {
		return "", 0, fmt.Errorf("%q is not host:port", a)
	}
	p, err := strconv.ParseUint(ps, 10, 16)
	if err != nil || p == 0 {
		return "", 0, fmt.Errorf("%q: port %q is not 1-65535", a, ps)
	}
	return host, uint32(p), nil
}
