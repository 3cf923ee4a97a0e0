package xds

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	clusterv3 "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	listenerv3 "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	extprocv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/ext_proc/v3"
	jwtv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/jwt_authn/v3"
	hcmv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
	tlsv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/transport_sockets/tls/v3"
	upstreamhttpv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/upstreams/http/v3"
	"github.com/envoyproxy/go-control-plane/pkg/cache/types"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"

	"github.com/warden-gw/warden/envoy"
)

func buildExample(t *testing.T, yamlText string) map[string][]types.Resource {
	t.Helper()
	c, err := ParseConfig([]byte(yamlText))
	if err != nil {
		t.Fatal(err)
	}
	snaps, err := BuildSnapshots(c)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]types.Resource{}
	for node, s := range snaps {
		for _, typ := range []string{ListenerTypeURL, RouteTypeURL, ClusterTypeURL} {
			for _, r := range s.GetResources(typ) {
				out[node] = append(out[node], r)
			}
		}
	}
	return out
}

func unpack[T proto.Message](t *testing.T, a *anypb.Any, m T) T {
	t.Helper()
	if err := a.UnmarshalTo(m); err != nil {
		t.Fatalf("unpack %s: %v", a.GetTypeUrl(), err)
	}
	return m
}

// httpFilters returns the listener's HTTP filters by name, in order, and the HCM.
func httpFilters(t *testing.T, l *listenerv3.Listener) (*hcmv3.HttpConnectionManager, []string) {
	t.Helper()
	hcm := unpack(t, l.GetFilterChains()[0].GetFilters()[0].GetTypedConfig(), &hcmv3.HttpConnectionManager{})
	var names []string
	for _, f := range hcm.GetHttpFilters() {
		names = append(names, f.GetName())
	}
	return hcm, names
}

func TestBuildSnapshotsGateway(t *testing.T) {
	res := buildExample(t, string(readExample(t)))
	for _, tt := range []struct {
		node    string
		filters string
		port    uint32
	}{
		{"edge-1", "envoy.filters.http.jwt_authn,envoy.filters.http.ext_proc,envoy.filters.http.router", 10000},
		{"ci-runners", "envoy.filters.http.ext_proc,envoy.filters.http.router", 8080},
	} {
		t.Run(tt.node, func(t *testing.T) {
			var l *listenerv3.Listener
			for _, r := range res[tt.node] {
				if x, ok := r.(*listenerv3.Listener); ok {
					l = x
				}
			}
			if l == nil {
				t.Fatal("no listener")
			}
			if got := l.GetAddress().GetSocketAddress().GetPortValue(); got != tt.port {
				t.Errorf("listen port = %d, want %d", got, tt.port)
			}
			hcm, names := httpFilters(t, l)
			if got := strings.Join(names, ","); got != tt.filters {
				t.Errorf("http filters = %s, want %s", got, tt.filters)
			}
			if rds := hcm.GetRds(); rds.GetRouteConfigName() != RouteConfigName || rds.GetConfigSource().GetAds() == nil {
				t.Errorf("routes not from RDS over ADS: %v", hcm.GetRouteSpecifier())
			}
			for _, f := range hcm.GetHttpFilters() {
				if f.GetName() != "envoy.filters.http.ext_proc" {
					continue
				}
				ep := unpack(t, f.GetTypedConfig(), &extprocv3.ExternalProcessor{})
				if ep.GetFailureModeAllow() {
					t.Error("ext_proc failure_mode_allow is true: requests would pass when warden is down")
				}
				if ep.GetGrpcService().GetEnvoyGrpc().GetClusterName() != wardenClusterName {
					t.Errorf("ext_proc cluster = %v", ep.GetGrpcService())
				}
				want := envoy.DefaultExtProcFilter()
				if !proto.Equal(ep.GetProcessingMode(), want.GetProcessingMode()) ||
					!proto.Equal(ep.GetMessageTimeout(), want.GetMessageTimeout()) ||
					!proto.Equal(ep.GetMaxMessageTimeout(), want.GetMaxMessageTimeout()) {
					t.Errorf("ext_proc modes/timeouts differ from envoy/bootstrap.yaml: %v", ep)
				}
			}
		})
	}
}

func TestBuildSnapshotsClusters(t *testing.T) {
	res := buildExample(t, string(readExample(t)))
	clusters := map[string]*clusterv3.Cluster{}
	for _, r := range res["edge-1"] {
		if c, ok := r.(*clusterv3.Cluster); ok {
			clusters[c.GetName()] = c
		}
	}
	w := clusters[wardenClusterName]
	if w == nil {
		t.Fatal("no warden cluster")
	}
	var addrs []string
	for _, e := range w.GetLoadAssignment().GetEndpoints()[0].GetLbEndpoints() {
		sa := e.GetEndpoint().GetAddress().GetSocketAddress()
		addrs = append(addrs, fmt.Sprintf("%s:%d", sa.GetAddress(), sa.GetPortValue()))
	}
	if strings.Join(addrs, ",") != "warden-0.warden:9002,10.0.0.7:9002" {
		t.Errorf("warden endpoints = %v", addrs)
	}
	opts := w.GetTypedExtensionProtocolOptions()["envoy.extensions.upstreams.http.v3.HttpProtocolOptions"]
	if opts == nil || unpack(t, opts, &upstreamhttpv3.HttpProtocolOptions{}).GetExplicitHttpConfig().GetHttp2ProtocolOptions() == nil {
		t.Error("warden cluster does not speak HTTP/2; gRPC needs it")
	}
	tests := []struct {
		name, sni, ca string
	}{
		{"openai", "api.openai.com", defaultCAFile},
		{"kubernetes", "kubernetes.default.svc", "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt"},
		{"llm_mock", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := clusters[tt.name]
			if c == nil {
				t.Fatal("missing")
			}
			ts := c.GetTransportSocket()
			if tt.sni == "" {
				if ts != nil {
					t.Errorf("plain-HTTP cluster has a transport socket: %v", ts)
				}
				return
			}
			tc := unpack(t, ts.GetTypedConfig(), &tlsv3.UpstreamTlsContext{})
			vc := tc.GetCommonTlsContext().GetValidationContext()
			if tc.GetSni() != tt.sni || vc.GetTrustedCa().GetFilename() != tt.ca ||
				vc.GetMatchTypedSubjectAltNames()[0].GetMatcher().GetExact() != tt.sni {
				t.Errorf("TLS context = %v", tc)
			}
		})
	}
}

