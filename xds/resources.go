package xds

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	clusterv3 "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	endpointv3 "github.com/envoyproxy/go-control-plane/envoy/config/endpoint/v3"
	listenerv3 "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	extprocv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/ext_proc/v3"
	jwtv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/jwt_authn/v3"
	hcmv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
	tlsv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/transport_sockets/tls/v3"
	matcherv3 "github.com/envoyproxy/go-control-plane/envoy/type/matcher/v3"
	"github.com/envoyproxy/go-control-plane/pkg/cache/types"
	"github.com/envoyproxy/go-control-plane/pkg/cache/v3"
	"github.com/envoyproxy/go-control-plane/pkg/resource/v3"
	"github.com/envoyproxy/go-control-plane/pkg/wellknown"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/warden-gw/warden/envoy"
)

// Names of the resources every gateway gets; snapshots are per node, so they need not differ.
const (
	ListenerName    = "agents_http"
	RouteConfigName = "agents"
)

// BuildSnapshots returns one snapshot per gateway, keyed by its node. Every resource passes
// Envoy's validation rules (including the messages packed in its typed_configs) and every
// snapshot is consistent (each route configuration the listener names is in it). The version
// of a snapshot is a hash of its resources, so a gateway whose part of the file did not change
// is not pushed again.
func BuildSnapshots(c *Config) (map[string]*cache.Snapshot, error) {
	t, err := bootstrapTemplate()
	if err != nil {
		return nil, err
	}
	warden, err := wardenCluster(t.warden, c.Warden)
	if err != nil {
		return nil, err
	}
	out := make(map[string]*cache.Snapshot, len(c.Gateways))
	for i := range c.Gateways {
		g := &c.Gateways[i]
		s, err := gatewaySnapshot(t, warden, g)
		if err != nil {
			return nil, fmt.Errorf("%w: gateway %q: %w", ErrInvalidConfig, g.Node, err)
		}
		out[g.Node] = s
	}
	return out, nil
}

func gatewaySnapshot(t *template, warden *clusterv3.Cluster, g *Gateway) (*cache.Snapshot, error) {
	l, err := listener(t, g)
	if err != nil {
		return nil, err
	}
	clusters := []types.Resource{warden}
	for _, cl := range g.Clusters {
		c, err := upstreamCluster(cl)
		if err != nil {
			return nil, err
		}
		clusters = append(clusters, c)
	}
	res := map[resource.Type][]types.Resource{
		resource.ListenerType: {l},
		resource.RouteType:    {routeConfig(g)},
		resource.ClusterType:  clusters,
	}
	h := sha256.New()
	for _, typ := range []resource.Type{resource.ListenerType, resource.RouteType, resource.ClusterType} {
		for _, r := range res[typ] {
			if err := envoy.Validate(r); err != nil {
				return nil, err
			}
			b, err := proto.MarshalOptions{Deterministic: true}.Marshal(r)
			if err != nil {
				return nil, fmt.Errorf("marshal %s: %w", typ, err)
			}
			h.Write(b)
		}
	}
	s, err := cache.NewSnapshot(hex.EncodeToString(h.Sum(nil))[:16], res)
	if err != nil {
		return nil, err
	}
	if err := s.Consistent(); err != nil {
		return nil, fmt.Errorf("inconsistent snapshot: %w", err)
	}
	return s, nil
}

