package redact

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
)

// Values that say where a secret is, or that hold no secret bits at all,
// rather than a secret: a pass-phrase argument naming a variable, a file or a
// descriptor, a file path, a documentation mask, a JWT header alone.

// valueReference reports whether v names where the secret is instead of
// holding it: OpenSSL's pass-phrase arguments `env:VAR`, `file:PATH` and
// `fd:N` (`-pass env:BACKUP_PASSPHRASE`), a relative or home path
// (`--from-file=password=./pw.txt`) or an absolute path below a lower-case
// directory (`/run/secrets/db_pw`). A generated password rarely starts with
// `./` or `/word/` and never consists of path characters alone after it.
// A long flag (`--from-file=...`) is the next argument of a command line, not
// the value of a name before it (`db_password.txt --from-file=...`).
func valueReference(v []byte) bool {
	lower := func(p string) bool { return len(v) > len(p) && bytes.EqualFold(v[:len(p)], []byte(p)) }
	switch {
	case len(v) > 2 && v[0] == '-' && v[1] == '-' && isLetter(v[2]):
		return flagName(v[2:])
	case lower("env:"):
		return envName(v[4:])
	case lower("file:"):
		return pathChars(v[5:])
	case lower("fd:"):
		return allDigits(v[3:])
	case len(v) > 3 && v[0] == '#' && v[1] == '{':
		return tokenVariable(v) // rules_fx9_keep.go
	case bytes.HasPrefix(v, []byte("./")), bytes.HasPrefix(v, []byte("../")), bytes.HasPrefix(v, []byte("~/")):
		return pathChars(v) && !generatedSegment(v)
	case len(v) > 1 && v[0] == '/':
		i := 1
		for i < len(v) && i <= 16 && v[i] >= 'a' && v[i] <= 'z' {
			i++
		}
		return i > 2 && i < len(v)-1 && v[i] == '/' && pathChars(v) && !generatedSegment(v)
	}
	return false
}

// flagName reports a long option's name, with its value after '=' if any:
// lower-case letters, digits and '-' (`from-file=...`, `no-auth-warning`). A
// generated value that starts with "--" (base64url, one in 4096) mixes cases.
func flagName(v []byte) bool {
	name, _, _ := bytes.Cut(v, []byte("="))
	for _, c := range name {
		if (c < 'a' || c > 'z') && !isDigit(c) && c != '-' {
			return false
		}
	}
	return true
}

// generatedSegment reports a path segment that looks generated rather than
// named: at least ten letters and digits alone, with two or more each of
// upper case, lower case and digits (`/abc/Xk9mQ2vL7pR4tW8z...`, a base64
// secret that happens to start with "/abc/"; `./x9Kq2vL7aBz`). File names
// are words, joined by '_', '-' or '.' (db_password2, p12.pass, token2).
func generatedSegment(v []byte) bool {
	for _, seg := range bytes.Split(v, []byte("/")) {
		if len(seg) < 10 {
			continue
		}
		upper, lowerCase, digits, other := 0, 0, 0, 0
		for _, c := range seg {
			switch {
			case c >= 'A' && c <= 'Z':
				upper++
			case c >= 'a' && c <= 'z':
				lowerCase++
			case isDigit(c):
				digits++
			default:
				other++
			}
		}
		if other == 0 && upper >= 2 && lowerCase >= 2 && digits >= 2 {
			return true
		}
	}
	return false
}

// envName reports an environment variable's name: a letter or '_', then
// letters, digits and '_'.
func envName(v []byte) bool {
	if len(v) == 0 || isDigit(v[0]) {
		return false
	}
	for _, c := range v {
		if !isWordByte(c) {
			return false
		}
	}
	return true
}

// pathChars reports a non-empty run of the bytes file names are written
// with: letters, digits, '_', '-', '.', '/' and '~'.
func pathChars(v []byte) bool {
	for _, c := range v {
		if !isWordByte(c) && c != '-' && c != '.' && c != '/' && c != '~' {
			return false
		}
	}
	return len(v) > 0
}

func allDigits(v []byte) bool {
	for _, c := range v {
		if !isDigit(c) {
			return false
		}
	}
	return len(v) > 0
}

// maskRun reports a run of at least six 'x', 'X' or '*': the mask
// documentation writes in place of a token's random part
// (`sk_test_xxxxxxxxxxxxxxxxxxxxxxxx`, `ghp_XXXXXXXXXXXXXXXXXXXX`). In a
// random base62 token such a run turns up about once in 10^8.
func maskRun(v []byte) bool {
	run := 0
	for i, c := range v {
		switch {
		case c != 'x' && c != 'X' && c != '*':
			run = 0
		case i > 0 && c == v[i-1]:
			run++
		default:
			run = 1
		}
		if run >= 6 {
			return true
		}
	}
	return false
}

// joseHeaderMembers are the members of a JWS/JWE header that carry no key
// (RFC 7515 section 4.1, RFC 7516 section 4.1); a JWK's private members
// ("k", "d", "p", ...) are not among them.
var joseHeaderMembers = map[string]bool{
	"alg": true, "typ": true, "kid": true, "cty": true, "crit": true, "x5t": true, "x5t#S256": true,
	"x5u": true, "jku": true, "enc": true, "zip": true, "b64": true,
}

// jwtHeaderOnly reports whether v is the first part of a JWT alone - base64url
// of a header such as {"alg":"HS256","typ":"JWT"}, with no payload or
// signature after it: a header holds no secret bits, the signature does.
func jwtHeaderOnly(v []byte) bool {
	if len(v) < 16 || len(v) > 512 || !bytes.HasPrefix(v, []byte("eyJ")) || bytes.IndexByte(v, '.') >= 0 {
		return false
	}
	v = bytes.TrimRight(v, "=")
	enc := base64.RawURLEncoding
	if bytes.ContainsAny(v, "+/") {
		enc = base64.RawStdEncoding
	}
	dec, err := enc.AppendDecode(nil, v)
	if err != nil {
		return false
	}
	var hdr map[string]json.RawMessage
	if json.Unmarshal(dec, &hdr) != nil || hdr["alg"] == nil {
		return false
	}
	for k := range hdr {
		if !joseHeaderMembers[k] {
			return false
		}
	}
	return true
}
