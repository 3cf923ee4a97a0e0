package redact

import (
	"bytes"
	"encoding/base64"
	"net/url"
	"strings"
)

// Look-alikes of the second benign corpus (testdata/benign2: a coding
// agent's traffic in codebases and data tools): classes of text that name a
// password without holding one. Each predicate is called by the rule it
// narrows and is as narrow as its class; a real secret in the same syntax
// still matches (rules_benign2_keep_test.go).

// passwordHashAlgos are the algorithm names Django stores in front of a
// password hash (`<algorithm>$<iterations>$<salt>$<hash>`), with the length
// in bytes of the digest each writes in base64.
var passwordHashAlgos = map[string]int{
	"pbkdf2_sha256": 32, "pbkdf2_sha1": 20, "scrypt": 64,
}

// passwordHash reports whether v is a password hash in a documented storage
// format: a hash is what a system keeps instead of the password, so that
// the password is not kept; it is no credential to present. Formats read:
// Django's pbkdf2/scrypt (`pbkdf2_sha256$600000$<salt>$<base64 digest>`,
// the digest of the algorithm's length), bcrypt (`$2b$12$` then 53
// characters of bcrypt's alphabet), Argon2 PHC strings
// (`$argon2id$v=19$m=65536,t=3,p=4$<salt>$<hash>`) and SHA-crypt
// (`$5$`/`$6$`, optional `rounds=N$`, salt, then 43/86 characters). A
// value that only starts like one (a prefix, a short digest) is not kept.
func passwordHash(v []byte) bool {
	s := string(v)
	switch {
	case strings.HasPrefix(s, "$2a$"), strings.HasPrefix(s, "$2b$"), strings.HasPrefix(s, "$2y$"):
		return len(s) == 60 && isDigit(s[4]) && isDigit(s[5]) && s[6] == '$' && cryptAlphabet(s[7:])
	case strings.HasPrefix(s, "$argon2"):
		return argon2PHC(s)
	case strings.HasPrefix(s, "$5$"), strings.HasPrefix(s, "$6$"):
		return shaCrypt(s)
	}
	parts := strings.Split(s, "$")
	n, ok := passwordHashAlgos[parts[0]]
	if !ok || len(parts) != 4 && (parts[0] != "scrypt" || len(parts) != 6) {
		return false
	}
	if !digitsOnly(parts[1]) || len(parts[len(parts)-2]) < 8 || !cryptAlphabet(parts[len(parts)-2]) {
		return false
	}
	dec, err := base64.StdEncoding.DecodeString(parts[len(parts)-1])
	return err == nil && len(dec) == n
}

// argon2PHC reads `$argon2{i,d,id}$v=NN$m=N,t=N,p=N$<salt>$<hash>`.
func argon2PHC(s string) bool {
	p := strings.Split(s, "$")
	if len(p) != 6 || p[0] != "" || p[1] != "argon2i" && p[1] != "argon2d" && p[1] != "argon2id" ||
		!strings.HasPrefix(p[2], "v=") || !digitsOnly(p[2][2:]) || !strings.HasPrefix(p[3], "m=") {
		return false
	}
	for _, kv := range strings.Split(p[3], ",") {
		if len(kv) < 3 || kv[1] != '=' || !digitsOnly(kv[2:]) {
			return false
		}
	}
	return len(p[4]) >= 11 && cryptAlphabet(p[4]) && len(p[5]) >= 22 && cryptAlphabet(p[5])
}

// shaCrypt reads SHA-crypt: `$5$` or `$6$`, an optional `rounds=N$`, a salt
// of up to 16 characters, then the 43 (SHA-256) or 86 (SHA-512) character
// hash.
func shaCrypt(s string) bool {
	p := strings.Split(s[1:], "$")
	if len(p) == 4 && strings.HasPrefix(p[1], "rounds=") && digitsOnly(p[1][7:]) {
		p = append(p[:1], p[2:]...)
	}
	if len(p) != 3 || len(p[1]) == 0 || len(p[1]) > 16 || !cryptAlphabet(p[1]) {
		return false
	}
	want := 43
	if p[0] == "6" {
		want = 86
	}
	return len(p[2]) == want && cryptAlphabet(p[2])
}

// cryptAlphabet reports whether s is made of the characters hash formats
// encode in (base64 and crypt's `./` alphabet, `=` padding).
func cryptAlphabet(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isAlnum(c) && c != '.' && c != '/' && c != '+' && c != '=' {
			return false
		}
	}
	return s != ""
}

func digitsOnly(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return s != ""
}

