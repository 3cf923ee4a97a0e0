package xds

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	clusterservice "github.com/envoyproxy/go-control-plane/envoy/service/cluster/v3"
	discoveryv3 "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	listenerservice "github.com/envoyproxy/go-control-plane/envoy/service/listener/v3"
	routeservice "github.com/envoyproxy/go-control-plane/envoy/service/route/v3"
	"github.com/envoyproxy/go-control-plane/pkg/cache/v3"
	cplog "github.com/envoyproxy/go-control-plane/pkg/log"
	"github.com/envoyproxy/go-control-plane/pkg/resource/v3"
	"github.com/envoyproxy/go-control-plane/pkg/server/v3"
	"google.golang.org/grpc"
	"google.golang.org/grpc/keepalive"

	"github.com/warden-gw/warden/internal/tlsconf"
)

// Options configure a Server.
type Options struct {
	// ConfigPath is the gateways file (see README.md).
	ConfigPath string
	// ListenAddr is where the xDS gRPC server listens; default 127.0.0.1:18000.
	ListenAddr string
	// PollInterval is how often ConfigPath is re-read; default 1s, negative turns polling off.
	PollInterval time.Duration
	// Logger defaults to slog.Default().
	Logger *slog.Logger
	// OnReload, if set, hears the outcome of every reload the poller starts (nil: in force).
	OnReload func(error)
	// TLS serves xDS with mutual TLS: only Envoys whose client certificate the allowlist names
	// may connect. Nil is plaintext, which needs a loopback or Unix-socket ListenAddr unless
	// InsecurePlaintext is set.
	TLS *tlsconf.Config
	// InsecurePlaintext allows plaintext on a non-loopback ListenAddr (logged at WARN).
	InsecurePlaintext bool
}

// Server serves the gateways file over ADS (and plain LDS, RDS and CDS) to Envoy nodes.
type Server struct {
	opts  Options
	log   *slog.Logger
	cache cache.SnapshotCache
	nodes atomic.Pointer[nodeSets]

	reloadMu sync.Mutex
	inForce  map[string]string // node → snapshot version
	lastSum  [sha256.Size]byte // of the file content last tried

	grpc     *grpc.Server
	lis      net.Listener
	cancel   context.CancelFunc
	done     sync.WaitGroup
	stopOnce sync.Once
	serveE   chan error
}

