package mainlib

import (
	"context"
	"errors"
	"log/slog"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/warden-gw/warden/extproc"
)

// runtime is a built pipeline and the server running it, with what must be closed at the end.
type runtime struct {
	server     *extproc.Server
	policyName string
	readiness  []func() error
	closers    []func(context.Context) error
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
	_ = ctx
	filter, err := envoyFilter(cfg)
	if err != nil {
		return nil, err
	}
	opts := extproc.OptionsFromFilter(filter, extproc.DefaultOptions())
	opts.MaxBodyBytes = cfg.Limits.MaxBodyBytes
	opts.MaxHeaderBytes = cfg.Limits.MaxHeaderBytes
	opts.Logger = log
	opts.Registerer = reg
	rt := &runtime{policyName: "none"}
	srv, err := extproc.NewServer(extproc.Pipeline{}, opts)
	if err != nil {
		return nil, err
	}
	rt.server = srv
	return rt, nil
}
