package pipeline

import (
	"context"
	"log/slog"
	"time"

	"github.com/warden-gw/warden/approval"
	"github.com/warden-gw/warden/audit"
	"github.com/warden-gw/warden/exchange"
)

// EventWriter writes the record of something that is not an HTTP exchange (audit.Log.RecordEvent).
type EventWriter interface {
	RecordEvent(ctx context.Context, ev audit.Event) error
}

// Events writes the audit records of what is not an HTTP exchange: every step of an approval's
// life (requested, approved or denied by whom, refused, expired, used) and the end of an agent
// session, in the same hash chain as the exchanges, correlated by approval or session id.
type Events struct {
	Log    EventWriter // nil: events are not recorded
	Logger *slog.Logger
	now    func() time.Time
}

// Approval records one approval step; it is approval.WithEvents' callback. A record that cannot
// be written is logged: the approval step itself already happened.
func (e Events) Approval(ctx context.Context, ev approval.Event) {
	if err := e.record(ctx, approvalEvent(ev, e.clock())); err != nil {
		e.logger().Error("approval step not audited", "approval", ev.Approval.ID, "step", ev.Kind, "error", err)
	}
}

// SessionEnded records the closing record of an agent session.
func (e Events) SessionEnded(ctx context.Context, session string) error {
	return e.record(ctx, audit.Event{
		Kind: audit.EventSessionEnded, ID: session, Time: e.clock(),
		Identity: exchange.Identity{Session: session},
	})
}

func (e Events) record(ctx context.Context, ev audit.Event) error {
	if e.Log == nil {
		return nil
	}
	return e.Log.RecordEvent(context.WithoutCancel(ctx), ev)
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

// approvalEvent turns one step of an approval's life into an audit event. The approver who
// decided is the record's subject and the decision's ApprovedBy; the agent and the human it acts
// for stay in the record.
func approvalEvent(ev approval.Event, now time.Time) audit.Event {
	a := ev.Approval
	d := exchange.Decision{
		Phase: exchange.PhaseRequest, Policy: a.Action.Policy, Rule: a.Action.Rule, ApprovalID: a.ID,
		Reason: a.Action.Reason, ApprovedBy: a.DecidedBy,
	}
	switch ev.Kind {
	case approval.EventRequested:
		d.Action, d.Code = exchange.RequireApproval, exchange.CodeApprovalRequired
	case approval.EventApproved, approval.EventUsed:
		d.Action, d.Code = exchange.Allow, exchange.CodeApproved
	case approval.EventExpired:
		d.Action, d.Code = exchange.Deny, exchange.CodeApprovalExpired
	case approval.EventRefused:
		d.Action, d.Code = exchange.Deny, exchange.CodeApprovalRefused
	case approval.EventStoreUnavailable:
		d.Action, d.Code = exchange.Deny, exchange.CodeApprovalUnavailable
	default: // denied
		d.Action, d.Code = exchange.Deny, exchange.CodeApprovalDenied
	}
	id := exchange.Identity{
		Subject: a.Requester.Subject, Issuer: a.Requester.Issuer, Agent: a.Requester.Agent,
		OnBehalfOf: a.Requester.OnBehalfOf, Session: a.Requester.Session,
	}
	if ev.Actor != "" {
		id.Subject = ev.Actor
		if a.Note != "" {
			d.Reason = a.Note
		}
	}
	out := audit.Event{
		Kind: audit.EventKind(ev.Kind), ID: a.ID, Time: now, Identity: id,
		Action:   &exchange.Request{Method: a.Action.Method, Authority: a.Action.Host, Path: a.Action.Path},
		Decision: &d,
		Error:    ev.Error,
	}
	if ev.Error != "" {
		out.ErrorCode = string(d.Code)
	}
	return out
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