// NewServer reads and applies the gateways file; a file that is missing or invalid is an error.
func NewServer(opts Options) (*Server, error) {
	if opts.ConfigPath == "" {
		return nil, errors.New("xds: no gateways file given; pass its path (see xds/README.md)")
	}
	if opts.ListenAddr == "" {
		opts.ListenAddr = "127.0.0.1:18000"
	}
	if opts.PollInterval == 0 {
		opts.PollInterval = time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	s := &Server{opts: opts, log: opts.Logger, inForce: map[string]string{}}
	s.nodes.Store(&nodeSets{inForce: map[string]bool{}, ever: map[string]bool{}, clients: map[string]tlsconf.Allowlist{}})
	s.cache = cache.NewSnapshotCache(true, nodeHash{s}, cplog.LoggerFuncs{
		WarnFunc:  func(f string, a ...any) { s.log.Warn(fmt.Sprintf(f, a...)) },
		ErrorFunc: func(f string, a ...any) { s.log.Error(fmt.Sprintf(f, a...)) },
	})
	if err := s.Reload(context.Background()); err != nil {
		return nil, err
	}
	return s, nil
}

// nodeSets are the gateway nodes in force and every gateway node ever in force (removed ones
// keep their snapshot so that Envoys still connected keep their watches; see apply).
type nodeSets struct {
	inForce, ever map[string]bool
	clients       map[string]tlsconf.Allowlist // gateways that name their Envoys' identities
}

// nodeHash keys an Envoy by its node id when a gateway has (or had) that name, else by its
// cluster when a gateway has (or had) that name. Removed gateways count, so an Envoy that stays
// connected through a removal keeps the same key and its watches fire when the gateway is back.
type nodeHash struct{ s *Server }

func (h nodeHash) ID(n *corev3.Node) string {
	if n == nil {
		return ""
	}
	ever := h.s.nodes.Load().ever
	if !ever[n.GetId()] && ever[n.GetCluster()] {
		return n.GetCluster()
	}
	return n.GetId()
}

// knows reports whether a gateway in force serves n.
func (s *Server) knows(n *corev3.Node) bool {
	return s.nodes.Load().inForce[nodeHash{s}.ID(n)]
}

// authorize checks that the caller may receive n's gateway: when the gateway names its clients,
// the stream's verified client certificate (peer; nil on plaintext) must be one of them.
func (s *Server) authorize(n *corev3.Node, peer *tlsconf.Peer) error {
	allow, ok := s.nodes.Load().clients[nodeHash{s}.ID(n)]
	if !ok {
		return nil
	}
	if peer == nil {
		return fmt.Errorf("%w: no verified client certificate (is the xDS server running with --tls-*?)", tlsconf.ErrNotAllowed)
	}
	return allow.Check(*peer)
}

// removed reports whether n's gateway was in force once and is not now.
func (s *Server) removed(n *corev3.Node) bool {
	ns, key := s.nodes.Load(), nodeHash{s}.ID(n)
	return ns.ever[key] && !ns.inForce[key]
}

// Reload reads the gateways file and puts it in force. If the file cannot be read, parsed or
// turned into valid, consistent snapshots, nothing is pushed and the configuration in force stays.
func (s *Server) Reload(ctx context.Context) error {
	data, err := os.ReadFile(s.opts.ConfigPath)
	if err != nil {
		return fmt.Errorf("xds: read gateways file: %w", err)
	}
	s.reloadMu.Lock()
	defer s.reloadMu.Unlock()
	s.lastSum = sha256.Sum256(data)
	return s.apply(ctx, data)
}

func (s *Server) apply(ctx context.Context, data []byte) error {
	c, err := ParseConfig(data)
	if err != nil {
		return fmt.Errorf("xds: %s: %w", s.opts.ConfigPath, err)
	}
	snaps, err := BuildSnapshots(c)
	if err != nil {
		return fmt.Errorf("xds: %s: %w", s.opts.ConfigPath, err)
	}
	prev := s.nodes.Load()
	next := &nodeSets{
		inForce: make(map[string]bool, len(snaps)), ever: make(map[string]bool, len(prev.ever)+len(snaps)),
		clients: map[string]tlsconf.Allowlist{},
	}
	for _, g := range c.Gateways {
		if len(g.Clients) > 0 {
			ac := &tlsconf.Config{}
			ac.AddAllowed(g.Clients...)
			next.clients[g.Node] = tlsconf.NewAllowlist(ac)
		}
	}
	for node := range prev.ever {
		next.ever[node] = true
	}
	for node := range snaps {
		next.inForce[node], next.ever[node] = true, true
	}
	s.nodes.Store(next)
	for node, snap := range snaps {
		v := snap.GetVersion(resource.ClusterType)
		if s.inForce[node] == v {
			continue
		}
		if err := s.cache.SetSnapshot(ctx, node, snap); err != nil {
			return fmt.Errorf("xds: set snapshot for node %q: %w", node, err)
		}
		s.inForce[node] = v
		s.log.Info("xDS snapshot in force", "node", node, "version", v)
	}
	if err := s.answerEarlyWatches(ctx, snaps); err != nil {
		return err
	}
	for node := range s.inForce {
		if !next.inForce[node] {
			// The snapshot stays in the cache: clearing it would drop the watches of the Envoys
			// still connected, and they would never hear of the gateway again if it came back.
			// Those Envoys keep their last configuration; new streams of the node are refused
			// (callbacks), so nobody new receives the removed configuration.
			delete(s.inForce, node)
			s.log.Info("xDS gateway removed; connected Envoys keep their configuration, new ones are refused", "node", node)
		}
	}
	return nil
}

// answerEarlyWatches serves Envoys that connected before their gateway existed and are matched
// by their node cluster: the cache filed their watches under their node id (no gateway had
// the cluster's name yet), so the gateway's snapshot is also set under that id. Their later
// requests are keyed by the cluster, which gets every further change.
func (s *Server) answerEarlyWatches(ctx context.Context, snaps map[string]*cache.Snapshot) error {
	for _, key := range s.cache.GetStatusKeys() {
		if _, isGateway := snaps[key]; isGateway {
			continue
		}
		gw := nodeHash{s}.ID(s.cache.GetStatusInfo(key).GetNode())
		snap, ok := snaps[gw]
		if gw == key || !ok {
			continue
		}
		if cur, err := s.cache.GetSnapshot(key); err == nil && cur.GetVersion(resource.ClusterType) == snap.GetVersion(resource.ClusterType) {
			continue
		}
		if err := s.cache.SetSnapshot(ctx, key, snap); err != nil {
			return fmt.Errorf("xds: set snapshot for node %q (gateway %q): %w", key, gw, err)
		}
	}
	return nil
}

// Version returns the snapshot version in force for a gateway node, "" if none.
func (s *Server) Version(node string) string {
	s.reloadMu.Lock()
	defer s.reloadMu.Unlock()
	return s.inForce[node]
}

// Start listens on ListenAddr and serves xDS, and polls the gateways file, until Stop.
func (s *Server) Start(ctx context.Context) error {
	lis, creds, err := s.listen()
	if err != nil {
		return err
	}
	ctx, s.cancel = context.WithCancel(ctx)
	s.lis = lis
	s.grpc = grpc.NewServer(append(creds,
		grpc.KeepaliveParams(keepalive.ServerParameters{Time: 30 * time.Second, Timeout: 5 * time.Second}),
		grpc.KeepaliveEnforcementPolicy(keepalive.EnforcementPolicy{MinTime: 15 * time.Second, PermitWithoutStream: true}),
	)...)
	xs := server.NewServer(ctx, s.cache, newCallbacks(s.log, gatewayAccess{known: s.knows, removed: s.removed, authorize: s.authorize}))
	discoveryv3.RegisterAggregatedDiscoveryServiceServer(s.grpc, xs)
	listenerservice.RegisterListenerDiscoveryServiceServer(s.grpc, xs)
	routeservice.RegisterRouteDiscoveryServiceServer(s.grpc, xs)
	clusterservice.RegisterClusterDiscoveryServiceServer(s.grpc, xs)
	s.serveE = make(chan error, 1)
	s.done.Add(1)
	go func() {
		defer s.done.Done()
		s.serveE <- s.grpc.Serve(lis)
	}()
	if s.opts.PollInterval > 0 {
		s.done.Add(1)
		go func() {
			defer s.done.Done()
			s.poll(ctx)
		}()
	}
	s.log.Info("xDS server listening", "addr", lis.Addr().String(), "gateways", s.opts.ConfigPath)
	return nil
}

// listen binds ListenAddr (TCP or unix://) with TLS, or plaintext where that is allowed.
func (s *Server) listen() (net.Listener, []grpc.ServerOption, error) {
	addr, err := tlsconf.ParseAddress(s.opts.ListenAddr)
	if err != nil {
		return nil, nil, fmt.Errorf("xds: --listen: %w", err)
	}
	sp := tlsconf.Spec{Name: "xds", Addr: addr, InsecurePlaintext: s.opts.InsecurePlaintext}
	var opts []grpc.ServerOption
	if s.opts.TLS != nil {
		if sp.TLS, err = tlsconf.NewSource("xds --tls-*", *s.opts.TLS, tlsconf.RequireClientCert, s.log); err != nil {
			return nil, nil, fmt.Errorf("xds: %w", err)
		}
		opts = append(opts, grpc.Creds(sp.TLS.GRPCCredentials()))
	}
	if err := sp.CheckPlaintext(s.log, "--tls-cert, --tls-key, --tls-client-ca and --tls-allow"); err != nil {
		return nil, nil, fmt.Errorf("xds: %w", err)
	}
	lis, err := sp.Listen()
	if err != nil {
		return nil, nil, fmt.Errorf("xds: %w (is another control plane running there?)", err)
	}
	return lis, opts, nil
}

// Addr is the address the server listens on (useful with port 0).
func (s *Server) Addr() net.Addr { return s.lis.Addr() }

// Stop closes every xDS stream (Envoys keep their configuration and reconnect) and the
// listener, stops polling and returns the error Serve ended with, if any.
// Calling it again, or before Start, does nothing.
func (s *Server) Stop() error {
	var err error
	s.stopOnce.Do(func() {
		if s.grpc == nil {
			return
		}
		s.cancel()
		s.grpc.Stop()
		s.done.Wait()
		if e := <-s.serveE; e != nil && !errors.Is(e, grpc.ErrServerStopped) {
			err = fmt.Errorf("xds: serve: %w", e)
		}
	})
	return err
}

// poll re-reads the file every PollInterval and applies content it has not tried before, so a
// broken file is reported once, not on every tick.
func (s *Server) poll(ctx context.Context) {
	t := time.NewTicker(s.opts.PollInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		data, err := os.ReadFile(s.opts.ConfigPath)
		sum := sha256.Sum256(data)
		if err != nil {
			sum = sha256.Sum256([]byte("read error: " + err.Error()))
			err = fmt.Errorf("xds: read gateways file: %w", err)
		}
		s.reloadMu.Lock()
		if bytes.Equal(sum[:], s.lastSum[:]) {
			s.reloadMu.Unlock()
			continue
		}
		s.lastSum = sum
		if err == nil {
			err = s.apply(ctx, data)
		}
		s.reloadMu.Unlock()
		if err != nil {
			s.log.Error("xDS gateways file refused; the configuration in force stays", "err", err)
		}
		if s.opts.OnReload != nil {
			s.opts.OnReload(err)
		}
	}
}
