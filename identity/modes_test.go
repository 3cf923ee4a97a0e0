package identity

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestJWTAuthnMetadata(t *testing.T) {
	clk := newClock()
	cfg := Config{
		Modes: []string{ModeJWTAuthn}, Claims: ClaimsConfig{Groups: "https://example.com/groups"},
		JWTAuthn: JWTAuthnConfig{Issuers: []string{"http://vault:8200/v1/identity/oidc"}},
		Required: RequiredConfig{All: true},
	}
	v := newVerifier(t, cfg, clk)
	const ns = "envoy.filters.http.jwt_authn"
	payload := func(extra map[string]any) map[string]map[string]any {
		p := map[string]any{
			"iss": "http://vault:8200/v1/identity/oidc", "sub": "alice", "client_id": "ci-bot",
			"https://example.com/groups": []any{"approvers"}, "exp": float64(1.9e9),
		}
		for k, v := range extra {
			p[k] = v
		}
		return map[string]map[string]any{ns: {"payload": p}}
	}
	tests := []struct {
		name string
		md   map[string]map[string]any
		want func(t *testing.T, err error, sub, agent, obo string, groups []string)
	}{
		{"claims mapped", payload(nil), func(t *testing.T, err error, sub, agent, obo string, groups []string) {
			if err != nil || sub != "alice" || agent != "ci-bot" || obo != "" || !reflect.DeepEqual(groups, []string{"approvers"}) {
				t.Fatalf("got %v sub=%s agent=%s obo=%s groups=%v", err, sub, agent, obo, groups)
			}
		}},
		{
			"RFC 8693 act: agent acts for the human", payload(map[string]any{"act": map[string]any{"sub": "agent-42"}}),
			func(t *testing.T, err error, sub, agent, obo string, groups []string) {
				if err != nil || sub != "alice" || agent != "agent-42" || obo != "alice" {
					t.Fatalf("got %v sub=%s agent=%s obo=%s", err, sub, agent, obo)
				}
			},
		},
		{
			"issuer outside allow-list", payload(map[string]any{"iss": "https://other"}),
			func(t *testing.T, err error, _, _, _ string, _ []string) {
				if CodeOf(err) != CodeWrongIssuer {
					t.Fatalf("got %v", err)
				}
			},
		},
		{
			"payload not an object",
			map[string]map[string]any{ns: {"payload": "eyJ..."}},
			func(t *testing.T, err error, _, _, _ string, _ []string) {
				if CodeOf(err) != CodeBadMetadata {
					t.Fatalf("got %v", err)
				}
			},
		},
		{"no metadata on a required route", nil, func(t *testing.T, err error, _, _, _ string, _ []string) {
			if CodeOf(err) != CodeRequired {
				t.Fatalf("got %v", err)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			x := exchangeWith()
			err := v.Identify(context.Background(), x, tc.md)
			id := x.Identity
			tc.want(t, err, id.Subject, id.Agent, id.OnBehalfOf, id.Groups)
			if err == nil && (id.Method != ModeJWTAuthn || !strings.HasPrefix(id.Session, "s_")) {
				t.Fatalf("method/session not set: %+v", id)
			}
		})
	}
}

func TestParseXFCC(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    []XFCCElement
		wantErr bool
	}{
		{
			"one element", `By=spiffe://a.org/warden;Hash=abc;URI=spiffe://a.org/ns/x/sa/agent`,
			[]XFCCElement{{"by": {"spiffe://a.org/warden"}, "hash": {"abc"}, "uri": {"spiffe://a.org/ns/x/sa/agent"}}},
			false,
		},
		{
			"two elements, quoted subject with comma and escaped quote",
			`Hash=1;Subject="CN=a,O=\"b\";c";URI=spiffe://a.org/one, By=x;URI=spiffe://a.org/two`,
			[]XFCCElement{
				{"hash": {"1"}, "subject": {`CN=a,O="b";c`}, "uri": {"spiffe://a.org/one"}},
				{"by": {"x"}, "uri": {"spiffe://a.org/two"}},
			},
			false,
		},
		{
			"repeated URI and DNS keys", `URI=spiffe://a.org/x;URI=https://y;DNS=a;DNS=b`,
			[]XFCCElement{{"uri": {"spiffe://a.org/x", "https://y"}, "dns": {"a", "b"}}},
			false,
		},
		{"empty value", `Hash=;URI=spiffe://a.org/x`, []XFCCElement{{"hash": {""}, "uri": {"spiffe://a.org/x"}}}, false},
		{"unterminated quote", `Subject="CN=a`, nil, true},
		{"junk after quote", `Subject="a"b;URI=x`, nil, true},
		{"missing equals", `URI`, nil, true},
		{"empty key", `=x`, nil, true},
		{"empty element", `URI=a,,URI=b`, nil, true},
		{"quote inside bare value", `URI=a"b`, nil, true},
		{"oversized", "URI=" + strings.Repeat("a", maxXFCCBytes), nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseXFCC(tc.in)
			if tc.wantErr {
				if err == nil {
					t.Fatalf("accepted %q as %v", tc.in, got)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %v, %v; want %v", got, err, tc.want)
			}
		})
	}
}

