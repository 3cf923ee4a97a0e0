package pipeline

import (
	"github.com/warden-gw/warden/exchange"
	"github.com/warden-gw/warden/extproc"
)

// RoleLookup names the credential role of the route matching a request (creds.Broker.RoleFor):
// the authority may carry a port, the path's query is ignored.
type RoleLookup interface {
	RoleFor(authority, path string) (role string, ok bool)
}

// Router is the routing stage: it sets x.Route.CredentialRole once, from the authority and path,
// before the policy decides, so that a rule can deny by creds.role and a denied request never
// causes a lease.
type Router struct{ Roles RoleLookup }

var _ extproc.Router = Router{}

// Route implements extproc.Router.
func (r Router) Route(x *exchange.Exchange) {
	if role, ok := r.Roles.RoleFor(x.Request.Authority, x.Request.Path); ok {
		x.Route.CredentialRole = role
	}
}
