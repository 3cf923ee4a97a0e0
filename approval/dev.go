package approval

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/warden-gw/warden/exchange"
)

// DevApproverSubject is the approver every decision made with the dev approver token is recorded
// under, so that no record can pass it off as a real person's decision.
const DevApproverSubject = "warden-dev-approver"

// NewDevApproverToken returns a fresh random token for the dev approver (Config.DevApprover).
// `warden dev` prints it at start-up; it lives only as long as that process.
func NewDevApproverToken() string { return randomID("wdev_") }

// errNotDevToken: the bearer token is not the dev approver's and no other authenticator is set.
var errNotDevToken = errors.New("no approver authentication accepts this token")

// devAuthenticator accepts the dev approver token as a member of the first approver group and
// hands every other token to next (the configured OIDC verifier, if any).
type devAuthenticator struct {
	token string
	group string
	next  Authenticator
}

func (d devAuthenticator) AuthenticateBearer(ctx context.Context, token string) (exchange.Identity, error) {
	if d.token != "" && subtle.ConstantTimeCompare([]byte(token), []byte(d.token)) == 1 {
		return exchange.Identity{Subject: DevApproverSubject, Groups: []string{d.group}}, nil
	}
	if d.next == nil {
		return exchange.Identity{}, errNotDevToken
	}
	return d.next.AuthenticateBearer(ctx, token)
}

// validateDev refuses a dev approver without a token: only `warden dev` makes one, so
// approval.dev_approver in a `warden serve` configuration stops the start instead of opening the
// approvals API to a token nobody chose.
func (c Config) validateDev() error {
	switch {
	case c.DevApprover && len(c.DevApproverToken) < 16:
		return errors.New("approval.dev_approver is for `warden dev` only (it writes a local approver token to its data folder); " +
			"warden serve refuses it: configure identity or approval.approvers so approvers authenticate with OIDC")
	case !c.DevApprover && c.DevApproverToken != "":
		return errors.New("approval: a dev approver token is set without dev_approver")
	}
	return nil
}

// DevApproverTokenFile is the file under warden's data folder that holds the dev approver token
// while `warden dev` runs, for `warden approvals --token-file`.
const DevApproverTokenFile = "dev-approver-token" //nolint:gosec // G101: a file name, not a credential

// WriteDevApproverToken writes token to dir/DevApproverTokenFile, readable by its owner only, and
// returns the path. A token from an earlier run is replaced: it was only ever valid for that run.
func WriteDevApproverToken(dir, token string) (string, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("dev approver token: %w", err)
	}
	path := filepath.Join(dir, DevApproverTokenFile)
	_ = os.Remove(path) // a file left by another user or with wider permissions is not reused
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", fmt.Errorf("dev approver token: %w", err)
	}
	_, werr := f.WriteString(token + "\n")
	if err := errors.Join(werr, f.Close()); err != nil {
		return "", fmt.Errorf("dev approver token %s: %w", path, err)
	}
	return path, nil
}