func TestBuildSnapshotsRoutesAndJWT(t *testing.T) {
	res := buildExample(t, string(readExample(t)))
	var rc *routev3.RouteConfiguration
	var l *listenerv3.Listener
	for _, r := range res["edge-1"] {
		switch x := r.(type) {
		case *routev3.RouteConfiguration:
			rc = x
		case *listenerv3.Listener:
			l = x
		}
	}
	routes := rc.GetVirtualHosts()[0].GetRoutes()
	if len(routes) != 3 {
		t.Fatalf("routes = %d", len(routes))
	}
	first := routes[0].GetRoute()
	if routes[0].GetMatch().GetPrefix() != "/openai/" || first.GetCluster() != "openai" ||
		first.GetPrefixRewrite() != "/" || first.GetHostRewriteLiteral() != "api.openai.com" ||
		first.GetTimeout().AsDuration() != defaultRouteTimeout {
		t.Errorf("route 0 = %v", routes[0])
	}
	if got := routes[1].GetRoute().GetTimeout().AsDuration().String(); got != "30s" {
		t.Errorf("k8s route timeout = %s", got)
	}
	hcm, _ := httpFilters(t, l)
	ja := unpack(t, hcm.GetHttpFilters()[0].GetTypedConfig(), &jwtv3.JwtAuthentication{})
	for _, p := range ja.GetProviders() {
		uri := p.GetRemoteJwks().GetHttpUri()
		if p.GetIssuer() != "http://vault:8200/v1/identity/oidc" || uri.GetCluster() != "vault" ||
			uri.GetUri() != "http://vault:8200/v1/identity/oidc/.well-known/keys" {
			t.Errorf("jwt provider = %v", p)
		}
		if p.GetForward() || p.GetPayloadInMetadata() != "payload" {
			t.Errorf("jwt provider lost the bootstrap's header/metadata settings: %v", p)
		}
	}
}

func TestBuildSnapshotsVersion(t *testing.T) {
	build := func(text string) map[string]string {
		t.Helper()
		c, err := ParseConfig([]byte(text))
		if err != nil {
			t.Fatal(err)
		}
		snaps, err := BuildSnapshots(c)
		if err != nil {
			t.Fatal(err)
		}
		v := map[string]string{}
		for n, s := range snaps {
			v[n] = s.GetVersion(ClusterTypeURL)
		}
		return v
	}
	orig := string(readExample(t))
	a, b := build(orig), build(orig)
	if a["edge-1"] != b["edge-1"] || a["edge-1"] == a["ci-runners"] {
		t.Errorf("versions not deterministic per content: %v vs %v", a, b)
	}
	changed := build(strings.Replace(orig, "prefix: /k8s/", "prefix: /kube/", 1))
	if changed["edge-1"] == a["edge-1"] {
		t.Error("edge-1 route changed but its version did not")
	}
	if changed["ci-runners"] != a["ci-runners"] {
		t.Error("ci-runners unchanged but its version changed (would push needlessly)")
	}
}

func TestBuildSnapshotsEnvoyValidation(t *testing.T) {
	// ParseConfig does not check header syntax; Envoy's own rules do, when building.
	bad := strings.Replace(minimal, "cluster: up}", `cluster: up, host_rewrite: "evil\r\nx-injected: 1"}`, 1)
	c, err := ParseConfig([]byte(bad))
	if err != nil {
		t.Fatalf("ParseConfig: %v", err)
	}
	_, err = BuildSnapshots(c)
	if err == nil || !errors.Is(err, ErrInvalidConfig) || !strings.Contains(err.Error(), "HostRewriteLiteral") {
		t.Errorf("error = %v; want Envoy's validation of host_rewrite_literal", err)
	}
}

func TestEnvoyBootstrapExample(t *testing.T) {
	b, err := os.ReadFile("testdata/envoy-bootstrap.yaml")
	if err != nil {
		t.Fatal(err)
	}
	bs, err := envoy.LoadBootstrap(b)
	if err != nil {
		t.Fatalf("README's Envoy bootstrap is not valid: %v", err)
	}
	if bs.GetDynamicResources().GetLdsConfig().GetAds() == nil || bs.GetNode().GetId() != "edge-1" {
		t.Errorf("bootstrap does not take listeners from ADS as node edge-1: %v", bs.GetDynamicResources())
	}
}
