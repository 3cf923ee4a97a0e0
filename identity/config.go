package identity

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// The identity modes, tried in the configured order.
const (
	ModeJWT      = "jwt"       // verify an OIDC JWT from a request header
	ModeJWTAuthn = "jwt_authn" // trust the claims Envoy's jwt_authn filter forwarded in metadata
	ModeSPIFFE   = "spiffe"    // SPIFFE ID from x-forwarded-client-cert (Envoy-terminated mTLS)
)

// MaxTokenBytes bounds a token (and the header that carries it). Larger ones are refused with
// CodeTooLarge before any decoding.
const MaxTokenBytes = 16 << 10

// Config is the identity: section of warden's YAML.
type Config struct {
	// Modes lists the identity sources in the order they are tried. The first one that finds a
	// credential decides: a credential that is present but invalid refuses the request, it does not
	// fall through to the next mode.
	Modes    []string       `yaml:"modes"`
	JWT      JWTConfig      `yaml:"jwt"`
	JWTAuthn JWTAuthnConfig `yaml:"jwt_authn"`
	SPIFFE   SPIFFEConfig   `yaml:"spiffe"`
	Claims   ClaimsConfig   `yaml:"claims"`
	// OnBehalfOfHeader names a request header that carries the delegating human when no claim
	// does. The agent sets it, so it is the agent's assertion, not a verified fact.
	OnBehalfOfHeader string         `yaml:"on_behalf_of_header"`
	Required         RequiredConfig `yaml:"required"`
	Sessions         SessionConfig  `yaml:"sessions"`
}

// JWTConfig configures verification of OIDC JWTs against the issuer's JWKS.
type JWTConfig struct {
	Issuer    string   `yaml:"issuer"`
	Audiences []string `yaml:"audiences"` // the token's aud must name at least one
	// JWKSURL is the issuer's key set. Empty: found by OIDC discovery from the issuer.
	JWKSURL string `yaml:"jwks_url"`
	// Headers are tried in order. "authorization" takes a Bearer token and ignores values that
	// are not JWT-shaped (API keys for the upstream); any other header must hold a JWT.
	Headers    []string      `yaml:"headers"`
	ClockSkew  time.Duration `yaml:"clock_skew"`
	Algorithms []string      `yaml:"algorithms"` // asymmetric only; HS* and none are refused
	// CacheTTL is how long a fetched key set is used before it is fetched again.
	CacheTTL time.Duration `yaml:"jwks_cache_ttl"`
	// MinRefresh rate-limits refetches caused by unknown kids (and retries after a failed fetch).
	MinRefresh  time.Duration `yaml:"jwks_min_refresh"`
	HTTPTimeout time.Duration `yaml:"http_timeout"`
	// VerifiedCacheTTL is how long a verified token is remembered (by its SHA-256), so that an
	// agent's repeated requests skip signature checks; never past the token's exp. Negative
	// disables the cache. Default 1m: a key the issuer withdraws stops working within it.
	VerifiedCacheTTL time.Duration `yaml:"verified_cache_ttl"`
}

// JWTAuthnConfig says where Envoy's jwt_authn filter put the verified payload.
type JWTAuthnConfig struct {
	Namespace string   `yaml:"namespace"` // default envoy.filters.http.jwt_authn
	Key       string   `yaml:"key"`       // default payload (payload_in_metadata)
	Issuers   []string `yaml:"issuers"`   // optional allow-list of iss values
}

// SPIFFEConfig configures SPIFFE IDs from x-forwarded-client-cert. Envoy must sanitize the header
// (forward_client_cert_details: SANITIZE_SET) or a client could forge it.
type SPIFFEConfig struct {
	Header       string   `yaml:"header"`        // default x-forwarded-client-cert
	TrustDomains []string `yaml:"trust_domains"` // required
}

// ClaimsConfig maps token claims to the identity. Names may be dotted paths into nested objects.
type ClaimsConfig struct {
	Subject    string   `yaml:"subject"`      // default sub
	Groups     string   `yaml:"groups"`       // default groups
	Agent      []string `yaml:"agent"`        // first present wins; default [azp, client_id]
	OnBehalfOf string   `yaml:"on_behalf_of"` // optional claim naming the delegating human
}

// RequiredConfig says where a request without a valid identity is refused with 401.
type RequiredConfig struct {
	All    bool         `yaml:"all"`
	Routes []RouteMatch `yaml:"routes"`
}

// RouteMatch matches a request by host and path prefix. An empty or "*" host matches any host;
// "*.example.com" matches its subdomains.
type RouteMatch struct {
	Host       string `yaml:"host"`
	PathPrefix string `yaml:"path_prefix"`
}

// SessionConfig configures the session tracker.
type SessionConfig struct {
	Header        string        `yaml:"header"`         // client-supplied session id; default x-agent-session
	IdleTimeout   time.Duration `yaml:"idle_timeout"`   // default 15m
	MaxLifetime   time.Duration `yaml:"max_lifetime"`   // default 8h
	SweepInterval time.Duration `yaml:"sweep_interval"` // default 30s
	MaxSessions   int           `yaml:"max_sessions"`   // default 100000
}

var defaultAlgorithms = []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}

