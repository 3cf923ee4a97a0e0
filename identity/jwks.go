package identity

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	jose "github.com/go-jose/go-jose/v4"
)

const maxJWKSBytes = 1 << 20

// keySet caches an issuer's JWKS. It refetches when the cache is older than ttl, and when a token
// names a kid it does not know — but at most once per minRefresh, so that tokens with random kids
// cannot make warden hammer the issuer.
type keySet struct {
	issuer     string
	url        string // from config or discovery
	client     *http.Client
	ttl        time.Duration
	minRefresh time.Duration
	now        func() time.Time
	log        *slog.Logger

	mu       sync.Mutex
	inflight chan struct{} // closed when the running fetch ends; nil when none runs
	keys     []jose.JSONWebKey
	fetched  time.Time // last successful fetch
	tried    time.Time // last attempt
	lastErr  error
}

// candidates returns the keys that may have signed a token with this kid and alg. It refreshes the
// set when it is stale or, rate-limited, when no key matches.
func (s *keySet) candidates(ctx context.Context, kid, alg string) ([]jose.JSONWebKey, *Error) {
	if s.stale() {
		s.refresh(ctx)
	}
	keys, have := s.match(kid, alg)
	if len(keys) == 0 && s.refresh(ctx) {
		keys, have = s.match(kid, alg)
	}
	if len(keys) > 0 {
		return keys, nil
	}
	if !have {
		s.mu.Lock()
		err := s.lastErr
		s.mu.Unlock()
		if err == nil {
			err = ctx.Err() // still fetching when the request's budget ran out
		}
		return nil, &Error{
			Status: http.StatusServiceUnavailable, Code: CodeKeysUnavailable,
			Reason: "the issuer's signing keys could not be fetched; retry later", Err: err,
		}
	}
	return nil, unauthorized(CodeUnknownKey, "no key of the issuer's key set matches the token's kid and alg")
}

func (s *keySet) stale() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.keys == nil || s.now().Sub(s.fetched) >= s.ttl
}

// match returns matching keys, and whether any key set is loaded at all.
func (s *keySet) match(kid, alg string) ([]jose.JSONWebKey, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []jose.JSONWebKey
	for _, k := range s.keys {
		if kid != "" && k.KeyID != kid {
			continue
		}
		if k.Use != "" && k.Use != "sig" {
			continue
		}
		if k.Algorithm != "" && k.Algorithm != alg {
			continue
		}
		if keyFitsAlg(k.Key, alg) {
			out = append(out, k)
		}
	}
	return out, s.keys != nil
}

// refresh fetches the key set unless the last attempt is more recent than minRefresh or another
// caller's fetch is running (then it waits for that one). It reports whether a fetch ended while
// it waited. The fetch itself runs detached, bounded by the HTTP client's timeout, so that its
// result is cached even when the caller stops waiting: the caller waits only as long as ctx
// allows, because a request's wait must end before Envoy's per-message timeout (an identity
// provider that accepts connections and never answers would otherwise turn warden's documented
// 503 into Envoy's 504).
func (s *keySet) refresh(ctx context.Context) bool {
	s.mu.Lock()
	done := s.inflight
	if done == nil {
		if !s.tried.IsZero() && s.now().Sub(s.tried) < s.minRefresh {
			s.mu.Unlock()
			return false
		}
		s.tried = s.now()
		done = make(chan struct{})
		s.inflight = done
		go s.fetchInto(context.WithoutCancel(ctx), done)
	}
	s.mu.Unlock()
	select {
	case <-done:
		return true
	case <-ctx.Done():
		return false
	}
}

// fetchInto runs one fetch and publishes its result; done is closed when it has.
func (s *keySet) fetchInto(ctx context.Context, done chan struct{}) {
	keys, err := s.fetch(ctx)
	s.mu.Lock()
	defer s.mu.Unlock()
	defer close(done)
	s.inflight = nil
	s.lastErr = err
	if err != nil {
		s.log.Warn("fetch JWKS failed; keeping the previous keys", "issuer", s.issuer, "err", err)
		return
	}
	s.keys, s.fetched = keys, s.now()
}

func (s *keySet) fetch(ctx context.Context) ([]jose.JSONWebKey, error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.client.Timeout)
	defer cancel()
	u, err := s.jwksURL(ctx)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("JWKS request for %s: %w", u, err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetch JWKS %s: %w", u, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetch JWKS %s: status %d", u, resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxJWKSBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read JWKS %s: %w", u, err)
	}
	if len(body) > maxJWKSBytes {
		return nil, fmt.Errorf("JWKS %s is larger than %d bytes", u, maxJWKSBytes)
	}
	return parseJWKS(body)
}

// parseJWKS parses a key set, skipping keys go-jose cannot use (an unknown kty must not make the
// whole set unusable) and keeping only the public half of each key.
func parseJWKS(body []byte) ([]jose.JSONWebKey, error) {
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(body, &set); err != nil {
		return nil, fmt.Errorf("JWKS is not a JSON key set: %w", err)
	}
	var keys []jose.JSONWebKey
	for _, raw := range set.Keys {
		var k jose.JSONWebKey
		if err := k.UnmarshalJSON(raw); err != nil || !k.Valid() {
			continue
		}
		keys = append(keys, k.Public())
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("JWKS holds no usable signing key (%d entries)", len(set.Keys))
	}
	return keys, nil
}

// jwksURL returns the configured URL or finds it by OIDC discovery (go-oidc checks that the
// discovery document names the same issuer).
func (s *keySet) jwksURL(ctx context.Context) (string, error) {
	s.mu.Lock()
	u := s.url
	s.mu.Unlock()
	if u != "" {
		return u, nil
	}
	p, err := oidc.NewProvider(oidc.ClientContext(ctx, s.client), s.issuer)
	if err != nil {
		return "", fmt.Errorf("OIDC discovery for %s: %w (set identity.jwt.jwks_url to skip discovery)", s.issuer, err)
	}
	var meta struct {
		JWKSURI string `json:"jwks_uri"`
	}
	if err := p.Claims(&meta); err != nil || meta.JWKSURI == "" {
		return "", fmt.Errorf("OIDC discovery for %s: no jwks_uri in the provider metadata", s.issuer)
	}
	s.mu.Lock()
	s.url = meta.JWKSURI
	s.mu.Unlock()
	return meta.JWKSURI, nil
}

// keyFitsAlg refuses keys of the wrong type for alg. Together with the alg allow-list it stops
// algorithm confusion (an RSA public key used as an HMAC secret, an ES256 token checked with a
// P-384 key).
func keyFitsAlg(key any, alg string) bool {
	switch {
	case strings.HasPrefix(alg, "RS"), strings.HasPrefix(alg, "PS"):
		k, ok := key.(*rsa.PublicKey)
		return ok && k.N.BitLen() >= 2048
	case alg == "ES256":
		k, ok := key.(*ecdsa.PublicKey)
		return ok && k.Curve == elliptic.P256()
	case alg == "ES384":
		k, ok := key.(*ecdsa.PublicKey)
		return ok && k.Curve == elliptic.P384()
	case alg == "ES512":
		k, ok := key.(*ecdsa.PublicKey)
		return ok && k.Curve == elliptic.P521()
	case alg == "EdDSA":
		_, ok := key.(ed25519.PublicKey)
		return ok
	}
	return false
}
