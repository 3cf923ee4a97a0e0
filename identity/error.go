// Package identity decides who acts in an exchange: it verifies an agent's OIDC JWT against its
// issuer's JWKS, or trusts the claims Envoy's jwt_authn filter forwarded, or reads a SPIFFE ID from
// x-forwarded-client-cert; maps the claims to exchange.Identity (subject, groups, agent,
// on_behalf_of); and tracks agent sessions so that session end can revoke leases and close audit
// records.
//
// Nothing here knows about Envoy's protobufs: the ext_proc server passes headers (in the
// exchange) and metadata namespaces as plain maps.
package identity

import (
	"errors"
	"net/http"
)

// Stable error codes. They double as metric labels and audit error codes.
const (
	CodeRequired        = "identity_required"     // no identity on a route that requires one
	CodeMalformed       = "token_malformed"       // not a compact JWS, bad base64 or JSON
	CodeTooLarge        = "token_too_large"       // token or header over MaxTokenBytes
	CodeAlgNone         = "token_alg_none"        // unsigned token
	CodeAlgNotAllowed   = "token_alg_not_allowed" // alg outside the allow-list (HS256, ...)
	CodeUnknownKey      = "token_unknown_kid"     // no JWKS key for kid, even after a refresh
	CodeBadSignature    = "token_bad_signature"   // signature does not verify
	CodeExpired         = "token_expired"         // exp in the past (beyond clock skew)
	CodeNotYetValid     = "token_not_yet_valid"   // nbf or iat in the future (beyond clock skew)
	CodeWrongIssuer     = "token_wrong_issuer"    // iss is not the configured issuer
	CodeWrongAudience   = "token_wrong_audience"  // aud names none of the configured audiences
	CodeMissingClaim    = "token_missing_claim"   // exp or the subject claim is missing
	CodeKeysUnavailable = "identity_keys_unavailable"
	CodeBadMetadata     = "identity_bad_metadata" // jwt_authn payload is not a claims object
	CodeBadClientCert   = "identity_bad_client_cert"
	CodeUntrustedSPIFFE = "identity_untrusted_trust_domain"
)

// Error refuses a request for lack of a valid identity. Reason is safe to show to the client: it
// never contains the token or a claim value that could be a secret.
type Error struct {
	Status int    // HTTP status for the client: 401, or 503 when keys cannot be fetched
	Code   string // one of the Code constants
	Reason string
	Err    error // underlying cause for operators (never holds the token); may be nil
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Code + ": " + e.Reason + ": " + e.Err.Error()
	}
	return e.Code + ": " + e.Reason
}

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }

// Is matches another *Error with the same code, so callers can write errors.Is(err, &Error{Code: c}).
func (e *Error) Is(target error) bool {
	var t *Error
	if errors.As(target, &t) {
		return t.Code == e.Code
	}
	return false
}

func unauthorized(code, reason string) *Error {
	return &Error{Status: http.StatusUnauthorized, Code: code, Reason: reason}
}

// CodeOf returns the code of an *Error in err's chain, or "".
func CodeOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// SafeReason is the code and reason, for answers to clients (the approval API uses it).
func (e *Error) SafeReason() string { return e.Code + ": " + e.Reason }
