package xds

import (
	"strings"
	"testing"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	listenerv3 "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	discoveryv3 "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// withSecond is minimal plus a second gateway named node, listening on port 11000.
func withSecond(node, port string) string {
	return minimal + "- node: " + node + "\n  listen_port: " + port + "\n" +
		"  routes: [{prefix: /, cluster: up}]\n  clusters: [{name: up, address: upstream, port: 8080}]\n"
}

func listenerPort(t *testing.T, r *discoveryv3.DiscoveryResponse) uint32 {
	t.Helper()
	return unpack(t, r.GetResources()[0], &listenerv3.Listener{}).GetAddress().GetSocketAddress().GetPortValue()
}

// TestConnectedEnvoyFollowsRemoveReaddEdit: an Envoy that stays connected while its gateway is
// removed from the file and added back receives the later edits (the cache must not drop its
// watches with the removed snapshot), and an Envoy that connects while the gateway is removed
// is refused rather than served the removed configuration.
func TestConnectedEnvoyFollowsRemoveReaddEdit(t *testing.T) {
	for _, tt := range []struct {
		name, gateway string
		node          *corev3.Node
	}{
		{"gateway named by node id", "n2", &corev3.Node{Id: "n2", Cluster: "whatever"}},
		{"gateway named by node cluster", "ci", &corev3.Node{Id: "runner-1", Cluster: "ci"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := startServer(t, withSecond(tt.gateway, "11000"), 0)
			reload := func(text string) {
				t.Helper()
				h.write(t, text)
				if err := h.srv.Reload(t.Context()); err != nil {
					t.Fatal(err)
				}
			}
			ads := dialADS(t, h.srv.Addr().String(), tt.node)
			if got := listenerPort(t, ads.subscribe()[ListenerTypeURL]); got != 11000 {
				t.Fatalf("first listener port %d", got)
			}

			reload(minimal) // remove
			if h.srv.Version(tt.gateway) != "" {
				t.Fatal("removed gateway still in force")
			}
			late := dialADS(t, h.srv.Addr().String(), tt.node)
			late.send(&discoveryv3.DiscoveryRequest{TypeUrl: ListenerTypeURL})
			if r, err := late.s.Recv(); status.Code(err) != codes.NotFound || !strings.Contains(err.Error(), "removed") {
				t.Fatalf("Envoy connecting while its gateway is removed got %v, %v; want NotFound", r, err)
			}

			reload(withSecond(tt.gateway, "11000")) // re-add, unchanged: nothing new to push
			if h.srv.Version(tt.gateway) == "" {
				t.Fatal("re-added gateway not in force")
			}
			reload(withSecond(tt.gateway, "11001")) // edit
			if got := listenerPort(t, ads.pushes()[ListenerTypeURL]); got != 11001 {
				t.Errorf("after remove, re-add and edit the connected Envoy got port %d, want 11001", got)
			}
		})
	}
}

// TestEnvoyWaitingForItsClusterGatewayIsServed: an Envoy that connected before any gateway
// matched it receives the gateway named after its node cluster as soon as the file adds it.
func TestEnvoyWaitingForItsClusterGatewayIsServed(t *testing.T) {
	h := startServer(t, minimal, 0)
	ads := dialADS(t, h.srv.Addr().String(), &corev3.Node{Id: "runner-9", Cluster: "ci"})
	ads.send(&discoveryv3.DiscoveryRequest{TypeUrl: ListenerTypeURL})
	waitLog(t, h.logs, func(r logRecord) bool { return strings.Contains(r.msg, "no gateway") && r.attrs["node"] == "runner-9" })
	h.write(t, withSecond("ci", "12000"))
	if err := h.srv.Reload(t.Context()); err != nil {
		t.Fatal(err)
	}
	r := ads.recv()
	if got := listenerPort(t, r); got != 12000 {
		t.Fatalf("waiting Envoy got port %d, want the new gateway's 12000", got)
	}
	ads.ack(r)
	h.write(t, withSecond("ci", "12001"))
	if err := h.srv.Reload(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got := listenerPort(t, ads.recv()); got != 12001 {
		t.Errorf("after an edit: port %d, want 12001", got)
	}
}
