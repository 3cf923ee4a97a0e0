package identity

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// jwtVerifier verifies compact JWS tokens from one issuer.
type jwtVerifier struct {
	cfg   JWTConfig
	keys  *keySet
	now   func() time.Time
	cache verifiedCache
}

// maxVerified bounds the verified-token cache.
const maxVerified = 10000

// verifiedCache remembers verified tokens by their SHA-256 until min(exp+skew, verified+ttl).
// The cached claims are shared: readers must not modify them.
type verifiedCache struct {
	mu sync.Mutex
	m  map[[32]byte]cachedToken
}

type cachedToken struct {
	claims map[string]any
	until  time.Time
}

func (c *verifiedCache) get(sum [32]byte, now time.Time) (map[string]any, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[sum]
	if !ok {
		return nil, false
	}
	if !now.Before(e.until) {
		delete(c.m, sum)
		return nil, false
	}
	return e.claims, true
}

func (c *verifiedCache) put(sum [32]byte, claims map[string]any, until time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = make(map[[32]byte]cachedToken)
	}
	if len(c.m) >= maxVerified {
		for k := range c.m { // evict an arbitrary entry (map order is random)
			delete(c.m, k)
			break
		}
	}
	c.m[sum] = cachedToken{claims: claims, until: until}
}

// verify checks a token and returns its claims. The order of checks makes each refusal specific:
// size, shape, alg, key, signature, then claims.
func (j *jwtVerifier) verify(ctx context.Context, tok string) (map[string]any, *Error) {
	useCache := j.cfg.VerifiedCacheTTL > 0 && len(tok) <= MaxTokenBytes
	var sum [32]byte
	if useCache {
		sum = sha256.Sum256([]byte(tok))
		if claims, ok := j.cache.get(sum, j.now()); ok {
			return claims, nil
		}
	}
	claims, err := j.verifySlow(ctx, tok)
	if err == nil && useCache {
		exp, _, _ := numericDate(claims, "exp") // checked by verifySlow
		until := j.now().Add(j.cfg.VerifiedCacheTTL)
		if e := exp.Add(j.cfg.ClockSkew); e.Before(until) {
			until = e
		}
		j.cache.put(sum, claims, until)
	}
	return claims, err
}

func (j *jwtVerifier) verifySlow(ctx context.Context, tok string) (map[string]any, *Error) {
	p, perr := preParse(tok)
	if perr != nil {
		return nil, perr
	}
	alg := p.header.Alg
	if !slices.Contains(j.cfg.Algorithms, alg) {
		return nil, unauthorized(CodeAlgNotAllowed, fmt.Sprintf("token alg %q is not in the allowed list %v", alg, j.cfg.Algorithms))
	}
	keys, kerr := j.keys.candidates(ctx, p.header.Kid, alg)
	if kerr != nil {
		return nil, kerr
	}
	jws, err := jose.ParseSigned(tok, []jose.SignatureAlgorithm{jose.SignatureAlgorithm(alg)})
	if err != nil || len(jws.Signatures) != 1 {
		return nil, unauthorized(CodeMalformed, "token is not a compact JWS with one signature")
	}
	var payload []byte
	for _, k := range keys {
		if b, err := jws.Verify(k.Key); err == nil {
			payload = b
			break
		}
	}
	if payload == nil {
		return nil, unauthorized(CodeBadSignature, "token signature does not verify with the issuer's keys")
	}
	claims, err := decodeClaims(payload)
	if err != nil {
		return nil, unauthorized(CodeMalformed, "token payload is not a JSON object")
	}
	if cerr := j.checkClaims(claims); cerr != nil {
		return nil, cerr
	}
	return claims, nil
}

