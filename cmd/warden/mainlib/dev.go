package mainlib

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"

	filterv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/ext_proc/v3"
	extprocv3 "github.com/envoyproxy/go-control-plane/envoy/service/ext_proc/v3"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/warden-gw/warden/approval"
	"github.com/warden-gw/warden/envoy"
	"github.com/warden-gw/warden/extproc/extproctest"
)

// envoyFilter is the ext_proc filter configuration of the Envoy in front of warden: the file
// named by envoy.bootstrap, or the embedded envoy/bootstrap.yaml.
func envoyFilter(cfg Config) (*filterv3.ExternalProcessor, error) {
	if cfg.Envoy.Bootstrap == "" {
		return envoy.DefaultExtProcFilter(), nil
	}
	b, err := os.ReadFile(cfg.Envoy.Bootstrap)
	if err != nil {
		return nil, fmt.Errorf("envoy.bootstrap: %w", err)
	}
	bs, err := envoy.LoadBootstrap(b)
	if err != nil {
		return nil, fmt.Errorf("envoy.bootstrap %s: %w", cfg.Envoy.Bootstrap, err)
	}
	f, err := envoy.ExtProcFilter(bs)
	if err != nil {
		return nil, fmt.Errorf("envoy.bootstrap %s: %w", cfg.Envoy.Bootstrap, err)
	}
	return f, nil
}

func runDev(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("warden dev", flag.ContinueOnError)
	fs.SetOutput(stderr)
	gatewayAddr := fs.String("gateway", "127.0.0.1:8080", "address of the local HTTP gateway")
	routes := fs.String("routes", "", "routes file (YAML: routes: [{prefix, upstream, host_rewrite}]); without it the Host header picks the upstream")
	devApprover := fs.Bool("dev-approver", true, "accept a local approver token, written to DATA_DIR/dev-approver-token at start-up, on the approvals API (dev only; warden serve refuses it)")
	sf := addServerFlags(fs, "127.0.0.1:0", "127.0.0.1:9901")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: warden dev [--gateway ADDR] [--routes FILE] [--policy PATH] [--config FILE]\n\nRuns warden and a local HTTP gateway that sends every request through it exactly as\nEnvoy's ext_proc filter would (modes from envoy/bootstrap.yaml). Point curl or an SDK at the gateway.")
		fs.PrintDefaults()
	}
	cfg, err := sf.parse(fs, args)
	if err != nil {
		return err
	}
	if cfg.TLS != nil {
		// The gateway below is the only caller and it runs in this process: TLS would protect
		// nothing, and a loopback or Unix-socket listen address is required instead.
		return fmt.Errorf("%w: warden dev drives warden in-process; drop tls (and the --tls-* flags) and listen on loopback", ErrUsage)
	}
	var devTokenFile string
	if *devApprover {
		devToken := approval.NewDevApproverToken()
		cfg.Approval.DevApprover, cfg.Approval.DevApproverToken = true, devToken
		if devTokenFile, err = approval.WriteDevApproverToken(cfg.DataDir, devToken); err != nil {
			return err
		}
	}
	var rs []extproctest.Route
	if *routes != "" {
		if rs, err = extproctest.LoadRoutes(*routes); err != nil {
			return err
		}
	}
	filter, err := envoyFilter(cfg)
	if err != nil {
		return err
	}
	log, err := newLogger(cfg.Log, stderr)
	if err != nil {
		return err
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ready := make(chan Addrs, 1)
	served := make(chan error, 1)
	go func() { served <- Serve(ctx, cfg, stderr, func(a Addrs) { ready <- a }) }()
	var addrs Addrs
	select {
	case addrs = <-ready:
	case err := <-served:
		return err
	}
	conn, err := grpc.NewClient(addrs.GRPC, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return err
	}
	defer conn.Close()
	emu, err := extproctest.New(extprocv3.NewExternalProcessorClient(conn), filter)
	if err != nil {
		return err
	}
	gw, err := extproctest.NewGateway(extproctest.GatewayConfig{Envoy: emu, Routes: rs, Logger: log})
	if err != nil {
		return err
	}
	lis, err := net.Listen("tcp", *gatewayAddr)
	if err != nil {
		return fmt.Errorf("listen for the gateway on %s: %w", *gatewayAddr, err)
	}
	hs := &http.Server{Handler: gw, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := hs.Serve(lis); !errors.Is(err, http.ErrServerClosed) {
			log.Error("gateway stopped", "error", err)
			cancel()
		}
	}()
	fmt.Fprintf(stdout, "warden dev: gateway on http://%s (ext_proc %s, admin http://%s)\n", lis.Addr(), addrs.GRPC, addrs.Admin)
	fmt.Fprintf(stdout, "  try: curl -s http://%s/v1/models -H 'host: api.openai.com'   (or --routes FILE)\n", lis.Addr())
	if devTokenFile != "" {
		// The token approves any held action: name its file (0600), never print the token.
		fmt.Fprintf(stdout, "  approvals: DEV approver token in %s (for trying approvals on this machine, not for production; warden serve refuses it):\n"+
			"    warden approvals --admin http://%s --token-file %s\n", devTokenFile, addrs.Admin, devTokenFile)
	}
	<-ctx.Done()
	sctx, scancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer scancel()
	_ = hs.Shutdown(sctx)
	return <-served
}
