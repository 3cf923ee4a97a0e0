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
func loadPolicy(paths []string) (*policy.PolicySet, error) {
	if len(paths) == 0 {
		return policy.Default()
	}
	return policy.Load(paths...)
}

// Check is `warden check [--policy PATH]...`: it reads JSON lines from stdin, each
// {"request": {...}, "response"?: {...}, "identity"?: {...}}, and writes one line per non-blank
// input line: {"action", "rule", "reason", "shadow"}. A line that cannot be read still gets its
// output line, {"action":"deny","rule":"","reason":"invalid input: ...","shadow":false}, so
// that line N of the output always answers line N of the input; Check then returns
// ErrInvalidInput after the last line. Blank lines are skipped.
func Check(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var policies stringsFlag
	fs.Var(&policies, "policy", "policy file or folder (repeatable; default: the embedded pack)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: warden check [--policy PATH]... < inputs.jsonl")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("check takes no arguments, got %q: inputs come on stdin", fs.Args())
	}
	ps, err := loadPolicy(policies)
	if err != nil {
		return fmt.Errorf("load policy: %w", err)
	}
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
		o, err := checkLine(ctx, ps, line)
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

func checkLine(ctx context.Context, ps *policy.PolicySet, line []byte) (Output, error) {
	x, err := ParseInput(line)
	if err != nil {
		return Output{}, err
	}
	d := Decide(ctx, ps, x, x.Response.Status != 0)
	return outputOf(x, d), nil
}
