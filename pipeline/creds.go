package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

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

// ExchangeLeaser leases credentials that belong to one exchange (creds.Broker.InjectExchange)
// and revokes them when it ends (EndExchange).
type ExchangeLeaser interface {
	InjectExchange(ctx context.Context, exchangeID, authority, path string) (creds.Injection, error)
	EndExchange(ctx context.Context, exchangeID string) error
}

// SessionTracker says whether something ends a session (identity.Sessions.Tracked).
type SessionTracker interface {
	Tracked(session string) bool
}

// Credentials is the credential stage: after the policy allowed a request, it leases the
// credential of the upstream's route (per agent session) and says how to inject it. The leases
// it injected are recorded in x.Credentials; x.Route.CredentialRole (set by the Router) is not
// touched.
//
// A session's leases are revoked when the session ends. A session that Sessions does not track
// (the session table was full) never ends: its request gets a lease of its own, which Release
// revokes when the exchange ends, instead of one that would live to its Vault TTL. The leases
// of a tracked session are never touched by an exchange's end.
type Credentials struct {
	Leases Leaser
	// Sessions, when set, says which sessions are tracked; nil treats every session as tracked.
	Sessions SessionTracker
	// Exchanges leases per exchange for untracked sessions (the broker; nil: per session, and
	// the lease lives to its TTL).
	Exchanges ExchangeLeaser
	Logger    *slog.Logger
}

var (
	_ extproc.Injector           = Credentials{}
	_ extproc.CredentialReleaser = Credentials{}
)

// Inject implements extproc.Injector. Vault being down or refusing is a 503 the agent can
// retry; any other failure is refused with 500 by extproc.
func (c Credentials) Inject(ctx context.Context, x *exchange.Exchange) (extproc.Injection, error) {
	session := x.Identity.Session
	if session == "" {
		session = AnonymousSession
	}
	var inj creds.Injection
	var err error
	if c.exchangeOwned(session) {
		inj, err = c.Exchanges.InjectExchange(ctx, exchangeLeaseKey(x), x.Request.Authority, x.Request.Path)
	} else {
		inj, err = c.Leases.Inject(ctx, session, x.Request.Authority, x.Request.Path)
	}
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

// exchangeLeaseKey names an exchange's own leases: its id and the address of its state. The id
// alone may repeat (a client can send the x-request-id of another client's exchange, or reuse
// its own); two exchanges in flight never share an address, and an exchange's key is gone
// (Release) before its address can be reused.
func exchangeLeaseKey(x *exchange.Exchange) string {
	return fmt.Sprintf("%s@%p", x.ID, x)
}

// exchangeOwned reports whether a request of session gets leases of its own (Release).
func (c Credentials) exchangeOwned(session string) bool {
	return c.Sessions != nil && c.Exchanges != nil && !c.Sessions.Tracked(session)
}

// Release implements extproc.CredentialReleaser: the leases an exchange of an untracked session
// was given are revoked when it ends. A revocation that fails is logged; the lease then runs to
// its TTL in Vault.
func (c Credentials) Release(ctx context.Context, x *exchange.Exchange) {
	if c.Exchanges == nil {
		return
	}
	if err := c.Exchanges.EndExchange(ctx, exchangeLeaseKey(x)); err != nil {
		log := c.Logger
		if log == nil {
			log = slog.Default()
		}
		log.Warn("revoking the leases of an exchange in an untracked session", "request_id", x.ID, "error", err)
	}
}
