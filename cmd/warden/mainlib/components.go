package mainlib

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/warden-gw/warden/audit"
	"github.com/warden-gw/warden/cel/policy"
	"github.com/warden-gw/warden/creds"
	"github.com/warden-gw/warden/extproc"
	"github.com/warden-gw/warden/identity"
	"github.com/warden-gw/warden/pipeline"
)

// The constructors in this file turn one configuration section each into a component, and
// register what must be closed, watched for readiness or mounted on the admin listener.

// openPolicy loads the policies (the embedded pack by default); a policy file is watched and
// reloaded when it changes, and a broken version is refused while the one in force stays.
func (rt *runtime) openPolicy(ctx context.Context, cfg Config, log *slog.Logger) (extproc.Decider, error) {
	if cfg.Policy == "" {
		ps, err := policy.Default()
		if err != nil {
			return nil, fmt.Errorf("embedded policy pack: %w", err)
		}
		rt.policyName = "embedded pack"
		return ps, nil
	}
	ps, err := policy.Load(cfg.Policy)
	if err != nil {
		return nil, fmt.Errorf("policy: %w", err)
	}
	rt.policyName = cfg.Policy
	store := policy.NewStore(ps)
	wctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() {
		defer close(done)
		w := policy.Watcher{
			Paths: []string{cfg.Policy}, Loaded: ps,
			OnChange: func(ps *policy.Set) {
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
	return store, nil
}

// openAudit opens the audit log: the durable local spool (DataDir/audit unless audit.dir is set)
// and, when audit.kafka is configured, the shipper to Kafka. redactSecrets passes every string
// of a record.
func (rt *runtime) openAudit(ctx context.Context, cfg Config, log *slog.Logger, reg prometheus.Registerer, redactSecrets func(string) string) (*audit.Log, error) {
	ac := cfg.Audit
	if ac.Dir == "" {
		ac.Dir = filepath.Join(cfg.DataDir, "audit")
	}
	ac.Product.Version = Version // name and vendor: audit's defaults (warden, warden-gw), as docs/audit.md says
	ac.Registerer = reg
	ac.Logger = log
	ac.Redact = redactSecrets
	if ac.Checkpoint.VaultTransit != nil {
		if cfg.Vault == nil {
			return nil, errVaultTransitWithoutVault
		}
		// Its own login: the broker revokes its token at shutdown, before the audit log signs
		// its final checkpoint. Closed after the audit log (closers run in reverse).
		vc, err := creds.NewClient(ctx, *cfg.Vault, log)
		if err != nil {
			return nil, fmt.Errorf("audit: vault_transit: %w", err)
		}
		rt.closers = append(rt.closers, vc.Close)
		ac.VaultClient = vc.API()
	}
	l, err := audit.Open(ctx, ac)
	if err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	rt.closers = append(rt.closers, l.Close)
	rt.readiness = append(rt.readiness, l.Ready)
	rt.auditLog = l
	log.Info("audit spool", "dir", ac.Dir, "chain", l.ChainID(), "kafka", ac.Kafka != nil)
	return l, nil
}

// vault is the credential broker; nil without a vault section, and then its stages are nil.
type vault struct{ b *creds.Broker }

// openBroker starts the Vault credential broker when a vault section is configured.
func (rt *runtime) openBroker(ctx context.Context, cfg Config, log *slog.Logger) (*vault, error) {
	if cfg.Vault == nil {
		return nil, nil
	}
	b, err := creds.New(ctx, *cfg.Vault, creds.WithLogger(log))
	if err != nil {
		return nil, fmt.Errorf("vault: %w", err)
	}
	rt.closers = append(rt.closers, b.Close)
	return &vault{b}, nil
}

func (v *vault) leases() pipeline.SessionLeases {
	if v == nil {
		return nil
	}
	return v.b
}

// injector is the credential stage; a request of a session that tracker does not track gets
// leases of its own, revoked when its exchange ends.
func (v *vault) injector(tracker pipeline.SessionTracker, log *slog.Logger) extproc.Injector {
	if v == nil {
		return nil
	}
	return pipeline.Credentials{Leases: v.b, Sessions: tracker, Exchanges: v.b, Logger: log}
}

// agents verifies who acts; nil without an identity section, and then its stage is nil.
type agents struct{ v *identity.Verifier }

// openIdentity builds the identity verifier when an identity section is configured. A session
// that ends (idle, max lifetime, shutdown) is handed to sessions.
func (rt *runtime) openIdentity(ctx context.Context, cfg Config, log *slog.Logger, sessions pipeline.Sessions) (*agents, error) {
	if cfg.Identity == nil {
		return nil, nil
	}
	v, err := identity.New(ctx, *cfg.Identity, identity.WithLogger(log))
	if err != nil {
		return nil, fmt.Errorf("identity: %w", err)
	}
	rt.closers = append(rt.closers, v.Close)
	v.Sessions().OnEnd(sessions.End)
	return &agents{v}, nil
}

// openAnonymousSessions tracks the sessions of a configuration without an identity section (with
// one, the verifier tracks every session, anonymous ones included): an anonymous session ends
// when idle or at its lifetime like any other, and is handed to sessions, which gives its
// leases back to Vault. Nil with an identity section.
func (rt *runtime) openAnonymousSessions(cfg Config, sessions pipeline.Sessions) *identity.Sessions {
	if cfg.Identity != nil {
		return nil
	}
	var opts []identity.SessionOption
	if sessions.Logger != nil {
		opts = append(opts, identity.WithSessionLogger(sessions.Logger))
	}
	s := identity.NewSessions(identity.SessionConfig{}, opts...)
	s.OnEnd(sessions.End)
	rt.closers = append(rt.closers, s.Close)
	return s
}

// registerSessionMetrics registers the metrics of the session tracker in use: the verifier's,
// or without an identity section the anonymous one.
func registerSessionMetrics(reg prometheus.Registerer, v *agents, anon *identity.Sessions) error {
	s := anon
	if v != nil {
		s = v.v.Sessions()
	}
	if reg == nil || s == nil {
		return nil
	}
	for _, c := range s.Collectors() {
		if err := reg.Register(c); err != nil {
			return fmt.Errorf("session metrics: %w", err)
		}
	}
	return nil
}

// sessionTracker is the session tracker in use: the verifier's, or without an identity section
// the anonymous one.
func sessionTracker(v *agents, anon *identity.Sessions) pipeline.SessionTracker {
	if v != nil {
		return v.v.Sessions()
	}
	if anon != nil {
		return anon
	}
	return nil
}

// stage is the identity stage: without an identity section every request still gets an
// anonymous session, tracked by anon.
func (a *agents) stage(anon *identity.Sessions) extproc.Identifier {
	if a == nil {
		return pipeline.Anonymous{A: identity.Anonymous{Sessions: anon}}
	}
	return pipeline.Identity{V: a.v}
}
