package redact

import (
	"bytes"
)

// Keyed values: the general model for credentials that have no shape of
// their own (a Twilio auth token is 32 hex digits, a Cloudflare API token 40
// letters and digits, a password anything) and are recognised only by the
// name they are given. A keyed value is
//
//	<name> <separator> <value>
//
// where the name is a secret's name (see secretKeyName) in any of the forms
// configuration, code and tools use - INI/TOML/.env/properties `name=value`,
// YAML/JSON/HTTP headers `name: value`, XML `<name>value</name>`, a CLI
// flag or positional pair (`--auth-token V`, `aws configure set
// aws_secret_access_key V`), SQL `PASSWORD 'V'` and `IDENTIFIED BY 'V'`, a
// URL path segment `/token/V` - and the value stands on the same line or,
// when the name ends its line (`API token:`, `password` alone in a .netrc
// laid out one token per line), alone on the next line. Everything is
// bounded: a name of at most 64 bytes, at most 8 blanks before the value, a
// value of at most maxKeyedValue bytes (keyedMaxLen in all).
//
// The value must look generated (opaqueValue): long enough, not a
// placeholder, a variable or a call, and either letters mixed with digits at
// the entropy of a random string, a long run of hex digits, letters in a
// random mix of cases, or - for a password's name - a word with a digit or a
// symbol. A name that says the value is not the secret itself (public,
// _id, _url, _file, _type...) is no secret name: a WireGuard `PublicKey`, an
// `access_key_id` and a `token_url` stay.

const keyedMaxLen = 64 + 16 + 256 + maxKeyedValue // name, separator, a skipped line, value

// maxKeyedValue bounds a keyed value. Opaque tokens run to a few KiB (OAuth
// access and refresh tokens, SAS signatures), so it is as long as the
// Authorization and Cookie rules read.
const maxKeyedValue = 4096

func keyedRules() []*rule {
	return []*rule{
		custom("keyed-secret", Secret, keyedMaxLen, matchKeyed,
			"password", "passwd", "passphrase", "pass", "pwd", "secret", "token", "apikey", "api_key", "api-key",
			"auth", "credential", "creds", "_key", "-key", "ified by").lowPrecedence(),
		custom("cookie-value", Secret, cookieMaxLine, matchCookie, "cookie:", `cookie":`, `cookie" :`, "cookie':").lowPrecedence(),
		custom("authorization-credential", Secret, 4096, matchAuthorization, "authorization").lowPrecedence(),
		custom("url-path-secret", Secret, pathSecretMaxLen, matchPathSecret,
			"/hooks/", "/hook/", "/webhook/", "/webhooks/", "/key/", "/token/", "/tokens/", "/secret/",
			"/apikey/", "/api_key/", "/api-key/", "/access_token/").lowPrecedence(),
	}
}

// matchAuthorization finds the credential of an Authorization (or
// Proxy-Authorization) header in any scheme (`Token`, `ApiKey`, `SSWS`,
// `Bearer`, none), as a header line, a JSON member or a Python dict entry.
func matchAuthorization(_ *rule, b []byte, ks, ke int) (int, int, int) {
	pend := pendIfNear(b, ks, 4096)
	if ks > 0 && isAlnum(b[ks-1]) && (ks < 6 || !bytes.EqualFold(b[ks-6:ks], []byte("proxy-"))) {
		return -1, -1, -1
	}
	j := ke
	for k := 0; j < len(b) && k < 3 && (b[j] == '"' || b[j] == '\'' || b[j] == ' '); k++ {
		j++
	}
	if j >= len(b) {
		return -1, -1, pend
	}
	if b[j] != ':' && b[j] != '=' {
		return -1, -1, -1
	}
	j++
	for k := 0; j < len(b) && k < 4 && (b[j] == '"' || b[j] == '\'' || b[j] == ' ' || b[j] == '\t'); k++ {
		j++
	}
	// An optional scheme: a word and one space.
	w := j
	for w < len(b) && w-j <= 16 && (isLetter(b[w]) || b[w] == '-') {
		w++
	}
	if w < len(b) && w > j && b[w] == ' ' {
		j = w + 1
	}
	s, e, open := keyedValue(b, j, false)
	if open {
		return -1, -1, pend
	}
	// A UUID is an identifier elsewhere, a credential as an Authorization
	// value (Splunk HEC, Heroku and Opsgenie keys).
	if s < 0 || !opaqueValue(b[s:e], true) && !uuidShape.Match(b[s:e]) {
		return -1, -1, -1
	}
	return s, e, -1
}

