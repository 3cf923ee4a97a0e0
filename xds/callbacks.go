package xds

import (
	"context"
	"log/slog"
	"sync"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	discoveryv3 "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	"github.com/envoyproxy/go-control-plane/pkg/server/v3"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"

	"github.com/warden-gw/warden/internal/tlsconf"
)

// callbacks logs the life of xDS streams. Envoy sends its node only in the first request of a
// stream, so the node is remembered per stream to name it when a later request is a NACK.
//
// It also stops NACK loops: the snapshot cache answers a request whose version differs from the
// snapshot's at once, and a NACK carries the last version Envoy accepted, so the rejected
// version would be sent straight back, rejected again, and so on. A NACK of the latest response
// of its type is therefore rewritten to name the rejected version: the cache then waits for the
// next snapshot (a fixed file) before pushing again.
type callbacks struct {
	server.CallbackFuncs
	log    *slog.Logger
	access gatewayAccess

	mu    sync.Mutex
	peers map[int64]*tlsconf.Peer // verified client certificate of the stream, if any
	nodes map[int64]*corev3.Node
	sent  map[int64]map[string]sentResponse // stream → type URL → latest response
}

type sentResponse struct{ nonce, version string }

// gatewayAccess is what the callbacks ask the server about a node.
type gatewayAccess struct {
	known     func(*corev3.Node) bool // a gateway in force serves this node
	removed   func(*corev3.Node) bool // this node's gateway was removed from the file
	authorize func(*corev3.Node, *tlsconf.Peer) error
}

var _ server.Callbacks = (*callbacks)(nil)

func newCallbacks(log *slog.Logger, access gatewayAccess) *callbacks {
	return &callbacks{
		log: log, access: access, nodes: map[int64]*corev3.Node{}, peers: map[int64]*tlsconf.Peer{},
		sent: map[int64]map[string]sentResponse{},
	}
}

func (c *callbacks) OnStreamOpen(ctx context.Context, id int64, typeURL string) error {
	c.rememberPeer(ctx, id)
	c.log.Info("xDS stream opened", "stream", id, "type", typeOrADS(typeURL))
	return nil
}

// OnDeltaStreamOpen remembers the caller of a delta stream for check.
func (c *callbacks) OnDeltaStreamOpen(ctx context.Context, id int64, _ string) error {
	c.rememberPeer(ctx, id)
	return nil
}

func (c *callbacks) rememberPeer(ctx context.Context, id int64) {
	p, ok := peer.FromContext(ctx)
	if !ok {
		return
	}
	ti, ok := p.AuthInfo.(credentials.TLSInfo)
	if !ok || len(ti.State.VerifiedChains) == 0 {
		return
	}
	who := tlsconf.PeerOf(ti.State.VerifiedChains[0][0])
	c.mu.Lock()
	c.peers[id] = &who
	c.mu.Unlock()
}

// check refuses a request of a removed gateway that would open a watch (no nonce), and any
// request for a gateway whose clients do not include the stream's certificate.
func (c *callbacks) check(id int64, node *corev3.Node, nonce, typeURL string) error {
	if nonce == "" && c.access.removed(node) {
		c.log.Warn("xDS request refused: this node's gateway was removed from the xDS file",
			"stream", id, "node", node.GetId(), "cluster", node.GetCluster(), "type", typeURL)
		return status.Errorf(codes.NotFound, "warden xds: the gateway for node %q (cluster %q) was removed from the gateways file", node.GetId(), node.GetCluster())
	}
	c.mu.Lock()
	who := c.peers[id]
	c.mu.Unlock()
	if err := c.access.authorize(node, who); err != nil {
		c.log.Warn("xDS request refused: the caller's certificate is not among the gateway's clients",
			"stream", id, "node", node.GetId(), "cluster", node.GetCluster(), "err", err)
		return status.Errorf(codes.PermissionDenied, "warden xds: this client certificate may not receive node %q's configuration", node.GetId())
	}
	return nil
}