func listener(t *template, g *Gateway) (*listenerv3.Listener, error) {
	hcm := proto.Clone(t.hcm).(*hcmv3.HttpConnectionManager)
	hcm.StatPrefix = ListenerName
	hcm.RouteSpecifier = &hcmv3.HttpConnectionManager_Rds{Rds: &hcmv3.Rds{
		RouteConfigName: RouteConfigName,
		ConfigSource: &corev3.ConfigSource{
			ResourceApiVersion:    corev3.ApiVersion_V3,
			ConfigSourceSpecifier: &corev3.ConfigSource_Ads{Ads: &corev3.AggregatedConfigSource{}},
		},
	}}
	var filters []*hcmv3.HttpFilter
	sawExtProc := false
	for _, hf := range hcm.GetHttpFilters() {
		tc := hf.GetTypedConfig()
		switch {
		case tc.MessageIs(&jwtv3.JwtAuthentication{}):
			if g.JWT == nil {
				continue
			}
			if err := patchJWT(hf, g.JWT); err != nil {
				return nil, err
			}
		case tc.MessageIs(&extprocv3.ExternalProcessor{}):
			if err := patchExtProc(hf); err != nil {
				return nil, err
			}
			sawExtProc = true
		}
		filters = append(filters, hf)
	}
	if !sawExtProc {
		return nil, errors.New("template has no ext_proc filter")
	}
	hcm.HttpFilters = filters
	a, err := anypb.New(hcm)
	if err != nil {
		return nil, fmt.Errorf("pack http_connection_manager: %w", err)
	}
	addr := g.ListenAddress
	if addr == "" {
		addr = "0.0.0.0"
	}
	return &listenerv3.Listener{
		Name:    ListenerName,
		Address: socketAddress(addr, g.ListenPort),
		FilterChains: []*listenerv3.FilterChain{{
			Filters: []*listenerv3.Filter{{
				Name:       wellknown.HTTPConnectionManager,
				ConfigType: &listenerv3.Filter_TypedConfig{TypedConfig: a},
			}},
		}},
	}, nil
}

// patchExtProc keeps the bootstrap's ext_proc settings but makes failing closed explicit: a
// gateway that lets requests through when warden is down governs nothing.
func patchExtProc(hf *hcmv3.HttpFilter) error {
	ep := &extprocv3.ExternalProcessor{}
	if err := hf.GetTypedConfig().UnmarshalTo(ep); err != nil {
		return fmt.Errorf("template ext_proc: %w", err)
	}
	ep.FailureModeAllow = false
	a, err := anypb.New(ep)
	if err != nil {
		return fmt.Errorf("pack ext_proc: %w", err)
	}
	hf.ConfigType = &hcmv3.HttpFilter_TypedConfig{TypedConfig: a}
	return nil
}

// patchJWT points every remote-JWKS provider of the bootstrap's jwt_authn filter at the
// gateway's issuer and key set; header, metadata and allow_missing rules stay as in the bootstrap.
func patchJWT(hf *hcmv3.HttpFilter, j *JWT) error {
	ja := &jwtv3.JwtAuthentication{}
	if err := hf.GetTypedConfig().UnmarshalTo(ja); err != nil {
		return fmt.Errorf("template jwt_authn: %w", err)
	}
	for _, p := range ja.GetProviders() {
		uri := p.GetRemoteJwks().GetHttpUri()
		if uri == nil {
			continue
		}
		p.Issuer = j.Issuer
		uri.Uri = j.JWKSURI
		uri.HttpUpstreamType = &corev3.HttpUri_Cluster{Cluster: j.JWKSCluster}
	}
	a, err := anypb.New(ja)
	if err != nil {
		return fmt.Errorf("pack jwt_authn: %w", err)
	}
	hf.ConfigType = &hcmv3.HttpFilter_TypedConfig{TypedConfig: a}
	return nil
}

func routeConfig(g *Gateway) *routev3.RouteConfiguration {
	routes := make([]*routev3.Route, 0, len(g.Routes))
	for _, r := range g.Routes {
		d, _ := r.timeout() // checked by ParseConfig
		act := &routev3.RouteAction{
			ClusterSpecifier: &routev3.RouteAction_Cluster{Cluster: r.Cluster},
			PrefixRewrite:    r.PrefixRewrite,
			Timeout:          durationpb.New(d),
		}
		if r.HostRewrite != "" {
			act.HostRewriteSpecifier = &routev3.RouteAction_HostRewriteLiteral{HostRewriteLiteral: r.HostRewrite}
		}
		routes = append(routes, &routev3.Route{
			Match:  &routev3.RouteMatch{PathSpecifier: &routev3.RouteMatch_Prefix{Prefix: r.Prefix}},
			Action: &routev3.Route_Route{Route: act},
		})
	}
	return &routev3.RouteConfiguration{
		Name:         RouteConfigName,
		VirtualHosts: []*routev3.VirtualHost{{Name: "apis", Domains: []string{"*"}, Routes: routes}},
	}
}

