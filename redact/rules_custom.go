package redact

import (
	"bytes"
	"encoding/base64"
	"regexp"
	"strings"
)

const pemMaxLen = 24 << 10 // longer than any private key PEM (RSA-16384 is ~12.7 KiB)

func custom(id string, class Class, maxLen int, f matchFunc, keywords ...string) *rule {
	return &rule{id: id, class: class, kind: kindCustom, custom: f, maxLen: maxLen, keywords: keywords}
}

// genericRules are keyword-assignment rules for credentials without a
// provider-specific format. They carry the strictest filters because their
// keywords ("key", "token") are everywhere in source code.
func genericRules() []*rule {
	return []*rule{
		custom("private-key", Secret, pemMaxLen, matchPEM, "-----begin"),
		custom("url-password", Secret, 512, matchURLPassword, "://"),
		tok("bearer-token", `(?i:bearer)[ \t]+([A-Za-z0-9._~+/-]{20,}=*)`, "bearer").limit(4096).grp(1).entropy(3.0).check(genericValue).lowPrecedence(),
		tok("basic-auth", `(?i:basic)[ \t]+([A-Za-z0-9+/]{8,}={0,2})`, "basic").limit(2048).grp(1).check(basicAuth).lowPrecedence(),
		ctx("generic-password", kw("password", "passwd", "passphrase", "pwd", "pass"), `[^\s'"\x60,;<>(){}\[\]]{6,128}`).check(genericPassword).lowPrecedence().words("pass", "pwd").jsonEscapes(),
		ctx("generic-apikey", kw("access", "api", "auth", "key", "credential", "creds", "secret", "token"), `[A-Za-z0-9_.=+/~-]{10,150}`).check(genericValue).entropy(3.5).lowPrecedence(),
		custom("email", Email, 320, matchEmail, "@"),
	}
}

var placeholders = []string{
	"example", "xxxx", "****", "placeholder", "your_", "your-", "yourpass", "changeme", "redacted",
	"dummy", "sample", "${", "{{", "$(", "process.env", "getenv", "environ",
	"password", "passwd",
}

func isPlaceholder(v []byte) bool {
	lv := strings.ToLower(string(v))
	for _, p := range placeholders {
		if strings.Contains(lv, p) {
			return true
		}
	}
	// Format verbs are matched as written: "%S" in a generated password is no verb.
	if bytes.Contains(v, []byte("%s")) || bytes.Contains(v, []byte("%v")) {
		return true
	}
	if digestOrARN(lv) || valueReference(v) || maskRun(v) || maskedDisplay(v) || jwtHeaderOnly(v) || isoTimestamp(v) {
		return true
	}
	if lt := bytes.IndexByte(v, '<'); lt == 0 || lt > 0 && angleSlot(v, lt) {
		return true // <your-token>, ${...}<...>
	}
	return v[0] == '$' || v[0] == '%' && (len(v) <= 2 || !isHex(v[1]) || !isHex(v[2])) || v[0] == '@' || v[0] == '*' && aliasOrGlob(v) || v[0] == '+' || v[len(v)-1] == '+' ||
		len(v) > 1 && v[0] == '/' && v[1] == '/'
}

// digestPrefixes start a value that names or fingerprints something rather
// than holding a secret: an AWS resource name, a content digest
// (`sha256:<hex>`, an OCI image digest) or a Subresource Integrity string
// (npm `integrity: sha512-<base64>`).
var digestPrefixes = []string{
	"arn:aws:", "arn:aws-", "sha1:", "sha224:", "sha256:", "sha384:", "sha512:", "md5:",
	"sha1-", "sha256-", "sha384-", "sha512-",
}

// digestOrARN reports whether the lower-cased value lv is a digest or an ARN.
func digestOrARN(lv string) bool {
	for _, p := range digestPrefixes {
		if strings.HasPrefix(lv, p) {
			return true
		}
	}
	return false
}

// genericValue filters values after a generic keyword: a credential mixes
// letters and digits and is not a dotted identifier (code), a placeholder or
// an identifier made of words.
func genericValue(v []byte) bool {
	return hasDigitAndLetter(v) && !allHexDigitsShort(v) && !hasStopword(v) && !isPlaceholder(v) && !dottedIdent.Match(v) && !uuidShape.Match(v)
}

// uuidShape is a bare UUID: an identifier (request id, idempotency key), not
// a credential, unless a provider rule with its own keyword says otherwise.
var uuidShape = regexp.MustCompile(`^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$`)

