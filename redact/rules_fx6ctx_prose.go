package redact

import "bytes"

// Prose: a credential named by the words of a sentence rather than by a key,
// as people paste them into chat and tools print them:
//
//	[10:43] maria: auth token ac829cf700d984580c86e62d00aac0d6
//	the api key is 8c1f2a9d7b6e5f4a3c2b1d0e9f8a7b6c, rotate it after the demo
//
// and a value announced by a line that ends with a colon and stands, after
// up to three blank lines, alone on a line of its own:
//
//	Your new personal access token (shown only once):
//
//	    lin_oauth_29f1e77a8447c5e3b0ce099b0a773bb7e2da800456fa2434492657e981e3e2ed
//
//	Please use the following password to proceed to installation:
//
//	ce55d87c67f71e706a5923db64b8ff3a
//
// Inline, the words before the value must name a secret (secretKeyName over
// the last two words: "auth token", "api key", "secret", not "key" alone, a
// "Token fingerprint" or "token type") and the value must look generated and
// be 16 bytes or more (a password after "password is": a password). An
// announcing line may be a sentence; every word of it counts, so a line about
// a secret's metadata ("The token types below:", "Password hash:") announces
// nothing.

const (
	proseLineMax     = 200
	announceMaxLines = 3
	announceMaxLen   = proseLineMax + announceMaxLines*64 + 64 + 512
)

func proseRules() []*rule {
	return []*rule{
		custom("prose-secret", Secret, proseLineMax, matchProse,
			"token ", "key ", "secret ", "password ", "passphrase ").lowPrecedence().noHoldBack(),
		custom("announced-secret", Secret, announceMaxLen, matchAnnounced,
			"token", "key", "secret", "password", "passphrase", "credential").lowPrecedence().noHoldBack(),
	}
}

// matchProse reads `<name words> [is|was|:|=|-] <value>` on one line.
func matchProse(_ *rule, b []byte, ks, ke int) (int, int, int) {
	kwEnd := ks
	for kwEnd < ke && isLetter(b[kwEnd]) {
		kwEnd++
	}
	if ks > 0 && (isWordByte(b[ks-1]) || b[ks-1] == '-' || b[ks-1] == '.') || kwEnd < len(b) && b[kwEnd] != ' ' {
		return -1, -1, -1
	}
	j := skipSpaces(b, kwEnd, 3)
	// An optional verb or separator.
	separated := false
	for _, sep := range []string{"is ", "was ", ": ", "= ", "- ", "-> "} {
		if bytes.HasPrefix(b[j:], []byte(sep)) {
			j = skipSpaces(b, j+len(sep), 3)
			separated = true
			break
		}
	}
	if !separated {
		// A qualifier before the colon: "password (generated): V", "token for the CI bot: V".
		if k := labelTail(b, j); k > j {
			j, separated = skipSpaces(b, k, 3), true
		}
	}
	if j >= len(b) {
		return -1, -1, -1
	}
	if q := b[j]; q == '`' || q == '"' || q == '\'' {
		j++
	}
	vs := j
	for j < len(b) && j-vs <= 512 && labelValueByte(b[j]) {
		j++
	}
	if j == len(b) {
		return -1, -1, vs // the value may still be growing
	}
	for j > vs && (b[j-1] == '.' || b[j-1] == '!' || b[j-1] == '?') {
		j-- // the sentence's full stop
	}
	if j-vs < 8 || j < len(b) && isWordByte(b[j]) {
		return -1, -1, -1
	}
	if c := b[j]; c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != ',' && c != '.' && c != '`' && c != '"' && c != '\'' && c != ')' {
		return -1, -1, -1
	}
	v := b[vs:j]
	if proseWord(v) || isPlaceholder(v) {
		return -1, -1, -1
	}
	// The name: the keyword's word and the word before it.
	ns := ks
	if ns > 1 && b[ns-1] == ' ' {
		p := ns - 1
		for p > 0 && ns-p < 24 && isAlnum(b[p-1]) {
			p--
		}
		if p < ns-1 && !connectorWord(b[p:ns-1]) {
			ns = p
		}
	}
	if ns == ks && !separated {
		return -1, -1, -1 // "the secret X is ...": a sentence about a value, not a label over it
	}
	secret, password := secretKeyName(b[ns:kwEnd])
	if !secret {
		return -1, -1, -1
	}
	if password && opaqueValue(v, true) && hasDigitAndLetter(v) || len(v) >= 16 && opaqueToken(v) {
		return vs, j, -1
	}
	return -1, -1, -1
}

