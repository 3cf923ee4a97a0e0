package redact

import "bytes"

// Shell ANSI-C quoting: bash, zsh and ksh read `$'…'` with backslash
// escapes (`\'` is a quote inside the value), so a password holding a
// single quote is written
//
//	export MYSQL_PWD=$'2nGw\'f2gM…'
//	vault login --password $'p\'w…'
//
// The value given to a secret's name (NAME=$'…', --flag=$'…') or to a
// long option naming a secret (--password $'…') is the quoted text, found
// whole with its escapes.

const shellQuoteMax = 64 + 3 + 512

func shellQuoteRules() []*rule {
	return []*rule{
		custom("shell-ansi-c-quoted", Secret, shellQuoteMax, matchANSICQuoted, "=$'", " $'").lowPrecedence().noHoldBack(),
	}
}

func matchANSICQuoted(_ *rule, b []byte, ks, ke int) (int, int, int) {
	// The name: `NAME` before `=`, or the `--option` word before the blank.
	ne := ks
	ns := ne
	for ns > 0 && ne-ns < 64 && nameByte(b[ns-1]) {
		ns--
	}
	if ns == ne || b[ks] == ' ' && (ne-ns < 3 || b[ns] != '-' || b[ns+1] != '-') {
		return -1, -1, -1
	}
	secret, password := secretKeyName(b[ns:ne])
	if !secret {
		return -1, -1, -1
	}
	// The quoted text, up to the first quote no backslash escapes.
	vs := ke
	j := vs
	for j < len(b) && j-vs < 512 && b[j] != '\'' && b[j] != '\n' {
		if b[j] == '\\' {
			j++
		}
		j++
	}
	if j >= len(b) {
		return -1, -1, vs
	}
	if b[j] != '\'' {
		return -1, -1, -1
	}
	v := b[vs:j]
	if bytes.IndexByte(v, '\\') >= 0 {
		v = unescapeANSIC(v)
	}
	if !opaqueValue(v, password) && (!password || !plausibleCLIPassword(v) || len(v) < 8) {
		return -1, -1, -1
	}
	return vs, j, -1
}

// unescapeANSIC drops the backslash of each escape (`\'` is `'`, `\\` is
// `\`): enough to judge the value; `\n`, `\x41` and the like stay letters.
func unescapeANSIC(v []byte) []byte {
	out := make([]byte, 0, len(v))
	for i := 0; i < len(v); i++ {
		if v[i] == '\\' && i+1 < len(v) {
			i++
		}
		out = append(out, v[i])
	}
	return out
}