// stopwords are words that make up identifiers and prose. A random credential
// of 32 characters contains a given 4-letter word with probability ~1e-6, so
// a value containing one is code (testRSA2048PrivateKey), not a secret.
var stopwords = []string{
	"test", "private", "public", "cert", "path", "file", "name", "type", "config", "value",
	"string", "error", "data", "func", "http", "user", "pass", "secret", "token", "example",
	"hash", "sign", "verify", "cipher", "encrypt", "decrypt", "client", "server", "request",
	"response", "header", "cookie", "session", "default", "format", "parse", "read", "write",
	"length", "size", "count", "index", "buffer", "bytes", "input", "output", "result", "option",
	"param", "field", "struct", "method", "handler", "context", "version", "service", "account",
	"access", "auth", "oauth", "bearer", "issuer", "subject", "expire", "random", "local",
	"remote", "host", "port", "addr", "url", "uri", "json", "yaml", "xml", "base64", "uuid",
	"sha1", "sha256", "sha512", "md5", "hmac", "rsa", "ecdsa", "ed25519", "x509", "pkcs",
	"mlkem", "curve", "schedule", "secure", "insecure", "password", "credential", "message",
	"github", "google", "amazon", "azure", "slack", "stripe", "openai", "anthropic", "window",
	"table", "column", "query", "insert", "select", "update", "delete", "create", "module",
	"package", "import", "export", "return", "const", "interface", "generic", "mock", "fake",
	"dummy", "sample", "demo", "temp", "tmp", "cache", "store", "queue", "event", "stream",
}

var stopwordIndex = newKeywordIndex(stopwords)

func hasStopword(v []byte) bool {
	var buf [4]kwHit
	hits := stopwordIndex.scan(v, buf[:0])
	return len(hits) > 0
}

// allHexDigitsShort rejects short pure-decimal or version-like values.
func allHexDigitsShort(v []byte) bool {
	letters := 0
	for _, c := range v {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' {
			letters++
		}
	}
	return letters < 2
}

// genericPassword accepts a password-looking value: at least one digit or
// symbol, not code, not a placeholder.
func genericPassword(v []byte) bool {
	if isPlaceholder(v) || dottedIdent.Match(v) || isIdentifierWithWords(v) || graphQLScalar(v) || formBoolean(v) || passwordHash(v) {
		return false
	}
	lower := strings.ToLower(string(v))
	switch lower {
	case "password", "passwd", "secret", "required", "optional", "true", "false", "null", "none", "string":
		return false
	}
	special := false
	for _, c := range v {
		if !isLetter(c) && c != '_' && c != '.' && c != '-' {
			special = true
		}
	}
	return special && shannon(v) >= 2.0
}

// jwtBase64 accepts base64 text whose decoded start is a JWT header: `eyJ`
// followed by base64url of `{"<member>":`.
func jwtBase64(v []byte) bool {
	v = bytes.TrimRight(v, "=")
	n := min(len(v), 64)
	if i := bytes.IndexAny(v[:n], "-_"); i >= 0 {
		n = i // decode the standard-alphabet start only
	}
	n &^= 3
	dec, err := base64.StdEncoding.AppendDecode(nil, v[:n])
	if err != nil {
		return false
	}
	i := 0
	for i < len(dec) && (isWordByte(dec[i]) || dec[i] == '-') {
		i++
	}
	dec = dec[:i]
	hdr, err := base64.RawURLEncoding.AppendDecode(nil, dec[:len(dec)&^3])
	if err != nil || len(hdr) < 4 || hdr[0] != '{' || hdr[1] != '"' {
		return false
	}
	k := 2
	for k < len(hdr) && k < 16 && (isLetter(hdr[k]) || hdr[k] == '_') {
		k++
	}
	return k > 2 && (k == len(hdr) || hdr[k] == '"')
}

