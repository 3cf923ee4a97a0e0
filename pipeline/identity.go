package pipeline

import (
	"context"
	"errors"

	"github.com/warden-gw/warden/exchange"
	"github.com/warden-gw/warden/extproc"
	"github.com/warden-gw/warden/identity"
)

// Verifier is what the identity stage needs from identity.Verifier.
type Verifier interface {
	// IdentifyFrom fills x.Identity from the request (token, SPIFFE ID, Envoy's jwt_authn
	// metadata); a request without one gets an anonymous session from its source address.
	IdentifyFrom(ctx context.Context, x *exchange.Exchange, namespaces map[string]map[string]any, sourceAddress string) error
	// CredentialHeaders names the request headers that carry the agent's own token.
	CredentialHeaders(x *exchange.Exchange) []string
}

// Identity is the identity stage: it says who acts, and which headers carried the agent's own
// token so that extproc removes them before the request goes upstream.
type Identity struct{ V Verifier }

var _ extproc.Identifier = Identity{}

// Identify implements extproc.Identifier. An identity.Error becomes the *extproc.Reject it
// describes (401 for a missing or invalid token, 503 when keys cannot be fetched).
func (i Identity) Identify(ctx context.Context, x *exchange.Exchange, md extproc.Metadata) ([]string, error) {
	src := identity.SourceAddress(md.Attributes)
	x.Request.ClientAddress = identity.ClientAddress(x.Request.Headers, src)
	err := i.V.IdentifyFrom(ctx, x, md.Namespaces, src)
	var ie *identity.Error
	if errors.As(err, &ie) {
		return nil, &extproc.Reject{Status: ie.Status, Code: ie.Code, Reason: ie.Reason}
	}
	if err != nil {
		return nil, err
	}
	return i.V.CredentialHeaders(x), nil
}

// Anonymous is the identity stage when no identity is configured: every request still gets a
// session (identity.AnonymousSession, from its client address and user agent or its
// x-agent-session), so leases and records group by agent. Nothing is stripped.
type Anonymous struct{ A identity.Anonymous }

var _ extproc.Identifier = Anonymous{}

// Identify implements extproc.Identifier.
func (a Anonymous) Identify(_ context.Context, x *exchange.Exchange, md extproc.Metadata) ([]string, error) {
	src := identity.SourceAddress(md.Attributes)
	x.Request.ClientAddress = identity.ClientAddress(x.Request.Headers, src)
	a.A.Identify(x, src)
	return nil, nil
}
