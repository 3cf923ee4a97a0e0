package redact

import (
	"bytes"
	"encoding/base64"
)

// Values that are secret because of the name that holds them, in the forms
// the keyed model (rules_keyed.go) leaves to others:
//
//   - a UUID under a secret's name (`SCW_SECRET_KEY=<uuid>`, Consul and
//     Vault `token = "<uuid>"`, `client_secret: <uuid>`): a UUID is an
//     identifier next to `request_id` or `Idempotency-Key`, a credential
//     next to a name that says secret (secretKeyName rejects _id, idempotency,
//     page and the other names about a secret);
//   - a name and its value as two adjacent string literals, the arguments of
//     a call or the members of a tuple or initializer (`.header("DD-API-KEY",
//     "<hex>")`, `headers.Add("X-Api-Key", "...")`, `("password", "...")`,
//     `{ "ApiKey", "..." }`, `define('AUTH_KEY', '<salt>')`); WordPress's
//     eight keys and salts are secrets by their names;
//   - a gossip encryption key (`encrypt = "<base64 of 16 or 32 bytes>"`,
//     Consul and Nomad).

const keyedFx7Max = 64 + 16 + 64 + maxKeyedValue

func keyedFx7Rules() []*rule {
	words := []string{
		"password", "passwd", "passphrase", "pass", "pwd", "secret", "token", "apikey", "api_key", "api-key",
		"auth", "credential", "creds", "_key", "-key", "_salt",
	}
	return []*rule{
		custom("keyed-uuid-secret", Secret, 64+16+48, matchKeyedUUID, words...).lowPrecedence(),
		custom("string-pair-secret", Secret, keyedFx7Max, matchStringPair, words...).lowPrecedence(),
		custom("gossip-encryption-key", Secret, 128, matchGossipKey, "encrypt").lowPrecedence(),
		custom("password-passphrase", Secret, 256, matchPassphrase, "password", "passwd", "passphrase").lowPrecedence(),
	}
}

// nameAround returns the name around the keyword b[ks:ke].
func nameAround(b []byte, ks, ke int) (int, int) {
	ns, ne := ks, ke
	for ns > 0 && ks-ns < 64 && nameByte(b[ns-1]) {
		ns--
	}
	for ne < len(b) && ne-ke < 64 && nameByte(b[ne]) {
		ne++
	}
	for ne > ke && (b[ne-1] == '.' || b[ne-1] == '-') {
		ne--
	}
	return ns, ne
}

// matchKeyedUUID finds a UUID given to a secret's name with `=` or `:`
// (quoted or not, also as a JSON member or an HCL attribute).
func matchKeyedUUID(_ *rule, b []byte, ks, ke int) (int, int, int) {
	ns, ne := nameAround(b, ks, ke)
	if ne >= len(b) {
		return -1, -1, pendIfNear(b, ks, 64+16+48)
	}
	i := ne
	if b[i] == '"' || b[i] == '\'' {
		i++
	}
	i = skipSpaces(b, i, 8)
	if i >= len(b) {
		return -1, -1, pendIfNear(b, ks, 64+16+48)
	}
	if b[i] != '=' && b[i] != ':' {
		return -1, -1, -1
	}
	i = skipSpaces(b, i+1, 8)
	if i < len(b) && (b[i] == '"' || b[i] == '\'') {
		i++
	}
	const n = 36
	if len(b)-i <= n {
		return -1, -1, pendIfNear(b, ks, 64+16+48)
	}
	v := b[i : i+n]
	if v[8] != '-' || v[13] != '-' || v[18] != '-' || v[23] != '-' {
		return -1, -1, -1 // cheap before the pattern: most values are no UUID
	}
	if !uuidShape.Match(v) || isAlnum(b[i+n]) || b[i+n] == '-' || isPlaceholder(v) || repeatedUUID(v) {
		return -1, -1, -1
	}
	// The name must end in the secret's word (`SCW_SECRET_KEY`, `token`): a
	// UUID under `token_family` or `secret_group` names a group.
	if !pathSecretName(b[ns:ne]) || notSecretName(b, ks, ke) {
		return -1, -1, -1
	}
	return i, i + n, -1
}

