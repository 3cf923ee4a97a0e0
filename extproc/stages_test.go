package extproc

import (
	"context"
	"slices"
	"testing"

	"github.com/warden-gw/warden/exchange"
)

// tokenIdentity says the agent's token rode in x-agent-token.
type tokenIdentity struct{}

func (tokenIdentity) Identify(_ context.Context, x *exchange.Exchange, _ Metadata) ([]string, error) {
	x.Identity.Subject = "agent"
	return []string{"x-agent-token"}, nil
}

// fixedRoute gives every request one credential role.
type fixedRoute string

func (r fixedRoute) Route(x *exchange.Exchange) { x.Route.CredentialRole = string(r) }

// The headers the identity stage names never go upstream, also without a credential stage; the
// router's role is on the exchange before the policy decides and in the record.
func TestIdentityStripAndRoute(t *testing.T) {
	for _, withCreds := range []bool{true, false} {
		var sawRole string
		h := newHarness(t, func(_ *Options, p *Pipeline) {
			p.Identity, p.Route = tokenIdentity{}, fixedRoute("orders-db")
			p.Policy = policyFunc(func(x *exchange.Exchange) { sawRole = x.Route.CredentialRole })
			if !withCreds {
				p.Creds = nil
			}
		})
		r := one(t, h.send(reqHeaders(true, "x-agent-token", "tok")))
		removed := r.GetRequestHeaders().GetResponse().GetHeaderMutation().GetRemoveHeaders()
		if !slices.Contains(removed, "x-agent-token") {
			t.Fatalf("creds %v: removed %v, want the agent's token header", withCreds, removed)
		}
		if sawRole != "orders-db" || h.audit.requests[0].Route.CredentialRole != "orders-db" || h.audit.requests[0].Identity.Subject != "agent" {
			t.Fatalf("creds %v: policy saw role %q; record %+v", withCreds, sawRole, h.audit.requests[0])
		}
	}
}

// policyFunc allows everything and lets a test look at what the policy saw.
type policyFunc func(x *exchange.Exchange)

func (f policyFunc) Decide(_ context.Context, x *exchange.Exchange, phase exchange.Phase) exchange.Decision {
	f(x)
	return exchange.Decision{Action: exchange.Allow, Phase: phase}
}
