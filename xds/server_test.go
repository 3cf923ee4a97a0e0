package xds

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	clusterv3 "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	listenerv3 "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	extprocv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/ext_proc/v3"
	discoveryv3 "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	"google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// logRecord is a slog record flattened for assertions.
type logRecord struct {
	level slog.Level
	msg   string
	attrs map[string]string
}

// chanHandler sends every log record to a channel, so tests wait on log events, not on time.
type chanHandler struct{ ch chan logRecord }

func (h chanHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h chanHandler) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h chanHandler) WithGroup(string) slog.Handler            { return h }
func (h chanHandler) Handle(_ context.Context, r slog.Record) error {
	lr := logRecord{level: r.Level, msg: r.Message, attrs: map[string]string{}}
	r.Attrs(func(a slog.Attr) bool {
		lr.attrs[a.Key] = a.Value.String()
		return true
	})
	select {
	case h.ch <- lr:
	default: // a test that does not read its logs must not block the server
	}
	return nil
}

// waitLog returns the first record (from now on) that match accepts.
func waitLog(t *testing.T, logs chan logRecord, match func(logRecord) bool) logRecord {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		select {
		case r := <-logs:
			if match(r) {
				return r
			}
		case <-deadline:
			t.Fatal("expected log record never came")
		}
	}
}

type harness struct {
	srv    *Server
	path   string
	logs   chan logRecord
	reload chan error
}

// startServer serves yamlText on 127.0.0.1:0; poll > 0 turns on polling with that interval.
func startServer(t *testing.T, yamlText string, poll time.Duration) *harness {
	t.Helper()
	h := &harness{path: filepath.Join(t.TempDir(), "gateways.yaml"), logs: make(chan logRecord, 4096), reload: make(chan error, 16)}
	h.write(t, yamlText)
	if poll <= 0 {
		poll = -1
	}
	srv, err := NewServer(Options{
		ConfigPath: h.path, ListenAddr: "127.0.0.1:0", PollInterval: poll,
		Logger:   slog.New(chanHandler{h.logs}),
		OnReload: func(err error) { h.reload <- err },
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for range 2 { // a second Stop must return, not block
			if err := srv.Stop(); err != nil {
				t.Error(err)
			}
		}
	})
	h.srv = srv
	return h
}

// write replaces the file atomically, as an operator's editor or a ConfigMap update does.
func (h *harness) write(t *testing.T, text string) {
	t.Helper()
	tmp := h.path + ".tmp"
	if err := os.WriteFile(tmp, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, h.path); err != nil {
		t.Fatal(err)
	}
}

// adsStream is an Envoy's side of ADS.
type adsStream struct {
	t    *testing.T
	s    discoveryv3.AggregatedDiscoveryService_StreamAggregatedResourcesClient
	node *corev3.Node
}