func (c *callbacks) OnStreamClosed(id int64, node *corev3.Node) {
	c.mu.Lock()
	delete(c.nodes, id)
	delete(c.sent, id)
	delete(c.peers, id)
	c.mu.Unlock()
	c.log.Info("xDS stream closed", "stream", id, "node", node.GetId(), "cluster", node.GetCluster())
}

func (c *callbacks) OnStreamRequest(id int64, req *discoveryv3.DiscoveryRequest) error {
	node := c.node(id, req.GetNode())
	if st := req.GetErrorDetail(); st != nil {
		c.mu.Lock()
		last, ok := c.sent[id][req.GetTypeUrl()]
		c.mu.Unlock()
		rejected := ""
		if ok && last.nonce == req.GetResponseNonce() {
			rejected = last.version
		}
		c.log.Error("Envoy rejected (NACK) an xDS response; it keeps its previous configuration",
			"stream", id, "node", node.GetId(), "cluster", node.GetCluster(), "type", req.GetTypeUrl(),
			"nonce", req.GetResponseNonce(), "rejected_version", rejected,
			"version_in_force", req.GetVersionInfo(), "code", st.GetCode(), "detail", st.GetMessage())
		if rejected != "" {
			req.VersionInfo = rejected
		}
		return nil
	}
	if err := c.check(id, node, req.GetResponseNonce(), req.GetTypeUrl()); err != nil {
		return err
	}
	if req.GetResponseNonce() == "" && !c.access.known(node) {
		c.log.Warn("no gateway in the xDS file serves this Envoy node; add one whose node is its id or cluster",
			"stream", id, "node", node.GetId(), "cluster", node.GetCluster(), "type", req.GetTypeUrl())
	}
	if req.GetResponseNonce() != "" {
		c.log.Debug("xDS ACK", "stream", id, "node", node.GetId(), "type", req.GetTypeUrl(),
			"version", req.GetVersionInfo())
	}
	return nil
}

// node returns the node of stream id, remembering n when the request carries one.
func (c *callbacks) node(id int64, n *corev3.Node) *corev3.Node {
	c.mu.Lock()
	defer c.mu.Unlock()
	if n != nil {
		c.nodes[id] = n
		return n
	}
	return c.nodes[id]
}

func (c *callbacks) OnStreamResponse(_ context.Context, id int64, _ *discoveryv3.DiscoveryRequest, resp *discoveryv3.DiscoveryResponse) {
	c.mu.Lock()
	if c.sent[id] == nil {
		c.sent[id] = map[string]sentResponse{}
	}
	c.sent[id][resp.GetTypeUrl()] = sentResponse{nonce: resp.GetNonce(), version: resp.GetVersionInfo()}
	c.mu.Unlock()
	c.log.Info("xDS pushed", "stream", id, "node", c.node(id, nil).GetId(), "type", resp.GetTypeUrl(),
		"version", resp.GetVersionInfo(), "resources", len(resp.GetResources()))
}

// OnStreamDeltaRequest refuses new delta (incremental) streams of removed gateways and logs
// their NACKs; the other delta and REST callbacks are CallbackFuncs' no-ops.
func (c *callbacks) OnStreamDeltaRequest(id int64, req *discoveryv3.DeltaDiscoveryRequest) error {
	if err := c.check(id, c.node(id, req.GetNode()), req.GetResponseNonce(), req.GetTypeUrl()); err != nil {
		return err
	}
	if st := req.GetErrorDetail(); st != nil {
		c.log.Error("Envoy rejected (NACK) a delta xDS response; it keeps its previous configuration",
			"stream", id, "node", req.GetNode().GetId(), "type", req.GetTypeUrl(),
			"nonce", req.GetResponseNonce(), "code", st.GetCode(), "detail", st.GetMessage())
	}
	return nil
}

func typeOrADS(typeURL string) string {
	if typeURL == "" {
		return "ADS"
	}
	return typeURL
}

// OnDeltaStreamClosed forgets what was remembered about a delta stream.
func (c *callbacks) OnDeltaStreamClosed(id int64, _ *corev3.Node) {
	c.mu.Lock()
	delete(c.nodes, id)
	delete(c.peers, id)
	c.mu.Unlock()
}
