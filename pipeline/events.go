package pipeline

import (
	"context"
	"log/slog"
	"time"

	"github.com/warden-gw/warden/approval"
	"github.com/warden-gw/warden/audit"
	"github.com/warden-gw/warden/exchange"
)

// Events writes the audit records of what is not an HTTP exchange: every step of an approval's
// life (requested, approved or denied by whom, refused, expired, used) and the end of an agent
// session, in the same hash chain as the exchanges, correlated by approval or session id.
type Events struct {
	Log    RecordWriter // nil: events are not recorded
	Logger *slog.Logger
	now    func() time.Time
}

// Approval records one approval step; it is approval.WithEvents' callback. A record that cannot
// be written is logged: the approval step itself already happened.
func (e Events) Approval(ctx context.Context, ev approval.Event) {
	if err := e.record(ctx, approvalExchange(ev, e.clock())); err != nil {
		e.logger().Error("approval step not audited", "approval", ev.Approval.ID, "step", ev.Kind, "error", err)
	}
}

// SessionEnded records the closing record of an agent session.
func (e Events) SessionEnded(ctx context.Context, session string) error {
	now := e.clock()
	return e.record(ctx, &exchange.Exchange{
		ID: "session-end-" + session, Start: now, End: now,
		Identity:    exchange.Identity{Session: session},
		Disposition: exchange.Allowed,
		Event:       exchange.EventSessionEnded,
	})
}

func (e Events) record(ctx context.Context, x *exchange.Exchange) error {
	if e.Log == nil {
		return nil
	}
	// The audit record shows the event kind where it shows error codes until the audit log
	// reads x.Event itself (audit.Log.RecordEvent); this is the one place that maps it.
	x.ErrorCode = string(x.Event)
	return e.Log.Record(context.WithoutCancel(ctx), x, audit.StageRequest)
}

func (e Events) clock() time.Time {
	if e.now != nil {
		return e.now()
	}
	return time.Now()
}

func (e Events) logger() *slog.Logger {
	if e.Logger != nil {
		return e.Logger
	}
	return slog.Default()
}

// approvalExchange turns one step of an approval's life into an exchange for the audit log. The
// approver who decided is the record's subject and the decision's ApprovedBy; the agent and the
// human it acts for stay in the record.
func approvalExchange(ev approval.Event, now time.Time) *exchange.Exchange {
	a := ev.Approval
	x := &exchange.Exchange{
		ID: a.ID, Start: now, End: now,
		Request: exchange.Request{Method: a.Action.Method, Authority: a.Action.Host, Path: a.Action.Path},
		Identity: exchange.Identity{
			Subject: a.Requester.Subject, Issuer: a.Requester.Issuer, Agent: a.Requester.Agent,
			OnBehalfOf: a.Requester.OnBehalfOf, Session: a.Requester.Session,
		},
		Event: exchange.EventKind(ev.Kind),
		Error: ev.Error,
	}
	d := exchange.Decision{
		Phase: exchange.PhaseRequest, Policy: a.Action.Policy, Rule: a.Action.Rule, ApprovalID: a.ID,
		Reason: a.Action.Reason, ApprovedBy: a.DecidedBy,
	}
	switch ev.Kind {
	case approval.EventRequested:
		d.Action, d.Code, x.Disposition = exchange.RequireApproval, exchange.CodeApprovalRequired, exchange.ApprovalRequired
	case approval.EventApproved, approval.EventUsed:
		d.Action, d.Code, x.Disposition = exchange.Allow, exchange.CodeApproved, exchange.Allowed
	case approval.EventExpired:
		d.Action, d.Code, x.Disposition = exchange.Deny, exchange.CodeApprovalExpired, exchange.Denied
	case approval.EventRefused:
		d.Action, d.Code, x.Disposition = exchange.Deny, exchange.CodeApprovalRefused, exchange.Denied
	case approval.EventStoreUnavailable:
		d.Action, d.Code, x.Disposition = exchange.Deny, exchange.CodeApprovalUnavailable, exchange.Denied
	default: // denied
		d.Action, d.Code, x.Disposition = exchange.Deny, exchange.CodeApprovalDenied, exchange.Denied
	}
	if ev.Actor != "" {
		x.Identity.Subject = ev.Actor
		if a.Note != "" {
			d.Reason = a.Note
		}
	}
	x.Decisions = []exchange.Decision{d}
	return x
}

// SessionLeases gives back the leases of an agent session (creds.Broker.EndSession).
type SessionLeases interface {
	EndSession(ctx context.Context, session string) error
}

// Sessions handles the end of an agent session (idle, max lifetime, shutdown): its leases go
// back to Vault and a closing record joins the audit chain. End is identity.Sessions.OnEnd's
// callback.
type Sessions struct {
	Leases SessionLeases // nil without Vault
	Events Events
	Logger *slog.Logger
}

// End implements the callback.
func (s Sessions) End(ctx context.Context, session string) {
	log := s.Logger
	if log == nil {
		log = slog.Default()
	}
	if s.Leases != nil {
		if err := s.Leases.EndSession(ctx, session); err != nil {
			log.Warn("revoking the leases of an ended session", "session", session, "error", err)
		}
	}
	if err := s.Events.SessionEnded(ctx, session); err != nil {
		log.Error("session end not audited", "session", session, "error", err)
	}
}