func dialADS(t *testing.T, addr string, node *corev3.Node) *adsStream {
	t.Helper()
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	t.Cleanup(cancel)
	s, err := discoveryv3.NewAggregatedDiscoveryServiceClient(conn).StreamAggregatedResources(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return &adsStream{t: t, s: s, node: node}
}

func (a *adsStream) send(req *discoveryv3.DiscoveryRequest) {
	a.t.Helper()
	req.Node = a.node
	if err := a.s.Send(req); err != nil {
		a.t.Fatalf("send %s: %v", req.GetTypeUrl(), err)
	}
}

func (a *adsStream) recv() *discoveryv3.DiscoveryResponse {
	a.t.Helper()
	r, err := a.s.Recv()
	if err != nil {
		a.t.Fatalf("recv: %v", err)
	}
	return r
}

// request asks for typeURL and returns the response; names empty means all (wildcard).
func (a *adsStream) request(typeURL string, names ...string) *discoveryv3.DiscoveryResponse {
	a.t.Helper()
	a.send(&discoveryv3.DiscoveryRequest{TypeUrl: typeURL, ResourceNames: names})
	r := a.recv()
	if r.GetTypeUrl() != typeURL {
		a.t.Fatalf("asked for %s, got %s", typeURL, r.GetTypeUrl())
	}
	return r
}

func (a *adsStream) ack(r *discoveryv3.DiscoveryResponse, names ...string) {
	a.t.Helper()
	a.send(&discoveryv3.DiscoveryRequest{
		TypeUrl: r.GetTypeUrl(), VersionInfo: r.GetVersionInfo(),
		ResponseNonce: r.GetNonce(), ResourceNames: names,
	})
}

// subscribe asks for listeners, routes and clusters and ACKs each, as Envoy does at start.
func (a *adsStream) subscribe() map[string]*discoveryv3.DiscoveryResponse {
	a.t.Helper()
	got := map[string]*discoveryv3.DiscoveryResponse{}
	for _, typ := range []string{ClusterTypeURL, ListenerTypeURL, RouteTypeURL} {
		var names []string
		if typ == RouteTypeURL {
			names = []string{RouteConfigName}
		}
		r := a.request(typ, names...)
		a.ack(r, names...)
		got[typ] = r
	}
	return got
}

// pushes receives one response of each of the three types, in whatever order they come, and
// ACKs them.
func (a *adsStream) pushes() map[string]*discoveryv3.DiscoveryResponse {
	a.t.Helper()
	got := map[string]*discoveryv3.DiscoveryResponse{}
	for len(got) < 3 {
		r := a.recv()
		if _, dup := got[r.GetTypeUrl()]; dup {
			a.t.Fatalf("second %s push before the others", r.GetTypeUrl())
		}
		got[r.GetTypeUrl()] = r
		var names []string
		if r.GetTypeUrl() == RouteTypeURL {
			names = []string{RouteConfigName}
		}
		a.ack(r, names...)
	}
	return got
}

func wardenAddrs(t *testing.T, r *discoveryv3.DiscoveryResponse) string {
	t.Helper()
	for _, a := range r.GetResources() {
		c := unpack(t, a, &clusterv3.Cluster{})
		if c.GetName() != wardenClusterName {
			continue
		}
		var out []string
		for _, e := range c.GetLoadAssignment().GetEndpoints()[0].GetLbEndpoints() {
			sa := e.GetEndpoint().GetAddress().GetSocketAddress()
			out = append(out, fmt.Sprintf("%s:%d", sa.GetAddress(), sa.GetPortValue()))
		}
		return strings.Join(out, ",")
	}
	t.Fatal("no warden cluster pushed")
	return ""
}

func routePrefixes(t *testing.T, r *discoveryv3.DiscoveryResponse) string {
	t.Helper()
	rc := unpack(t, r.GetResources()[0], &routev3.RouteConfiguration{})
	var out []string
	for _, rt := range rc.GetVirtualHosts()[0].GetRoutes() {
		out = append(out, rt.GetMatch().GetPrefix()+"→"+rt.GetRoute().GetCluster())
	}
	return strings.Join(out, ",")
}

func extProcOf(t *testing.T, r *discoveryv3.DiscoveryResponse) *extprocv3.ExternalProcessor {
	t.Helper()
	hcm, _ := httpFilters(t, unpack(t, r.GetResources()[0], &listenerv3.Listener{}))
	for _, f := range hcm.GetHttpFilters() {
		if f.GetName() == "envoy.filters.http.ext_proc" {
			return unpack(t, f.GetTypedConfig(), &extprocv3.ExternalProcessor{})
		}
	}
	t.Fatal("pushed listener has no ext_proc filter")
	return nil
}

func TestADSServesGatewayAndPushesChanges(t *testing.T) {
	h := startServer(t, minimal, 10*time.Millisecond)
	ads := dialADS(t, h.srv.Addr().String(), &corev3.Node{Id: "n1"})

	first := ads.subscribe()
	if got := wardenAddrs(t, first[ClusterTypeURL]); got != "warden:9002" {
		t.Errorf("warden endpoints = %s", got)
	}
	if ep := extProcOf(t, first[ListenerTypeURL]); ep.GetFailureModeAllow() ||
		ep.GetGrpcService().GetEnvoyGrpc().GetClusterName() != wardenClusterName {
		t.Errorf("ext_proc = %v; want fail-closed to cluster warden", ep)
	}
	if got := routePrefixes(t, first[RouteTypeURL]); got != "/→up" {
		t.Errorf("routes = %s", got)
	}
	v1 := first[ListenerTypeURL].GetVersionInfo()
	if v1 != h.srv.Version("n1") {
		t.Errorf("pushed version %s, server has %s in force", v1, h.srv.Version("n1"))
	}

	// A change to the file reaches the connected Envoy as a new version of every resource.
	second := strings.NewReplacer(`["warden:9002"]`, `["warden-a:9002", "warden-b:9003"]`,
		"routes: [{prefix: /, cluster: up}]", "routes: [{prefix: /api/, cluster: up}, {prefix: /, cluster: up}]").Replace(minimal)
	h.write(t, second)
	if err := <-h.reload; err != nil {
		t.Fatalf("good file refused: %v", err)
	}
	p := ads.pushes()
	if got := wardenAddrs(t, p[ClusterTypeURL]); got != "warden-a:9002,warden-b:9003" {
		t.Errorf("warden endpoints after change = %s", got)
	}
	if got := routePrefixes(t, p[RouteTypeURL]); got != "/api/→up,/→up" {
		t.Errorf("routes after change = %s", got)
	}
	v2 := p[ListenerTypeURL].GetVersionInfo()
	if v2 == v1 {
		t.Error("version did not change")
	}

	// A broken file is refused and logged; the Envoy gets nothing. The next message it receives
	// is the version of the following good file, not anything of the broken one.
	h.write(t, strings.Replace(second, "cluster: up}, {prefix", "cluster: nowhere}, {prefix", 1))
	err := <-h.reload
	if err == nil || !strings.Contains(err.Error(), `cluster "nowhere" is not in this gateway's clusters`) {
		t.Fatalf("broken file: reload error = %v", err)
	}
	rec := waitLog(t, h.logs, func(r logRecord) bool { return r.level == slog.LevelError })
	if !strings.Contains(rec.attrs["err"], "nowhere") || !strings.Contains(rec.msg, "in force stays") {
		t.Errorf("refusal logged as %+v", rec)
	}
	if h.srv.Version("n1") != v2 {
		t.Error("version in force changed after a broken file")
	}
	h.write(t, strings.Replace(second, "/api/", "/v2/", 1))
	if err := <-h.reload; err != nil {
		t.Fatal(err)
	}
	p = ads.pushes()
	if got := routePrefixes(t, p[RouteTypeURL]); got != "/v2/→up,/→up" {
		t.Errorf("routes after fix = %s", got)
	}
	if v3 := p[RouteTypeURL].GetVersionInfo(); v3 != h.srv.Version("n1") || v3 == v2 {
		t.Errorf("pushed %s; in force %s; previous %s", v3, h.srv.Version("n1"), v2)
	}
}

func TestADSLogsNACKWithNodeAndDetail(t *testing.T) {
	h := startServer(t, minimal, 0)
	ads := dialADS(t, h.srv.Addr().String(), &corev3.Node{Id: "n1", Cluster: "edge"})
	r := ads.request(ListenerTypeURL)
	// Later requests of a stream carry no node, as with Envoy; the log must still name it.
	ads.node = nil
	ads.send(&discoveryv3.DiscoveryRequest{
		TypeUrl: ListenerTypeURL, ResponseNonce: r.GetNonce(),
		ErrorDetail: &status.Status{Code: 3, Message: "Error adding/updating listener(s) agents_http: unknown filter"},
	})
	rec := waitLog(t, h.logs, func(r logRecord) bool { return strings.Contains(r.msg, "NACK") })
	want := map[string]string{
		"node": "n1", "cluster": "edge", "type": ListenerTypeURL, "nonce": r.GetNonce(),
		"rejected_version": r.GetVersionInfo(),
		"detail":           "Error adding/updating listener(s) agents_http: unknown filter",
	}
	for k, v := range want {
		if rec.attrs[k] != v {
			t.Errorf("NACK log %s = %q, want %q", k, rec.attrs[k], v)
		}
	}
	if rec.level != slog.LevelError {
		t.Errorf("NACK logged at %v", rec.level)
	}
	// The rejected version is not sent straight back (Envoy would reject it again, in a loop):
	// the next message on the stream is the next version of the file.
	h.write(t, strings.Replace(minimal, "listen_port: 10000", "listen_port: 10001", 1))
	if err := h.srv.Reload(t.Context()); err != nil {
		t.Fatal(err)
	}
	l := unpack(t, ads.recv().GetResources()[0], &listenerv3.Listener{})
	if got := l.GetAddress().GetSocketAddress().GetPortValue(); got != 10001 {
		t.Errorf("listener port after NACK and reload = %d", got)
	}
}

func TestADSNodeMatching(t *testing.T) {
	h := startServer(t, string(readExample(t)), 0)
	tests := []struct {
		name string
		node *corev3.Node
		port uint32
	}{
		{"by id", &corev3.Node{Id: "edge-1", Cluster: "ci-runners"}, 10000},
		{"by cluster", &corev3.Node{Id: "runner-7f9c", Cluster: "ci-runners"}, 8080},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ads := dialADS(t, h.srv.Addr().String(), tt.node)
			l := unpack(t, ads.request(ListenerTypeURL).GetResources()[0], &listenerv3.Listener{})
			if got := l.GetAddress().GetSocketAddress().GetPortValue(); got != tt.port {
				t.Errorf("listener port = %d, want %d", got, tt.port)
			}
		})
	}
	t.Run("unknown node is warned about", func(t *testing.T) {
		ads := dialADS(t, h.srv.Addr().String(), &corev3.Node{Id: "stranger", Cluster: "nobody"})
		ads.send(&discoveryv3.DiscoveryRequest{TypeUrl: ListenerTypeURL})
		rec := waitLog(t, h.logs, func(r logRecord) bool { return r.level == slog.LevelWarn })
		if rec.attrs["node"] != "stranger" || !strings.Contains(rec.msg, "no gateway") {
			t.Errorf("warning = %+v", rec)
		}
	})
}