func TestSPIFFEIdentity(t *testing.T) {
	clk := newClock()
	v := newVerifier(t, Config{Modes: []string{ModeSPIFFE}, SPIFFE: SPIFFEConfig{TrustDomains: []string{"prod.example"}}}, clk)
	tests := []struct {
		name, xfcc, wantSub, wantCode string
	}{
		{
			"last element is the direct client", `URI=spiffe://other.example/x,By=spiffe://prod.example/envoy;URI="spiffe://prod.example/ns/agents/sa/coder"`,
			"spiffe://prod.example/ns/agents/sa/coder", "",
		},
		{"untrusted trust domain", `URI=spiffe://evil.example/agent`, "", CodeUntrustedSPIFFE},
		{"two SPIFFE IDs in one cert", `URI=spiffe://prod.example/a;URI=spiffe://prod.example/b`, "", CodeBadClientCert},
		{"invalid SPIFFE path", `URI=spiffe://prod.example/a/../b`, "", CodeBadClientCert},
		{"malformed header", `URI="spiffe://prod.example/a`, "", CodeBadClientCert},
		{"no SPIFFE URI: anonymous", `URI=https://example.com;DNS=a`, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			x := exchangeWith("x-forwarded-client-cert", tc.xfcc)
			err := v.Identify(context.Background(), x, nil)
			if tc.wantCode != "" {
				var ie *Error
				if !errors.As(err, &ie) || ie.Code != tc.wantCode || ie.Status != 401 {
					t.Fatalf("got %v, want %s", err, tc.wantCode)
				}
				return
			}
			if err != nil || x.Identity.Subject != tc.wantSub || x.Identity.Agent != tc.wantSub {
				t.Fatalf("got %+v, %v", x.Identity, err)
			}
			if tc.wantSub != "" && (x.Identity.Method != ModeSPIFFE || x.Identity.Issuer != "spiffe://prod.example") {
				t.Fatalf("method/issuer = %q/%q", x.Identity.Method, x.Identity.Issuer)
			}
		})
	}
}

func TestParseSPIFFEID(t *testing.T) {
	good := []string{"spiffe://example.org", "spiffe://example.org/ns/a_b/sa/c-d.e", "spiffe://a-b_c.d/x/Y/9"}
	bad := []string{
		"spiffe://Example.org/x", "spiffe:///x", "spiffe://a.org/", "spiffe://a.org//x", "spiffe://a.org/./x",
		"spiffe://a.org/x?y", "spiffe://a.org:80/x", "spiffe://u@a.org/x", "https://a.org/x", "spiffe://a.org/x%20y",
	}
	for _, s := range good {
		if id, err := ParseSPIFFEID(s); err != nil || id.String() != s {
			t.Errorf("ParseSPIFFEID(%q) = %v, %v", s, id, err)
		}
	}
	for _, s := range bad {
		if _, err := ParseSPIFFEID(s); err == nil {
			t.Errorf("ParseSPIFFEID(%q) accepted", s)
		}
	}
}

func TestIdentifySessionIDs(t *testing.T) {
	clk := newClock()
	v := newVerifier(t, Config{Modes: []string{ModeJWTAuthn}, OnBehalfOfHeader: "x-on-behalf-of"}, clk)
	md := map[string]map[string]any{"envoy.filters.http.jwt_authn": {"payload": map[string]any{"iss": "i", "sub": "bot", "azp": "a"}}}
	session := func(h ...string) string {
		x := exchangeWith(h...)
		if err := v.Identify(context.Background(), x, md); err != nil {
			t.Fatal(err)
		}
		return x.Identity.Session
	}
	s1, s2 := session(), session()
	s3 := session("x-agent-session", "conv-1")
	if s1 != s2 {
		t.Fatalf("same identity, different session ids %s %s", s1, s2)
	}
	if s3 == s1 {
		t.Fatalf("client session header did not change the id")
	}
	if v.Sessions().Active() != 2 {
		t.Fatalf("active sessions = %d, want 2", v.Sessions().Active())
	}
	x := exchangeWith("x-on-behalf-of", "bob@example.com")
	_ = v.Identify(context.Background(), x, md)
	if x.Identity.OnBehalfOf != "bob@example.com" {
		t.Fatalf("on_behalf_of header not used: %+v", x.Identity)
	}
}
