// Package xdscli is `warden xds`: it runs warden's xDS control plane, which programs Envoy
// gateways (over ADS) to send every request through warden, or with --check only validates a
// gateways file.
package xdscli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/warden-gw/warden/xds"
)

const usage = `usage: warden xds --config FILE [--listen ADDR] [--poll DURATION]
       warden xds --config FILE --check

Serves the gateways in FILE over xDS (ADS, LDS, RDS, CDS) to Envoy nodes whose node id or
cluster matches a gateway's "node". FILE is re-read every --poll; an invalid version is logged
and refused, and the configuration in force stays. See xds/README.md for the file format.

Flags:
`

// Run executes `warden xds` with args (without the subcommand name). It serves until ctx is
// done. Logs go to stderr; --check prints a summary to stdout.
func Run(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("xds", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg := fs.String("config", "", "gateways `FILE` (YAML)")
	listen := fs.String("listen", "127.0.0.1:18000", "xDS gRPC listen `ADDR`; use an address only Envoys can reach")
	poll := fs.Duration("poll", time.Second, "how often FILE is re-read (0 turns reloading off)")
	check := fs.Bool("check", false, "validate FILE as the server would, print its gateways and exit")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), usage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return fmt.Errorf("xds: %w (see warden xds -h)", err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("xds: unexpected argument %q (see warden xds -h)", fs.Arg(0))
	}
	if *cfg == "" {
		return errors.New("xds: --config is required: the gateways file (see xds/README.md)")
	}
	if *check {
		return runCheck(*cfg, stdout)
	}
	interval := *poll
	if interval == 0 {
		interval = -1
	}
	s, err := xds.NewServer(xds.Options{
		ConfigPath:   *cfg,
		ListenAddr:   *listen,
		PollInterval: interval,
		Logger:       slog.New(slog.NewTextHandler(stderr, nil)),
	})
	if err != nil {
		return err
	}
	if err := s.Start(ctx); err != nil {
		return err
	}
	<-ctx.Done()
	return s.Stop()
}

func runCheck(path string, stdout io.Writer) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("xds: read gateways file: %w", err)
	}
	c, err := xds.ParseConfig(data)
	if err != nil {
		return fmt.Errorf("xds: %s: %w", path, err)
	}
	snaps, err := xds.BuildSnapshots(c)
	if err != nil {
		return fmt.Errorf("xds: %s: %w", path, err)
	}
	for _, g := range c.Gateways {
		fmt.Fprintf(stdout, "gateway %s: port %d, %d routes, %d clusters + warden (%d replicas), version %s\n",
			g.Node, g.ListenPort, len(g.Routes), len(g.Clusters), len(c.Warden.Addresses),
			snaps[g.Node].GetVersion(xds.ListenerTypeURL))
	}
	return nil
}