func TestNewServerRefusesBadFile(t *testing.T) {
	dir := t.TempDir()
	tests := []struct{ name, content, want string }{
		{"missing", "", "read gateways file"},
		{"invalid", "gateways: []\nwarden: {addresses: [w:1]}\n", "gateways is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(dir, tt.name+".yaml")
			if tt.content != "" {
				if err := os.WriteFile(p, []byte(tt.content), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			_, err := NewServer(Options{ConfigPath: p, Logger: slog.New(chanHandler{make(chan logRecord, 1)})})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestReloadRemovesGateway(t *testing.T) {
	h := startServer(t, string(readExample(t)), 0)
	if h.srv.Version("edge-1") == "" || h.srv.Version("ci-runners") == "" {
		t.Fatal("example gateways not in force")
	}
	h.write(t, minimal)
	if err := h.srv.Reload(t.Context()); err != nil {
		t.Fatal(err)
	}
	if h.srv.Version("n1") == "" || h.srv.Version("edge-1") != "" {
		t.Error("after reload: n1 not in force or removed edge-1 still is")
	}
	// A new Envoy of the added gateway is served.
	ads := dialADS(t, h.srv.Addr().String(), &corev3.Node{Id: "n1"})
	if l := unpack(t, ads.request(ListenerTypeURL).GetResources()[0], &listenerv3.Listener{}); l.GetAddress().GetSocketAddress().GetPortValue() != 10000 {
		t.Errorf("n1 listener = %v", l.GetAddress())
	}
}
