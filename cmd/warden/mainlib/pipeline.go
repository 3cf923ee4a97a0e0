package mainlib

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/warden-gw/warden/audit"
	"github.com/warden-gw/warden/cel/policy"
	"github.com/warden-gw/warden/creds"
	"github.com/warden-gw/warden/extproc"
	"github.com/warden-gw/warden/internal/trace"
)

// runtime is a built pipeline and the server running it, with what must be closed at the end.
type runtime struct {
	server     *extproc.Server
	redactText func(string) string // the redactor over plain text, for audit fields
	// redactSecrets replaces secrets (not personal data) in a string: every string of an
	// audit record and of an approval passes it.
	redactSecrets func(string) string
	broker        *creds.Broker // nil without a vault section
	auditLog      *audit.Log
	policyName    string
	readiness     []func() error
	degraded      []func() error          // parts that are down without making warden unready (approvals)
	handlers      map[string]http.Handler // extra admin endpoints
	closers       []func(context.Context) error
}

// admin mounts an extra handler on the admin listener.
func (r *runtime) admin(pattern string, h http.Handler) {
	if r.handlers == nil {
		r.handlers = map[string]http.Handler{}
	}
	r.handlers[pattern] = h
}

// degradedParts lists what works only partly; /readyz reports it while staying ready, because
// requests that do not need the part still work.
func (r *runtime) degradedParts() []string {
	var out []string
	for _, f := range r.degraded {
		if err := f(); err != nil {
			out = append(out, err.Error())
		}
	}
	return out
}

func (r *runtime) ready() error {
	for _, f := range r.readiness {
		if err := f(); err != nil {
			return err
		}
	}
	return nil
}

func (r *runtime) close(ctx context.Context, log *slog.Logger) {
	var errs []error
	for i := len(r.closers) - 1; i >= 0; i-- {
		errs = append(errs, r.closers[i](ctx))
	}
	if err := errors.Join(errs...); err != nil {
		log.Error("shutdown", "error", err)
	}
}

// buildRuntime wires the stages of the ext_proc pipeline from the configuration. This is the one
// place where the packages behind the stages meet.
func buildRuntime(ctx context.Context, cfg Config, log *slog.Logger, reg prometheus.Registerer) (*runtime, error) {
	filter, err := envoyFilter(cfg)
	if err != nil {
		return nil, err
	}
	opts := extproc.OptionsFromFilter(filter, extproc.DefaultOptions())
	opts.MaxBodyBytes = cfg.Limits.MaxBodyBytes
	opts.MaxHeaderBytes = cfg.Limits.MaxHeaderBytes
	opts.MaxConcurrentWork = cfg.Limits.MaxConcurrentWork
	opts.Logger = log
	opts.Registerer = reg
	opts.Decode = decodeBody
	rt := &runtime{}
	tracer, err := trace.New(ctx, cfg.Tracing)
	if err != nil {
		return nil, err
	}
	if tracer != nil {
		opts.Tracer = tracer
		rt.closers = append(rt.closers, tracer.Shutdown)
	}
	insp := &inspector{}
	pipe := extproc.Pipeline{Inspect: insp}
	red, err := newRedactor(cfg.Redact)
	if err != nil {
		return nil, err
	}
	if err := registerRedactBounds(reg); err != nil {
		return nil, err
	}
	pipe.Redact, rt.redactText, rt.redactSecrets = red, red.text, red.eng.Text
	if err := rt.addPolicy(ctx, cfg, log, &pipe); err != nil {
		return nil, err
	}
	if err := rt.addAudit(ctx, cfg, log, reg, &pipe); err != nil {
		rt.close(ctx, log)
		return nil, err
	}
	if err := rt.addCredentials(ctx, cfg, log, &pipe, insp); err != nil {
		rt.close(ctx, log)
		return nil, err
	}
	if err := rt.addIdentityAndApprovals(ctx, cfg, log, &pipe, opts.MessageTimeout); err != nil {
		rt.close(ctx, log)
		return nil, err
	}
	srv, err := extproc.NewServer(pipe, opts)
	if err != nil {
		rt.close(ctx, log)
		return nil, err
	}
	rt.server = srv
	if msg := holdBeyondEnvoy(cfg.Approval.Hold, opts.MaxMessageTimeout); msg != "" {
		log.Warn(msg, "approval.hold", cfg.Approval.Hold, "max_message_timeout", opts.MaxMessageTimeout)
	}
	return rt, nil
}

