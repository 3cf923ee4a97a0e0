package mainlib

import (
	"context"
	"io"

	"github.com/warden-gw/warden/approval/approvalcli"
	"github.com/warden-gw/warden/audit/auditcli"
	"github.com/warden-gw/warden/cel/policycli"
	"github.com/warden-gw/warden/cel/policydiff"
	"github.com/warden-gw/warden/redact/redactcli"
)

// runCheck is `warden check`: JSON lines in, one decision line out per input (cel/policycli).
func runCheck(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	return policycli.Check(ctx, args, stdin, stdout, stderr)
}

// runPolicy is `warden policy test|lint` (cel/policycli) and `warden policy diff` (cel/policydiff).
func runPolicy(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "diff" {
		return policydiff.Run(ctx, args[1:], stdin, stdout, stderr)
	}
	return policycli.Policy(ctx, args, stdin, stdout, stderr)
}

// runAudit is `warden audit verify|tail|replay|export` (audit/auditcli).
func runAudit(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	return auditcli.Run(ctx, args, stdin, stdout, stderr)
}

// runRedact is `warden redact` (redact/redactcli).
func runRedact(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	return redactcli.Run(ctx, args, stdin, stdout, stderr)
}

// runApprovals is `warden approvals|approve|deny`, talking to the admin API (approval/approvalcli).
func runApprovals(sub string) func(context.Context, []string, io.Reader, io.Writer, io.Writer) error {
	return func(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
		return approvalcli.Run(ctx, append([]string{sub}, args...), stdin, stdout, stderr)
	}
}