// wardenCluster is the bootstrap's warden cluster (HTTP/2 for gRPC, mutual TLS) with the
// configured replicas and TLS settings, or Unix-socket endpoints without TLS.
func wardenCluster(tmpl *clusterv3.Cluster, w Warden) (*clusterv3.Cluster, error) {
	c := proto.Clone(tmpl).(*clusterv3.Cluster)
	eps := make([]*endpointv3.LbEndpoint, 0, len(w.Addresses))
	local := false
	for _, a := range w.Addresses {
		if path, ok := unixPath(a); ok {
			local = true
			eps = append(eps, &endpointv3.LbEndpoint{HostIdentifier: &endpointv3.LbEndpoint_Endpoint{
				Endpoint: &endpointv3.Endpoint{Address: &corev3.Address{Address: &corev3.Address_Pipe{Pipe: &corev3.Pipe{Path: path}}}},
			}})
			continue
		}
		host, port, err := splitHostPort(a)
		if err != nil {
			return nil, fmt.Errorf("%w: warden.addresses: %w", ErrInvalidConfig, err)
		}
		eps = append(eps, lbEndpoint(host, port))
	}
	c.LoadAssignment = &endpointv3.ClusterLoadAssignment{
		ClusterName: c.GetName(),
		Endpoints:   []*endpointv3.LocalityLbEndpoints{{LbEndpoints: eps}},
	}
	switch {
	case local:
		// Envoy resolves no DNS for pipes; a socket file needs no TLS (the file mode guards it).
		c.ClusterDiscoveryType = &clusterv3.Cluster_Type{Type: clusterv3.Cluster_STATIC}
		c.TransportSocket = nil
	case w.Plaintext:
		c.TransportSocket = nil
	case w.TLS != nil:
		if err := patchWardenTLS(c, w.TLS); err != nil {
			return nil, err
		}
	}
	if !w.Plaintext {
		if err := envoy.CheckWardenTransport(c); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrInvalidConfig, err)
		}
	}
	return c, nil
}

// patchWardenTLS overrides the template's UpstreamTlsContext with the fields t sets.
func patchWardenTLS(c *clusterv3.Cluster, t *WardenTLS) error {
	utc := &tlsv3.UpstreamTlsContext{}
	if err := c.GetTransportSocket().GetTypedConfig().UnmarshalTo(utc); err != nil {
		return fmt.Errorf("template warden cluster: UpstreamTlsContext: %w", err)
	}
	ctc := utc.GetCommonTlsContext()
	vc := ctc.GetValidationContext()
	if ctc == nil || vc == nil || len(ctc.GetTlsCertificates()) != 1 {
		return errors.New("template warden cluster: want one tls_certificate and a validation_context")
	}
	file := func(f string) *corev3.DataSource {
		return &corev3.DataSource{Specifier: &corev3.DataSource_Filename{Filename: f}}
	}
	if t.CertFile != "" {
		ctc.GetTlsCertificates()[0].CertificateChain = file(t.CertFile)
		ctc.GetTlsCertificates()[0].PrivateKey = file(t.KeyFile)
	}
	if t.CAFile != "" {
		vc.TrustedCa = file(t.CAFile)
	}
	if t.ServerName != "" {
		utc.Sni = t.ServerName
		vc.MatchTypedSubjectAltNames = []*tlsv3.SubjectAltNameMatcher{sanMatcher(tlsv3.SubjectAltNameMatcher_DNS, t.ServerName)}
	}
	if t.ServerSPIFFEID != "" {
		vc.MatchTypedSubjectAltNames = []*tlsv3.SubjectAltNameMatcher{sanMatcher(tlsv3.SubjectAltNameMatcher_URI, t.ServerSPIFFEID)}
	}
	a, err := anypb.New(utc)
	if err != nil {
		return fmt.Errorf("pack warden TLS context: %w", err)
	}
	c.TransportSocket = &corev3.TransportSocket{
		Name:       wellknown.TransportSocketTLS,
		ConfigType: &corev3.TransportSocket_TypedConfig{TypedConfig: a},
	}
	return nil
}