// holdBeyondEnvoy says why an approval hold longer than Envoy lets a message wait is cut short
// ("" when it fits): Envoy caps override_message_timeout at max_message_timeout, so the agent
// gets its answer (a 403 with the approval id) at the cap, not after approval.hold.
func holdBeyondEnvoy(hold, envoyMax time.Duration) string {
	switch {
	case hold <= 0:
		return ""
	case envoyMax <= 0:
		return "approval.hold is set but the Envoy filter has no max_message_timeout: Envoy will not extend its message timeout, so requests are not held; set max_message_timeout in the ext_proc filter"
	case hold > envoyMax:
		return "approval.hold exceeds the Envoy filter's max_message_timeout: requests are held only up to the latter; raise max_message_timeout or lower approval.hold"
	}
	return ""
}

// addPolicy loads the policies (the embedded pack by default); a policy file is watched and
// reloaded when it changes, and a broken version is refused while the one in force stays.
func (rt *runtime) addPolicy(ctx context.Context, cfg Config, log *slog.Logger, pipe *extproc.Pipeline) error {
	if cfg.Policy == "" {
		ps, err := policy.Default()
		if err != nil {
			return fmt.Errorf("embedded policy pack: %w", err)
		}
		rt.policyName = "embedded pack"
		pipe.Policy = ps
		return nil
	}
	ps, err := policy.Load(cfg.Policy)
	if err != nil {
		return fmt.Errorf("policy: %w", err)
	}
	rt.policyName = cfg.Policy
	store := policy.NewStore(ps)
	wctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() {
		defer close(done)
		w := policy.Watcher{
			Paths: []string{cfg.Policy}, Loaded: ps,
			OnChange: func(ps *policy.PolicySet) {
				store.Swap(ps)
				log.Info("policy reloaded", "path", cfg.Policy, "versions", ps.Versions())
			},
			OnError: func(err error) {
				log.Error("policy change refused; the policy in force stays", "path", cfg.Policy, "error", err)
			},
		}
		w.Run(wctx)
	}()
	rt.closers = append(rt.closers, func(context.Context) error { cancel(); <-done; return nil })
	pipe.Policy = store
	return nil
}

// addAudit opens the audit log: the durable local spool (DataDir/audit unless audit.dir is set)
// and, when audit.kafka is configured, the shipper to Kafka.
func (rt *runtime) addAudit(ctx context.Context, cfg Config, log *slog.Logger, reg prometheus.Registerer, pipe *extproc.Pipeline) error {
	ac := cfg.Audit
	if ac.Dir == "" {
		ac.Dir = filepath.Join(cfg.DataDir, "audit")
	}
	ac.Product.Version = Version // name and vendor: audit's defaults (warden, warden-gw), as docs/audit.md says
	ac.Registerer = reg
	ac.Logger = log
	ac.Redact = rt.redactSecrets
	if ac.Checkpoint.VaultTransit != nil {
		if cfg.Vault == nil {
			return errVaultTransitWithoutVault
		}
		// Its own login: the broker revokes its token at shutdown, before the audit log signs
		// its final checkpoint. Closed after the audit log (closers run in reverse).
		vc, err := creds.NewClient(ctx, *cfg.Vault, log)
		if err != nil {
			return fmt.Errorf("audit: vault_transit: %w", err)
		}
		rt.closers = append(rt.closers, vc.Close)
		ac.VaultClient = vc.API()
	}
	l, err := audit.Open(ctx, ac)
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	rt.closers = append(rt.closers, l.Close)
	rt.readiness = append(rt.readiness, l.Ready)
	rt.auditLog = l
	pipe.Audit = &auditor{log: l, redact: rt.redactText}
	log.Info("audit spool", "dir", ac.Dir, "chain", l.ChainID(), "kafka", ac.Kafka != nil)
	return nil
}