// withDefaults returns c with defaults filled in.
func (c Config) withDefaults() Config {
	if len(c.Modes) == 0 {
		c.Modes = []string{ModeJWT}
	}
	j := &c.JWT
	if len(j.Headers) == 0 {
		j.Headers = []string{"authorization", "x-agent-identity"}
	}
	if j.ClockSkew == 0 {
		j.ClockSkew = 30 * time.Second
	}
	if len(j.Algorithms) == 0 {
		j.Algorithms = defaultAlgorithms
	}
	if j.CacheTTL == 0 {
		j.CacheTTL = 10 * time.Minute
	}
	if j.MinRefresh == 0 {
		j.MinRefresh = 10 * time.Second
	}
	if j.HTTPTimeout == 0 {
		j.HTTPTimeout = 5 * time.Second
	}
	if j.VerifiedCacheTTL == 0 {
		j.VerifiedCacheTTL = time.Minute
	}
	if c.JWTAuthn.Namespace == "" {
		c.JWTAuthn.Namespace = "envoy.filters.http.jwt_authn"
	}
	if c.JWTAuthn.Key == "" {
		c.JWTAuthn.Key = "payload"
	}
	if c.SPIFFE.Header == "" {
		c.SPIFFE.Header = "x-forwarded-client-cert"
	}
	if c.Claims.Subject == "" {
		c.Claims.Subject = "sub"
	}
	if c.Claims.Groups == "" {
		c.Claims.Groups = "groups"
	}
	if len(c.Claims.Agent) == 0 {
		c.Claims.Agent = []string{"azp", "client_id"}
	}
	c.Sessions = c.Sessions.withDefaults()
	return c
}

func (s SessionConfig) withDefaults() SessionConfig {
	if s.Header == "" {
		s.Header = "x-agent-session"
	}
	if s.IdleTimeout == 0 {
		s.IdleTimeout = 15 * time.Minute
	}
	if s.MaxLifetime == 0 {
		s.MaxLifetime = 8 * time.Hour
	}
	if s.SweepInterval == 0 {
		s.SweepInterval = 30 * time.Second
	}
	if s.MaxSessions == 0 {
		s.MaxSessions = 100000
	}
	return s
}

// validate reports every configuration error at once, each saying what to change.
func (c Config) validate() error {
	var errs []error
	seen := map[string]bool{}
	for _, m := range c.Modes {
		switch m {
		case ModeJWT, ModeJWTAuthn, ModeSPIFFE:
		default:
			errs = append(errs, fmt.Errorf("identity.modes: unknown mode %q: use jwt, jwt_authn or spiffe", m))
		}
		if seen[m] {
			errs = append(errs, fmt.Errorf("identity.modes: %q listed twice", m))
		}
		seen[m] = true
	}
	if seen[ModeJWT] {
		errs = append(errs, c.JWT.validate()...)
	}
	if seen[ModeSPIFFE] {
		if len(c.SPIFFE.TrustDomains) == 0 {
			errs = append(errs, errors.New("identity.spiffe.trust_domains: list the trust domains whose SPIFFE IDs are accepted"))
		}
		for _, td := range c.SPIFFE.TrustDomains {
			if !validTrustDomain(td) {
				errs = append(errs, fmt.Errorf("identity.spiffe.trust_domains: %q is not a trust domain (lowercase letters, digits, '.', '-', '_')", td))
			}
		}
	}
	for i, r := range c.Required.Routes {
		if r.PathPrefix != "" && !strings.HasPrefix(r.PathPrefix, "/") {
			errs = append(errs, fmt.Errorf("identity.required.routes[%d].path_prefix: %q must start with /", i, r.PathPrefix))
		}
	}
	s := c.Sessions
	if s.IdleTimeout < 0 || s.MaxLifetime < 0 || s.SweepInterval < 0 || s.MaxSessions < 0 {
		errs = append(errs, errors.New("identity.sessions: durations and max_sessions must not be negative"))
	}
	return errors.Join(errs...)
}

func (j JWTConfig) validate() []error {
	var errs []error
	if j.Issuer == "" {
		errs = append(errs, errors.New("identity.jwt.issuer: set the issuer URL tokens must carry in iss"))
	}
	if len(j.Audiences) == 0 {
		errs = append(errs, errors.New("identity.jwt.audiences: list at least one audience (warden's client id)"))
	}
	if j.JWKSURL != "" {
		if u, err := url.Parse(j.JWKSURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			errs = append(errs, fmt.Errorf("identity.jwt.jwks_url: %q is not an http(s) URL", j.JWKSURL))
		}
	}
	for _, a := range j.Algorithms {
		if !asymmetricAlg(a) {
			errs = append(errs, fmt.Errorf("identity.jwt.algorithms: %q is not allowed: use RS*, PS*, ES* or EdDSA (symmetric and none are refused)", a))
		}
	}
	if j.ClockSkew < 0 || j.ClockSkew > 10*time.Minute {
		errs = append(errs, fmt.Errorf("identity.jwt.clock_skew: %s is out of range 0..10m", j.ClockSkew))
	}
	return errs
}

func asymmetricAlg(a string) bool {
	for _, d := range defaultAlgorithms {
		if a == d {
			return true
		}
	}
	return false
}
