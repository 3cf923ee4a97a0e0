package identity

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/x509"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/warden-gw/warden/exchange"
)

const aud = "warden"

func jwtConfig(is *issuer, discover bool) Config {
	cfg := Config{Modes: []string{ModeJWT}, JWT: JWTConfig{
		Issuer: is.srv.URL, Audiences: []string{aud, "other"},
		JWKSURL: is.srv.URL + "/keys", MinRefresh: time.Minute,
	}}
	if discover {
		cfg.JWT.JWKSURL = ""
	}
	return cfg
}

func claimsAt(is *issuer, now time.Time) map[string]any {
	return map[string]any{
		"iss": is.srv.URL, "aud": aud, "sub": "alice", "azp": "agent-7",
		"groups": []string{"sre", "dev"}, "exp": now.Add(5 * time.Minute).Unix(), "iat": now.Unix(),
	}
}

func with(c map[string]any, k string, v any) map[string]any {
	out := map[string]any{}
	for kk, vv := range c {
		out[kk] = vv
	}
	if v == nil {
		delete(out, k)
	} else {
		out[k] = v
	}
	return out
}

func exchangeWith(h ...string) *exchange.Exchange {
	x := &exchange.Exchange{Request: exchange.Request{Method: "POST", Authority: "api.example.com", Path: "/v1/x"}}
	for i := 0; i+1 < len(h); i += 2 {
		x.Request.Headers = append(x.Request.Headers, exchange.Header{Key: h[i], Value: h[i+1]})
	}
	return x
}

func TestJWTVerification(t *testing.T) {
	testKeys(t)
	clk := newClock()
	is := newIssuer(t, pub(&rsaKey1.PublicKey, "rsa1", "RS256"), pub(&ecKey.PublicKey, "ec1", "ES256"))
	v := newVerifier(t, jwtConfig(is, false), clk)
	now := clk.Now()
	good := claimsAt(is, now)
	pubDER, _ := x509.MarshalPKIXPublicKey(&rsaKey1.PublicKey)
	hsHeader := map[string]any{"alg": "HS256", "kid": "rsa1", "typ": "JWT"}
	hsInput := rawToken(t, hsHeader, good, nil)
	mac := hmac.New(sha256.New, pubDER)
	mac.Write([]byte(strings.TrimSuffix(hsInput, ".")))
	hsToken := strings.TrimSuffix(hsInput, ".") + "." + b64(mac.Sum(nil))

	tests := []struct {
		name  string
		token string
		code  string // "" = accepted
	}{
		{"RS256 accepted", sign(t, rsaKey1, "rsa1", jose.RS256, good), ""},
		{"ES256 accepted", sign(t, ecKey, "ec1", jose.ES256, good), ""},
		{"audience in a list", sign(t, rsaKey1, "rsa1", jose.RS256, with(good, "aud", []string{"x", "other"})), ""},
		{"expired", sign(t, rsaKey1, "rsa1", jose.RS256, with(good, "exp", now.Add(-time.Minute).Unix())), CodeExpired},
		{"expired within skew accepted", sign(t, rsaKey1, "rsa1", jose.RS256, with(good, "exp", now.Add(-10*time.Second).Unix())), ""},
		{"not yet valid", sign(t, rsaKey1, "rsa1", jose.RS256, with(good, "nbf", now.Add(time.Hour).Unix())), CodeNotYetValid},
		{"issued in the future", sign(t, rsaKey1, "rsa1", jose.RS256, with(good, "iat", now.Add(time.Hour).Unix())), CodeNotYetValid},
		{"missing exp", sign(t, rsaKey1, "rsa1", jose.RS256, with(good, "exp", nil)), CodeMissingClaim},
		{"missing sub", sign(t, rsaKey1, "rsa1", jose.RS256, with(good, "sub", nil)), CodeMissingClaim},
		{"wrong audience", sign(t, rsaKey1, "rsa1", jose.RS256, with(good, "aud", "someone-else")), CodeWrongAudience},
		{"wrong issuer", sign(t, rsaKey1, "rsa1", jose.RS256, with(good, "iss", "https://evil.example")), CodeWrongIssuer},
		{"alg none", rawToken(t, map[string]any{"alg": "none", "typ": "JWT"}, good, nil), CodeAlgNone},
		{"alg None with signature", rawToken(t, map[string]any{"alg": "None"}, good, []byte("x")), CodeAlgNone},
		{"HS256 keyed with the RSA public key", hsToken, CodeAlgNotAllowed},
		{"signed by another key under a known kid", sign(t, rsaKey2, "rsa1", jose.RS256, good), CodeBadSignature},
		{"ES256 token claiming the RSA kid", sign(t, ecKey, "rsa1", jose.ES256, good), CodeUnknownKey},
		{"two parts", "eyJhbGciOiJSUzI1NiJ9.e30", CodeMalformed},
		{"header not base64", "eyJ!!!.e30.c2ln", CodeMalformed},
		{"header not JSON object", b64([]byte(`["RS256"]`)) + ".e30.c2ln", CodeMalformed},
		{"crit header", rawToken(t, map[string]any{"alg": "RS256", "crit": []string{"exp"}}, good, []byte("s")), CodeMalformed},
		{"oversized", "eyJ" + strings.Repeat("a", MaxTokenBytes) + ".e30.c2ln", CodeTooLarge},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			x := exchangeWith("x-agent-identity", tc.token)
			err := v.Identify(context.Background(), x, nil)
			if tc.code == "" {
				if err != nil {
					t.Fatalf("refused a valid token: %v", err)
				}
				if x.Identity.Subject != "alice" || x.Identity.Agent != "agent-7" || x.Identity.Method != ModeJWT {
					t.Fatalf("identity = %+v", x.Identity)
				}
				return
			}
			var ie *Error
			if !errors.As(err, &ie) {
				t.Fatalf("got %v, want *Error with code %s", err, tc.code)
			}
			if ie.Code != tc.code || ie.Status != http.StatusUnauthorized {
				t.Fatalf("got %d %s (%s), want 401 %s", ie.Status, ie.Code, ie.Reason, tc.code)
			}
			if len(tc.token) > 20 && strings.Contains(err.Error(), tc.token[len(tc.token)-20:]) {
				t.Fatalf("error quotes the token: %v", err)
			}
			if x.Identity.Subject != "" {
				t.Fatalf("identity filled despite refusal: %+v", x.Identity)
			}
		})
	}
}