func sanMatcher(typ tlsv3.SubjectAltNameMatcher_SanType, exact string) *tlsv3.SubjectAltNameMatcher {
	return &tlsv3.SubjectAltNameMatcher{
		SanType: typ,
		Matcher: &matcherv3.StringMatcher{MatchPattern: &matcherv3.StringMatcher_Exact{Exact: exact}},
	}
}

func upstreamCluster(cl Cluster) (*clusterv3.Cluster, error) {
	c := &clusterv3.Cluster{
		Name:                 cl.Name,
		ClusterDiscoveryType: &clusterv3.Cluster_Type{Type: clusterv3.Cluster_STRICT_DNS},
		DnsLookupFamily:      clusterv3.Cluster_V4_PREFERRED,
		ConnectTimeout:       durationpb.New(5 * time.Second),
		LoadAssignment: &endpointv3.ClusterLoadAssignment{
			ClusterName: cl.Name,
			Endpoints: []*endpointv3.LocalityLbEndpoints{{
				LbEndpoints: []*endpointv3.LbEndpoint{lbEndpoint(cl.Address, cl.Port)},
			}},
		},
	}
	if !cl.TLS {
		return c, nil
	}
	ca := cl.CAFile
	if ca == "" {
		ca = defaultCAFile
	}
	tc, err := anypb.New(&tlsv3.UpstreamTlsContext{
		Sni: cl.Address,
		CommonTlsContext: &tlsv3.CommonTlsContext{
			ValidationContextType: &tlsv3.CommonTlsContext_ValidationContext{
				ValidationContext: &tlsv3.CertificateValidationContext{
					TrustedCa: &corev3.DataSource{Specifier: &corev3.DataSource_Filename{Filename: ca}},
					MatchTypedSubjectAltNames: []*tlsv3.SubjectAltNameMatcher{{
						SanType: tlsv3.SubjectAltNameMatcher_DNS,
						Matcher: &matcherv3.StringMatcher{
							MatchPattern: &matcherv3.StringMatcher_Exact{Exact: cl.Address},
						},
					}},
				},
			},
		},
	})
	if err != nil {
		return nil, fmt.Errorf("cluster %q: pack TLS context: %w", cl.Name, err)
	}
	c.TransportSocket = &corev3.TransportSocket{
		Name:       wellknown.TransportSocketTLS,
		ConfigType: &corev3.TransportSocket_TypedConfig{TypedConfig: tc},
	}
	return c, nil
}

func lbEndpoint(host string, port uint32) *endpointv3.LbEndpoint {
	return &endpointv3.LbEndpoint{HostIdentifier: &endpointv3.LbEndpoint_Endpoint{
		Endpoint: &endpointv3.Endpoint{Address: socketAddress(host, port)},
	}}
}

func socketAddress(host string, port uint32) *corev3.Address {
	return &corev3.Address{Address: &corev3.Address_SocketAddress{SocketAddress: &corev3.SocketAddress{
		Address:       host,
		PortSpecifier: &corev3.SocketAddress_PortValue{PortValue: port},
	}}}
}

// Type URLs of the resources a gateway snapshot holds.
const (
	ListenerTypeURL = resource.ListenerType
	RouteTypeURL    = resource.RouteType
	ClusterTypeURL  = resource.ClusterType
)