// secretParts are name parts that make a name a secret's.
var secretParts = map[string]bool{
	"password": true, "passwd": true, "passphrase": true, "pass": true, "pwd": true, "pw": true,
	"secret": true, "secrets": true, "token": true, "tokens": true, "apikey": true, "auth": true,
	"credential": true, "credentials": true, "creds": true, "accesskey": true, "secretkey": true,
	"privatekey": true, "authkey": true, "apitoken": true,
}

// keyQualifiers make a following "key" part a secret's name (api_key,
// Ocp-Apim-Subscription-Key, aws_secret_access_key, DD_APP_KEY).
var keyQualifiers = map[string]bool{
	"api": true, "access": true, "secret": true, "private": true, "subscription": true, "master": true,
	"account": true, "auth": true, "signing": true, "encryption": true, "license": true, "app": true,
	"application": true, "admin": true, "service": true, "storage": true, "shared": true, "session": true,
}

// notSecretParts say a name is about a secret without holding it: its id,
// location, kind, size, lifetime, policy or public half.
var notSecretParts = map[string]bool{
	"public": true, "pub": true, "id": true, "ids": true, "name": true, "names": true, "type": true,
	"types": true, "url": true, "uri": true, "urls": true, "endpoint": true, "file": true, "filename": true,
	"path": true, "dir": true, "len": true, "length": true, "size": true, "count": true, "num": true,
	"expiry": true, "expires": true, "expiration": true, "expire": true, "exp": true, "ttl": true,
	"timeout": true, "hint": true, "prompt": true, "policy": true, "header": true, "field": true,
	"param": true, "kind": true, "format": true,
	"required": true, "enabled": true, "enable": true, "min": true, "max": true, "label": true,
	"prefix": true, "suffix": true, "hash": true, "algo": true, "hashed": true, "salt": true, "fingerprint": true,
	"thumbprint": true, "scopes": true, "issuer": true, "audience": true, "provider": true, "method": true, "pattern": true,
	"version": true, "limit": true, "mode": true, "algorithm": true, "alg": true, "scope": true,
	"index": true, "ref": true, "stdin": true, "var": true, "cmd": true,
	"command": true, "rotation": true, "usage": true,
	// Pagination and idempotency tokens (next_page_token, NextToken, continuation_token,
	// idempotency_token), resource names (secret_arn) and keys meant to be published
	// (publishable_key) are not credentials.
	"page": true, "next": true, "continuation": true, "cursor": true, "resume": true, "sync": true,
	"pagination": true, "idempotency": true, "arn": true, "publishable": true,
}

// aboutParts say a name is about the secret named before them: its digest,
// checksum or serial number, the device or network interface it is bound
// to, its lineage (Terraform state) or its rotation time identify it without
// holding it (token_sha256, secret_network_iface, password_rotated_at).
// Before the secret's word they only qualify it: device_password and
// updated_secret are secrets, and so is token_interface_password, where a
// secret's word follows them again.
var aboutParts = map[string]bool{
	"sha1": true, "sha256": true, "sha384": true, "sha512": true, "md5": true, "digest": true,
	"checksum": true, "crc": true, "crc32": true, "serial": true, "iface": true, "interface": true,
	"device": true, "lineage": true, "rotated": true, "created": true, "updated": true,
	// Where the secret is used or when it last changed (authDomain, token_host, secret_region,
	// password_changed_at): the place or the time, not the secret.
	"domain": true, "host": true, "hostname": true, "realm": true, "region": true,
	"changed": true, "modified": true,
}

// namedSecretPart reports whether the name part p (after prev) names a secret.
func namedSecretPart(p, prev []byte) bool {
	return secretParts[string(p)] || string(p) == "key" && keyQualifiers[string(prev)] ||
		hasAnySuffix(p, "password", "passwd", "secret", "token", "apikey")
}