func TestJWTKeyRotationAndUnknownKid(t *testing.T) {
	testKeys(t)
	clk := newClock()
	is := newIssuer(t, pub(&rsaKey1.PublicKey, "k1", "RS256"))
	v := newVerifier(t, jwtConfig(is, false), clk)
	ctx := context.Background()
	claims := claimsAt(is, clk.Now())

	if err := v.Identify(ctx, exchangeWith("x-agent-identity", sign(t, rsaKey1, "k1", jose.RS256, claims)), nil); err != nil {
		t.Fatalf("k1: %v", err)
	}
	if n := is.fetches.Load(); n != 1 {
		t.Fatalf("fetches after first token = %d, want 1", n)
	}
	// The issuer rotates: k2 appears. A token signed with k2 is accepted after one refresh.
	is.setKeys(pub(&rsaKey1.PublicKey, "k1", "RS256"), pub(&rsaKey2.PublicKey, "k2", "RS256"))
	clk.Add(2 * time.Minute) // past MinRefresh
	claims = claimsAt(is, clk.Now())
	if err := v.Identify(ctx, exchangeWith("x-agent-identity", sign(t, rsaKey2, "k2", jose.RS256, claims)), nil); err != nil {
		t.Fatalf("k2 after rotation: %v", err)
	}
	if n := is.fetches.Load(); n != 2 {
		t.Fatalf("fetches after rotation = %d, want 2", n)
	}
	// Unknown kids: the first may refresh... but not within MinRefresh of the last fetch.
	for i := range 5 {
		err := v.Identify(ctx, exchangeWith("x-agent-identity", sign(t, rsaKey2, "nope", jose.RS256, claims)), nil)
		if CodeOf(err) != CodeUnknownKey {
			t.Fatalf("attempt %d: got %v, want %s", i, err, CodeUnknownKey)
		}
	}
	if n := is.fetches.Load(); n != 2 {
		t.Fatalf("unknown kids caused %d extra fetches within the refresh limit", n-2)
	}
	clk.Add(2 * time.Minute)
	claims = claimsAt(is, clk.Now())
	_ = v.Identify(ctx, exchangeWith("x-agent-identity", sign(t, rsaKey2, "nope", jose.RS256, claims)), nil)
	if n := is.fetches.Load(); n != 3 {
		t.Fatalf("after the refresh limit an unknown kid should refetch once; fetches = %d", n)
	}
}

