package mainlib

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/warden-gw/warden/approval"
	"github.com/warden-gw/warden/audit"
	"github.com/warden-gw/warden/exchange"
	"github.com/warden-gw/warden/extproc"
	"github.com/warden-gw/warden/identity"
)

// ApprovalConfig is the `approval:` section.
type ApprovalConfig struct {
	approval.Config `yaml:",inline"`
	// Hold keeps a request that needs approval in flight for up to this long (bounded by Envoy's
	// max_message_timeout) while a human decides. 0 (the default) answers 403 with the approval
	// id at once; the agent retries once the action is approved.
	Hold time.Duration `yaml:"hold"`
	// Approvers says how approvers authenticate on the admin API (/approvals); default: the
	// identity section's verifier.
	Approvers *identity.Config `yaml:"approvers"`
}

// defaultApproverGroup may approve when approval.approver_groups is not set.
const defaultApproverGroup = "warden-approvers"

// identifier adapts identity.Verifier to extproc.Identifier.
type identifier struct{ v *identity.Verifier }

// anonymous gives every request a session when no identity is configured.
type anonymous struct{ a identity.Anonymous }

func (i anonymous) Identify(_ context.Context, x *exchange.Exchange, md extproc.Metadata) error {
	i.a.Identify(x, identity.SourceAddress(md.Attributes))
	return nil
}

func (i identifier) Identify(ctx context.Context, x *exchange.Exchange, md extproc.Metadata) error {
	err := i.v.IdentifyFrom(ctx, x, md.Namespaces, identity.SourceAddress(md.Attributes))
	var ie *identity.Error
	if errors.As(err, &ie) {
		return &extproc.Reject{Status: ie.Status, Code: ie.Code, Reason: ie.Reason}
	}
	return err
}

// identityStrip removes the agent's identity token before the request goes upstream, then runs
// the credential stage if there is one.
type identityStrip struct {
	v    *identity.Verifier
	next extproc.Injector
}

func (s identityStrip) Inject(ctx context.Context, x *exchange.Exchange) (extproc.Injection, error) {
	var inj extproc.Injection
	if s.next != nil {
		var err error
		if inj, err = s.next.Inject(ctx, x); err != nil {
			return inj, err
		}
	}
	inj.Remove = append(inj.Remove, s.v.CredentialHeaders(x)...)
	return inj, nil
}

// approver adapts approval.Service to extproc.Approver.
type approver struct {
	svc  *approval.Service
	hold time.Duration
	// budget bounds the store writes (consume, request) of one message: they happen before Envoy
	// is asked to hold the request, under its plain message timeout (extproc.StageBudget).
	budget time.Duration
	log    *slog.Logger
}

// errApprovalStore is what the agent gets when its approval cannot be requested.
var errApprovalStore = &extproc.Reject{
	Status: 503, Code: "approval_store_unavailable",
	Reason: "this action needs a human approval, and approvals cannot be requested right now (the approval store is unavailable); retry later",
}

func (a *approver) Resolve(ctx context.Context, x *exchange.Exchange, d exchange.Decision, hold func(time.Duration) (time.Duration, bool)) (exchange.Decision, error) {
	digest := approval.DigestOf(x)
	sctx, cancel := context.WithCancel(ctx)
	if a.budget > 0 {
		sctx, cancel = context.WithTimeout(ctx, a.budget)
	}
	ap, ok := a.svc.Consume(sctx, digest)
	if ok {
		cancel()
		return approvedDecision(d, ap), nil
	}
	ap, err := a.svc.Request(sctx, x, d)
	cancel()
	if err != nil {
		if errors.Is(err, approval.ErrStoreUnavailable) || errors.Is(err, context.DeadlineExceeded) {
			a.log.Error("approval request not stored; refusing with 503", "request_id", x.ID, "error", err)
			return d, errApprovalStore
		}
		a.log.Error("approval request not created; the action stays blocked", "request_id", x.ID, "error", err)
		return d, nil
	}
	d.ApprovalID = ap.ID
	if a.hold <= 0 {
		return d, nil
	}
	wait, ok := hold(a.hold)
	if !ok {
		return d, nil
	}
	// Answer a little before Envoy's extended timer runs out.
	wctx, wcancel := context.WithTimeout(ctx, wait-wait/20)
	defer wcancel()
	st, err := a.svc.Wait(wctx, ap.ID)
	switch {
	case err == nil && st == approval.Approved:
		if ap, ok := a.svc.Consume(ctx, digest); ok {
			return approvedDecision(d, ap), nil
		}
	case err == nil && (st == approval.Denied || st == approval.Expired):
		d.Action, d.Reason = exchange.Deny, fmt.Sprintf("approval %s was %s: %s", ap.ID, st, d.Reason)
	}
	return d, nil
}

func approvedDecision(d exchange.Decision, ap approval.Approval) exchange.Decision {
	d.Action = exchange.Allow
	d.ApprovalID = ap.ID
	d.Reason = "approved by a human (approval " + ap.ID + "): " + d.Reason
	return d
}

