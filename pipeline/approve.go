package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/warden-gw/warden/approval"
	"github.com/warden-gw/warden/exchange"
	"github.com/warden-gw/warden/extproc"
)

// ApprovalService is what the approval stage needs from approval.Service.
type ApprovalService interface {
	// Consume lets an approved action through once (or within its window).
	Consume(ctx context.Context, k approval.Key) (approval.Approval, bool)
	// Request creates an approval request, or returns the open one with the same digest.
	Request(ctx context.Context, x *exchange.Exchange, d exchange.Decision) (approval.Approval, error)
	// Wait blocks until the approval leaves pending or ctx ends.
	Wait(ctx context.Context, id string) (approval.Status, error)
	// Get returns the approval's current state.
	Get(id string) (approval.Approval, bool)
}

// ApprovalHistory lists the approvals of one action the store still keeps
// (approval.Store.ByDigest), decided ones included, so that a retry of a denied action learns the
// denial without walking the approvals of every other action.
type ApprovalHistory interface {
	ByDigest(digest string) []approval.Approval
}

// ErrApprovalStore is what the agent gets when its approval cannot be requested.
var ErrApprovalStore = &extproc.Reject{
	Status: 503, Code: "approval_store_unavailable",
	Reason: "this action needs a human approval, and approvals cannot be requested right now (the approval store is unavailable); retry later",
}

// Approvals is the approval stage. A require_approval decision of the request phase becomes:
//   - allow, when a human approved this action (same digest) and the approval is still usable;
//   - deny "denied by X: note", when the last approval of this action was denied — the retry
//     learns the answer and opens no new request;
//   - otherwise an approval request; with Hold set, the request is held in flight (Envoy is
//     asked for a longer message timeout) while a human decides, and released as approved or
//     refused as denied/expired; without it (or when it cannot be held) the agent gets 403 with
//     the approval id and retries once approved.
//
// A released request names its approver in Decision.ApprovedBy and in the reason, so every
// record of that exchange says who let it through.
type Approvals struct {
	Service ApprovalService
	History ApprovalHistory // nil: denials are not looked up (a retry opens a new request)
	// Hold is how long a request may be held in flight for a decision (0: answer at once).
	Hold time.Duration
	// Budget bounds the store writes (consume, request) of one message: they happen before
	// Envoy is asked to hold the request, under its plain message timeout (extproc.StageBudget).
	Budget time.Duration
	Logger *slog.Logger
	// Digest identifies the action (approval.KeyOf when nil, which also finds the approvals
	// replicas from before the issuer binding opened for the same issuer).
	Digest func(*exchange.Exchange) string
}

var _ extproc.Approver = (*Approvals)(nil)

// Resolve implements extproc.Approver.
func (a *Approvals) Resolve(ctx context.Context, x *exchange.Exchange, d exchange.Decision, hold func(time.Duration) (time.Duration, bool)) (exchange.Decision, error) {
	key := a.key(x)
	sctx, cancel := ctx, context.CancelFunc(func() {})
	if a.Budget > 0 {
		sctx, cancel = context.WithTimeout(ctx, a.Budget)
	}
	if ap, ok := a.Service.Consume(sctx, key); ok {
		cancel()
		return approved(d, ap), nil
	}
	if ap, ok := a.lastDenied(key); ok {
		cancel()
		return denied(d, ap), nil
	}
	ap, err := a.Service.Request(sctx, x, d)
	cancel()
	if err != nil {
		if errors.Is(err, approval.ErrStoreUnavailable) || errors.Is(err, context.DeadlineExceeded) {
			a.logger().Error("approval request not stored; refusing with 503", "request_id", x.ID, "error", err)
			d.Code = exchange.CodeApprovalUnavailable
			return d, ErrApprovalStore
		}
		a.logger().Error("approval request not created; the action stays blocked", "request_id", x.ID, "error", err)
		return d, nil
	}
	d.ApprovalID = ap.ID
	if a.Hold <= 0 {
		return d, nil
	}
	wait, ok := hold(a.Hold)
	if !ok {
		return d, nil
	}
	return a.wait(ctx, d, ap.ID, key, wait), nil
}

