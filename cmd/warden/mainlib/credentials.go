package mainlib

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/warden-gw/warden/creds"
	"github.com/warden-gw/warden/exchange"
	"github.com/warden-gw/warden/extproc"
)

// anonymousSession keys the leases of requests that carry no identity.
const anonymousSession = "anonymous"

// credInjector adapts creds.Broker to extproc.Injector: after the policy allowed a request, it
// leases the credential of the upstream's route and injects it; the agent's own credential
// headers are removed first.
type credInjector struct{ b *creds.Broker }

func (c credInjector) Inject(ctx context.Context, x *exchange.Exchange) (extproc.Injection, error) {
	// The broker's routes match the authority (a route may name a port) and the path (the query
	// is ignored) themselves.
	host, path := x.Request.Authority, x.Request.Path
	if _, ok := c.b.RoleFor(host, path); !ok {
		return extproc.Injection{}, nil
	}
	session := x.Identity.Session
	if session == "" {
		session = anonymousSession
	}
	inj, err := c.b.Inject(ctx, session, host, path)
	if err != nil {
		if errors.Is(err, creds.ErrUnavailable) || errors.Is(err, creds.ErrVault) {
			return extproc.Injection{}, &extproc.Reject{
				Status: 503,
				Code:   "credentials_unavailable",
				Reason: "the credential for this upstream could not be obtained from Vault; try again later",
			}
		}
		return extproc.Injection{}, err
	}
	cred := exchange.Credential{Role: inj.Role, LeaseID: inj.LeaseID, TTL: inj.TTL}
	if len(x.Credentials) > 0 && x.Credentials[0].Role == inj.Role {
		x.Credentials[0] = cred
	} else {
		x.Credentials = append(x.Credentials, cred)
	}
	out := extproc.Injection{Remove: inj.Remove, Secrets: inj.Secrets}
	for _, h := range inj.Set {
		out.Set = append(out.Set, exchange.Header{Key: h.Name, Value: h.Value})
	}
	return out, nil
}

// addCredentials starts the Vault credential broker when a vault section is configured.
func (rt *runtime) addCredentials(ctx context.Context, cfg Config, log *slog.Logger, pipe *extproc.Pipeline, insp *inspector) error {
	if cfg.Vault == nil {
		return nil
	}
	b, err := creds.New(ctx, *cfg.Vault, creds.WithLogger(log))
	if err != nil {
		return fmt.Errorf("vault: %w", err)
	}
	rt.closers = append(rt.closers, b.Close)
	rt.broker = b
	pipe.Creds = credInjector{b}
	insp.roleFor = b.RoleFor
	return nil
}
