package mainlib

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/warden-gw/warden/audit"
	"github.com/warden-gw/warden/extproc"
	"github.com/warden-gw/warden/internal/trace"
	"github.com/warden-gw/warden/pipeline"
)

// runtime is a built pipeline and the server running it, with what must be closed at the end.
type runtime struct {
	server     *extproc.Server
	auditLog   *audit.Log
	policyName string
	readiness  []func() error
	degraded   []func() error          // parts that are down without making warden unready (approvals)
	handlers   map[string]http.Handler // extra admin endpoints
	closers    []func(context.Context) error
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

// buildRuntime builds every component from the configuration, then assembles the one
// extproc.Pipeline from them. What each stage does lives in package pipeline; this function only
// chooses constructors.
func buildRuntime(ctx context.Context, cfg Config, log *slog.Logger, reg prometheus.Registerer) (_ *runtime, err error) {
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
	opts.Decode = pipeline.DecodeBody
	rt := &runtime{}
	defer func() {
		if err != nil {
			rt.close(ctx, log)
		}
	}()
	tracer, err := trace.New(ctx, cfg.Tracing)
	if err != nil {
		return nil, err
	}
	if tracer != nil {
		opts.Tracer = tracer
		rt.closers = append(rt.closers, tracer.Shutdown)
	}

	red, err := pipeline.NewRedactor(cfg.Redact)
	if err != nil {
		return nil, err
	}
	if err := pipeline.RegisterRedactBounds(reg); err != nil {
		return nil, err
	}
	view := pipeline.View{Redact: red.Text}
	decider, err := rt.openPolicy(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	auditLog, err := rt.openAudit(ctx, cfg, log, reg, red.Secrets)
	if err != nil {
		return nil, err
	}
	events := pipeline.Events{Log: auditLog, Logger: log}
	broker, err := rt.openBroker(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	sessions := pipeline.Sessions{Leases: broker.leases(), Events: events, Logger: log}
	verifier, err := rt.openIdentity(ctx, cfg, log, sessions)
	if err != nil {
		return nil, err
	}
	anonymous := rt.openAnonymousSessions(cfg, sessions)
	if err := registerSessionMetrics(reg, verifier, anonymous); err != nil {
		return nil, err
	}
	approvals, err := rt.openApprovals(ctx, cfg, log, events, view, red.Secrets)
	if err != nil {
		return nil, err
	}
	if err := rt.mountApprovals(ctx, cfg, log, approvals.svc, verifier); err != nil {
		return nil, err
	}
	route, err := router(cfg) // the same router `warden check --config` runs
	if err != nil {
		return nil, err
	}

	pipe := extproc.Pipeline{
		Identity: verifier.stage(anonymous),
		Route:    route,
		Inspect:  pipeline.Inspector{},
		Policy:   decider,
		Approve: &pipeline.Approvals{
			Service: approvals.svc, History: approvals.store, Hold: cfg.Approval.Hold,
			Budget: extproc.StageBudget(opts.MessageTimeout), Logger: log,
		},
		Redact: red,
		Creds:  broker.injector(sessionTracker(verifier, anonymous), log),
		Audit:  pipeline.Auditor{Log: auditLog, View: view},
	}
	srv, err := extproc.NewServer(pipe, opts)
	if err != nil {
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