// matchAnnounced reads a line ending with a colon that names a secret, then
// the value alone on one of the next lines after blank ones.
func matchAnnounced(_ *rule, b []byte, ks, ke int) (int, int, int) {
	if ks > 0 && isLetter(b[ks-1]) {
		return -1, -1, -1 // monkey, hotkey: not the secret's word
	}
	nl := bytes.IndexByte(b[ke:min(len(b), ke+proseLineMax)], '\n')
	if nl < 0 {
		return -1, -1, -1 // no line end near: a label is read again with its next line
	}
	le := ke + nl
	for le > ke && (b[le-1] == ' ' || b[le-1] == '\t' || b[le-1] == '\r' || b[le-1] == '*') {
		le--
	}
	if le == ke || b[le-1] != ':' {
		return -1, -1, -1
	}
	colon := le - 1
	le = ke + nl
	ls := ks
	for ls > 0 && ks-ls < proseLineMax && b[ls-1] != '\n' {
		ls--
	}
	if ks-ls >= proseLineMax {
		return -1, -1, -1
	}
	line := b[ls:colon]
	if eq := bytes.IndexByte(line, '='); eq >= 0 && lineStart(b, ls+eq+1) {
		line = line[eq+1:] // a JSON string's synthetic `key=` (RedactJSON)
	}
	if !hasLetterRun(line, 3) || bytes.ContainsAny(line, "=;{}<>\"`") {
		return -1, -1, -1 // code or markup, not an announcing line
	}
	// Blank lines, then the value's line.
	i := le + 1
	for k := 0; k <= announceMaxLines; k++ {
		ls := i
		i = skipSpaces(b, i, 64)
		if i >= len(b) {
			return -1, -1, ls
		}
		if b[i] == '\r' {
			i++
		}
		if i < len(b) && b[i] == '\n' {
			i++
			continue
		}
		break
	}
	if i >= len(b) {
		return -1, -1, -1
	}
	vs := i
	ve := vs
	for ve < len(b) && ve-vs <= 512 && labelValueByte(b[ve]) {
		ve++
	}
	for k := 0; ve < len(b) && k < 2 && b[ve] == '='; k++ {
		ve++
	}
	if ve == len(b) {
		return -1, -1, vs
	}
	if ve-vs < 12 || !endsLine(b, ve) {
		return -1, -1, -1
	}
	secret, password := secretKeyName(line)
	v := b[vs:ve]
	if !secret || proseWord(v) || !opaqueToken(v) && (!password || !opaqueValue(v, true) || !hasDigitAndLetter(v)) {
		return -1, -1, -1
	}
	return vs, ve, -1
}

// opaqueToken reports a value that looks generated (opaqueValue), also when
// a provider's word prefix stands before its random part (`secret-2W5u…`,
// `lin_oauth_29f1…`, `pcsk_…`): the prefix holds the words that otherwise
// mark a value as written by a person.
func opaqueToken(v []byte) bool {
	return opaqueValue(v, false) // prefixedToken is one of its cases
}

// tokenPrefixRest strips up to three leading word segments (`secret-`,
// `lin_oauth_`, `sk_live_`) from v; ok is false when there are none or the
// first is a placeholder's word (test_, fake_, example-).
func tokenPrefixRest(v []byte) ([]byte, bool) {
	rest := v
	for k := 0; k < 3; k++ {
		i := 0
		for i < len(rest) && i < 12 && isLetter(rest[i]) {
			i++
		}
		if i < 2 || i >= len(rest) || rest[i] != '_' && rest[i] != '-' {
			break
		}
		if k == 0 && placeholderPrefix(rest[:i]) {
			return nil, false
		}
		rest = rest[i+1:]
	}
	return rest, len(rest) < len(v)
}

// labelTail returns the index after `<qualifier>: ` or `<qualifier> is ` at
// i (a parenthesised note or a few words, at most 40 bytes, then a colon and
// a blank, or "is"), or i.
func labelTail(b []byte, i int) int {
	j := i
	for j < len(b) && j-i < 40 && (isAlnum(b[j]) || b[j] == ' ' || b[j] == '(' || b[j] == ')' || b[j] == '-' || b[j] == '_' || b[j] == '\'') {
		j++
	}
	for _, verb := range []string{" is ", " was "} {
		if k := bytes.Index(b[i:j], []byte(verb)); k > 0 {
			return i + k + len(verb) // "password for the prod db is V"
		}
	}
	if j == i || j+1 >= len(b) || b[j] != ':' || b[j+1] != ' ' {
		return i
	}
	return j + 2
}

// placeholderPrefixes are first words of a value written as a placeholder or
// a test fixture (test_, fake-, example_).
var placeholderPrefixes = [][]byte{
	[]byte("test"), []byte("fake"), []byte("mock"), []byte("demo"), []byte("dummy"), []byte("example"),
	[]byte("sample"), []byte("your"), []byte("my"), []byte("placeholder"),
}

func placeholderPrefix(w []byte) bool {
	for _, p := range placeholderPrefixes {
		if bytes.EqualFold(w, p) {
			return true
		}
	}
	return false
}

// connectorWord reports a word of labelConnectors in any case, without
// allocating.
func connectorWord(w []byte) bool {
	if len(w) > 5 {
		return false
	}
	var buf [5]byte
	for i, c := range w {
		buf[i] = foldByte(c)
	}
	return labelConnectors[string(buf[:len(w)])]
}
