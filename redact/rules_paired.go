package redact

import "bytes"

// pairedRules find credentials by what travels with them rather than by a
// shape of their own (the secret access key written near its AWS access key
// id, the value of a call that sets a secret by its name, a log intake's key
// in its URL path) and Vault tokens in compact form.
func pairedRules() []*rule {
	return []*rule{
		custom("aws-secret-near-key-id", Secret, awsPairReach+awsSecretLen, matchAWSPair, "akia", "asia"),
		custom("call-set-secret", Secret, callPairMax, matchCallPair,
			"define(", "setenv(", "putenv(", "setdefault(", "setproperty(").lowPrecedence(),
		// Log intake endpoints that take their key as a path segment: Datadog's
		// HTTP intake `/v1/input/<32-hex API key>` (all sites, also the ddog-gov
		// domain), Loggly's `/inputs/<customer token>` and `/bulk/<token>`,
		// Sumo Logic's HTTP source `/receiver/v1/http/<token>`, and Logentries
		// / Rapid7 InsightOps `/v1/noformat/<token>` and `/v1/json/<token>`.
		tok("datadog-intake-path-key", `(?:datadoghq\.(?:com|eu)|ddog-gov\.com)/(?:v1|api/v2)/input/([a-f0-9]{32})`,
			"datadoghq.com/", "datadoghq.eu/", "ddog-gov.com/").grp(1).anyLeft(),
		tok("loggly-intake-path-token", `loggly\.com/(?:inputs|bulk)/(`+uuidRe+`)`, "loggly.com/").grp(1).anyLeft(),
		tok("logentries-intake-path-token", `(?:logentries\.com|insight\.rapid7\.com)/v1/(?:noformat|json)/(`+uuidRe+`)`,
			"logentries.com/", "insight.rapid7.com/").grp(1).anyLeft(),
		tok("sumologic-intake-path-token", `sumologic\.(?:com|net)/receiver/v1/(?:http|otlp)/([A-Za-z0-9_-]{40,400}={0,2})`,
			"sumologic.com/", "sumologic.net/").grp(1).anyLeft(),
		custom("header-uuid-credential", Secret, 128, matchHeaderUUID, "-token", "-key", "-secret", "-apikey").lowPrecedence(),
		// PagerDuty Events API v2 integration (routing) keys: 32 lower-case
		// characters under routing_key / integration_key / service_key (a
		// message broker's routing key is words and dots, not this shape).
		ctx("pagerduty-integration-key", kw("routing_key", "routingkey", "integration_key", "service_key"), `[a-z0-9]{32}`).
			check(hasDigitAndLetter).entropy(3.5),
		// Honeycomb ingest keys: `hc`, a key-kind letter, `ik_`, 58 characters.
		tok("honeycomb-ingest-key", `hc[a-z]ik_[0-9a-z]{58}`, "hcaik_", "hcbik_", "hcxik_"),
		// Vault tokens of any length from 24 characters: `hvs.` or `hvr.` and
		// 24 base62 characters is the compact form (a root token or one
		// created without a namespace, as `vault login` and the dev server
		// print), optionally `.` and the 5-character namespace id; a token
		// longer than 24 but outside vault-service-token's 90-120 is taken
		// whole too rather than cut after its 24th character.
		tok("vault-token-compact", `hv[sr]\.[A-Za-z0-9_-]{24,250}(?:\.[A-Za-z0-9]{5})?`, "hvs.", "hvr.").check(compactVaultToken),
	}
}

const (
	awsPairReach = 240 // bytes after an access key id searched for its secret
	awsSecretLen = 40
)

// compactVaultToken rejects placeholders (`hvs.XXXX…`) and, in a token of
// compact length, written words (`hvs.tokens_are_documented_here_`); in a
// longer random token a short word turns up by chance.
func compactVaultToken(v []byte) bool {
	return hasDigitAndLetter(v[4:]) && !isPlaceholder(v) && (len(v) > 40 || !writtenWords(v[4:]))
}

