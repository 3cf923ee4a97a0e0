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

	"github.com/warden-gw/warden/internal/tlsconf"
	"github.com/warden-gw/warden/xds"
)

const usage = `usage: warden xds --config FILE [--listen ADDR] [--poll DURATION]
                  [--tls-cert FILE --tls-key FILE --tls-client-ca FILE --tls-allow ID...]
       warden xds --config FILE --check

Serves the gateways in FILE over xDS (ADS, LDS, RDS, CDS) to Envoy nodes whose node id or
cluster matches a gateway's "node". FILE is re-read every --poll; an invalid version is logged
and refused, and the configuration in force stays. See xds/README.md for the file format.

Envoys authenticate with client certificates (--tls-*; only the --tls-allow identities may
connect). Without TLS, --listen must be a loopback address or unix:///path unless
--insecure-plaintext is given. See docs/tls.md.

Flags:
`

// Run executes `warden xds` with args (without the subcommand name). It serves until ctx is
// done. Logs go to stderr; --check prints a summary to stdout.
func Run(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("xds", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg := fs.String("config", "", "gateways `FILE` (YAML)")
	listen := fs.String("listen", "127.0.0.1:18000", "xDS gRPC listen `ADDR` (host:port or unix:///path); use an address only Envoys can reach")
	tc := &tlsconf.Config{}
	fs.StringVar(&tc.CertFile, "tls-cert", "", "xDS server certificate `FILE` (PEM)")
	fs.StringVar(&tc.KeyFile, "tls-key", "", "its key `FILE` (PEM)")
	fs.StringVar(&tc.ClientCAFile, "tls-client-ca", "", "CA `FILE` that signs the Envoys' client certificates")
	fs.Func("tls-allow", "`ID` allowed to connect: a spiffe:// ID or a subject DN (repeatable)", func(v string) error {
		tc.AddAllowed(v)
		return nil
	})
	insecurePlain := fs.Bool("insecure-plaintext", false, "allow plaintext on a non-loopback --listen (only behind a sidecar that authenticates)")
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
	var serverTLS *tlsconf.Config
	if tc.CertFile != "" || tc.KeyFile != "" || tc.ClientCAFile != "" || len(tc.AllowedSPIFFEIDs)+len(tc.AllowedSubjects) > 0 {
		serverTLS = tc
	}
	s, err := xds.NewServer(xds.Options{
		ConfigPath:        *cfg,
		ListenAddr:        *listen,
		PollInterval:      interval,
		Logger:            slog.New(slog.NewTextHandler(stderr, nil)),
		TLS:               serverTLS,
		InsecurePlaintext: *insecurePlain,
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
