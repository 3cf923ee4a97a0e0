package identity

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/warden-gw/warden/exchange"
)

// Option changes a Verifier (for tests and embedding).
type Option func(*options)

type options struct {
	now        func() time.Time
	client     *http.Client
	log        *slog.Logger
	sessionOps []SessionOption
}

// WithNow sets the clock used for token times (and sessions unless they get their own).
func WithNow(now func() time.Time) Option { return func(o *options) { o.now = now } }

// WithHTTPClient sets the client used for discovery and JWKS fetches.
func WithHTTPClient(c *http.Client) Option { return func(o *options) { o.client = c } }

// WithLogger sets the logger.
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.log = l } }

// WithSessionOptions passes options to the session tracker.
func WithSessionOptions(so ...SessionOption) Option {
	return func(o *options) { o.sessionOps = append(o.sessionOps, so...) }
}

// Verifier finds and checks the identity of each request.
type Verifier struct {
	cfg      Config
	jwt      *jwtVerifier // nil unless mode jwt is configured
	sessions *Sessions
	log      *slog.Logger
}

// New checks cfg and builds a Verifier. It does not contact the issuer: keys are fetched on
// first use, so warden starts while the issuer is briefly down (requests then get 503).
func New(ctx context.Context, cfg Config, opts ...Option) (*Verifier, error) {
	_ = ctx
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("identity config: %w", err)
	}
	o := options{now: time.Now, log: slog.Default()}
	for _, f := range opts {
		f(&o)
	}
	if o.client == nil {
		o.client = &http.Client{Timeout: cfg.JWT.HTTPTimeout}
	} else if o.client.Timeout == 0 {
		c := *o.client
		c.Timeout = cfg.JWT.HTTPTimeout
		o.client = &c
	}
	v := &Verifier{cfg: cfg, log: o.log}
	for _, m := range cfg.Modes {
		if m == ModeJWT {
			v.jwt = &jwtVerifier{cfg: cfg.JWT, now: o.now, keys: &keySet{
				issuer: cfg.JWT.Issuer,
				url:    cfg.JWT.JWKSURL, client: o.client, ttl: cfg.JWT.CacheTTL,
				minRefresh: cfg.JWT.MinRefresh, now: o.now, log: o.log,
			}}
		}
	}
	v.sessions = NewSessions(cfg.Sessions, append([]SessionOption{WithClock(o.now), WithSessionLogger(o.log)}, o.sessionOps...)...)
	return v, nil
}

// Sessions returns the session tracker, for OnEnd subscriptions.
func (v *Verifier) Sessions() *Sessions { return v.sessions }

// Close stops the session tracker, ending every live session.
func (v *Verifier) Close(ctx context.Context) error { return v.sessions.Close(ctx) }

// Identify fills x.Identity from the request. namespaces are the metadata_context namespaces Envoy
// forwarded. It returns an *Error when a credential is present but invalid (always), or when none
// is present on a route that requires one. Without a credential elsewhere, x.Identity is
// anonymous with a session of its own (AnonymousSession) and Identify returns nil.
func (v *Verifier) Identify(ctx context.Context, x *exchange.Exchange, namespaces map[string]map[string]any) error {
	return v.IdentifyFrom(ctx, x, namespaces, "")
}

// IdentifyFrom is Identify for a request whose downstream address Envoy sent (its
// source.address attribute, see SourceAddress): an anonymous session is then told apart by it.
func (v *Verifier) IdentifyFrom(ctx context.Context, x *exchange.Exchange, namespaces map[string]map[string]any, sourceAddress string) error {
	var (
		id    exchange.Identity
		found bool
		err   *Error
	)
	for _, m := range v.cfg.Modes {
		switch m {
		case ModeJWT:
			id, found, err = v.fromJWT(ctx, x.Request.Headers)
		case ModeJWTAuthn:
			id, found, err = v.fromJWTAuthn(namespaces)
		case ModeSPIFFE:
			id, found, err = v.fromSPIFFE(x.Request.Headers)
		}
		if err != nil {
			return err
		}
		if found {
			break
		}
	}
	if !found {
		if v.Required(x.Request.Authority, x.Request.Path) {
			return unauthorized(CodeRequired, fmt.Sprintf("this route requires an agent identity: send a JWT in %s",
				strings.Join(v.credentialHint(), " or ")))
		}
		x.Identity = exchange.Identity{Session: AnonymousSession(x.Request.Headers, sourceAddress, v.cfg.Sessions.Header)}
		v.sessions.Touch(x.Identity.Session)
		return nil
	}
	if id.OnBehalfOf == "" && v.cfg.OnBehalfOfHeader != "" {
		id.OnBehalfOf = truncate(x.Request.Headers.Get(v.cfg.OnBehalfOfHeader), 256)
	}
	id.Session = SessionID(id.Issuer, id.Subject, id.Agent, x.Request.Headers.Get(v.cfg.Sessions.Header))
	v.sessions.Touch(id.Session)
	x.Identity = id
	return nil
}

// CredentialHeaders returns the request headers that carried the identity token, so the server
// can remove them before the request goes upstream (an agent's identity token is not the
// upstream's business). Envoy's jwt_authn already removes its header (forward: false).
func (v *Verifier) CredentialHeaders(x *exchange.Exchange) []string {
	if v.jwt == nil {
		return nil
	}
	if tok, h, err := v.jwt.tokenFromHeaders(x.Request.Headers.Get); err == nil && tok != "" {
		return []string{h}
	}
	return nil
}

