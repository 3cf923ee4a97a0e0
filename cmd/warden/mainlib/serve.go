package mainlib

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"runtime/debug"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	extprocv3 "github.com/envoyproxy/go-control-plane/envoy/service/ext_proc/v3"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/warden-gw/warden/extproc"
	"github.com/warden-gw/warden/internal/tlsconf"
	"github.com/warden-gw/warden/redact"
	"github.com/warden-gw/warden/redact/redactlog"
)

// Addrs are the addresses a running server bound (useful with port 0).
type Addrs struct {
	// GRPC is the ext_proc address as a gRPC target: host:port, or unix:///path.
	GRPC string
	// Admin is the admin listener's host:port; AdminTLS says whether it serves HTTPS.
	Admin    string
	AdminTLS bool
}

func runServe(ctx context.Context, args []string, _ io.Reader, _, stderr io.Writer) error {
	fs := flag.NewFlagSet("warden serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	sf := addServerFlags(fs, "", "")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: warden serve [--listen ADDR] [--admin ADDR] [--policy PATH] [--config FILE]\n\nRuns the Envoy ext_proc server. With no flags it runs on embedded defaults.")
		fs.PrintDefaults()
	}
	cfg, err := sf.parse(fs, args)
	if err != nil {
		return err
	}
	return Serve(ctx, cfg, stderr, nil)
}

// serverFlags are the flags `warden serve` and `warden dev` share.
type serverFlags struct {
	listen, admin, policy, config *string
	tlsCert, tlsKey, tlsClientCA  *string
	tlsAllow                      *multiFlag
	insecurePlaintext             *bool
}

// addServerFlags registers them; listen and admin are the defaults ("" keeps the configuration's).
func addServerFlags(fs *flag.FlagSet, listen, admin string) serverFlags {
	// flag prints a non-empty default itself; say where an empty one comes from.
	from := func(what, key, def, value string) string {
		if value == "" {
			return fmt.Sprintf("%s (default: the configuration's %s, %s)", what, key, def)
		}
		return what + " (overrides the configuration's " + key + ")"
	}
	d := DefaultConfig()
	f := serverFlags{
		listen: fs.String("listen", listen, from("ext_proc gRPC address, host:port or unix:///path", "listen", d.Listen, listen)),
		admin:  fs.String("admin", admin, from("admin HTTP address for /healthz, /readyz, /metrics", "admin", d.Admin, admin)),
		policy: fs.String("policy", "", "policy file or folder (default: the embedded policy pack)"),
		config: fs.String("config", "", "YAML configuration file (see docs/configuration.md)"),

		tlsCert:           fs.String("tls-cert", "", "ext_proc TLS certificate `FILE` (PEM; tls.cert_file)"),
		tlsKey:            fs.String("tls-key", "", "ext_proc TLS key `FILE` (PEM; tls.key_file)"),
		tlsClientCA:       fs.String("tls-client-ca", "", "CA `FILE` for callers' client certificates (tls.client_ca_file)"),
		tlsAllow:          &multiFlag{},
		insecurePlaintext: fs.Bool("insecure-plaintext", false, "allow plaintext ext_proc/admin on a non-loopback address (insecure_plaintext)"),
	}
	fs.Var(f.tlsAllow, "tls-allow", "caller allowed to open ext_proc streams: a spiffe:// ID or a subject DN (repeatable; tls.allowed_*)")
	return f
}

// multiFlag is a repeatable string flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

// parse parses args, refuses stray arguments, loads --config and applies the flags over it.
func (f serverFlags) parse(fs *flag.FlagSet, args []string) (Config, error) {
	if err := parseFlags(fs, args); err != nil {
		return Config{}, err
	}
	if fs.NArg() > 0 {
		return Config{}, fmt.Errorf("%w: unexpected argument %q", ErrUsage, fs.Arg(0))
	}
	cfg, err := LoadConfig(*f.config)
	if err != nil {
		return Config{}, err
	}
	for _, o := range []struct{ flag, field *string }{{f.listen, &cfg.Listen}, {f.admin, &cfg.Admin}, {f.policy, &cfg.Policy}} {
		if *o.flag != "" {
			*o.field = *o.flag
		}
	}
	if *f.tlsCert != "" || *f.tlsKey != "" || *f.tlsClientCA != "" || len(*f.tlsAllow) > 0 {
		if cfg.TLS == nil {
			cfg.TLS = &tlsconf.Config{}
		}
		for _, o := range []struct{ flag, field *string }{{f.tlsCert, &cfg.TLS.CertFile}, {f.tlsKey, &cfg.TLS.KeyFile}, {f.tlsClientCA, &cfg.TLS.ClientCAFile}} {
			if *o.flag != "" {
				*o.field = *o.flag
			}
		}
		cfg.TLS.AddAllowed(*f.tlsAllow...)
	}
	if *f.insecurePlaintext {
		cfg.InsecurePlaintext = true
	}
	return cfg, nil
}

