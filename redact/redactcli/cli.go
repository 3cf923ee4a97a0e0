// Package redactcli implements `warden redact`: a filter that copies stdin to
// stdout with every secret (and, unless --no-pii, every PII value) replaced,
// keeping the line structure, in bounded memory.
package redactcli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/warden-gw/warden/redact"
)

const usage = `Usage: warden redact [--no-pii] [--findings FILE] < input > output

Copies standard input to standard output with every secret replaced by
[REDACTED:<rule>] and, unless --no-pii is given, every e-mail address, phone
number, payment card, IBAN and US SSN as well. A redaction never adds or
removes a newline. Input is streamed: memory stays bounded for any size.

Flags:
`

const chunkSize = 64 << 10

type findingLine struct {
	Rule  string `json:"rule"`
	Start int    `json:"start"`
	End   int    `json:"end"`
}

// Run executes `warden redact` with args (without the subcommand name).
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("redact", flag.ContinueOnError)
	fs.SetOutput(stderr)
	noPII := fs.Bool("no-pii", false, "redact secrets only, leave personal data")
	findingsPath := fs.String("findings", "", "write one JSON line per finding {rule,start,end} (byte offsets in the input) to `FILE`")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), usage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return fmt.Errorf("redact: %w (see warden redact -h)", err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("redact: unexpected argument %q: input is read from stdin (see warden redact -h)", fs.Arg(0))
	}
	eng, err := redact.New(redact.Config{})
	if err != nil {
		return err
	}
	var opts redact.StreamOptions
	if *noPII {
		opts.Disable = redact.PII
	}
	var findings *bufio.Writer
	var encErr error
	if *findingsPath != "" {
		f, err := os.Create(*findingsPath)
		if err != nil {
			return fmt.Errorf("redact: open findings file: %w", err)
		}
		defer f.Close()
		findings = bufio.NewWriter(f)
		enc := json.NewEncoder(findings)
		opts.OnFinding = func(fd redact.Finding) {
			if encErr == nil {
				encErr = enc.Encode(findingLine{Rule: fd.Rule, Start: fd.Start, End: fd.End})
			}
		}
	}
	if err := copyRedacted(ctx, eng.NewStream(redact.KindText, opts), stdin, stdout); err != nil {
		return err
	}
	if findings != nil {
		if encErr != nil {
			return fmt.Errorf("redact: write findings: %w", encErr)
		}
		if err := findings.Flush(); err != nil {
			return fmt.Errorf("redact: write findings: %w", err)
		}
	}
	return nil
}

func copyRedacted(ctx context.Context, s *redact.Stream, in io.Reader, stdout io.Writer) error {
	out := bufio.NewWriterSize(stdout, chunkSize)
	buf := make([]byte, chunkSize)
	for {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("redact: %w", err)
		}
		n, rerr := in.Read(buf)
		if n > 0 {
			o, err := s.Write(buf[:n])
			if err != nil {
				return fmt.Errorf("redact: %w", err)
			}
			if _, err := out.Write(o); err != nil {
				return fmt.Errorf("redact: write output: %w", err)
			}
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return fmt.Errorf("redact: read input: %w", rerr)
		}
	}
	o, err := s.Close()
	if err != nil {
		return fmt.Errorf("redact: %w", err)
	}
	if _, err := out.Write(o); err != nil {
		return fmt.Errorf("redact: write output: %w", err)
	}
	if err := out.Flush(); err != nil {
		return fmt.Errorf("redact: write output: %w", err)
	}
	return nil
}