// AuthenticateBearer verifies a bearer token (e.g. an approver's OIDC token on the admin API) and
// returns its identity. It needs mode jwt.
func (v *Verifier) AuthenticateBearer(ctx context.Context, token string) (exchange.Identity, error) {
	if v.jwt == nil {
		return exchange.Identity{}, &Error{
			Status: http.StatusUnauthorized, Code: CodeRequired,
			Reason: "bearer tokens are not accepted: identity mode jwt is not configured",
		}
	}
	if token == "" {
		return exchange.Identity{}, unauthorized(CodeRequired, "send an OIDC bearer token in Authorization")
	}
	claims, err := v.jwt.verify(ctx, token)
	if err != nil {
		return exchange.Identity{}, err
	}
	id, err := v.mapClaims(claims, ModeJWT)
	if err != nil { // not a typed nil in the error interface
		return exchange.Identity{}, err
	}
	return id, nil
}

func (v *Verifier) fromJWT(ctx context.Context, h exchange.Headers) (exchange.Identity, bool, *Error) {
	tok, _, err := v.jwt.tokenFromHeaders(h.Get)
	if err != nil || tok == "" {
		return exchange.Identity{}, false, err
	}
	claims, err := v.jwt.verify(ctx, tok)
	if err != nil {
		return exchange.Identity{}, false, err
	}
	id, merr := v.mapClaims(claims, ModeJWT)
	if merr != nil {
		return exchange.Identity{}, false, merr
	}
	return id, true, nil
}

func (v *Verifier) fromJWTAuthn(namespaces map[string]map[string]any) (exchange.Identity, bool, *Error) {
	raw, ok := namespaces[v.cfg.JWTAuthn.Namespace][v.cfg.JWTAuthn.Key]
	if !ok || raw == nil {
		return exchange.Identity{}, false, nil
	}
	claims, ok := raw.(map[string]any)
	if !ok {
		return exchange.Identity{}, false, unauthorized(CodeBadMetadata,
			fmt.Sprintf("metadata %s/%s is not a claims object", v.cfg.JWTAuthn.Namespace, v.cfg.JWTAuthn.Key))
	}
	if len(v.cfg.JWTAuthn.Issuers) > 0 {
		iss, _ := claims["iss"].(string)
		if !contains(v.cfg.JWTAuthn.Issuers, iss) {
			return exchange.Identity{}, false, unauthorized(CodeWrongIssuer, "the verified token's issuer is not in identity.jwt_authn.issuers")
		}
	}
	id, err := v.mapClaims(claims, ModeJWTAuthn)
	if err != nil {
		return exchange.Identity{}, false, err
	}
	return id, true, nil
}

func (v *Verifier) fromSPIFFE(h exchange.Headers) (exchange.Identity, bool, *Error) {
	vals := h.Values(v.cfg.SPIFFE.Header)
	if len(vals) == 0 {
		return exchange.Identity{}, false, nil
	}
	els, err := ParseXFCC(strings.Join(vals, ","))
	if err != nil {
		return exchange.Identity{}, false, &Error{
			Status: http.StatusUnauthorized, Code: CodeBadClientCert,
			Reason: "x-forwarded-client-cert is malformed", Err: err,
		}
	}
	// The element the Envoy in front of warden appended (its own client) is the last one.
	last := els[len(els)-1]
	var ids []SPIFFEID
	for _, u := range last["uri"] {
		if !strings.HasPrefix(u, "spiffe://") {
			continue
		}
		sid, err := ParseSPIFFEID(u)
		if err != nil {
			return exchange.Identity{}, false, &Error{
				Status: http.StatusUnauthorized, Code: CodeBadClientCert,
				Reason: "the client certificate's SPIFFE ID is invalid", Err: err,
			}
		}
		ids = append(ids, sid)
	}
	switch {
	case len(ids) == 0:
		return exchange.Identity{}, false, nil
	case len(ids) > 1:
		return exchange.Identity{}, false, unauthorized(CodeBadClientCert, "the client certificate holds more than one SPIFFE ID")
	case !contains(v.cfg.SPIFFE.TrustDomains, ids[0].TrustDomain):
		return exchange.Identity{}, false, unauthorized(CodeUntrustedSPIFFE,
			fmt.Sprintf("trust domain %s is not in identity.spiffe.trust_domains", ids[0].TrustDomain))
	}
	s := ids[0].String()
	return exchange.Identity{Subject: s, Agent: s, Issuer: "spiffe://" + ids[0].TrustDomain, Method: ModeSPIFFE}, true, nil
}

// Required reports whether a request to host and path must carry an identity.
func (v *Verifier) Required(host, path string) bool {
	if v.cfg.Required.All {
		return true
	}
	for _, r := range v.cfg.Required.Routes {
		if (r.Host == "*" || exchange.HostMatches(r.Host, host)) && exchange.PathHasPrefix(path, r.PathPrefix) {
			return true
		}
	}
	return false
}

func (v *Verifier) credentialHint() []string {
	var out []string
	for _, m := range v.cfg.Modes {
		switch m {
		case ModeJWT:
			out = append(out, v.cfg.JWT.Headers...)
		case ModeJWTAuthn:
			out = append(out, "the header Envoy's jwt_authn filter verifies")
		case ModeSPIFFE:
			out = append(out, "a client certificate with a SPIFFE ID")
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