// Serve runs warden until ctx is done, then shuts down gracefully: the health checks turn
// NOT_SERVING, new streams are refused, streams in flight finish (up to cfg.ShutdownGrace), and
// the pipeline is closed (audit flushed, leases revoked). ready, if not nil, is called once both
// listeners are bound.
func Serve(ctx context.Context, cfg Config, logOut io.Writer, ready func(Addrs)) error {
	if err := cfg.validate(); err != nil {
		return err
	}
	log, err := newLogger(cfg.Log, logOut)
	if err != nil {
		return err
	}
	if cfg.Limits.MemoryBytes > 0 && os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(cfg.Limits.MemoryBytes)
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	rt, err := buildRuntime(ctx, cfg, log, reg)
	if err != nil {
		return err
	}
	defer rt.close(context.WithoutCancel(ctx), log)

	ls, err := openListeners(cfg, log)
	if err != nil {
		return err
	}
	gs := grpc.NewServer(append(slices.Concat(ls.grpcCreds, extproc.GRPCServerOptions()),
		grpc.MaxRecvMsgSize(int(cfg.Limits.MaxBodyBytes)+cfg.Limits.MaxHeaderBytes+(1<<20)),
		grpc.MaxSendMsgSize(int(cfg.Limits.MaxBodyBytes)+(1<<20)))...)
	extprocv3.RegisterExternalProcessorServer(gs, rt.server)
	hs := health.NewServer()
	healthpb.RegisterHealthServer(gs, hs)
	hs.SetServingStatus("envoy.service.ext_proc.v3.ExternalProcessor", healthpb.HealthCheckResponse_SERVING)

	var draining atomic.Bool
	mux := adminMux(reg, &draining, rt.ready, rt.degradedParts)
	for p, h := range rt.handlers {
		mux.Handle(p, h)
	}
	hsrv := &http.Server{
		Handler: ls.adminWrap(mux), ReadHeaderTimeout: 5 * time.Second,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	} // TLS handshake refusals among others
	errc := make(chan error, 2)
	go func() { errc <- gs.Serve(ls.grpc) }()
	go func() {
		if err := hsrv.Serve(ls.adminSpec.HTTPListener(ls.admin)); !errors.Is(err, http.ErrServerClosed) {
			errc <- err
		}
	}()
	addrs := Addrs{GRPC: ls.grpcAddr, Admin: ls.admin.Addr().String(), AdminTLS: ls.adminSpec.TLS != nil}
	log.Info("warden serving", "ext_proc", addrs.GRPC, "ext_proc_tls", cfg.TLS != nil, "admin", addrs.Admin,
		"admin_tls", addrs.AdminTLS, "policy", rt.policyName, "version", Version)
	if ready != nil {
		ready(addrs)
	}

	select {
	case <-ctx.Done():
	case err := <-errc:
		gs.Stop()
		waitHandlers(rt.server, log)
		_ = hsrv.Close()
		return fmt.Errorf("server stopped: %w", err)
	}
	log.Info("shutting down: refusing new streams, letting streams in flight finish", "grace", cfg.ShutdownGrace)
	draining.Store(true)
	hs.Shutdown()
	rt.server.Drain()
	stopped := make(chan struct{})
	go func() { gs.GracefulStop(); close(stopped) }()
	select {
	case <-stopped:
	case <-time.After(cfg.ShutdownGrace):
		log.Warn("shutdown grace over; cutting the remaining streams")
		gs.Stop()
	}
	waitHandlers(rt.server, log)
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	_ = hsrv.Shutdown(sctx)
	log.Info("warden stopped")
	return nil
}

// handlerWait bounds how long a shutdown waits for cut streams' handlers to finish.
const handlerWait = 5 * time.Second

// waitHandlers waits for the stream handlers to return before the pipeline is closed. grpc's
// Stop cancels the streams but does not wait for their handlers, and a cut stream's handler
// still writes its exchange's completion record: closing the audit log under it would lose the
// record without counting it. A handler that does not return in handlerWait is logged.
func waitHandlers(s interface{ Wait() }, log *slog.Logger) {
	done := make(chan struct{})
	go func() { s.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(handlerWait):
		log.Error("stream handlers still running after the streams were cut; the audit log is closed under them and their completion records may be lost", "waited", handlerWait)
	}
}

// adminMux serves /healthz (the process is alive), /readyz (it can take traffic: not draining
// and every stage ready; parts that are down without stopping traffic, such as approvals, are
// listed as degraded) and /metrics.
func adminMux(reg *prometheus.Registry, draining *atomic.Bool, ready func() error, degraded func() []string) *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "ok\n")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) {
		if draining.Load() {
			http.Error(w, "not ready: shutting down", http.StatusServiceUnavailable)
			return
		}
		if err := ready(); err != nil {
			http.Error(w, "not ready: "+err.Error(), http.StatusServiceUnavailable)
			return
		}
		_, _ = io.WriteString(w, "ready\n")
		for _, d := range degraded() {
			_, _ = io.WriteString(w, "degraded: "+d+"\n")
		}
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
	return mux
}

func newLogger(c LogConfig, w io.Writer) (*slog.Logger, error) {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(strings.ToUpper(c.Level))); err != nil {
		return nil, fmt.Errorf("config: log.level %q: use debug, info, warn or error", c.Level)
	}
	opts := &slog.HandlerOptions{Level: lvl}
	var h slog.Handler
	switch c.Format {
	case "", "text":
		h = slog.NewTextHandler(w, opts)
	case "json":
		h = slog.NewJSONHandler(w, opts)
	default:
		return nil, fmt.Errorf("config: log.format %q: use text or json", c.Format)
	}
	// Every log line passes the redactor: messages and attributes carry request data (paths,
	// errors quoting bodies) and no secret may reach a log.
	eng, err := redact.New(redact.Config{})
	if err != nil {
		return nil, err
	}
	return slog.New(redactlog.New(h, eng.Text)), nil
}