func isUpper(c byte) bool { return c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// matchPEM finds `-----BEGIN ... PRIVATE KEY-----` ... `-----END ...-----`
// (any case; `PRIVATE KEY BLOCK` too). An unterminated block is a finding up
// to the end of its base64 body.
func matchPEM(r *rule, b []byte, ks, ke int) (int, int, int) {
	pendIfShort := func() int {
		if len(b)-ks < r.maxLen {
			return ks
		}
		return -1
	}
	j := ke
	for j < len(b) && j-ke < 100 && (isAlnum(b[j]) || b[j] == ' ' || b[j] == '_' || b[j] == '-' && !bytes.HasPrefix(b[j:], []byte("-----"))) {
		j++
	}
	if len(b)-j < 5 {
		if bytes.HasPrefix([]byte("-----"), b[j:]) {
			return -1, -1, pendIfShort()
		}
		return -1, -1, -1
	}
	label := bytes.ToUpper(b[ke:j])
	if !bytes.HasPrefix(b[j:], []byte("-----")) || !bytes.HasSuffix(label, []byte("PRIVATE KEY")) && !bytes.HasSuffix(label, []byte("PRIVATE KEY BLOCK")) {
		return -1, -1, -1
	}
	he := j + 5
	limit := min(len(b), ks+r.maxLen)
	if end := pemEnd(b, he, limit); end > 0 {
		return ks, end, -1
	}
	return ks, pemBodyEnd(b, he, limit), pendIfShort()
}

// pemEnd returns the end of the `-----END ...-----` line (any case), or of a
// closing `KEY-----` / `KEY BLOCK-----`, searching b[from:limit]; 0 if none.
func pemEnd(b []byte, from, limit int) int {
	w := b[from:limit]
	for k := 0; k < len(w); {
		m := bytes.Index(w[k:], []byte("-----"))
		if m < 0 {
			return 0
		}
		at := k + m
		if len(w)-at >= 8 && bytes.EqualFold(w[at+5:at+8], []byte("END")) {
			lab := at + 8
			if n := bytes.Index(w[lab:min(len(w), lab+64)], []byte("-----")); n >= 0 {
				return from + lab + n + 5
			}
			return 0
		}
		if at >= 3 && at-from >= 0 && (bytes.EqualFold(w[at-3:at], []byte("KEY")) || at >= 5 && bytes.EqualFold(w[at-5:at], []byte("BLOCK"))) && at >= 64 {
			return from + at + 5
		}
		k = at + 5
	}
	return 0
}

func pemBodyEnd(b []byte, i, limit int) int {
	for i < limit {
		c := b[i]
		if isAlnum(c) || c == '+' || c == '/' || c == '=' || c == '\\' || c == ':' || c == ',' || c == '-' || c == ' ' || c == '\t' || c == '\r' || c == '\n' {
			i++
			continue
		}
		break
	}
	return i
}

// matchURLPassword finds the password in scheme://user:password@host.
func matchURLPassword(_ *rule, b []byte, ks, ke int) (int, int, int) {
	if ks == 0 || !isAlnum(b[ks-1]) {
		return -1, -1, -1
	}
	j, at, colon := ke, -1, -1
	for j < len(b) && j-ke < 256 {
		c := b[j]
		if c == '/' || c == '?' || c == '#' || c <= ' ' || c == '"' || c == '\'' || c == '`' || c == '\\' ||
			(c == '<' || c == '>') && colon < 0 { // a password may hold '<' ('\u003c' in Go's JSON)
			break
		}
		if c == '@' {
			at = j
		}
		if c == ':' && colon < 0 {
			colon = j
		}
		j++
	}
	pend := -1
	if j == len(b) && j-ke < 256 {
		pend = ke
	}
	if at < 0 || colon < 0 || colon > at || at-colon < 2 {
		return -1, -1, pend
	}
	if !plausiblePassword(b[colon+1 : at]) {
		return -1, -1, pend
	}
	return colon + 1, at, pend
}

// plausiblePassword rejects documentation passwords in URLs and basic auth:
// short ones ("go", "bar"), phrases with spaces ("open sesame", "My%20Pass"),
// placeholders and spellings of "password" ("p@ssword", "pa%2Fssword").
func plausiblePassword(pw []byte) bool {
	if len(pw) < 6 || isPlaceholder(pw) {
		return false
	}
	var letters []byte
	for i := 0; i < len(pw); i++ {
		c := pw[i]
		switch {
		case c == ' ':
			return false
		case c == '%' && i+2 < len(pw):
			if pw[i+1] == '2' && pw[i+2] == '0' {
				return false // an encoded space: a phrase, not a generated password
			}
			i += 2
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			letters = append(letters, foldByte(c))
		}
	}
	l := string(letters)
	return !passwordWordsOnly(l, letters, pw) // rules_fx8_url.go
}

func isEmailLocal(c byte) bool {
	return isAlnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-'
}

// matchEmail finds local@domain.tld around an '@'.
func matchEmail(_ *rule, b []byte, ks, ke int) (int, int, int) {
	i := ks
	for i > 0 && ks-i < 64 && isEmailLocal(b[i-1]) {
		i--
	}
	for i < ks && b[i] == '.' {
		i++
	}
	if i > 0 && b[i-1] == ':' && inURLAuthority(b, i-1) {
		return -1, -1, -1 // scheme://user:password@host is url-password's
	}
	j, lastDot := ke, -1
	for j < len(b) && j-ke < 255 && (isAlnum(b[j]) || b[j] == '-' || b[j] == '.') {
		if b[j] == '.' {
			lastDot = j
		}
		j++
	}
	pend := -1
	if j == len(b) && i < ks {
		pend = i
	}
	for j > ke && b[j-1] == '.' {
		j--
	}
	if i == ks || lastDot < 0 || lastDot >= j || lastDot == ke {
		return -1, -1, pend
	}
	if lastDot == j-1 {
		lastDot = bytes.LastIndexByte(b[ke:j], '.') + ke
	}
	tld := b[lastDot+1 : j]
	if len(tld) < 2 {
		return -1, -1, pend
	}
	for _, c := range tld {
		if !isLetter(c) {
			return -1, -1, pend
		}
	}
	return i, j, pend
}

// inURLAuthority reports whether b[colon] is the user:password separator of
// a URL: "://" and a user name without spaces or slashes precede it.
func inURLAuthority(b []byte, colon int) bool {
	for j := colon - 1; j >= 2 && colon-j < 128; j-- {
		switch b[j] {
		case '/':
			return b[j-1] == '/' && b[j-2] == ':'
		case ' ', '\t', '\n', '"', '\'', '@':
			return false
		}
	}
	return false
}

// isIdentifierWithWords rejects code identifiers (`testPassword1`,
// `userPwd2`) after a password keyword; real passwords with a stopword and
// no symbol are rare enough to accept the miss.
func isIdentifierWithWords(v []byte) bool {
	for _, c := range v {
		if !isWordByte(c) {
			return false
		}
	}
	return hasStopword(v)
}
