package redact

import (
	"bytes"
	"regexp"
	"strings"
)

// assignValueStart walks `<name rest><quotes><operator><quotes>` after a
// keyword. It returns the index where a value would start, or -1 if the text
// cannot be an assignment; atEnd says the buffer ended before the value began;
// nextLine says the value stands alone on the following line (a YAML block
// scalar `key: |`, `key:` then an indented value, a `key=\` continuation, or
// a Markdown label followed by a code span), so it must end that line.
func assignValueStart(b []byte, i int) (vs int, atEnd, nextLine bool) {
	n := len(b)
	j := i
	for j < n && j-i < 24 && (isWordByte(b[j]) || b[j] == '.' || b[j] == '-' || b[j] == ' ' || b[j] == '\t') {
		if b[j] == '-' && j > i && (b[j-1] == ' ' || b[j-1] == '\t') && j+1 < n && (b[j+1] == '-' || isLetter(b[j+1])) {
			// A command-line flag starts: the name ended before it (`db_password.txt --from-file=`).
			// A dash between spaces is prose (`Password - prod: V`), part of the name.
			break
		}
		j++
	}
	for k := 0; j < n && k < 3 && (b[j] == '"' || b[j] == '\'' || b[j] == ' ' || b[j] == '\t' || b[j] == '*'); k++ {
		j++
	}
	if j >= n {
		return -1, true, false
	}
	switch b[j] {
	case '=':
		j++
		if j < n && b[j] == '>' {
			j++
		}
	case ':':
		for k := 0; j < n && b[j] == ':' && k < 3; k++ {
			j++
		}
		if j < n && b[j] == '=' {
			j++
		}
	case '?':
		if j+1 >= n {
			return -1, true, false
		}
		if b[j+1] != '=' {
			return -1, false, false
		}
		j += 2
	case '|':
		if j+1 >= n {
			return -1, true, false
		}
		if b[j+1] != '|' {
			return -1, false, false
		}
		j += 2
	case ',', '>':
		j++
	case '\n', '\r':
		return codeSpanNextLine(b, j)
	default:
		return -1, false, false
	}
	for k := 0; j < n && k < 32 && (b[j] == ' ' || b[j] == '\t' || k < 5 && (b[j] == '"' || b[j] == '\'' || b[j] == '`' || b[j] == '=')); k++ {
		j++
	}
	if j >= n {
		return -1, true, false
	}
	if vs, atEnd, ok := valueOnNextLine(b, j); ok || atEnd {
		return vs, atEnd, ok
	}
	return j, false, false
}

// valueOnNextLine handles an operator whose line ends (optionally after a YAML
// block indicator `|`, `>-`, ... or a properties `\` continuation): the value
// is the next line, which must be indented (or continue a `\` line).
func valueOnNextLine(b []byte, j int) (vs int, atEnd, ok bool) {
	n := len(b)
	cont := false
	switch b[j] {
	case '|', '>':
		j++
		for k := 0; j < n && k < 2 && (b[j] == '-' || b[j] == '+' || isDigit(b[j])); k++ {
			j++
		}
	case '\\':
		cont = true
		j++
	}
	for j < n && (b[j] == ' ' || b[j] == '\t' || b[j] == '\r') {
		j++
	}
	if j >= n {
		return -1, true, false
	}
	if b[j] != '\n' {
		return -1, false, false
	}
	j++
	ind := j
	for j < n && j-ind < 64 && (b[j] == ' ' || b[j] == '\t') {
		j++
	}
	if j >= n {
		return -1, true, false
	}
	if j == ind && !cont || b[j] == '\n' || b[j] == '-' || b[j] == '#' {
		return -1, false, false
	}
	for k := 0; j < n && k < 2 && (b[j] == '"' || b[j] == '\''); k++ {
		j++
	}
	return j, false, true
}

// codeSpanNextLine accepts a label line (`**Admin password**`) followed by a
// line holding only a code span: the value is the span's content.
func codeSpanNextLine(b []byte, j int) (vs int, atEnd, ok bool) {
	n := len(b)
	if b[j] == '\r' {
		j++
	}
	if j >= n {
		return -1, true, false
	}
	if b[j] != '\n' {
		return -1, false, false
	}
	j++
	if j >= n {
		return -1, true, false
	}
	if b[j] != '`' {
		return -1, false, false
	}
	return j + 1, false, true
}

// escapedString handles a value inside a JSON string in running text whose
// own escapes (`\"`, `\\`) end the rule's pattern early: `"password":
// "5*?_\"AS@\\Yx"`. The value is the string up to its closing quote.
func (r *rule) escapedString(b []byte, vs int, loc []int) (int, int, bool) {
	if vs == 0 || b[vs-1] != '"' {
		return 0, 0, false
	}
	j := vs
	for j < len(b) && j-vs < r.maxLen && b[j] != '"' && b[j] > ' ' {
		if b[j] == '\\' {
			j++
		}
		j++
	}
	if j >= len(b) || b[j] != '"' || bytes.IndexByte(b[vs:j], '\\') < 0 {
		return 0, 0, false
	}
	if loc != nil && vs+loc[1] >= j {
		return 0, 0, false // the pattern already took the whole string
	}
	return vs, j, r.accept(b[vs:j])
}