// repeatedUUID reports a UUID of one repeated digit or the nil UUID
// (00000000-0000-..., 11111111-1111-...): documentation, not a token.
func repeatedUUID(v []byte) bool {
	var first byte
	for _, c := range v {
		if c == '-' {
			continue
		}
		if first == 0 {
			first = c
		} else if c != first {
			return false
		}
	}
	return true
}

// wordpressKeys are the names of wp-config.php's authentication keys and
// salts: all eight are secrets (a salt here is a key, not a hash's salt).
var wordpressKeys = map[string]bool{
	"AUTH_KEY": true, "SECURE_AUTH_KEY": true, "LOGGED_IN_KEY": true, "NONCE_KEY": true,
	"AUTH_SALT": true, "SECURE_AUTH_SALT": true, "LOGGED_IN_SALT": true, "NONCE_SALT": true,
}

// matchStringPair finds a secret's name and its value as two adjacent string
// literals: `"NAME", "value"` (or with single quotes, and blanks around the
// comma).
func matchStringPair(_ *rule, b []byte, ks, ke int) (int, int, int) {
	ns, ne := nameAround(b, ks, ke)
	if ns == 0 || ne >= len(b) {
		return -1, -1, pendIfNear(b, ks, keyedFx7Max)
	}
	q := b[ns-1]
	if q != '"' && q != '\'' || b[ne] != q {
		return -1, -1, -1
	}
	i := skipSpaces(b, ne+1, 8)
	if i >= len(b) {
		return -1, -1, pendIfNear(b, ks, keyedFx7Max)
	}
	if b[i] != ',' {
		return -1, -1, -1
	}
	i = skipSpaces(b, i+1, 64)
	if i >= len(b) {
		return -1, -1, pendIfNear(b, ks, keyedFx7Max)
	}
	vq := b[i]
	if vq != '"' && vq != '\'' {
		return -1, -1, -1
	}
	vs := i + 1
	ve := vs
	for ve < len(b) && ve-vs <= maxKeyedValue && b[ve] != vq && b[ve] != '\n' && b[ve] != '\\' {
		ve++
	}
	if ve >= len(b) {
		return -1, -1, pendIfNear(b, ks, keyedFx7Max)
	}
	if b[ve] != vq || ve == vs {
		return -1, -1, -1
	}
	name, v := b[ns:ne], b[vs:ve]
	if wordpressKeys[string(name)] {
		if isPlaceholder(v) || bytes.Contains(bytes.ToLower(v), []byte("unique phrase")) || !randomPrintable(v) && !opaqueValue(v, false) {
			return -1, -1, -1
		}
		return vs, ve, -1
	}
	secret, password := secretKeyName(name)
	if !secret || !credentialLiteral(v, password) {
		return -1, -1, -1
	}
	return vs, ve, -1
}

// matchGossipKey finds Consul's and Nomad's gossip encryption key: the
// attribute `encrypt` (HCL `encrypt = "..."`, JSON `"encrypt": "..."`,
// the `-encrypt=` flag) holding the base64 of 16, 24 or 32 random bytes.
func matchGossipKey(_ *rule, b []byte, ks, ke int) (int, int, int) {
	if ks > 0 && isWordByte(b[ks-1]) || ke < len(b) && isWordByte(b[ke]) {
		return -1, -1, -1
	}
	i := ke
	if i < len(b) && (b[i] == '"' || b[i] == '\'') {
		i++
	}
	i = skipSpaces(b, i, 8)
	if i >= len(b) {
		return -1, -1, pendIfNear(b, ks, 128)
	}
	if b[i] != '=' && b[i] != ':' {
		return -1, -1, -1
	}
	i = skipSpaces(b, i+1, 8)
	if i < len(b) && (b[i] == '"' || b[i] == '\'') {
		i++
	}
	s := i
	for i < len(b) && i-s < 64 && (isAlnum(b[i]) || b[i] == '+' || b[i] == '/' || b[i] == '=') {
		i++
	}
	if i >= len(b) {
		return -1, -1, pendIfNear(b, ks, 128)
	}
	dec, err := base64.StdEncoding.DecodeString(string(b[s:i]))
	if err != nil || len(dec) != 16 && len(dec) != 24 && len(dec) != 32 || shannon(b[s:i]) < 4.0 {
		return -1, -1, -1
	}
	return s, i, -1
}