// commaNextField reports whether the value b[s:e], taken after the name
// that ends at ke with a comma as its operator, is the next field of a
// list: a keyword argument or option (`validates :password, length: {...}`,
// `PasswordInput, label="..."`, a log's `task_id=rotate_smtp_password,
// run_id=...`). The value then starts with a lower-case identifier and its
// own `=` or `:`; a quoted value is a value, and so is base64 ending in `=`
// (it has upper case or digits before its padding, or nothing follows).
func commaNextField(b []byte, ke, s, e int) bool {
	if s <= ke || s > len(b) || b[s-1] == '"' || b[s-1] == '\'' || b[s-1] == '`' {
		return false
	}
	op := bytes.IndexAny(b[ke:s], "=:,>?|\n")
	if op < 0 || b[ke+op] != ',' {
		return false
	}
	v := b[s:e]
	i := 0
	for i < len(v) && i <= 32 && (v[i] >= 'a' && v[i] <= 'z' || v[i] == '_' || i > 0 && isDigit(v[i])) {
		i++
	}
	if i == 0 || i >= len(v) || v[i] != '=' && v[i] != ':' {
		return false
	}
	rest := v[i+1:]
	if len(rest) > 0 && (rest[0] == v[i] || rest[0] == '/') {
		return false // `a==b`, `a::b`, `scheme://`
	}
	return len(rest) > 0 || e < len(b) && b[e] != '\n' && b[e] != '\r'
}

// passwordlessName reports whether the name around the keyword b[ks:ke] is
// about signing in without a password (`passwordless_login`,
// `PasswordlessEnabled`): a feature, not a secret.
func passwordlessName(b []byte, ks, ke int) bool {
	ne := ke
	for ne < len(b) && ne-ke < 4 && isLetter(b[ne]) {
		ne++
	}
	return bytes.EqualFold(b[ks:ne], []byte("passwordless"))
}

// benign2Assign reports whether an assignment rule's value b[s:e], after
// the keyword b[ks:ke], is one of the classes above.
func benign2Assign(b []byte, ks, ke, s, e int) bool {
	return commaNextField(b, ke, s, e) || passwordlessName(b, ks, ke)
}

// runIDTimestamp reports whether v is a run identifier made of a run type
// and the run's timestamp, as workflow schedulers name their runs
// (Airflow's `scheduled__2026-12-06T03:00:00+00:00`, `manual__...`,
// `backfill__...`): a lower-case word, `__`, then an ISO-8601 time.
func runIDTimestamp(v []byte) bool {
	i := bytes.Index(v, []byte("__"))
	if i <= 0 || i > 32 {
		return false
	}
	for _, c := range v[:i] {
		if (c < 'a' || c > 'z') && c != '_' {
			return false
		}
	}
	return isoTimestamp(v[i+2:])
}

// k8sSettingWords are values a setting takes that no credential is: log
// levels and booleans.
var k8sSettingWords = map[string]bool{
	"trace": true, "debug": true, "info": true, "warn": true, "warning": true, "error": true, "fatal": true,
	"true": true, "false": true, "on": true, "off": true, "yes": true, "no": true, "enabled": true, "disabled": true,
}

// k8sSettingValue reports whether a Kubernetes Secret's data value v
// (base64) under key is a plain setting that was put in a Secret with the
// credentials beside it: the key names no secret (`LOG_LEVEL`,
// `FEATURE_FLAGS`) and the value decodes to a log level, a boolean, a number
// or a comma list of at least two snake_case flag names
// (`passwordless_login,api_key_v2`), or a well-known document's URL. A credential decodes to none of these;
// under a key that names a secret (`password`, `api_key`) every value stays
// secret.
func k8sSettingValue(key, v []byte) bool {
	if sec, _ := secretKeyName(bytes.Trim(key, `"' `)); sec {
		return false
	}
	dec, err := base64.StdEncoding.DecodeString(string(v))
	if err != nil || len(dec) == 0 || len(dec) > 256 {
		return false
	}
	d := strings.ToLower(strings.TrimSpace(string(dec)))
	if k8sSettingWords[d] || digitsOnly(d) && len(d) <= 6 {
		return true
	}
	if publicEndpoint(strings.TrimSpace(string(dec))) {
		return true
	}
	flags := strings.Split(d, ",")
	if len(flags) < 2 {
		return false
	}
	for _, f := range flags {
		f = strings.TrimSpace(f)
		if !strings.Contains(f, "_") || len(f) > 48 || f[0] < 'a' || f[0] > 'z' {
			return false
		}
		for i := 0; i < len(f); i++ {
			if (f[i] < 'a' || f[i] > 'z') && f[i] != '_' && !isDigit(f[i]) {
				return false
			}
		}
	}
	return true
}

// publicEndpoint reports whether u is the address of a well-known
// document (RFC 8615: `https://auth.example.com/.well-known/jwks.json`,
// `/.well-known/openid-configuration`): such a document is published for
// anyone to fetch, and its address carries no credential — no user info,
// query or fragment, and path segments of letters, dots, dashes and
// underscores. Other URLs in a Secret (a service's root URL, a webhook with
// its token in the path) stay secret as the Secret declares them.
func publicEndpoint(u string) bool {
	p, err := url.Parse(u)
	if err != nil || p.Scheme != "https" && p.Scheme != "http" || p.Host == "" || p.User != nil ||
		p.RawQuery != "" || p.Fragment != "" || p.Opaque != "" || !strings.HasPrefix(p.Path, "/.well-known/") {
		return false
	}
	for _, seg := range strings.Split(strings.Trim(p.Path, "/"), "/") {
		if len(seg) > 32 {
			return false
		}
		for i := 0; i < len(seg); i++ {
			if c := seg[i]; !isLetter(c) && c != '.' && c != '-' && c != '_' {
				return false
			}
		}
	}
	return true
}