// endsLine reports whether only a closing quote or backtick and spaces stand
// between i and the end of the line.
func endsLine(b []byte, i int) bool {
	for k := 0; i < len(b) && k < 2 && (b[i] == '"' || b[i] == '\'' || b[i] == '`'); k++ {
		i++
	}
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r') {
		i++
	}
	return i == len(b) || b[i] == '\n'
}

// valueTerminator reports whether c may follow a value (a value must not run on into
// more token characters).
func valueTerminator(c byte) bool {
	return !isAlnum(c) && c != '_' && c != '-' && c != '+' && c != '/' && c != '='
}

func (r *rule) matchAssign(b []byte, ks, ke int) (int, int, int) {
	for _, w := range r.wordKeywords {
		if ke-ks == len(w) && bytes.EqualFold(b[ks:ke], []byte(w)) &&
			(ks > 0 && isLetter(b[ks-1]) || ke < len(b) && isLetter(b[ke])) {
			return -1, -1, -1
		}
	}
	vs, _, nextLine := assignValueStart(b, ke)
	if vs < 0 {
		return -1, -1, -1
	}
	pend := -1
	if r.pendingRun(b, vs, vs) {
		pend = vs
	}
	if !r.escapedQuotes && r.cannotMatchAt(b, vs) {
		return -1, -1, pend
	}
	end := min(len(b), vs+r.maxLen+1)
	loc := r.re.FindSubmatchIndex(b[vs:end])
	if r.escapedQuotes {
		if s, e, ok := r.escapedString(b, vs, loc); ok && (!r.generic || !notSecretName(b, ks, ke)) {
			return s, e, -1
		}
	}
	if loc == nil || loc[2*r.group] < 0 {
		return -1, -1, pend
	}
	me := vs + loc[1]
	if me < len(b) && !valueTerminator(b[me]) || nextLine && !endsLine(b, me) {
		return -1, -1, pend
	}
	s, e := vs+loc[2*r.group], vs+loc[2*r.group+1]
	if !r.accept(b[s:e]) || r.generic && (notSecretName(b, ks, ke) || digestLabel(b, vs) || keyFingerprint(b, ks, ke, b[s:e]) || benign2Assign(b, ks, ke, s, e)) {
		return -1, -1, pend
	}
	return s, e, pend
}

// foldLiteralPrefix makes a token rule's literal prefix case-insensitive
// (`ghp_` also matches `GHP_`): tokens get upper-cased in environment files
// and logs, and the prefix is distinctive in any case. The body keeps the
// provider's exact alphabet.
func foldLiteralPrefix(pattern string) string {
	plain, err := regexp.Compile(pattern)
	if err != nil {
		return pattern
	}
	lit, _ := plain.LiteralPrefix()
	q := regexp.QuoteMeta(lit)
	if len(lit) < 3 || !strings.HasPrefix(pattern, q) {
		return pattern
	}
	return "(?i:" + q + ")" + pattern[len(q):]
}

// notSecretName reports whether the name around the keyword b[ks:ke] says
// the value is not a secret: the public half of a key pair (WireGuard
// `PublicKey`, `public_key`, `pubkey`), or something about a secret rather
// than the secret (`api_key_id`, `passwordPolicy`, see notSecretParts), or a
// key that is not a credential (`cache_key`, `idempotency_key`).
func notSecretName(b []byte, ks, ke int) bool {
	ns, ne := ks, ke
	for ns > 0 && ks-ns < 64 && nameByte(b[ns-1]) {
		ns--
	}
	for ne < len(b) && ne-ke < 64 && nameByte(b[ne]) {
		ne++
	}
	if inARN(b, ns) {
		return true
	}
	named, about := false, false
	return nameParts(b[ns:ne], func(p, prev []byte) bool {
		if notSecretParts[string(p)] || string(p) == "pubkey" || string(p) == "publickey" ||
			string(p) == "key" && plainKeyQualifiers[string(prev)] {
			return true
		}
		switch {
		case namedSecretPart(p, prev):
			named, about = true, false
		case named && aboutParts[string(p)]:
			about = true
		}
		return false
	}) || about
}

// plainKeyQualifiers name keys that identify or order data, not credentials.
var plainKeyQualifiers = map[string]bool{
	"cache": true, "idempotency": true, "partition": true, "sort": true, "routing": true, "primary": true,
	"foreign": true, "object": true, "lookup": true, "dedup": true, "dedupe": true, "group": true, "map": true,
	"row": true, "bucket": true, "translation": true, "i18n": true, "message": true, "shard": true, "hash": true,
	"websocket": true, "socket": true, // Sec-WebSocket-Key: a nonce of the handshake
	"site": true, "publishable": true, // reCAPTCHA site keys, Stripe publishable keys: public by design
	"incident": true, // PagerDuty incident_key: groups events of one incident
}
