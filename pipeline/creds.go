package pipeline

import (
	"context"
	"errors"

	"github.com/warden-gw/warden/creds"
	"github.com/warden-gw/warden/exchange"
	"github.com/warden-gw/warden/extproc"
)

// AnonymousSession keys the leases of requests that carry no identity.
const AnonymousSession = "anonymous"

// Leaser leases the credential of a request's route (creds.Broker.Inject). It returns an error
// wrapping creds.ErrNoRoute when the request needs no credential, creds.ErrUnavailable when
// Vault cannot be reached and creds.ErrVault when Vault refused.
type Leaser interface {
	Inject(ctx context.Context, session, authority, path string) (creds.Injection, error)
}

// ErrCredentialsUnavailable is what the agent gets when Vault cannot give the credential.
var ErrCredentialsUnavailable = &extproc.Reject{
	Status: 503, Code: "credentials_unavailable",
	Reason: "the credential for this upstream could not be obtained from Vault; try again later",
}

// Credentials is the credential stage: after the policy allowed a request, it leases the
// credential of the upstream's route (per agent session) and says how to inject it. The leases
// it injected are recorded in x.Credentials; x.Route.CredentialRole (set by the Router) is not
// touched.
type Credentials struct{ Leases Leaser }

var _ extproc.Injector = Credentials{}

// Inject implements extproc.Injector. Vault being down or refusing is a 503 the agent can
// retry; any other failure is refused with 500 by extproc.
func (c Credentials) Inject(ctx context.Context, x *exchange.Exchange) (extproc.Injection, error) {
	session := x.Identity.Session
	if session == "" {
		session = AnonymousSession
	}
	inj, err := c.Leases.Inject(ctx, session, x.Request.Authority, x.Request.Path)
	switch {
	case errors.Is(err, creds.ErrNoRoute):
		return extproc.Injection{}, nil
	case errors.Is(err, creds.ErrUnavailable), errors.Is(err, creds.ErrVault):
		return extproc.Injection{}, ErrCredentialsUnavailable
	case err != nil:
		return extproc.Injection{}, err
	}
	x.Credentials = append(x.Credentials, exchange.Credential{Role: inj.Role, LeaseID: inj.LeaseID, TTL: inj.TTL})
	out := extproc.Injection{Remove: inj.Remove, Secrets: inj.Secrets}
	for _, h := range inj.Set {
		out.Set = append(out.Set, exchange.Header{Key: h.Name, Value: h.Value})
	}
	return out, nil
}
