// Package mainlib is the warden command: subcommand dispatch, configuration, and the wiring of
// the ext_proc pipeline from the packages that implement its stages.
package mainlib

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/warden-gw/warden/xds/xdscli"
)

// Version is set at build time with -ldflags "-X .../mainlib.Version=…".
var Version = "dev"

// ErrUsage marks a command line that could not be understood; the usage text was printed.
var ErrUsage = errors.New("usage")

// exitError carries a specific exit code (e.g. 1 for "verification failed") without a message
// of its own.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// ExitCode maps an error returned by Main to a process exit code.
func ExitCode(err error) int {
	var ee *exitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		return ee.code
	case errors.Is(err, ErrUsage), errors.Is(err, flag.ErrHelp):
		return 2
	default:
		return 1
	}
}

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error
}

func commands() []command {
	return []command{
		{"serve", "run the ext_proc gRPC server (embedded defaults without flags)", runServe},
		{"dev", "run warden plus a local gateway that drives it exactly as Envoy would", runDev},
		{"check", "decide JSON-lines requests with the policies (one decision line per input)", runCheck},
		{"policy", "test, lint or diff policies (warden policy test|lint|diff …)", runPolicy},
		{"redact", "copy stdin to stdout with every secret and PII value replaced", runRedact},
		{"audit", "verify, tail, replay or export the audit trail", runAudit},
		{"approvals", "list the approval requests waiting for a human", runApprovals("approvals")},
		{"approve", "approve a pending approval request: warden approve ID [--note N]", runApprovals("approve")},
		{"deny", "deny a pending approval request: warden deny ID [--note N]", runApprovals("deny")},
		{"certs", "write a development CA and mTLS certificates for warden and Envoy (docs/tls.md)", runCerts},
		{"xds", "run the xDS control plane that programs Envoy gateways to use warden", xdscli.Run},
		{"version", "print the version", func(_ context.Context, _ []string, _ io.Reader, stdout, _ io.Writer) error {
			_, err := fmt.Fprintln(stdout, "warden", Version)
			return err
		}},
	}
}

// Main runs the warden command line.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stdout)
		if len(args) == 0 {
			return fmt.Errorf("%w: name a command", ErrUsage)
		}
		return nil
	}
	for _, c := range commands() {
		if c.name == args[0] {
			err := c.run(ctx, args[1:], stdin, stdout, stderr)
			if errors.Is(err, flag.ErrHelp) {
				return nil // -h printed the command's usage
			}
			return err
		}
	}
	usage(stderr)
	return fmt.Errorf("%w: unknown command %q", ErrUsage, args[0])
}

func usage(w io.Writer) {
	var b strings.Builder
	b.WriteString("warden governs what AI agents do through Envoy (ext_proc).\n\nUsage: warden COMMAND [flags]\n\nCommands:\n")
	for _, c := range commands() {
		fmt.Fprintf(&b, "  %-8s %s\n", c.name, c.summary)
	}
	b.WriteString("\nRun 'warden COMMAND -h' for a command's flags.\n")
	_, _ = io.WriteString(w, b.String())
}

// parseFlags parses a subcommand's flags; a bad flag is a usage error (the flag package already
// printed the usage).
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %w", ErrUsage, err)
	}
	return nil
}
