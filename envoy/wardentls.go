package envoy

import (
	"errors"
	"fmt"
	"net"

	bootstrapv3 "github.com/envoyproxy/go-control-plane/envoy/config/bootstrap/v3"
	clusterv3 "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	tlsv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/transport_sockets/tls/v3"
)

// ErrUnauthenticatedWarden is wrapped when Envoy would reach warden over the network without
// mutual TLS: whoever answers would see every request, and a plaintext caller could pose as the
// gateway and receive the credentials warden injects.
var ErrUnauthenticatedWarden = errors.New("warden cluster is not authenticated")

// WardenCluster returns the cluster the bootstrap's ext_proc filter sends to.
func WardenCluster(b *bootstrapv3.Bootstrap) (*clusterv3.Cluster, error) {
	ep, err := ExtProcFilter(b)
	if err != nil {
		return nil, err
	}
	name := ep.GetGrpcService().GetEnvoyGrpc().GetClusterName()
	for _, c := range b.GetStaticResources().GetClusters() {
		if c.GetName() == name {
			return c, nil
		}
	}
	return nil, fmt.Errorf("%w: ext_proc cluster %q is not a static cluster", ErrInvalidConfig, name)
}

// CheckWardenTransport accepts a warden cluster whose endpoints are all Unix sockets (pipe) or
// loopback addresses, or that speaks TLS with a client certificate (files or SDS), a trusted CA
// and a subject-alt-name matcher, so that Envoy proves it is the gateway and checks it talks to
// warden.
func CheckWardenTransport(c *clusterv3.Cluster) error {
	if allLocal(c) {
		return nil
	}
	ts := c.GetTransportSocket()
	if ts == nil {
		return fmt.Errorf("%w: cluster %q reaches warden over the network without a transport_socket; "+
			"add an UpstreamTlsContext with Envoy's client certificate (docs/tls.md) or use a pipe address", ErrUnauthenticatedWarden, c.GetName())
	}
	utc := &tlsv3.UpstreamTlsContext{}
	if err := ts.GetTypedConfig().UnmarshalTo(utc); err != nil {
		return fmt.Errorf("%w: cluster %q: transport_socket is not an UpstreamTlsContext: %w", ErrUnauthenticatedWarden, c.GetName(), err)
	}
	ctc := utc.GetCommonTlsContext()
	hasCert := len(ctc.GetTlsCertificateSdsSecretConfigs()) > 0
	for _, tc := range ctc.GetTlsCertificates() {
		hasCert = hasCert || (tc.GetCertificateChain() != nil && tc.GetPrivateKey() != nil)
	}
	if !hasCert {
		return fmt.Errorf("%w: cluster %q: no client certificate (tls_certificates or tls_certificate_sds_secret_configs); warden requires one", ErrUnauthenticatedWarden, c.GetName())
	}
	if ctc.GetValidationContextSdsSecretConfig() != nil {
		return nil
	}
	vc := ctc.GetValidationContext()
	if vc == nil {
		vc = ctc.GetCombinedValidationContext().GetDefaultValidationContext()
	}
	if vc.GetTrustedCa() == nil || len(vc.GetMatchTypedSubjectAltNames()) == 0 {
		return fmt.Errorf("%w: cluster %q: validation_context needs trusted_ca and match_typed_subject_alt_names, "+
			"or any certificate the CA signed could pose as warden", ErrUnauthenticatedWarden, c.GetName())
	}
	return nil
}

func allLocal(c *clusterv3.Cluster) bool {
	n := 0
	for _, le := range c.GetLoadAssignment().GetEndpoints() {
		for _, lb := range le.GetLbEndpoints() {
			n++
			a := lb.GetEndpoint().GetAddress()
			if a.GetPipe() != nil {
				continue
			}
			ip := net.ParseIP(a.GetSocketAddress().GetAddress())
			if ip == nil || !ip.IsLoopback() {
				return false
			}
		}
	}
	return n > 0
}
