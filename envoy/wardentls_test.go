package envoy

import (
	"errors"
	"os"
	"strings"
	"testing"

	clusterv3 "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	"google.golang.org/protobuf/proto"
)

// TestShippedConfigsAuthenticateWarden: every Envoy bootstrap shipped under envoy/ reaches
// warden with mutual TLS or over a Unix socket.
func TestShippedConfigsAuthenticateWarden(t *testing.T) {
	n := 0
	for _, cf := range loadAllConfigs(t) {
		data, err := os.ReadFile(cf.path)
		if err != nil {
			t.Fatal(err)
		}
		if cf.extProc == nil || isKubernetesManifest(data) {
			continue // Kubernetes manifests: the mesh owns the cluster (docs/tls.md)
		}
		n++
		b, err := LoadBootstrap(data)
		if err != nil {
			t.Fatal(err)
		}
		c, err := WardenCluster(b)
		if err != nil {
			t.Errorf("%s: %v", cf.path, err)
			continue
		}
		if err := CheckWardenTransport(c); err != nil {
			t.Errorf("%s: %v", cf.path, err)
		}
	}
	if n < 2 {
		t.Fatalf("checked %d bootstraps, want bootstrap.yaml and examples/front-proxy.yaml", n)
	}
}

func TestCheckWardenTransportRefuses(t *testing.T) {
	b, err := LoadBootstrap(BootstrapYAML)
	if err != nil {
		t.Fatal(err)
	}
	good, err := WardenCluster(b)
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckWardenTransport(good); err != nil {
		t.Fatalf("bootstrap.yaml: %v", err)
	}
	tests := []struct {
		name string
		yaml string
		want string
	}{
		{"plaintext", "", "without a transport_socket"},
		{"TLS without a client certificate", `
transport_socket:
  name: envoy.transport_sockets.tls
  typed_config:
    "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext
    common_tls_context:
      validation_context:
        trusted_ca: {filename: /ca.crt}
        match_typed_subject_alt_names: [{san_type: DNS, matcher: {exact: warden}}]`, "no client certificate"},
		{"any certificate of the CA is warden", `
transport_socket:
  name: envoy.transport_sockets.tls
  typed_config:
    "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext
    common_tls_context:
      tls_certificates: [{certificate_chain: {filename: /c}, private_key: {filename: /k}}]
      validation_context: {trusted_ca: {filename: /ca.crt}}`, "match_typed_subject_alt_names"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := proto.Clone(good).(*clusterv3.Cluster)
			c.TransportSocket = nil
			if tt.yaml != "" {
				patch := &clusterv3.Cluster{}
				if err := Unmarshal([]byte("name: warden"+tt.yaml), patch); err != nil {
					t.Fatal(err)
				}
				c.TransportSocket = patch.TransportSocket
			}
			err := CheckWardenTransport(c)
			if !errors.Is(err, ErrUnauthenticatedWarden) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

// TestTLSDocClusters loads the Envoy clusters docs/tls.md shows (the yaml blocks that start with
// "# envoy cluster") through go-control-plane's protos and checks they authenticate warden.
func TestTLSDocClusters(t *testing.T) {
	doc, err := os.ReadFile("../docs/tls.md")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, block := range strings.Split(string(doc), "```yaml\n")[1:] {
		body, _, _ := strings.Cut(block, "```")
		if !strings.HasPrefix(body, "# envoy cluster\n") {
			continue
		}
		n++
		c := &clusterv3.Cluster{}
		if err := Unmarshal([]byte(body), c); err != nil {
			t.Errorf("cluster %d: %v", n, err)
			continue
		}
		if err := Validate(c); err != nil {
			t.Errorf("cluster %d: %v", n, err)
		}
		if err := CheckWardenTransport(c); err != nil {
			t.Errorf("cluster %d: %v", n, err)
		}
	}
	if n != 2 {
		t.Errorf("found %d '# envoy cluster' blocks in docs/tls.md, want the pipe and the mutual-TLS cluster", n)
	}
}
