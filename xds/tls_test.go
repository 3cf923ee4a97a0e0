package xds

import (
	"os"
	"strings"
	"testing"

	clusterv3 "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	tlsv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/transport_sockets/tls/v3"
	"github.com/envoyproxy/go-control-plane/pkg/resource/v3"

	"github.com/warden-gw/warden/envoy"
)

// builtWarden builds the file and returns gateway n1's warden cluster (validated by
// BuildSnapshots against Envoy's rules).
func builtWarden(t *testing.T, wardenYAML string) *clusterv3.Cluster {
	t.Helper()
	c, err := ParseConfig([]byte(strings.Replace(minimal, `warden: {addresses: ["warden:9002"]}`, wardenYAML, 1)))
	if err != nil {
		t.Fatal(err)
	}
	snaps, err := BuildSnapshots(c)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range snaps["n1"].GetResources(resource.ClusterType) {
		if cl := r.(*clusterv3.Cluster); cl.GetName() == wardenClusterName {
			return cl
		}
	}
	t.Fatal("no warden cluster")
	return nil
}

func upstreamTLS(t *testing.T, c *clusterv3.Cluster) *tlsv3.UpstreamTlsContext {
	t.Helper()
	if c.GetTransportSocket() == nil {
		t.Fatal("warden cluster has no transport socket")
	}
	return unpack(t, c.GetTransportSocket().GetTypedConfig(), &tlsv3.UpstreamTlsContext{})
}

func TestWardenClusterUsesMutualTLS(t *testing.T) {
	t.Run("bootstrap defaults", func(t *testing.T) {
		c := builtWarden(t, `warden: {addresses: ["warden:9002"]}`)
		if err := envoy.CheckWardenTransport(c); err != nil {
			t.Fatal(err)
		}
		u := upstreamTLS(t, c)
		ctc := u.GetCommonTlsContext()
		if u.GetSni() != "warden" || ctc.GetTlsCertificates()[0].GetCertificateChain().GetFilename() != "/etc/envoy/warden-tls/tls.crt" ||
			ctc.GetValidationContext().GetTrustedCa().GetFilename() != "/etc/envoy/warden-tls/ca.crt" {
			t.Errorf("TLS context = %v", u)
		}
	})
	t.Run("overrides", func(t *testing.T) {
		u := upstreamTLS(t, builtWarden(t, `warden:
  addresses: ["warden.agents.svc:9002"]
  tls: {server_name: warden.agents.svc, server_spiffe_id: "spiffe://cluster.local/ns/agents/sa/warden",
        cert_file: /certs/gw.crt, key_file: /certs/gw.key, ca_file: /certs/mesh-ca.crt}`))
		ctc := u.GetCommonTlsContext()
		san := ctc.GetValidationContext().GetMatchTypedSubjectAltNames()
		if u.GetSni() != "warden.agents.svc" || len(san) != 1 || san[0].GetSanType() != tlsv3.SubjectAltNameMatcher_URI ||
			san[0].GetMatcher().GetExact() != "spiffe://cluster.local/ns/agents/sa/warden" ||
			ctc.GetTlsCertificates()[0].GetPrivateKey().GetFilename() != "/certs/gw.key" ||
			ctc.GetValidationContext().GetTrustedCa().GetFilename() != "/certs/mesh-ca.crt" {
			t.Errorf("TLS context = %v", u)
		}
	})
	t.Run("unix sockets are pipes without TLS", func(t *testing.T) {
		c := builtWarden(t, `warden: {addresses: ["unix:///run/warden/extproc.sock"]}`)
		ep := c.GetLoadAssignment().GetEndpoints()[0].GetLbEndpoints()[0].GetEndpoint().GetAddress()
		if ep.GetPipe().GetPath() != "/run/warden/extproc.sock" || c.GetTransportSocket() != nil || c.GetType() != clusterv3.Cluster_STATIC {
			t.Errorf("cluster = %v", c)
		}
	})
	t.Run("plaintext opt-in", func(t *testing.T) {
		if c := builtWarden(t, `warden: {addresses: ["warden:9002"], plaintext: true}`); c.GetTransportSocket() != nil {
			t.Errorf("plaintext: true kept TLS: %v", c.GetTransportSocket())
		}
	})
}

func TestWardenTLSRefused(t *testing.T) {
	for _, tt := range []struct{ warden, want string }{
		{`warden: {addresses: ["unix:///s.sock", "w:9002"]}`, "mixes Unix sockets"},
		{`warden: {addresses: ["unix:///s.sock"], tls: {server_name: w}}`, "drop warden.tls"},
		{`warden: {addresses: ["unix://s.sock"]}`, "must be absolute"},
		{`warden: {addresses: ["w:9002"], plaintext: true, tls: {server_name: w}}`, "contradict"},
		{`warden: {addresses: ["w:9002"], tls: {cert_file: /c}}`, "go together"},
	} {
		_, err := ParseConfig([]byte(strings.Replace(minimal, `warden: {addresses: ["warden:9002"]}`, tt.warden, 1)))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want %q", tt.warden, err, tt.want)
		}
	}
}

// TestEnvoyBootstrapReachesXDSWithMutualTLS: the README's Envoy bootstrap presents a client
// certificate to the control plane and checks its name.
func TestEnvoyBootstrapReachesXDSWithMutualTLS(t *testing.T) {
	b, err := os.ReadFile("testdata/envoy-bootstrap.yaml")
	if err != nil {
		t.Fatal(err)
	}
	bs, err := envoy.LoadBootstrap(b)
	if err != nil {
		t.Fatal(err)
	}
	name := bs.GetDynamicResources().GetAdsConfig().GetGrpcServices()[0].GetEnvoyGrpc().GetClusterName()
	for _, c := range bs.GetStaticResources().GetClusters() {
		if c.GetName() == name {
			if err := envoy.CheckWardenTransport(c); err != nil {
				t.Fatal(err)
			}
			return
		}
	}
	t.Fatalf("no static cluster %q for ADS", name)
}