// addIdentityAndApprovals wires the identity stage (when configured) and the approval service
// with its admin API.
func (rt *runtime) addIdentityAndApprovals(ctx context.Context, cfg Config, log *slog.Logger, pipe *extproc.Pipeline, msgTimeout time.Duration) error {
	var verifier *identity.Verifier
	if cfg.Identity != nil {
		v, err := identity.New(ctx, *cfg.Identity, identity.WithLogger(log))
		if err != nil {
			return fmt.Errorf("identity: %w", err)
		}
		verifier = v
		rt.closers = append(rt.closers, v.Close)
		// A session that ends (idle, max lifetime, shutdown) gives its leases back to Vault and
		// leaves a closing record in the audit chain.
		v.Sessions().OnEnd(func(ctx context.Context, id string) {
			if rt.broker != nil {
				if err := rt.broker.EndSession(ctx, id); err != nil {
					log.Warn("revoking the leases of an ended session", "session", id, "error", err)
				}
			}
			if rt.auditLog != nil {
				if err := rt.auditLog.Record(context.WithoutCancel(ctx), sessionEndExchange(id), audit.StageRequest); err != nil {
					log.Error("session end not audited", "session", id, "error", err)
				}
			}
		})
		pipe.Identity = identifier{v}
		pipe.Creds = identityStrip{v: v, next: pipe.Creds}
	} else {
		pipe.Identity = anonymous{} // every request still gets a session (identity.AnonymousSession)
	}
	var store approval.Store = approval.NewMemoryStore()
	if cfg.Approval.Kafka != nil {
		ks, err := approval.NewKafkaStore(ctx, *cfg.Approval.Kafka, log)
		if err != nil {
			return fmt.Errorf("approval.kafka: %w", err)
		}
		store = ks
	}
	ac := cfg.Approval.Config
	if len(ac.ApproverGroups) == 0 {
		ac.ApproverGroups = []string{defaultApproverGroup}
	}
	events := func(ctx context.Context, ev approval.Event) {
		if rt.auditLog == nil {
			return
		}
		if err := rt.auditLog.Record(context.WithoutCancel(ctx), approvalExchange(ev), audit.StageRequest); err != nil {
			log.Error("approval step not audited", "approval", ev.Approval.ID, "step", ev.Kind, "error", err)
		}
	}
	// Approvers see what the audit record shows: the tool calls inspection found and the path,
	// both through the redactor (approvals go to webhooks, the API and a Kafka topic).
	view := (&auditor{redact: rt.redactText}).forRecord
	svc, err := approval.New(ctx, ac, store, approval.WithLogger(log), approval.WithEvents(events), approval.WithView(view),
		approval.WithRedact(rt.redactSecrets))
	if err != nil {
		_ = store.Close()
		return fmt.Errorf("approval: %w", err)
	}
	rt.closers = append(rt.closers, func(context.Context) error { return errors.Join(svc.Close(), store.Close()) })
	pipe.Approve = &approver{svc: svc, hold: cfg.Approval.Hold, budget: extproc.StageBudget(msgTimeout), log: log}
	rt.degraded = append(rt.degraded, func() error {
		if err := svc.Health(); err != nil {
			return errors.New("approvals: the approval store is unavailable (new approvals are refused with 503)")
		}
		return nil
	})

	var auth approval.Authenticator // nil: only the dev approver (warden dev), if enabled
	if verifier != nil {
		auth = verifier
	}
	if cfg.Approval.Approvers != nil {
		v, err := identity.New(ctx, *cfg.Approval.Approvers, identity.WithLogger(log))
		if err != nil {
			return fmt.Errorf("approval.approvers: %w", err)
		}
		rt.closers = append(rt.closers, v.Close)
		auth = v
	}
	if verifier == nil && cfg.Approval.Approvers == nil && !cfg.Approval.DevApprover {
		rt.admin("/approvals", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			http.Error(w, "approvals API disabled: configure identity (or approval.approvers) so approvers can authenticate; to try approvals locally, run `warden dev` (it prints a dev approver token)", http.StatusServiceUnavailable)
		}))
		return nil
	}
	h := svc.Handler(auth)
	rt.admin("/approvals", h)
	rt.admin("/approvals/", h)
	return nil
}

// approvalExchange turns one step of an approval's life into an exchange for the audit log, so
// that every step — requested, approved or denied by whom, refused, expired, used — is a
// record in the same hash chain, correlated by the approval id.
func approvalExchange(ev approval.Event) *exchange.Exchange {
	a := ev.Approval
	now := time.Now()
	x := &exchange.Exchange{
		ID: a.ID, Start: now, End: now,
		Request: exchange.Request{Method: a.Action.Method, Authority: a.Action.Host, Path: a.Action.Path},
		Identity: exchange.Identity{
			Subject: a.Requester.Subject, Issuer: a.Requester.Issuer, Agent: a.Requester.Agent,
			OnBehalfOf: a.Requester.OnBehalfOf, Session: a.Requester.Session,
		},
		ErrorCode: string(ev.Kind),
		Error:     ev.Error,
	}
	d := exchange.Decision{Phase: exchange.PhaseRequest, Policy: a.Action.Policy, Rule: a.Action.Rule, ApprovalID: a.ID, Reason: a.Action.Reason}
	switch ev.Kind {
	case approval.EventRequested:
		d.Action, x.Disposition = exchange.RequireApproval, exchange.ApprovalRequired
	case approval.EventApproved, approval.EventUsed:
		d.Action, x.Disposition = exchange.Allow, exchange.Allowed
	default: // denied, expired, refused
		d.Action, x.Disposition = exchange.Deny, exchange.Denied
	}
	if ev.Actor != "" {
		// The approver acts here; the agent and the human it acts for stay in the record.
		x.Identity.Subject = ev.Actor
		if a.Note != "" {
			d.Reason = a.Note
		}
	}
	x.Decisions = []exchange.Decision{d}
	return x
}

// sessionEndExchange is the closing record of an agent session.
func sessionEndExchange(id string) *exchange.Exchange {
	now := time.Now()
	return &exchange.Exchange{
		ID: "session-end-" + id, Start: now, End: now,
		Identity:    exchange.Identity{Session: id},
		Disposition: exchange.Allowed,
		ErrorCode:   "session.ended",
	}
}