// matchAWSPair finds an AWS secret access key (40 characters of base64's
// alphabet, random) within a few lines after an access key id: a transcript,
// a note or a CSV export (`AKIA...,wJalr...`) shows the two together, and the
// secret has no prefix of its own. Hex (a git SHA is also 40 characters) and
// words are not taken.
func matchAWSPair(_ *rule, b []byte, ks, ke int) (int, int, int) {
	if ks > 0 && isAlnum(b[ks-1]) || !isUpper(b[ks]) || !isUpper(b[ks+1]) {
		return -1, -1, -1
	}
	idEnd := ks + 20
	if idEnd > len(b) {
		return -1, -1, pendIfNear(b, ks, awsPairReach)
	}
	for i := ke; i < idEnd; i++ {
		if !isUpper(b[i]) && (b[i] < '2' || b[i] > '7') {
			return -1, -1, -1
		}
	}
	if idEnd < len(b) && isAlnum(b[idEnd]) {
		return -1, -1, -1
	}
	limit := min(len(b), idEnd+awsPairReach)
	lines := 0
	for i := idEnd; i < limit; {
		if b[i] == '\n' {
			if lines++; lines > 3 {
				return -1, -1, -1
			}
		}
		if !awsSecretByte(b[i]) {
			i++
			continue
		}
		s := i
		for i < len(b) && awsSecretByte(b[i]) {
			i++
		}
		if i == len(b) && i-s <= awsSecretLen {
			return -1, -1, ks // the run may go on in the next chunk
		}
		if i-s == awsSecretLen && awsSecretShape(b[s:i]) {
			return s, i, -1
		}
	}
	return -1, -1, pendIfNear(b, ks, idEnd-ks+awsPairReach)
}

func awsSecretByte(c byte) bool { return isAlnum(c) || c == '/' || c == '+' }

// awsSecretShape: upper and lower case letters and digits, not all hex, no
// written word, and the entropy of random base64.
func awsSecretShape(v []byte) bool {
	var upper, lower, digit, nonHex bool
	for _, c := range v {
		upper = upper || isUpper(c)
		lower = lower || c >= 'a' && c <= 'z'
		digit = digit || isDigit(c)
		nonHex = nonHex || !isHex(c)
	}
	return upper && lower && digit && nonHex && !hasStopword(v) && shannon(v) >= 4.2
}

// callPairMax bounds a call pair: the call's name, the secret's name, the
// alignment before the value (wp-config.php lines up its values in a column)
// and the value.
const callPairMax = 16 + 128 + 64 + maxKeyedValue

// matchCallPair finds the value of a call that sets a secret by its name:
// `define( 'AUTH_KEY',         '...' );` (PHP, wp-config.php aligns its
// values), `os.Setenv("API_TOKEN", "...")`, `os.environ.setdefault(...)`,
// `System.setProperty("javax.net.ssl.keyStorePassword", "...")` and
// `putenv("AWS_SECRET_ACCESS_KEY=...")`. The name is judged as a keyed
// value's name is (secretKeyName), the value must look generated or, under
// a password's name, be a password (opaqueValue).
func matchCallPair(_ *rule, b []byte, ks, ke int) (int, int, int) {
	if ks > 0 && isWordByte(b[ks-1]) && ke-ks == len("define(") {
		return -1, -1, -1 // predefine(, undefine(
	}
	pend := pendIfNear(b, ks, callPairMax)
	i := skipSpaces(b, ke, 8)
	if i >= len(b) {
		return -1, -1, pend
	}
	q := b[i]
	if q != '"' && q != '\'' && q != '`' {
		return -1, -1, -1
	}
	ns := i + 1
	ne := ns
	for ne < len(b) && ne-ns < 128 && nameByte(b[ne]) {
		ne++
	}
	if ne >= len(b) {
		return -1, -1, pend
	}
	var vs int
	switch b[ne] {
	case '=': // putenv("NAME=value")
		vs = ne + 1
	case q:
		j := skipSpaces(b, ne+1, 8)
		if j < len(b) && b[j] != ',' {
			return -1, -1, -1
		}
		j = skipSpaces(b, j+1, 64)
		if j >= len(b) {
			return -1, -1, pend
		}
		if q = b[j]; q != '"' && q != '\'' && q != '`' {
			return -1, -1, -1
		}
		vs = j + 1
	default:
		return -1, -1, -1
	}
	secret, password := secretKeyName(b[ns:ne])
	if !secret {
		return -1, -1, -1
	}
	ve := vs
	for ve < len(b) && ve-vs <= maxKeyedValue && b[ve] != q && b[ve] != '\n' && b[ve] != '\\' {
		ve++
	}
	if ve >= len(b) {
		return -1, -1, pend
	}
	if b[ve] != q || !opaqueValue(b[vs:ve], password) {
		return -1, -1, -1
	}
	return vs, ve, -1
}

