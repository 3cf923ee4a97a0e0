package policydiff

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/warden-gw/warden/audit"
	"github.com/warden-gw/warden/audit/kafka"
	"github.com/warden-gw/warden/audit/spool"
	"github.com/warden-gw/warden/cel/policy"
	"github.com/warden-gw/warden/internal/kafkaconn"
)

// ErrUsage marks command-line mistakes.
var ErrUsage = errors.New("usage")

const usage = `usage: warden policy diff --policy PATH [--policy PATH]... SOURCE [--json] [--html FILE]

Re-decides recorded exchanges with the candidate policies at PATH and prints what changes:
counts per (old -> new) decision, and every changed exchange with its old and new rule.

SOURCE is one of:
  --dir SPOOL                 an audit spool folder (audit.dir)
  --bundle FILE               an evidence bundle ('warden audit export'; '-' for stdin)
  --brokers B [--topic T]     the Kafka audit topic
  --input FILE                JSON lines in the 'warden check' format ('-' for stdin); the old
                              side is decided with --base PATH (default: the embedded pack)
`

// stringsFlag is a flag that may be given more than once.
type stringsFlag []string

func (s *stringsFlag) String() string { return strings.Join(*s, ",") }
func (s *stringsFlag) Set(v string) error {
	if v == "" {
		return errors.New("empty path")
	}
	*s = append(*s, v)
	return nil
}

type options struct {
	policies, base                  stringsFlag
	dir, bundle, brokers, topic, in string
	asJSON                          bool
	htmlPath                        string
	read                            int // audit entries read from --dir, --bundle or --brokers
}

func parseArgs(args []string, stderr io.Writer) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("warden policy diff", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usage) }
	fs.Var(&o.policies, "policy", "candidate policy file or folder (repeatable, required)")
	fs.Var(&o.base, "base", "with --input: the policies of the old side (default: the embedded pack)")
	fs.StringVar(&o.dir, "dir", "", "audit spool folder")
	fs.StringVar(&o.bundle, "bundle", "", "evidence bundle ('-' for stdin)")
	fs.StringVar(&o.brokers, "brokers", "", "Kafka brokers, comma separated")
	fs.StringVar(&o.topic, "topic", "warden.audit", "Kafka topic")
	fs.StringVar(&o.in, "input", "", "JSON lines in the 'warden check' format ('-' for stdin)")
	fs.BoolVar(&o.asJSON, "json", false, "print the result as one JSON document")
	fs.StringVar(&o.htmlPath, "html", "", "also write a self-contained HTML page to this file")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, fmt.Errorf("%w: %w", ErrUsage, err)
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("%w: unexpected argument %q", ErrUsage, fs.Arg(0))
	}
	if len(o.policies) == 0 {
		return nil, fmt.Errorf("%w: --policy PATH (the candidate policies) is required", ErrUsage)
	}
	n := 0
	for _, v := range []string{o.dir, o.bundle, o.brokers, o.in} {
		if v != "" {
			n++
		}
	}
	if n != 1 {
		return nil, fmt.Errorf("%w: give exactly one of --dir, --bundle, --brokers or --input", ErrUsage)
	}
	if len(o.base) > 0 && o.in == "" {
		return nil, fmt.Errorf("%w: --base applies to --input only (records carry their own old decision)", ErrUsage)
	}
	return o, nil
}

// Run is `warden policy diff`. args excludes "warden policy diff". It returns nil when the
// diff ran, whatever it found.
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	o, err := parseArgs(args, stderr)
	if err != nil {
		return err
	}
	ps, err := policy.Load(o.policies...)
	if err != nil {
		return fmt.Errorf("candidate policy: %w", err)
	}
	d := New(ctx, ps, Options{Dedup: o.brokers != ""})
	if err := o.feed(ctx, d, stdin, stderr); err != nil {
		return err
	}
	if o.in == "" && o.read == 0 { // a wrong folder or topic is not "nothing would change"
		return fmt.Errorf("%w in %s", audit.ErrNoEntries, o.source())
	}
	res := d.Result()
	if o.asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(res); err != nil {
			return err
		}
	} else {
		WriteText(stdout, res, o.policies)
	}
	if o.htmlPath != "" {
		if err := writeFile(o.htmlPath, func(w io.Writer) error { return WriteHTML(w, res, o.policies) }); err != nil {
			return err
		}
		if !o.asJSON {
			fmt.Fprintf(stdout, "page written to %s\n", o.htmlPath)
		}
	}
	return nil
}

// feed reads the source into d.
func (o *options) feed(ctx context.Context, d *Differ, stdin io.Reader, stderr io.Writer) error {
	switch {
	case o.dir != "":
		return spool.ScanAll(o.dir, func(e spool.Entry) error {
			o.read++
			d.Add(e.Payload)
			return ctx.Err()
		}, func(ce *spool.CorruptError) {
			d.res.Skipped[SkipUnreadable]++
			fmt.Fprintf(stderr, "policy diff: %s@%d: %s (the rest of this segment is unreadable)\n", ce.Segment, ce.Offset, ce.Reason)
		})
	case o.bundle != "":
		r, closeFn, err := open(o.bundle, stdin)
		if err != nil {
			return err
		}
		defer closeFn()
		entries, _, _, err := audit.ReadBundle(r)
		if err != nil {
			return err
		}
		for _, e := range entries {
			d.Add(e.Payload)
		}
		o.read += len(entries)
		return nil
	case o.brokers != "":
		var b []string
		for _, x := range strings.Split(o.brokers, ",") {
			if x = strings.TrimSpace(x); x != "" {
				b = append(b, x)
			}
		}
		cfg := kafka.Config{Settings: kafkaconn.Settings{Brokers: b}, Topic: o.topic}
		return kafka.ReadAll(ctx, cfg, func(c kafka.Consumed) error {
			o.read++
			d.Add(c.Value)
			return nil
		})
	}
	return o.feedCheck(d, stdin, stderr)
}

// source names the audit source for messages.
func (o *options) source() string {
	switch {
	case o.dir != "":
		return "spool " + o.dir
	case o.bundle != "":
		return "bundle " + o.bundle
	}
	return fmt.Sprintf("topic %s on %s (check --topic)", o.topic, o.brokers)
}

// feedCheck reads `warden check` lines; a line that does not parse is reported and skipped.
func (o *options) feedCheck(d *Differ, stdin io.Reader, stderr io.Writer) error {
	var base *policy.Set
	var err error
	if len(o.base) > 0 {
		base, err = policy.Load(o.base...)
	} else {
		base, err = policy.Default()
	}
	if err != nil {
		return fmt.Errorf("base policy: %w", err)
	}
	r, closeFn, err := open(o.in, stdin)
	if err != nil {
		return err
	}
	defer closeFn()
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 64<<20)
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		if err := d.AddCheckLine(base, n, line); err != nil {
			fmt.Fprintf(stderr, "policy diff: line %d: %v (skipped)\n", n, err)
		}
	}
	return sc.Err()
}

func open(path string, stdin io.Reader) (io.Reader, func(), error) {
	if path == "-" {
		return stdin, func() {}, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("open %s: %w", path, err)
	}
	return f, func() { _ = f.Close() }, nil
}

func writeFile(path string, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	err = write(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