// wait holds the request until the approval is decided, a little before Envoy's extended timer
// runs out.
func (a *Approvals) wait(ctx context.Context, d exchange.Decision, id string, key approval.Key, wait time.Duration) exchange.Decision {
	wctx, cancel := context.WithTimeout(ctx, wait-wait/20)
	defer cancel()
	st, err := a.Service.Wait(wctx, id)
	if err != nil {
		return d // still pending: 403 with the approval id
	}
	switch st {
	case approval.Approved:
		if ap, ok := a.Service.Consume(ctx, key); ok {
			return approved(d, ap)
		}
	case approval.Denied:
		if ap, ok := a.Service.Get(id); ok {
			return denied(d, ap)
		}
		d.Action, d.Code, d.Reason = exchange.Deny, exchange.CodeApprovalDenied, fmt.Sprintf("approval %s was denied: %s", id, d.Reason)
	case approval.Expired:
		d.Action, d.Code, d.Reason = exchange.Deny, exchange.CodeApprovalExpired, fmt.Sprintf("approval %s expired before anyone decided: %s", id, d.Reason)
	}
	return d
}

// Lookup answers a require_approval decision from the approvals already known, without side
// effects (no request opened, no use recorded, nothing held): what Resolve would start from.
// `warden check` and other dry runs use it (Check).
func (a *Approvals) Lookup(x *exchange.Exchange, d exchange.Decision) exchange.Decision {
	ap, ok := a.last(a.key(x))
	if !ok {
		return d
	}
	switch ap.Status {
	case approval.Approved:
		return approved(d, ap)
	case approval.Denied:
		return denied(d, ap)
	case approval.Pending:
		d.ApprovalID = ap.ID
	}
	return d
}

// lastDenied returns the newest approval of this action when it was denied.
func (a *Approvals) lastDenied(key approval.Key) (approval.Approval, bool) {
	ap, ok := a.last(key)
	return ap, ok && ap.Status == approval.Denied
}

// last returns the newest approval of this action the history keeps. Only requests that stand
// for themselves count: a status other than pending, approved, denied, expired or used (a twin
// closed in favour of another request) is skipped, so the decision it defers to is found.
func (a *Approvals) last(key approval.Key) (approval.Approval, bool) {
	if a.History == nil {
		return approval.Approval{}, false
	}
	var last approval.Approval
	found := false
	for _, ap := range key.Select(a.History.ByDigest) {
		if key.Matches(ap) && standsAlone(ap.Status) && (!found || ap.Created.After(last.Created)) {
			last, found = ap, true
		}
	}
	return last, found
}

func standsAlone(s approval.Status) bool {
	switch s {
	case approval.Pending, approval.Approved, approval.Denied, approval.Expired, approval.Used:
		return true
	}
	return false
}

func approved(d exchange.Decision, ap approval.Approval) exchange.Decision {
	d.Action, d.Code, d.ApprovalID, d.ApprovedBy = exchange.Allow, exchange.CodeApproved, ap.ID, ap.DecidedBy
	d.Reason = fmt.Sprintf("approved by %s (approval %s): %s", orSomeone(ap.DecidedBy), ap.ID, d.Reason)
	return d
}

func denied(d exchange.Decision, ap approval.Approval) exchange.Decision {
	d.Action, d.Code, d.ApprovalID, d.ApprovedBy = exchange.Deny, exchange.CodeApprovalDenied, ap.ID, ap.DecidedBy
	note := ap.Note
	if note == "" {
		note = "no note given"
	}
	d.Reason = fmt.Sprintf("denied by %s (approval %s): %s", orSomeone(ap.DecidedBy), ap.ID, note)
	return d
}

func orSomeone(who string) string {
	if who == "" {
		return "an approver"
	}
	return who
}

func (a *Approvals) key(x *exchange.Exchange) approval.Key {
	if a.Digest != nil {
		return approval.DigestKey(a.Digest(x))
	}
	return approval.KeyOf(x)
}

func (a *Approvals) logger() *slog.Logger {
	if a.Logger != nil {
		return a.Logger
	}
	return slog.Default()
}
