package redact

import (
	"bytes"
	"regexp"
)

// Authorization schemes other than Bearer and Basic, and macaroon-style
// tokens. A scheme word that only ever introduces a credential marks the
// value after it wherever it stands — an Authorization header, but also a
// CLI flag (`fly deploy --access-token "FlyV1 fm2_…"`), an environment
// variable or a header map in a config:
//
//   - `FlyV1 <token>[,<token>…]` (Fly.io macaroons, comma-separated);
//   - `SSWS <token>` (Okta API tokens), `GenieKey <uuid>` (Opsgenie),
//     `Splunk <uuid>` (Splunk HEC), `DeepL-Auth-Key <uuid>[:fx]`,
//     `Zoho-oauthtoken 1000.<hex>.<hex>`, `Klaviyo-API-Key pk_<hex>`,
//     `sso-key <key>:<secret>` (GoDaddy);
//   - `Macaroon <b64>`, `LSAT`/`L402 <macaroon>:<preimage>` (Lightning);
//   - `PVEAPIToken=<user>@<realm>!<id>=<uuid>` (Proxmox: the uuid).
//
// Macaroons travel without a scheme too: LND's hex macaroons (`0201036c6e64…`:
// version 2, location "lnd"), version-1 base64 macaroons (a packet length in
// hex then `location `: `MDAx…Y2F0aW9u…`) and values under a `macaroon` name
// (`Grpc-Metadata-macaroon:` headers, `"macaroon":` fields). Fly.io's own
// `fm1a_`/`fm1r_`/`fm2_`/`fo1_` tokens are flyio-access-token's (rules_providers.go),
// which accepts the base64url alphabet Fly uses as well as base64.
//
// Schemes that carry no reusable secret stay: Digest and AWS4-HMAC-SHA256
// signatures, Negotiate/NTLM exchanges, Hawk MACs.

// authScheme is a scheme word and the shape of the credential after it.
type authScheme struct {
	word string // lower case, with its separator
	// kw is the word's tail the prefilter looks for: its first three bytes
	// are rare in source and prose ("lunk ", not "spl" of every split).
	kw    string
	value *regexp.Regexp
}

var authSchemes = []authScheme{
	{"flyv1 ", "lyv1 ", regexp.MustCompile(`^(?:f[mo][0-9][ar]?_[A-Za-z0-9+/_=-]{20,}(?:,|$))+`)},
	{"ssws ", "sws ", regexp.MustCompile(`^[A-Za-z0-9_-]{30,64}$`)},
	{"geniekey ", "niekey ", regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)},
	{"splunk ", "lunk ", regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)},
	{"deepl-auth-key ", "pl-auth-key ", regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}(?::fx)?$`)},
	{"zoho-oauthtoken ", "oho-oauthtoken ", regexp.MustCompile(`^1000\.[0-9a-f]{32}\.[0-9a-f]{32}$`)},
	{"klaviyo-api-key ", "viyo-api-key ", regexp.MustCompile(`^pk_[0-9a-zA-Z]{30,40}$`)},
	{"sso-key ", "so-key ", regexp.MustCompile(`^[A-Za-z0-9_]{10,64}:[A-Za-z0-9_]{10,64}$`)},
	{"macaroon ", "acaroon ", regexp.MustCompile(`^[A-Za-z0-9+/_=-]{40,}$`)},
	{"lsat ", "lsat ", regexp.MustCompile(`^[A-Za-z0-9+/_=-]{40,}:[0-9a-f]{64}$`)},
	{"l402 ", "l402 ", regexp.MustCompile(`^[A-Za-z0-9+/_=-]{40,}(?:,[A-Za-z0-9+/_=-]{40,})*:[0-9a-f]{64}$`)},
	{"pveapitoken=", "pveapitoken=", regexp.MustCompile(`^[A-Za-z0-9._-]+@[A-Za-z0-9._-]+![A-Za-z0-9._-]+=([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$`)},
}

const authSchemeMaxLen = 4096

func authSchemeRules() []*rule {
	kws := make([]string, len(authSchemes))
	for i, s := range authSchemes {
		kws[i] = s.kw
	}
	return []*rule{
		custom("auth-scheme-credential", Secret, authSchemeMaxLen, matchAuthScheme, kws...).noHoldBack(),
		tok("lnd-macaroon", `0201036c6e64[0-9a-f]{80,}`, "36c6e64").back(5).limit(authSchemeMaxLen),
		tok("macaroon-v1", `MDA[0-9A-Za-z]{5}Y2F0aW9u[A-Za-z0-9+/_-]{40,}={0,2}`, "y2f0aw9u").back(8).limit(authSchemeMaxLen),
		ctx("macaroon-value", []string{"acaroon"}, `[A-Za-z0-9+/_=-]{40,}`).limit(authSchemeMaxLen),
	}
}

// matchAuthScheme reads the credential after a scheme word at b[ks:ke] (a
// word of its own: `Authorization: SSWS …`, `--access-token "FlyV1 …"`,
// `TOKEN='FlyV1 …'`); the value must have the scheme's credential shape, so
// prose that names a scheme ("the Splunk dashboards") is left alone.
func matchAuthScheme(_ *rule, b []byte, ks, ke int) (int, int, int) {
	var sch *authScheme
	for i := range authSchemes {
		w := authSchemes[i].word
		if ke-ks == len(authSchemes[i].kw) && ke >= len(w) && bytes.EqualFold(b[ke-len(w):ke], []byte(w)) {
			sch, ks = &authSchemes[i], ke-len(w)
			break
		}
	}
	if sch == nil || ks > 0 && (isWordByte(b[ks-1]) || b[ks-1] == '-') {
		return -1, -1, -1
	}
	s := ke
	for s < len(b) && b[s] == ' ' {
		s++
	}
	e := s
	for e < len(b) && e-s < authSchemeMaxLen && b[e] > ' ' && b[e] != '"' && b[e] != '\'' && b[e] != '\\' && b[e] != ';' && b[e] != '`' {
		e++
	}
	if e == len(b) {
		return -1, -1, pendIfNear(b, ks, authSchemeMaxLen)
	}
	v := bytes.TrimRight(b[s:e], ",")
	loc := sch.value.FindSubmatchIndex(v)
	if loc == nil || isPlaceholder(v) || maskRun(v) {
		return -1, -1, -1
	}
	if len(loc) > 2 && loc[2] >= 0 {
		return s + loc[2], s + loc[3], -1
	}
	return s, s + loc[1], -1
}