// passphraseWords are words of a sentence about a password (a form's
// label, a validation message, a hint), never of a passphrase of random
// words.
var passphraseWords = map[string]bool{
	"the": true, "a": true, "an": true, "is": true, "are": true, "be": true, "must": true, "should": true,
	"your": true, "you": true, "at": true, "least": true, "of": true, "to": true, "and": true, "or": true,
	"not": true, "this": true, "that": true, "with": true, "for": true, "in": true, "on": true, "enter": true,
	"required": true, "field": true, "characters": true, "character": true, "please": true, "invalid": true,
	"incorrect": true, "match": true, "new": true, "old": true, "confirm": true, "password": true,
	"passwords": true, "too": true, "short": true, "long": true, "here": true, "use": true, "reset": true,
	"forgot": true, "change": true, "wrong": true, "empty": true, "blank": true, "none": true, "null": true,
	"set": true, "see": true, "from": true, "env": true, "vault": true, "secret": true, "secrets": true,
	"my": true, "our": true, "is:": true, "will": true, "can": true, "cannot": true, "has": true, "been": true,
	"expired": true, "changed": true, "updated": true, "stored": true, "hidden": true, "masked": true,
}

// passphrase reports a passphrase of random words (`correct horse battery
// staple`): three to eight words of letters (a digit or two may end one)
// joined by single blanks, none of them a word of a sentence about a
// password.
func passphrase(v []byte) bool {
	if len(v) < 16 || len(v) > 128 {
		return false
	}
	words := bytes.Split(v, []byte(" "))
	if len(words) < 3 || len(words) > 8 {
		return false
	}
	for _, w := range words {
		if len(w) < 3 || len(w) > 14 || passphraseWords[string(bytes.ToLower(w))] {
			return false
		}
		letters := 0
		for i, c := range w {
			switch {
			case c >= 'a' && c <= 'z', i == 0 && isUpper(c):
				letters++
			case isDigit(c) && i >= 3:
			default:
				return false
			}
		}
		if letters < 3 {
			return false
		}
	}
	return true
}

// matchPassphrase finds a passphrase of words given to a password's name
// (`"password": "correct horse battery staple"`, `passphrase = '…'`,
// `password: …` to the end of a YAML line), which the keyed model, reading
// one token, leaves.
func matchPassphrase(_ *rule, b []byte, ks, ke int) (int, int, int) {
	ns, ne := nameAround(b, ks, ke)
	if ne >= len(b) {
		return -1, -1, pendIfNear(b, ks, 256)
	}
	i := ne
	if b[i] == '"' || b[i] == '\'' {
		i++
	}
	i = skipSpaces(b, i, 4)
	if i >= len(b) {
		return -1, -1, pendIfNear(b, ks, 256)
	}
	if b[i] != ':' && b[i] != '=' {
		return -1, -1, -1
	}
	i = skipSpaces(b, i+1, 4)
	if i >= len(b) {
		return -1, -1, pendIfNear(b, ks, 256)
	}
	var s, e int
	if q := b[i]; q == '"' || q == '\'' {
		s = i + 1
		e = s
		for e < len(b) && e-s <= 128 && b[e] != q && b[e] != '\n' {
			e++
		}
		if e == len(b) {
			return -1, -1, pendIfNear(b, ks, 256)
		}
		if b[e] != q {
			return -1, -1, -1
		}
	} else {
		s = i
		le := lineEnd(b, s, 256)
		if le < 0 {
			return -1, -1, pendIfNear(b, ks, 256)
		}
		e = le
		for e > s && (b[e-1] == '\r' || b[e-1] == ' ') {
			e--
		}
	}
	if !passphrase(b[s:e]) {
		return -1, -1, -1
	}
	if _, password := secretKeyName(b[ns:ne]); !password {
		return -1, -1, -1
	}
	return s, e, -1
}
