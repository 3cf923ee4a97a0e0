package mainlib

import (
	"context"
	"io"

	"github.com/warden-gw/warden/cel/policycli"
)

// runCheck is `warden check`: JSON lines in, one decision line out per input (cel/policycli).
func runCheck(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	return policycli.Check(ctx, args, stdin, stdout, stderr)
}

// runPolicy is `warden policy test|lint`.
func runPolicy(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	return policycli.Policy(ctx, args, stdin, stdout, stderr)
}
