package policycli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/warden-gw/warden/cel/policy"
	"github.com/warden-gw/warden/exchange"
	"github.com/warden-gw/warden/extproc"
	"github.com/warden-gw/warden/pipeline"
)

// maxLine bounds one input line (a request with its body and response).
const maxLine = 64 << 20

// ErrInvalidInput is returned by Check when at least one input line could not be decided.
var ErrInvalidInput = errors.New("invalid input")

// stringsFlag collects a repeated flag.
type stringsFlag []string

func (s *stringsFlag) String() string     { return strings.Join(*s, ",") }
func (s *stringsFlag) Set(v string) error { *s = append(*s, v); return nil }

// loadPolicy loads the named paths, or the embedded default pack when there are none.
func loadPolicy(paths []string) (*policy.Set, error) {
	if len(paths) == 0 {
		return policy.Default()
	}
	return policy.Load(paths...)
}

// Setup builds the stages `warden check --config FILE` runs besides the policy from a warden
// configuration file: the router that gives a request its creds.role, and the policy path the
// configuration names ("" for the embedded pack). cmd/warden provides it; without it --config is
// not offered.
type Setup func(configPath string) (route extproc.Router, policyPath string, err error)

// Check is `warden check` without a configuration file (CheckWith(nil)).
func Check(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	return CheckWith(nil)(ctx, args, stdin, stdout, stderr)
}

// CheckWith returns `warden check [--config FILE] [--policy PATH]...`: it reads JSON lines from stdin, each
// {"request": {...}, "response"?: {...}, "identity"?: {...}}, and writes one line per non-blank
// input line: {"action", "rule", "reason", "shadow"}. A line that cannot be read still gets its
// output line, {"action":"deny","rule":"","reason":"invalid input: ...","shadow":false}, so
// that line N of the output always answers line N of the input; Check then returns
// ErrInvalidInput after the last line. Blank lines are skipped.
//
// Each line is decided by pipeline.Check with the stages `warden serve` runs: the router of the
// configuration (creds.role), inspection, the policy; the identity is the input's.
func CheckWith(setup Setup) func(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	return func(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
		return check(ctx, setup, args, stdin, stdout, stderr)
	}
}

func check(ctx context.Context, setup Setup, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var policies stringsFlag
	fs.Var(&policies, "policy", "policy file or folder (repeatable; default: the configuration's, else the embedded pack)")
	config := new(string)
	if setup != nil {
		config = fs.String("config", "", "warden configuration `FILE`: its vault routes give requests their creds.role, its policy is the default")
	}
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: warden check [--config FILE] [--policy PATH]... < inputs.jsonl")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("check takes no arguments, got %q: inputs come on stdin", fs.Args())
	}
	pipe := extproc.Pipeline{Inspect: pipeline.Inspector{}}
	if *config != "" {
		route, policyPath, err := setup(*config)
		if err != nil {
			return err
		}
		pipe.Route = route
		if len(policies) == 0 && policyPath != "" {
			policies = stringsFlag{policyPath}
		}
	}
	ps, err := loadPolicy(policies)
	if err != nil {
		return fmt.Errorf("load policy: %w", err)
	}
	pipe.Policy = ps
	sc := bufio.NewScanner(stdin)
	sc.Buffer(make([]byte, 0, 64<<10), maxLine)
	out := bufio.NewWriter(stdout)
	defer out.Flush()
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	bad, n := 0, 0
	for sc.Scan() {
		n++
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		o, err := checkLine(ctx, pipe, line)
		if err != nil {
			bad++
			fmt.Fprintf(stderr, "warden check: line %d: %v\n", n, err)
			o = Output{Action: exchange.Deny, Reason: "invalid input: " + err.Error()}
		}
		if err := enc.Encode(o); err != nil {
			return fmt.Errorf("write decision: %w", err)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read input line %d: %w (lines are limited to %d bytes)", n+1, err, maxLine)
	}
	if bad > 0 {
		return fmt.Errorf("%w: %d of %d lines could not be decided (see stderr)", ErrInvalidInput, bad, n)
	}
	return nil
}

func checkLine(ctx context.Context, pipe extproc.Pipeline, line []byte) (Output, error) {
	x, err := ParseInput(line)
	if err != nil {
		return Output{}, err
	}
	d := pipeline.Check(ctx, pipe, x, x.Response.Status != 0)
	return outputOf(x, d), nil
}