// matchHeaderUUID finds a UUID that is the value of a request header named
// for a credential (`X-Postmark-Server-Token: <uuid>`, `X-Api-Key`,
// `X-Auth-Secret`), as a header line, a curl -H argument or a JSON/dict
// member: a UUID is an identifier elsewhere, but a header that carries a
// key or token carries a credential. The name is hyphenated, judged as a
// keyed value's (idempotency and page keys are no credentials).
func matchHeaderUUID(_ *rule, b []byte, ks, ke int) (int, int, int) {
	ne := ke
	for ne < len(b) && ne-ke < 16 && (isAlnum(b[ne]) || b[ne] == '-') {
		ne++
	}
	ns := ks
	for ns > 0 && ks-ns < 64 && (isAlnum(b[ns-1]) || b[ns-1] == '-') {
		ns--
	}
	if ns == ks || ne == len(b) {
		return -1, -1, pendIfNear(b, ks, 128)
	}
	i := ne
	if b[i] == '"' || b[i] == '\'' {
		i++
	}
	if i >= len(b) || b[i] != ':' {
		return -1, -1, -1
	}
	i = skipSpaces(b, i+1, 4)
	if i < len(b) && (b[i] == '"' || b[i] == '\'') {
		i++
	}
	const n = 36
	if len(b)-i <= n {
		return -1, -1, pendIfNear(b, ks, 128)
	}
	if !uuidShape.Match(b[i:i+n]) || isAlnum(b[i+n]) || b[i+n] == '-' {
		return -1, -1, -1
	}
	if secret, _ := secretKeyName(b[ns:ne]); !secret || notSecretName(b, ks, ke) {
		return -1, -1, -1
	}
	return i, i + n, -1
}

// maskedDisplay reports a credential shown masked for recognition: a few
// characters, an ellipsis, the last few (`sk-...4f2a`, `ghp_…x9Qa`), as
// dashboards and CLIs list configured keys. The full value is not there.
func maskedDisplay(v []byte) bool {
	i, n := bytes.Index(v, []byte("...")), 3
	if i < 0 {
		i, n = bytes.Index(v, []byte("…")), len("…")
	}
	return i >= 0 && i <= 16 && len(v)-(i+n) <= 8
}

// digestLabel reports a value labelled by a digest algorithm: the word just
// before the ':' or '=' that starts the value at vs names a hash (`h1:` in
// go.sum, `SHA256:` of an SSH fingerprint, `zh:` in .terraform.lock.hcl,
// `md5=`), so the value is a digest, whatever keyword came earlier on the
// line (`oauth2 v0.24.0 h1:...`, `key fingerprint is SHA256:...`).
func digestLabel(b []byte, vs int) bool {
	i := vs
	for i > 0 && (b[i-1] == ' ' || b[i-1] == '"' || b[i-1] == '\'') && vs-i < 4 {
		i--
	}
	if i == 0 || b[i-1] != ':' && b[i-1] != '=' {
		return false
	}
	e := i - 1
	s := e
	for s > 0 && e-s < 8 && isAlnum(b[s-1]) {
		s--
	}
	if s > 0 && isWordByte(b[s-1]) {
		return false
	}
	return digestAlgorithms[string(bytes.ToLower(b[s:e]))]
}

var digestAlgorithms = map[string]bool{
	"h1": true, "zh": true, "md5": true, "sha1": true, "sha224": true, "sha256": true, "sha384": true,
	"sha512": true, "blake2b": true, "blake3": true,
}

// aliasOrGlob reports whether v, starting with '*', is a YAML alias
// (`*db_password`, a reference to an anchor) or a glob (`*.example.com`):
// a name after the star. A generated password that starts with a star
// (`*CTswa5uM#eU9X?37=`) has symbols no alias or host name holds.
func aliasOrGlob(v []byte) bool {
	for _, c := range v[1:] {
		if !isWordByte(c) && c != '-' && c != '.' && c != '*' {
			return false
		}
	}
	return true
}