func TestJWTDiscoveryAndUnavailableKeys(t *testing.T) {
	testKeys(t)
	clk := newClock()
	is := newIssuer(t, pub(&ecKey.PublicKey, "ec1", ""))
	v := newVerifier(t, jwtConfig(is, true), clk)
	tok := sign(t, ecKey, "ec1", jose.ES256, claimsAt(is, clk.Now()))
	x := exchangeWith("authorization", "Bearer "+tok)
	if err := v.Identify(context.Background(), x, nil); err != nil {
		t.Fatalf("with discovery: %v", err)
	}
	if got := x.Identity.Groups; len(got) != 2 || got[0] != "sre" {
		t.Fatalf("groups = %v", got)
	}

	down := newIssuer(t)
	down.srv.Close()
	v2 := newVerifier(t, jwtConfig(down, false), clk)
	err := v2.Identify(context.Background(), exchangeWith("x-agent-identity", tok), nil)
	var ie *Error
	if !errors.As(err, &ie) || ie.Code != CodeKeysUnavailable || ie.Status != http.StatusServiceUnavailable {
		t.Fatalf("issuer down: got %v, want 503 %s", err, CodeKeysUnavailable)
	}
}

func TestAuthorizationHeaderAPIKeyIgnored(t *testing.T) {
	testKeys(t)
	clk := newClock()
	is := newIssuer(t, pub(&rsaKey1.PublicKey, "k1", "RS256"))
	cfg := jwtConfig(is, false)
	cfg.Required.Routes = []RouteMatch{{Host: "*.internal", PathPrefix: "/admin"}}
	v := newVerifier(t, cfg, clk)

	x := exchangeWith("authorization", "Bearer sk-proj-abc123")
	if err := v.Identify(context.Background(), x, nil); err != nil {
		t.Fatalf("an OpenAI key in Authorization must not be refused as a JWT: %v", err)
	}
	if x.Identity.Subject != "" {
		t.Fatalf("anonymous expected, got %+v", x.Identity)
	}
	x = exchangeWith("authorization", "Bearer sk-proj-abc123")
	x.Request.Authority, x.Request.Path = "db.internal:8443", "/admin/users"
	err := v.Identify(context.Background(), x, nil)
	var ie *Error
	if !errors.As(err, &ie) || ie.Code != CodeRequired || ie.Status != 401 {
		t.Fatalf("required route without identity: got %v", err)
	}
	if !strings.Contains(ie.Reason, "x-agent-identity") {
		t.Fatalf("reason does not say how to authenticate: %q", ie.Reason)
	}
	// A garbage value in the dedicated header is a malformed token, not anonymity.
	err = v.Identify(context.Background(), exchangeWith("x-agent-identity", "not-a-jwt"), nil)
	if CodeOf(err) != CodeMalformed {
		t.Fatalf("garbage in x-agent-identity: got %v", err)
	}
}

func TestAuthenticateBearer(t *testing.T) {
	testKeys(t)
	clk := newClock()
	is := newIssuer(t, pub(&rsaKey1.PublicKey, "k1", "RS256"))
	v := newVerifier(t, jwtConfig(is, false), clk)
	id, err := v.AuthenticateBearer(context.Background(), sign(t, rsaKey1, "k1", jose.RS256, claimsAt(is, clk.Now())))
	if err != nil || id.Subject != "alice" || len(id.Groups) != 2 {
		t.Fatalf("AuthenticateBearer = %+v, %v", id, err)
	}
	if _, err := v.AuthenticateBearer(context.Background(), ""); CodeOf(err) != CodeRequired {
		t.Fatalf("empty token: %v", err)
	}
}

func TestConfigValidation(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"unknown mode", Config{Modes: []string{"kerberos"}}, "unknown mode"},
		{"jwt without issuer", Config{Modes: []string{ModeJWT}, JWT: JWTConfig{Audiences: []string{"a"}}}, "issuer"},
		{"jwt without audience", Config{Modes: []string{ModeJWT}, JWT: JWTConfig{Issuer: "https://i"}}, "audiences"},
		{"HS256 allowed", Config{Modes: []string{ModeJWT}, JWT: JWTConfig{Issuer: "https://i", Audiences: []string{"a"}, Algorithms: []string{"HS256"}}}, "HS256"},
		{"spiffe without trust domain", Config{Modes: []string{ModeSPIFFE}}, "trust_domains"},
		{"bad path prefix", Config{Modes: []string{ModeJWTAuthn}, Required: RequiredConfig{Routes: []RouteMatch{{PathPrefix: "admin"}}}}, "path_prefix"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(context.Background(), tc.cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error mentioning %q", err, tc.want)
			}
		})
	}
}