// nameParts splits a name into lower-case parts at non-alphanumerics and at
// lower-to-upper case changes (X-API-Key, apiKey, RABBITMQ_DEFAULT_PASS) and
// calls f with each part and the one before it until f returns true. Parts
// live in a stack buffer: this runs at every "token" and "key" in source
// code, so it must not allocate.
func nameParts(name []byte, f func(part, prev []byte) bool) bool {
	var buf [2][32]byte
	var prev []byte
	for i, n := 0, 0; i < len(name); n++ {
		for i < len(name) && !isAlnum(name[i]) {
			i++
		}
		s := i
		for i < len(name) && isAlnum(name[i]) && (i == s || !isUpper(name[i]) || isUpper(name[i-1])) {
			i++
		}
		if i == s {
			break
		}
		p := buf[n%2][:0]
		for _, c := range name[s:min(i, s+32)] {
			p = append(p, foldByte(c))
		}
		if f(p, prev) {
			return true
		}
		prev = p
	}
	return false
}

// secretKeyName reports whether name is a secret's and whether it names a
// password (which admits word-like values with a digit or symbol).
func secretKeyName(name []byte) (secret, password bool) {
	about := false // an aboutParts word follows the last secret word
	not := nameParts(name, func(p, prev []byte) bool {
		if notSecretParts[string(p)] {
			return true
		}
		switch {
		case namedSecretPart(p, prev):
			secret, about = true, false
		case secret && aboutParts[string(p)]:
			about = true
		}
		password = password || hasAnySuffix(p, "password", "passwd", "pass", "pwd", "pw", "passphrase")
		return false
	})
	if not || about {
		return false, false
	}
	return secret, password && secret
}

func hasAnySuffix(p []byte, suffixes ...string) bool {
	for _, s := range suffixes {
		if len(p) >= len(s) && string(p[len(p)-len(s):]) == s {
			return true
		}
	}
	return false
}

// keyedSeparator are the bytes that may follow a name before its value.
var keyedSeparator = func() (t [256]bool) {
	for _, c := range []byte("\"'] \t=:/>\r\n") {
		t[c] = true
	}
	return t
}()

func nameByte(c byte) bool { return isWordByte(c) || c == '-' || c == '.' }

// matchKeyed finds the value given to a secret's name (see the file comment).
func matchKeyed(_ *rule, b []byte, ks, ke int) (int, int, int) {
	pend := pendIfNear(b, ks, keyedMaxLen)
	ns, ne := ks, ke
	for ns > 0 && ks-ns < 64 && nameByte(b[ns-1]) {
		ns--
	}
	for ne < len(b) && ne-ke < 64 && nameByte(b[ne]) {
		ne++
	}
	if ne == len(b) {
		return -1, -1, pend
	}
	for ne > ke && (b[ne-1] == '.' || b[ne-1] == '-') {
		ne--
	}
	if !keyedSeparator[b[ne]] {
		return -1, -1, -1 // `token.IDENT`, `token(`: code, not a name and its value
	}
	if inARN(b, ns) {
		return -1, -1, -1 // arn:aws:secretsmanager:...:secret:name-AbC123 names a secret
	}
	sql := ke-ks == 8 && bytes.EqualFold(b[ks:ke], []byte("ified by"))
	if sql {
		// SQL `IDENTIFIED BY 'V'` (the keyword is its tail: "ide" starts too many words
		// for the prefilter).
		if ks < 5 || !bytes.EqualFold(b[ks-5:ks], []byte("ident")) {
			return -1, -1, -1
		}
		ns, ne = ks-5, ke
	}
	vs, nextLine, ok := keyedValueStart(b, ns, ne)
	if vs < 0 {
		if !ok {
			return -1, -1, pend
		}
		return -1, -1, -1
	}
	path := ns > 0 && b[ns-1] == '/' && b[ne] == '/'
	if path && (!pathSecretName(b[ns:ne]) || secretsCollection(b[ns:ne]) || inKeyVaultID(b, ns)) {
		return -1, -1, -1
	}
	s, e, open := keyedValue(b, vs, nextLine)
	if open {
		return -1, -1, pend
	}
	if path && s >= 0 {
		if slash := bytes.IndexByte(b[s:e], '/'); slash >= 0 {
			e = s + slash // a path's value is one segment
		}
	}
	if s < 0 && nextLine {
		// A YAML section (`secrets:` then `  stripe: V` lines): its children's values.
		if sec, _ := secretKeyName(b[ns:ne]); sec {
			if s, e, more := sectionValues(b, vs, ns > 0 && b[ns-1] == '['); more {
				return -1, -1, pend
			} else if s >= 0 {
				return s, e, -1
			}
		}
	}
	// The value first (cheap, and rarely opaque in code), the name's parts last.
	if s < 0 || !opaqueValue(b[s:e], true) || benignKeyed(b, b[ns:ne], s, e, nextLine) {
		return -1, -1, -1
	}
	if sql {
		return s, e, -1
	}
	secret, password := secretKeyName(b[ns:ne])
	if !secret || !password && !opaqueValue(b[s:e], false) {
		return -1, -1, -1
	}
	return s, e, -1
}