// checkClaims applies RFC 7519 §4.1 checks with the configured clock skew.
func (j *jwtVerifier) checkClaims(c map[string]any) *Error {
	if iss, _ := c["iss"].(string); iss != j.cfg.Issuer {
		return unauthorized(CodeWrongIssuer, fmt.Sprintf("token issuer is not %s", j.cfg.Issuer))
	}
	if !audienceMatches(c["aud"], j.cfg.Audiences) {
		return unauthorized(CodeWrongAudience, fmt.Sprintf("token audience names none of %v", j.cfg.Audiences))
	}
	now, skew := j.now(), j.cfg.ClockSkew
	exp, ok, err := numericDate(c, "exp")
	switch {
	case err != nil:
		return unauthorized(CodeMalformed, err.Error())
	case !ok:
		return unauthorized(CodeMissingClaim, "token has no exp claim; warden refuses tokens that never expire")
	case !now.Before(exp.Add(skew)):
		return unauthorized(CodeExpired, fmt.Sprintf("token expired at %s", exp.UTC().Format(time.RFC3339)))
	}
	for _, name := range []string{"nbf", "iat"} {
		t, ok, err := numericDate(c, name)
		if err != nil {
			return unauthorized(CodeMalformed, err.Error())
		}
		if ok && now.Add(skew).Before(t) {
			return unauthorized(CodeNotYetValid, fmt.Sprintf("token %s is in the future (%s)", name, t.UTC().Format(time.RFC3339)))
		}
	}
	return nil
}

// audienceMatches accepts aud as a string or an array of strings (RFC 7519 §4.1.3).
func audienceMatches(aud any, want []string) bool {
	switch a := aud.(type) {
	case string:
		return slices.Contains(want, a)
	case []any:
		for _, e := range a {
			if s, ok := e.(string); ok && slices.Contains(want, s) {
				return true
			}
		}
	}
	return false
}

// bearer extracts a token from an Authorization value ("Bearer <token>"); ok is false for other
// schemes.
func bearer(v string) (string, bool) {
	const p = "bearer "
	if len(v) > len(p) && strings.EqualFold(v[:len(p)], p) {
		return strings.TrimSpace(v[len(p):]), true
	}
	return "", false
}

// tokenFromHeaders finds the first token in the configured headers and the header it came from.
// An oversized header is refused before it is looked at. In Authorization, values that are not
// JWTs of the configured issuer are ignored: they are credentials for the upstream (API keys,
// Kubernetes service-account tokens), not warden identity.
func (j *jwtVerifier) tokenFromHeaders(get func(string) string) (string, string, *Error) {
	for _, h := range j.cfg.Headers {
		v := get(h)
		if v == "" {
			continue
		}
		if len(v) > MaxTokenBytes+len("Bearer ") {
			return "", "", unauthorized(CodeTooLarge, fmt.Sprintf("header %s is %d bytes, over the %d byte token limit", h, len(v), MaxTokenBytes))
		}
		if strings.EqualFold(h, "authorization") {
			tok, ok := bearer(v)
			if !ok || !jwtShaped(tok) || !j.mayBeOurs(tok) {
				continue
			}
			return tok, h, nil
		}
		if tok, ok := bearer(v); ok {
			v = tok
		}
		return strings.TrimSpace(v), h, nil
	}
	return "", "", nil
}

// mayBeOurs peeks (unverified) at a JWT-shaped bearer token's payload: a token whose readable
// payload names another issuer (or none) belongs to the upstream and is left alone. Any other token is verified, and so
// refused if it is broken: one that claims warden's issuer but is unsigned (alg none) or has a
// malformed header, and one whose payload cannot be read at all (its issuer is unknown, so it
// cannot be shown to be someone else's). Deciding "not ours" from a failed parse would let such a
// token through as anonymous and forward it upstream.
func (j *jwtVerifier) mayBeOurs(tok string) bool {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return true
	}
	pb, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return true
	}
	claims, err := decodeClaims(pb)
	if err != nil {
		return true
	}
	iss, _ := claims["iss"].(string)
	return iss == j.cfg.Issuer
}