func TestVerifiedCacheHonoursExpiryAndKeyWithdrawal(t *testing.T) {
	testKeys(t)
	clk := newClock()
	is := newIssuer(t, pub(&rsaKey1.PublicKey, "k1", "RS256"))
	cfg := jwtConfig(is, false)
	cfg.JWT.CacheTTL = time.Minute // key set refetched after 1m
	v := newVerifier(t, cfg, clk)
	ctx := context.Background()
	claims := with(claimsAt(is, clk.Now()), "exp", clk.Now().Add(90*time.Second).Unix())
	tok := sign(t, rsaKey1, "k1", jose.RS256, claims)
	if err := v.Identify(ctx, exchangeWith("x-agent-identity", tok), nil); err != nil {
		t.Fatal(err)
	}
	// The issuer withdraws k1. Within the cache TTL (1m) the verified token still passes...
	is.setKeys(pub(&rsaKey2.PublicKey, "k2", "RS256"))
	clk.Add(30 * time.Second)
	if err := v.Identify(ctx, exchangeWith("x-agent-identity", tok), nil); err != nil {
		t.Fatalf("cached token refused: %v", err)
	}
	// ...after it, the token is verified again and refused: k1 is gone.
	clk.Add(45 * time.Second)
	if err := v.Identify(ctx, exchangeWith("x-agent-identity", tok), nil); CodeOf(err) != CodeUnknownKey {
		t.Fatalf("withdrawn key: got %v, want %s", err, CodeUnknownKey)
	}
	// A cached token never outlives its exp.
	is.setKeys(pub(&rsaKey1.PublicKey, "k1", "RS256"))
	clk.Add(2 * time.Minute) // past MinRefresh so the key set is fetched again
	claims = with(claimsAt(is, clk.Now()), "exp", clk.Now().Add(40*time.Second).Unix())
	tok = sign(t, rsaKey1, "k1", jose.RS256, claims)
	if err := v.Identify(ctx, exchangeWith("x-agent-identity", tok), nil); err != nil {
		t.Fatal(err)
	}
	clk.Add(40*time.Second + 31*time.Second) // past exp + skew, within the cache TTL
	if err := v.Identify(ctx, exchangeWith("x-agent-identity", tok), nil); CodeOf(err) != CodeExpired {
		t.Fatalf("cached token past exp: got %v", err)
	}
}

func TestAuthorizationHeaderSelection(t *testing.T) {
	testKeys(t)
	clk := newClock()
	is := newIssuer(t, pub(&rsaKey1.PublicKey, "k1", "RS256"))
	v := newVerifier(t, jwtConfig(is, false), clk)
	ours := sign(t, rsaKey1, "k1", jose.RS256, claimsAt(is, clk.Now()))
	// A Kubernetes service-account token: a JWT of another issuer, meant for the upstream.
	k8s := sign(t, rsaKey2, "sa", jose.RS256, with(claimsAt(is, clk.Now()), "iss", "https://kubernetes.default.svc"))
	tests := []struct {
		name      string
		headers   []string
		wantSub   string
		wantStrip []string
	}{
		{"warden token in Authorization", []string{"authorization", "Bearer " + ours}, "alice", []string{"authorization"}},
		{"upstream JWT in Authorization is left alone", []string{"authorization", "Bearer " + k8s}, "", nil},
		{"upstream JWT plus warden token in x-agent-identity", []string{"authorization", "Bearer " + k8s, "x-agent-identity", ours}, "alice", []string{"x-agent-identity"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			x := exchangeWith(tc.headers...)
			if err := v.Identify(context.Background(), x, nil); err != nil {
				t.Fatal(err)
			}
			if x.Identity.Subject != tc.wantSub {
				t.Fatalf("subject %q, want %q", x.Identity.Subject, tc.wantSub)
			}
			if got := v.CredentialHeaders(x); strings.Join(got, ",") != strings.Join(tc.wantStrip, ",") {
				t.Fatalf("CredentialHeaders = %v, want %v", got, tc.wantStrip)
			}
		})
	}
}

