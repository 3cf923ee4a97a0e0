package mainlib

import (
	"context"
	"fmt"
	"io"

	"github.com/warden-gw/warden/approval/approvalcli"
	"github.com/warden-gw/warden/audit/auditcli"
	"github.com/warden-gw/warden/cel/policycli"
	"github.com/warden-gw/warden/cel/policydiff"
	"github.com/warden-gw/warden/creds"
	"github.com/warden-gw/warden/extproc"
	"github.com/warden-gw/warden/pipeline"
	"github.com/warden-gw/warden/redact/redactcli"
)

// runCheck is `warden check`: JSON lines in, one decision line out per input (cel/policycli),
// decided by the stages serve runs; --config gives it the configuration's routes and policy.
func runCheck(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	return policycli.CheckWith(checkSetup)(ctx, args, stdin, stdout, stderr)
}

// checkSetup builds, from a configuration file, the router serve would run (without Vault: the
// routes alone name the credential role) and names its policy.
func checkSetup(path string) (extproc.Router, string, error) {
	cfg, err := LoadConfig(path)
	if err != nil {
		return nil, "", err
	}
	r, err := router(cfg)
	return r, cfg.Policy, err
}

// router is the routing stage of a configuration: nil without a vault section.
func router(cfg Config) (extproc.Router, error) {
	if cfg.Vault == nil {
		return nil, nil
	}
	routes, err := creds.NewRoutes(cfg.Vault.Routes)
	if err != nil {
		return nil, fmt.Errorf("vault.routes: %w", err)
	}
	return pipeline.Router{Roles: routes}, nil
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