// keyedValueStart reads the separator after the name b[ns:ne]. It returns
// where the value starts (vs < 0: no value) and whether the value must stand
// alone on its line; ok false means the input ended before the value began.
func keyedValueStart(b []byte, ns, ne int) (vs int, nextLine, ok bool) {
	n := len(b)
	j := ne
	// A path segment: /token/<value>.
	if ns > 0 && b[ns-1] == '/' && j < n && b[j] == '/' {
		return j + 1, false, true
	}
	// An INI section header: [credentials], its entries on the lines below.
	if ns > 0 && b[ns-1] == '[' && j < n && b[j] == ']' {
		j++
		for j < n && (b[j] == ' ' || b[j] == '\t' || b[j] == '\r') {
			j++
		}
		if j >= n {
			return -1, false, false
		}
		if b[j] != '\n' {
			return -1, false, true
		}
		return j + 1, true, true
	}
	// An XML element: <password>value</password>.
	if ns > 0 && b[ns-1] == '<' && j < n && b[j] == '>' {
		return j + 1, false, true
	}
	for k := 0; j < n && k < 3 && (b[j] == '"' || b[j] == '\'' || k > 0 && b[j] == ']'); k++ {
		j++ // closing quotes, and the bracket of a PHP or Python subscript: $cfg['password'] = ...
	}
	quotedName := j > ne
	sp := j
	for j < n && j-sp < 8 && (b[j] == ' ' || b[j] == '\t') {
		j++
	}
	if j >= n {
		return -1, false, false
	}
	switch b[j] {
	case '=', ':':
		for k := 0; j < n && k < 3 && (b[j] == '=' || b[j] == ':' || b[j] == '>'); k++ {
			j++
		}
		for k := 0; j < n && k < 8 && (b[j] == ' ' || b[j] == '\t'); k++ {
			j++
		}
		if j < n && (b[j] == '|' || b[j] == '>') {
			j++ // a YAML block scalar
			for j < n && (b[j] == '-' || b[j] == '+') {
				j++
			}
		} else if j+2 < n && b[j] == '<' && b[j+1] == '<' {
			j += 2 // an HCL or shell heredoc: <<EOF, <<-EOT, <<~EOS
			if j < n && (b[j] == '-' || b[j] == '~') {
				j++
			}
			for k := 0; j < n && k < 16 && (isWordByte(b[j]) || b[j] == '"' || b[j] == '\''); k++ {
				j++
			}
		}
		if j < n && b[j] == '\r' {
			j++
		}
		if j >= n {
			return -1, false, false
		}
		if b[j] == '\n' {
			return j + 1, true, true
		}
		return j, false, true
	case '\n', '\r':
		// A label alone on its line (.netrc one token per line).
		ls := ns
		for ls > 0 && (b[ls-1] == ' ' || b[ls-1] == '\t') {
			ls--
		}
		if quotedName || ls > 0 && b[ls-1] != '\n' {
			return -1, false, true
		}
		if b[j] == '\r' {
			j++
		}
		if j+1 >= n {
			return -1, false, false
		}
		return j + 1, true, true
	}
	// Blank-separated (`--auth-token V`, `aws_secret_access_key V`, SQL
	// `PASSWORD 'V'`): not for a lower-case word, which may be prose.
	if j == sp || quotedName {
		return -1, false, true
	}
	name := b[ns:ne]
	if b[j] == '\'' || b[j] == '"' || bytes.ContainsAny(name, "_-") || allUpper(name) {
		return j, false, true
	}
	return -1, false, true
}