// A bearer token in Authorization that claims warden's issuer is warden's to verify: unsigned
// (alg none) or with a broken header it is refused with its reason, never taken for an upstream's
// token (that let it through as anonymous and forwarded it upstream). A JWT-shaped token whose
// payload cannot be read is refused too: nothing shows it belongs to someone else.
func TestAuthorizationTokenClaimingOurIssuerIsNeverSkipped(t *testing.T) {
	testKeys(t)
	clk := newClock()
	is := newIssuer(t, pub(&rsaKey1.PublicKey, "k1", "RS256"))
	v := newVerifier(t, jwtConfig(is, false), clk)
	claims := claimsAt(is, clk.Now())
	foreign := with(claimsAt(is, clk.Now()), "iss", "https://kubernetes.default.svc")
	badHeader := "eyJhbGciOiJSUzI1NiIsImtpZCI6" // base64url of a truncated JSON header
	tests := []struct {
		name, tok, wantCode string
	}{
		{"alg none", rawToken(t, map[string]any{"alg": "none", "typ": "JWT"}, claims, nil), CodeAlgNone},
		{"alg NONE with a signature", rawToken(t, map[string]any{"alg": "NONE"}, claims, []byte("sig")), CodeAlgNone},
		{"header is not JSON", badHeader + "." + b64(mustJSON(t, claims)) + "." + b64([]byte("sig")), CodeMalformed},
		{"payload unreadable", rawToken(t, map[string]any{"alg": "RS256"}, claims, []byte("sig"))[:40] + "!!." + b64([]byte("sig")), CodeMalformed},
		{"alg none of another issuer is the upstream's", rawToken(t, map[string]any{"alg": "none"}, foreign, nil), ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			x := exchangeWith("authorization", "Bearer "+tc.tok)
			err := v.Identify(context.Background(), x, nil)
			if tc.wantCode == "" {
				if err != nil || x.Identity.Subject != "" {
					t.Fatalf("got %v, identity %+v; want the token left alone", err, x.Identity)
				}
				return
			}
			var ie *Error
			if !errors.As(err, &ie) || ie.Code != tc.wantCode || ie.Status != 401 {
				t.Fatalf("got %v, want 401 %s", err, tc.wantCode)
			}
		})
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A request waits for the issuer's keys only as long as its context allows (warden gives it a
// share of Envoy's per-message timeout): with an issuer that does not answer, it gets 503
// identity_keys_unavailable when its context ends. The fetch goes on without it, and the next
// request uses its result (joining it or from the cache) without fetching again.
func TestKeyFetchOutlivesTheRequestThatStartedIt(t *testing.T) {
	testKeys(t)
	clk := newClock()
	arrived, release := make(chan struct{}), make(chan struct{})
	var fetches atomic.Int32
	set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{pub(&rsaKey1.PublicKey, "k1", "RS256")}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if fetches.Add(1) == 1 {
			close(arrived)
		}
		<-release
		_ = json.NewEncoder(w).Encode(set)
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() {
		select {
		case <-release:
		default:
			close(release)
		}
	})
	cfg := Config{Modes: []string{ModeJWT}, JWT: JWTConfig{Issuer: srv.URL, Audiences: []string{aud}, JWKSURL: srv.URL, MinRefresh: time.Minute}}
	v := newVerifier(t, cfg, clk)
	tok := sign(t, rsaKey1, "k1", jose.RS256, with(claimsAt(&issuer{srv: srv}, clk.Now()), "iss", srv.URL))

	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-arrived; cancel() }() // the budget ends while the issuer hangs
	err := v.Identify(ctx, exchangeWith("x-agent-identity", tok), nil)
	var ie *Error
	if !errors.As(err, &ie) || ie.Code != CodeKeysUnavailable || ie.Status != http.StatusServiceUnavailable {
		t.Fatalf("hanging issuer: got %v, want 503 %s", err, CodeKeysUnavailable)
	}
	close(release)
	x := exchangeWith("x-agent-identity", tok)
	if err := v.Identify(context.Background(), x, nil); err != nil || x.Identity.Subject != "alice" {
		t.Fatalf("after the issuer answered: %v, identity %+v", err, x.Identity)
	}
	if n := fetches.Load(); n != 1 {
		t.Fatalf("%d key fetches, want the one the first request started", n)
	}
}

// TestRequiredRoutesMatchHostsAsRoutesDo: a required-identity route names its host the way every
// other route does (exchange.HostMatches): case, port and a trailing dot on either side do not
// let a request past the requirement, and "*" still means every host.
func TestRequiredRoutesMatchHostsAsRoutesDo(t *testing.T) {
	testKeys(t)
	is := newIssuer(t, pub(&rsaKey1.PublicKey, "k1", "RS256"))
	for _, c := range []struct {
		pattern, authority string
		required           bool
	}{
		{"DB.Internal.", "db.internal:8443", true},
		{"db.internal", "DB.INTERNAL.", true},
		{"*.internal", "api.db.internal.:443", true},
		{"*.internal", "internal", false},
		{"*", "anything.example", true},
		{"db.internal", "db.internal.evil.example", false},
	} {
		cfg := jwtConfig(is, false)
		cfg.Required.Routes = []RouteMatch{{Host: c.pattern, PathPrefix: "/admin"}}
		v := newVerifier(t, cfg, newClock())
		if got := v.Required(c.authority, "/admin/users"); got != c.required {
			t.Errorf("route host %q, request %q: required = %v, want %v", c.pattern, c.authority, got, c.required)
		}
	}
}
