package identity

import (
	"net"
	"strings"

	"github.com/warden-gw/warden/exchange"
)

// SessionHeader is the response header through which warden tells a client the session id its
// request was recorded under (`warden audit replay --session ID`).
const SessionHeader = "x-warden-session"

// DefaultSessionHeader is the request header a client may set to name its own session.
const DefaultSessionHeader = "x-agent-session"

// AnonymousSession returns the session id of a request that carries no identity, so that every
// request belongs to a session even on warden's defaults: derived from the client's address
// and its user agent, and from the client's own session header (clientSessionHeader, default
// x-agent-session) when it sends one. Requests of one agent process (same address, same SDK)
// therefore share a session; two agents on one host with the same user agent share one unless
// they name their sessions. sourceAddress is Envoy's source.address attribute ("ip:port").
func AnonymousSession(h exchange.Headers, sourceAddress, clientSessionHeader string) string {
	if clientSessionHeader == "" {
		clientSessionHeader = DefaultSessionHeader
	}
	addr := ClientAddress(h, sourceAddress)
	if addr == "" {
		addr = "unknown"
	}
	return SessionID("anonymous", addr, truncate(h.Get("user-agent"), 256),
		truncate(h.Get(clientSessionHeader), 256))
}

// ClientAddress is the client's IP: Envoy's source.address (the downstream remote address: the
// TCP peer with use_remote_address, or the hop the operator's xff_num_trusted_hops trusts), else
// x-envoy-external-address, else the first x-forwarded-for hop, else "". The headers come
// second because a client can send them itself — Envoy passes x-envoy-external-address through
// from internal (RFC 1918) clients, which is where agents usually run — and an anonymous session
// carries approvals (approval.Digest), so a client choosing its address could take another
// client's approval. They are used only when the filter was not given source.address.
func ClientAddress(h exchange.Headers, sourceAddress string) string {
	if ip := parseIP(sourceAddress); ip != "" {
		return ip
	}
	if ip := parseIP(h.Get("x-envoy-external-address")); ip != "" {
		return ip
	}
	first, _, _ := strings.Cut(h.Get("x-forwarded-for"), ",")
	return parseIP(first)
}

// parseIP accepts "ip" or "ip:port" ("[v6]:port") and returns the canonical IP, or "".
func parseIP(s string) string {
	s = strings.TrimSpace(s)
	if host, _, err := net.SplitHostPort(s); err == nil {
		s = host
	}
	if ip := net.ParseIP(s); ip != nil {
		return ip.String()
	}
	return ""
}

// SourceAddress returns Envoy's source.address attribute from the request attributes Envoy sent
// (by filter name), or "".
func SourceAddress(attributes map[string]map[string]any) string {
	for _, attrs := range attributes {
		if s, ok := attrs["source.address"].(string); ok {
			return s
		}
	}
	return ""
}

// Anonymous gives requests a session when no identity is configured at all.
type Anonymous struct {
	// SessionHeader is the request header a client may name its session in (default
	// x-agent-session).
	SessionHeader string
	// Sessions, if set, tracks the anonymous sessions as the Verifier tracks its own: one that
	// goes idle or outlives its lifetime ends, and its OnEnd callbacks (lease revocation, the
	// closing record) run. Without it nothing ever ends a session a client named itself.
	Sessions *Sessions
}

// Identify sets x.Identity to an anonymous identity with its session (see AnonymousSession).
func (a Anonymous) Identify(x *exchange.Exchange, sourceAddress string) {
	x.Identity = exchange.Identity{Session: AnonymousSession(x.Request.Headers, sourceAddress, a.SessionHeader)}
	if a.Sessions != nil {
		a.Sessions.Touch(x.Identity.Session)
	}
}
