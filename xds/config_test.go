package xds

import (
	"errors"
	"os"
	"strings"
	"testing"
)

func readExample(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/gateways.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseConfigExample(t *testing.T) {
	c, err := ParseConfig(readExample(t))
	if err != nil {
		t.Fatalf("example gateways file refused: %v", err)
	}
	if got := len(c.Gateways); got != 2 {
		t.Fatalf("gateways = %d, want 2", got)
	}
	g := c.Gateways[0]
	if g.Node != "edge-1" || g.ListenPort != 10000 || len(g.Routes) != 3 || g.JWT == nil {
		t.Errorf("edge-1 parsed as %+v", g)
	}
}

// minimal is a valid file that the cases below break one field at a time.
const minimal = `
warden: {addresses: ["warden:9002"]}
gateways:
- node: n1
  listen_port: 10000
  routes: [{prefix: /, cluster: up}]
  clusters: [{name: up, address: upstream, port: 8080}]
`

func TestParseConfigRefuses(t *testing.T) {
	tests := []struct {
		name, old, new, want string
	}{
		{"unknown field", "listen_port: 10000", "listen_port: 10000\n  listen_prot: 1", "field listen_prot not found"},
		{"no warden", `addresses: ["warden:9002"]`, "addresses: []", "warden.addresses is empty"},
		{"warden without port", `"warden:9002"`, `"warden"`, `"warden" is not host:port`},
		{"warden bad port", `"warden:9002"`, `"warden:70000"`, "not 1-65535"},
		{"no node", "node: n1", `node: ""`, "node is empty"},
		{"bad listen port", "listen_port: 10000", "listen_port: 0", "listen_port: 0 is not a port"},
		{"bad listen address", "listen_port: 10000", "listen_port: 10000\n  listen_address: everywhere", "not an IP address"},
		{"route to unknown cluster", "cluster: up}", "cluster: down}", `cluster "down" is not in this gateway's clusters`},
		{"prefix without slash", "prefix: /,", "prefix: api,", `prefix "api" must start with /`},
		{"bad timeout", "cluster: up}", "cluster: up, timeout: soon}", `timeout "soon" is not a duration`},
		{"reserved cluster name", "name: up,", "name: warden,", "reserved for the warden replicas"},
		{"cluster without address", "address: upstream,", `address: "",`, "address is empty"},
		{"cluster bad port", "port: 8080", "port: 70000", "port: 70000 is not a port"},
		{"negative port", "port: 8080", "port: -1", "cannot unmarshal"},
		{"ca_file without tls", "port: 8080}", "port: 8080, ca_file: /ca.pem}", "ca_file is set but tls is false"},
		{"no routes", "routes: [{prefix: /, cluster: up}]", "routes: []", "routes is empty"},
		{"jwt cluster missing", "listen_port: 10000", "listen_port: 10000\n  jwt: {issuer: i, jwks_uri: 'http://k/keys', jwks_cluster: idp}", `jwt.jwks_cluster "idp"`},
		{"jwt bad uri", "listen_port: 10000", "listen_port: 10000\n  jwt: {issuer: i, jwks_uri: 'file:///keys', jwks_cluster: up}", "not an http(s) URL"},
		{"not YAML", "gateways:", "gateways: [", "YAML"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := strings.Replace(minimal, tt.old, tt.new, 1)
			if in == minimal {
				t.Fatalf("case does not change the file: %q not found", tt.old)
			}
			_, err := ParseConfig([]byte(in))
			if err == nil {
				t.Fatal("accepted; want an error")
			}
			if !errors.Is(err, ErrInvalidConfig) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v; want ErrInvalidConfig mentioning %q", err, tt.want)
			}
		})
	}
	t.Run("minimal accepted", func(t *testing.T) {
		if _, err := ParseConfig([]byte(minimal)); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("duplicate node", func(t *testing.T) {
		gw := minimal[strings.Index(minimal, "- node"):]
		if _, err := ParseConfig([]byte(minimal + gw)); err == nil || !strings.Contains(err.Error(), "appears twice") {
			t.Errorf("error = %v; want node appears twice", err)
		}
	})
	t.Run("empty file", func(t *testing.T) {
		if _, err := ParseConfig(nil); err == nil || !strings.Contains(err.Error(), "empty file") {
			t.Errorf("error = %v; want empty file", err)
		}
	})
}