func allUpper(v []byte) bool {
	for _, c := range v {
		if c >= 'a' && c <= 'z' {
			return false
		}
	}
	return len(v) >= 4
}

// keyedValue reads the value at vs: a quoted string or a run of token bytes.
// On the next line (nextLine) it must be the only thing on that line.
func keyedValue(b []byte, vs int, nextLine bool) (s, e int, open bool) {
	n := len(b)
	if nextLine {
		for k := 0; vs < n && k < 64 && (b[vs] == ' ' || b[vs] == '\t'); k++ {
			vs++
		}
	}
	if vs >= n {
		return -1, -1, true
	}
	if q := b[vs]; q == '"' || q == '\'' || q == '`' {
		j := vs + 1
		for j < n && j-vs <= maxKeyedValue && b[j] != q && b[j] != '\n' {
			if b[j] == '\\' && q == '"' {
				j++
			}
			j++
		}
		if j >= n {
			return -1, -1, true
		}
		if b[j] != q {
			return -1, -1, false
		}
		s, e = vs+1, j
		if nextLine && !endsLine(b, j+1) {
			return -1, -1, false
		}
		return s, e, false
	}
	j := vs
	for j < n && j-vs <= maxKeyedValue && b[j] > ' ' && b[j] != '"' && b[j] != '\'' && b[j] != '`' && b[j] != '<' && b[j] != ';' && b[j] != ',' && b[j] != '&' && b[j] != '|' {
		j++
	}
	if j == n {
		return -1, -1, true
	}
	e = j
	for e > vs && (b[e-1] == '.' || b[e-1] == ')' || b[e-1] == ']' || b[e-1] == '}') {
		e--
	}
	if nextLine && !endsLine(b, j) {
		return -1, -1, false
	}
	return vs, e, false
}

// inARN reports whether the name starting at ns is a field of an Amazon
// Resource Name (`arn:aws:secretsmanager:<region>:<account>:secret:<name>`):
// the text from the start of its token (at most 256 bytes back) begins with
// "arn:". What follows such a field is the resource's name, not a secret.
func inARN(b []byte, ns int) bool {
	i := ns
	for i > 0 && ns-i < 256 && b[i-1] > ' ' && b[i-1] != '"' && b[i-1] != '\'' && b[i-1] != '=' {
		i--
	}
	return ns-i >= 4 && bytes.EqualFold(b[i:i+4], []byte("arn:"))
}

// pathSecretName reports whether a URL path segment names the secret in the
// segment after it (`/token/V`, `/api-key/V`, `/access_token/V`): its last
// part must be a secret's. A segment that merely contains a secret word
// (`/token-service/commit/<sha>`, `/password-reset/`, `/secret-rotator/`)
// names a project or a page. The value is the one segment after the name,
// so Vault's `<mount>/creds/<role>/<lease>` gives the role, a word, and its
// lease id stays; `/credentials/<token>` gives the token.
func pathSecretName(name []byte) bool {
	if secret, _ := secretKeyName(name); !secret {
		return false
	}
	var last, before []byte
	nameParts(name, func(p, prev []byte) bool {
		last = append(last[:0], p...)
		before = append(before[:0], prev...)
		return false
	})
	switch l := string(last); {
	case secretParts[l], l == "key" && keyQualifiers[string(before)]:
		return true
	case oneTimeLinkParts[l]:
		// /password-reset/<token>, /password_resets/<token>/edit: the segment after a reset or
		// recovery route for a secret is the one-time token that sets a new one.
		return true
	}
	return hasAnySuffix(last, "password", "passwd", "secret", "token", "apikey")
}

// oneTimeLinkParts end a path segment naming a route that takes a one-time credential in the
// next segment when the segment also names a secret (password-reset, secret-recovery).
var oneTimeLinkParts = map[string]bool{"reset": true, "resets": true, "recovery": true, "recover": true}
