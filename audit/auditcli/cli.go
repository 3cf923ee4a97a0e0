// Package auditcli implements `warden audit verify|tail|replay|export`: checking, following,
// replaying and exporting warden's audit trail from a spool folder, an evidence bundle or the
// Kafka topic.
package auditcli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/warden-gw/warden/audit"
	"github.com/warden-gw/warden/audit/kafka"
	"github.com/warden-gw/warden/audit/spool"
	"github.com/warden-gw/warden/internal/kafkaconn"
)

// ErrVerifyFailed is returned by verify when the trail is not intact (exit status non-zero).
var ErrVerifyFailed = errors.New("audit verification failed")

// ErrUsage marks command-line mistakes.
var ErrUsage = errors.New("usage")

const usage = `usage: warden audit <command> [flags]

commands:
  verify   check hash chains and signed checkpoints (--dir, --bundle, or --brokers/--topic)
  tail     follow the Kafka topic (--brokers, --topic; --json for raw records)
  replay   print one session's timeline (--session ID; --html FILE for a page)
  sessions list the sessions in the trail, most recent first (ids for replay --session)
  report   verify, then write an HTML evidence report of a period (--from, --to, --html FILE)
  export   write a signed evidence bundle for a period (--from, --to, --key or --vault-transit, --out)

run 'warden audit <command> -h' for the flags of a command.
`

// Run executes one audit subcommand. args excludes "warden audit".
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("%w: missing command", ErrUsage)
	}
	switch args[0] {
	case "verify":
		return runVerify(ctx, args[1:], stdin, stdout, stderr)
	case "tail":
		return runTail(ctx, args[1:], stdout, stderr)
	case "replay":
		return runReplay(ctx, args[1:], stdin, stdout, stderr)
	case "sessions":
		return runSessions(ctx, args[1:], stdin, stdout, stderr)
	case "report":
		return runReport(ctx, args[1:], stdin, stdout, stderr)
	case "export":
		return runExport(ctx, args[1:], stdout, stderr)
	case "-h", "--help", "help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("%w: unknown command %q", ErrUsage, args[0])
}

// source names where entries come from.
type source struct {
	dir     string
	bundle  string
	brokers string
	topic   string
}

func (s *source) register(fs *flag.FlagSet) {
	fs.StringVar(&s.dir, "dir", "", "spool folder (audit.dir)")
	fs.StringVar(&s.bundle, "bundle", "", "evidence bundle written by 'warden audit export' ('-' for stdin)")
	fs.StringVar(&s.brokers, "brokers", "", "Kafka brokers, comma separated")
	fs.StringVar(&s.topic, "topic", "warden.audit", "Kafka topic")
}

func (s *source) check() error {
	n := 0
	for _, v := range []string{s.dir, s.bundle, s.brokers} {
		if v != "" {
			n++
		}
	}
	if n != 1 {
		return fmt.Errorf("%w: give exactly one of --dir, --bundle or --brokers", ErrUsage)
	}
	return nil
}

// String names the source for messages: "spool DIR", "bundle FILE" or "topic T on BROKERS".
func (s *source) String() string {
	switch {
	case s.dir != "":
		return "spool " + s.dir
	case s.bundle != "":
		return "bundle " + s.bundle
	}
	return fmt.Sprintf("topic %s on %s (check --topic)", s.topic, strings.Join(s.kafka().Brokers, ","))
}

func (s *source) kafka() kafka.Config {
	var b []string
	for _, x := range strings.Split(s.brokers, ",") {
		if x = strings.TrimSpace(x); x != "" {
			b = append(b, x)
		}
	}
	return kafka.Config{Settings: kafkaconn.Settings{Brokers: b}, Topic: s.topic}
}

// load reads every entry from the source. A corrupt spool frame ends the read of its segment and
// becomes an entry with Err set, so that verify reports it in place and still checks the rest.
func (s *source) load(ctx context.Context, stdin io.Reader) (entries []audit.Entry, err error) {
	switch {
	case s.dir != "":
		err = spool.ScanAll(s.dir, func(e spool.Entry) error {
			entries = append(entries, audit.Entry{Pos: e.Pos(), Payload: append([]byte(nil), e.Payload...)})
			return nil
		}, func(ce *spool.CorruptError) {
			entries = append(entries, audit.Entry{
				Pos: fmt.Sprintf("%s@%d", ce.Segment, ce.Offset),
				Err: ce.Reason + " (the rest of this segment is unreadable)",
			})
		})
		return entries, err
	case s.bundle != "":
		r, closeFn, err := openInput(s.bundle, stdin)
		if err != nil {
			return nil, err
		}
		defer closeFn()
		entries, _, _, err = audit.ReadBundle(r)
		return entries, err
	}
	err = kafka.ReadAll(ctx, s.kafka(), func(c kafka.Consumed) error {
		entries = append(entries, audit.Entry{Pos: c.Pos(), Payload: c.Value})
		return nil
	})
	return entries, err
}

func openInput(path string, stdin io.Reader) (io.Reader, func(), error) {
	if path == "-" {
		return stdin, func() {}, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("open %s: %w", path, err)
	}
	return f, func() { _ = f.Close() }, nil
}

// pathList is a flag that may be given more than once.
type pathList []string

func (p *pathList) String() string { return strings.Join(*p, ",") }

func (p *pathList) Set(v string) error {
	if v == "" {
		return errors.New("empty path")
	}
	*p = append(*p, v)
	return nil
}

// publicKeys loads every key of every --pubkey file into one keyring or, without --pubkey, for
// a spool folder its checkpoint.key.pub when present. It returns the files read.
func publicKeys(paths []string, dir string) (*audit.Keyring, []string, error) {
	if len(paths) == 0 && dir != "" {
		def := filepath.Join(dir, "checkpoint.key.pub")
		if _, err := os.Stat(def); err == nil {
			paths = []string{def}
		}
	}
	if len(paths) == 0 {
		return nil, nil, nil
	}
	ring := audit.NewKeyring()
	for _, p := range paths {
		keys, err := audit.LoadPublicKeys(p)
		if err != nil {
			return nil, nil, err
		}
		for _, k := range keys {
			ring.Add(k)
		}
	}
	return ring, paths, nil
}

func newFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("warden audit "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %w", ErrUsage, err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q", ErrUsage, fs.Arg(0))
	}
	return nil
}
