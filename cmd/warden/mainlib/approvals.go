package mainlib

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/warden-gw/warden/approval"
	"github.com/warden-gw/warden/identity"
	"github.com/warden-gw/warden/pipeline"
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

// approvals is the approval service and the store it keeps its state in.
type approvals struct {
	svc   *approval.Service
	store approval.Store
}

// openApprovals builds the approval service on its store (memory, or the Kafka topic). Every
// step of an approval is recorded through events; approvers see the exchange through view, and
// every string of an approval passes redactSecrets.
func (rt *runtime) openApprovals(ctx context.Context, cfg Config, log *slog.Logger, events pipeline.Events, view pipeline.View, redactSecrets func(string) string) (approvals, error) {
	var store approval.Store = approval.NewMemoryStore()
	if cfg.Approval.Kafka != nil {
		ks, err := approval.NewKafkaStore(ctx, *cfg.Approval.Kafka, log)
		if err != nil {
			return approvals{}, fmt.Errorf("approval.kafka: %w", err)
		}
		store = ks
	}
	ac := cfg.Approval.Config
	if len(ac.ApproverGroups) == 0 {
		ac.ApproverGroups = []string{defaultApproverGroup}
	}
	svc, err := approval.New(ctx, ac, store, approval.WithLogger(log), approval.WithEvents(events.Approval),
		approval.WithView(view.Of), approval.WithRedact(redactSecrets))
	if err != nil {
		_ = store.Close()
		return approvals{}, fmt.Errorf("approval: %w", err)
	}
	rt.closers = append(rt.closers, func(context.Context) error { return errors.Join(svc.Close(), store.Close()) })
	rt.degraded = append(rt.degraded, func() error {
		if err := svc.Health(); err != nil {
			return errors.New("approvals: the approval store is unavailable (new approvals are refused with 503)")
		}
		return nil
	})
	return approvals{svc: svc, store: store}, nil
}

// mountApprovals mounts the approvals admin API. Approvers authenticate with approval.approvers,
// or else the identity section's verifier; with neither the API answers 503.
func (rt *runtime) mountApprovals(ctx context.Context, cfg Config, log *slog.Logger, svc *approval.Service, agents *agents) error {
	var auth approval.Authenticator
	switch {
	case cfg.Approval.Approvers != nil:
		v, err := identity.New(ctx, *cfg.Approval.Approvers, identity.WithLogger(log))
		if err != nil {
			return fmt.Errorf("approval.approvers: %w", err)
		}
		rt.closers = append(rt.closers, v.Close)
		auth = v
	case agents != nil:
		auth = agents.v
	case cfg.Approval.DevApprover:
		// warden dev only: Handler accepts the dev approver token (auth stays nil).
	default:
		rt.admin("/approvals", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			http.Error(w, "approvals API disabled: configure identity (or approval.approvers) so approvers can authenticate; to try approvals locally, run `warden dev` (it writes a dev approver token to DATA_DIR/dev-approver-token)", http.StatusServiceUnavailable)
		}))
		return nil
	}
	h := svc.Handler(auth)
	rt.admin("/approvals", h)
	rt.admin("/approvals/", h)
	return nil
}
