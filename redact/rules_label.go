package redact

import "bytes"

// Labels: a credential shown under a label of its own, as consoles, setup
// pages, password managers and hand-written notes lay it out:
//
//	Datadog application key (prod)
//	945818522527b4f0869d3a558dffc9bc18d339c1
//
//	Signing Secret
//	b5a938ae06e1b568d845b462b6d7efb3
//
// The label is a short line of words (at most labelMax bytes: letters,
// digits, blanks, `-_()*#`, an optional closing colon) that names a secret:
// its last words, before an optional qualifier in parentheses, are a
// secret's name (secretKeyName: "Client secret", "Bot User OAuth Token", not
// "Client ID", "Token type" or "Token fingerprint"), and it is a name, not a
// sentence about a secret ("SHA256 of the token", "Commit that rotated the
// secret" stand over hashes); the next line holds one value and nothing
// else, and the value must look generated (opaqueValue). A label that is a
// single name (`password` alone, .netrc one token per line) is the keyed
// model's; this rule reads the labels of several words it leaves.

const labelMax = 64

// labelLineMax bounds a label match: the label, a line break, the value's
// indentation and the value.
const labelLineMax = labelMax + 2 + 64 + 512

func labelRules() []*rule {
	return []*rule{
		custom("labelled-secret", Secret, labelLineMax, matchLabelled,
			"password", "passphrase", "secret", "token", " key", "credential").lowPrecedence().noHoldBack(),
	}
}

// labelByte reports bytes a label line may hold besides letters and digits.
func labelByte(c byte) bool {
	return isAlnum(c) || c == ' ' || c == '\t' || c == '-' || c == '_' || c == '(' || c == ')' || c == '*' || c == '#'
}

// labelValueByte reports bytes of a value standing alone under its label.
func labelValueByte(c byte) bool {
	return isAlnum(c) || c == '_' || c == '-' || c == '.' || c == '+' || c == '/' || c == '~' || c == '!' || c == '@' ||
		c == '%' || c == '^' || c == '*' || c == '#' || c == '&' || c == '?' || c == '$'
}

func matchLabelled(_ *rule, b []byte, ks, ke int) (int, int, int) {
	// The rest of the label line first: in source code and prose a keyword is
	// soon followed by a byte no label holds.
	le := ke
	for le < len(b) && le-ke < labelMax && labelByte(b[le]) {
		le++
	}
	if le == len(b) {
		// Nothing to hold yet: the label is kept as a stream's context and
		// read again with the line that follows.
		return -1, -1, -1
	}
	if b[le] != ':' && b[le] != '\n' && b[le] != '\r' {
		return -1, -1, -1
	}
	ls := ks
	for ls > 0 && ks-ls < labelMax && labelByte(b[ls-1]) {
		ls--
	}
	if !lineStart(b, ls) || le-ls > labelMax {
		return -1, -1, -1
	}
	label := b[ls:le]
	if b[le] == ':' {
		le++
	}
	if le < len(b) && b[le] == '\r' {
		le++
	}
	if le == len(b) {
		return -1, -1, -1
	}
	if b[le] != '\n' || !hasLetterRun(label, 2) {
		return -1, -1, -1
	}
	vs := skipSpaces(b, le+1, 64)
	ve := vs
	for ve < len(b) && ve-vs <= 512 && labelValueByte(b[ve]) {
		ve++
	}
	for k := 0; ve < len(b) && k < 2 && b[ve] == '='; k++ {
		ve++ // base64 padding
	}
	if ve == len(b) {
		return -1, -1, vs // the value may still be growing
	}
	if ve == vs || !endsLine(b, ve) {
		return -1, -1, -1
	}
	v := b[vs:ve]
	secret, password := labelNamesSecret(label)
	if !secret || !opaqueValue(v, password) {
		return -1, -1, -1
	}
	return vs, ve, -1
}

// hasLetterRun reports a run of at least n letters in v.
func hasLetterRun(v []byte, n int) bool {
	run := 0
	for _, c := range v {
		if isLetter(c) {
			run++
			if run >= n {
				return true
			}
		} else {
			run = 0
		}
	}
	return false
}

// lineStart reports whether a line starts at i: after a newline, at the
// start of b, or at the start of a JSON string value, which RedactJSON scans
// after its key as `key=value` (the key's bytes hold no newline).
func lineStart(b []byte, i int) bool {
	if i == 0 || b[i-1] == '\n' {
		return true
	}
	return b[i-1] == '=' && i-1 <= 128 && bytes.IndexByte(b[:i-1], '\n') < 0 && bytes.IndexByte(b[:i-1], '=') < 0
}

// labelConnectors are words of a sentence about a secret rather than of the
// secret's name.
var labelConnectors = map[string]bool{
	"of": true, "that": true, "which": true, "the": true, "to": true, "from": true, "with": true,
	"was": true, "is": true, "has": true, "by": true, "for": true, "in": true, "on": true,
}

// labelNamesSecret reports whether a label line names a secret (see the
// file comment) and whether that secret is a password.
func labelNamesSecret(label []byte) (secret, password bool) {
	if i := bytes.IndexByte(label, '('); i >= 0 {
		label = label[:i] // a qualifier: (prod), (EU)
	}
	words := bytes.FieldsFunc(label, func(r rune) bool { return r == ' ' || r == '\t' || r == '*' || r == '#' })
	if len(words) == 0 || len(words) > 6 {
		return false, false
	}
	for _, w := range words {
		if labelConnectors[string(bytes.ToLower(w))] {
			return false, false
		}
	}
	tail := words[len(words)-1]
	if len(words) > 1 {
		prev := words[len(words)-2]
		tail = label[bytes.Index(label, prev) : bytes.LastIndex(label, tail)+len(tail)]
	}
	return secretKeyName(tail)
}
