package redact

import (
	"bytes"
	"math"
)

// opaqueValue reports whether v looks generated rather than written: a
// credential, not a word, identifier, number, placeholder or reference.
func opaqueValue(v []byte, password bool) bool {
	if len(v) < 8 || len(v) > maxKeyedValue || isPlaceholder(v) || dottedIdent.Match(v) || uuidShape.Match(v) ||
		bytes.ContainsAny(v, "()[]{} ") {
		return false
	}
	digits, letters, hex, other := 0, 0, 0, 0
	for _, c := range v {
		switch {
		case isDigit(c):
			digits++
			hex++
		case isLetter(c):
			letters++
			if isHex(c) {
				hex++
			}
		default:
			other++
		}
	}
	h := shannon(v)
	switch {
	case hex == len(v) && len(v) >= 24 && letters > 0 && digits > 0:
		return h >= 3.0 // an API key in hex (Twilio, X-API-Key; a Plaid secret has 30 digits)
	case digits > 0 && letters > 0:
		return !writtenWords(v) && h >= min(3.5, math.Log2(float64(len(v)))-0.8) || password && genericPassword(v) ||
			prefixedToken(v)
	case digits == 0 && other == 0:
		return randomLetters(v)
	}
	return password && genericPassword(v)
}

// writtenWords reports a word (stopwords) inside v, the mark of a value a
// person wrote, while v is short: in the hundreds of random characters of a
// long token (OAuth, SAS) a "tmp" or a "uri" turns up by chance.
func writtenWords(v []byte) bool {
	return len(v) <= 256 && hasStopword(v)
}

// randomLetters reports a run of letters in a random mix of cases
// (`wEXVVWCujoaGmNtSdC`), not an identifier in camel or Pascal case, where
// every capital starts a lower-case word.
func randomLetters(v []byte) bool {
	if len(v) < 12 || writtenWords(v) || shannon(v) < 3.3 {
		return false
	}
	upper, lower, capsRun := 0, 0, 0
	for i, c := range v {
		if isUpper(c) {
			upper++
			if i+1 < len(v) && isUpper(v[i+1]) {
				capsRun++
			}
		} else {
			lower++
		}
	}
	return upper >= 3 && lower >= 3 && capsRun >= 1
}

// cookieMaxLine bounds the Cookie line matchCookie reads: a browser's Cookie
// header passes 4 KiB with a few analytics cookies and may fill the 60 KiB
// Envoy allows for all request headers.
const cookieMaxLine = 64 << 10

// matchCookie finds cookie values in a Cookie or Set-Cookie header: a value
// that looks generated is a session or an authentication token, whatever
// the cookie is called. Attributes (Path, Domain, Expires...) are words or
// dates and never look generated. The header may stand as a JSON member or a
// Python dict entry (`"Cookie": "sessionid=V"`), its cookies in the string.
func matchCookie(_ *rule, b []byte, ks, ke int) (int, int, int) {
	eol := bytes.IndexByte(b[ke:min(len(b), ke+cookieMaxLine)], '\n')
	if eol < 0 {
		if len(b)-ke < cookieMaxLine {
			return -1, -1, pendIfNear(b, ks, cookieMaxLine)
		}
		eol = cookieMaxLine // a longer line: its first cookieMaxLine bytes are read
	}
	if q := b[ke-2]; q == '"' || q == '\'' || b[ke-3] == '"' {
		// A JSON member or a Python dict entry ("Cookie": "a=1; b=2"): the cookies are
		// the quoted string after it.
		vs, ve, ok := quotedAfter(b[ke : ke+eol])
		if !ok {
			return -1, -1, -1
		}
		s, e := cookieValues(b[ke+vs : ke+ve])
		if s < 0 {
			return -1, -1, -1
		}
		return ke + vs + s, ke + vs + e, -1
	}
	s, e := cookieValues(b[ke : ke+eol])
	if s < 0 {
		return -1, -1, -1
	}
	return ke + s, ke + e, -1
}

// quotedAfter finds the quoted string after a member's colon in line,
// without its quotes; ok false: no quoted string there. A string not closed
// on the line runs to its end: its cookies are read, not dropped.
func quotedAfter(line []byte) (s, e int, ok bool) {
	i := 0
	for i < len(line) && i < 8 && (line[i] == ' ' || line[i] == '\t') {
		i++
	}
	if i >= len(line) || line[i] != '"' && line[i] != '\'' {
		return 0, 0, false
	}
	q := line[i]
	for j := i + 1; j < len(line); j++ {
		switch line[j] {
		case '\\':
			j++
		case q:
			return i + 1, j, true
		}
	}
	return i + 1, len(line), true
}

// cookieValues returns the span from the first to the last value in a
// cookie list (`a=1; b=2`) that looks generated, or -1, -1.
func cookieValues(line []byte) (int, int) {
	first, last := -1, -1
	for off := 0; off < len(line); {
		semi := bytes.IndexByte(line[off:], ';')
		end := len(line)
		if semi >= 0 {
			end = off + semi
		}
		pair := line[off:end]
		if eq := bytes.IndexByte(pair, '='); eq > 0 {
			v := bytes.Trim(pair[eq+1:], " \t\r\"")
			if len(v) >= 16 && !trackingCookie(bytes.TrimSpace(pair[:eq])) && opaqueValue(v, false) && !preferenceCookie(v) {
				s := off + eq + 1 + bytes.Index(pair[eq+1:], v)
				if first < 0 {
					first = s
				}
				last = s + len(v)
			}
		}
		off = end + 1
	}
	// One finding from the first to the last value: the names between stay
	// readable only in part, which costs nothing a reader needs.
	return first, last
}

// matchPathSecret finds a secret carried as a URL path segment after a
// segment that names it (`/token/V`, `/with/key/V`) or a webhook's
// (`/hooks/catch/123/V/`, `/webhooks/<id>/V`): the first of the next three
// segments that looks generated (opaqueValue, 16 bytes or more; numeric ids
// are skipped). A segment is read to maxKeyedValue bytes, as long as a keyed
// value: opaque tokens run to KiB. A longer one after a secret's name is
// taken as the secret as far as it was read, and counted
// (BoundsReached "path_segment_too_long").
func matchPathSecret(_ *rule, b []byte, ks, ke int) (int, int, int) {
	i := ke
	for seg := 0; seg < 3; seg++ {
		s := i
		for i < len(b) && i-s < maxKeyedValue && pathSegmentByte(b[i]) {
			i++
		}
		if i == len(b) {
			return -1, -1, pendIfNear(b, ks, pathSecretMaxLen)
		}
		if i-s == maxKeyedValue && pathSegmentByte(b[i]) {
			countBound(&bounds.pathSegment)
			return s, i, -1
		}
		if v := b[s:i]; len(v) >= 16 && opaqueValue(v, false) {
			return s, i, -1
		}
		if b[i] != '/' {
			return -1, -1, -1
		}
		i++
	}
	return -1, -1, -1
}

// pathSecretMaxLen bounds a url-path-secret match: its keyword and three
// segments of at most maxKeyedValue bytes.
const pathSecretMaxLen = 16 + 3*(maxKeyedValue+1)

func pathSegmentByte(c byte) bool {
	return isWordByte(c) || c == '-' || c == '.' || c == '~' || c == '%'
}

// trackingCookies are cookie name prefixes of analytics, consent and load
// balancer stickiness: random, but no credential (_ga, AWSALB, __cf_bm).
var trackingCookies = []string{
	"_ga", "_gid", "_gat", "_gcl", "_fbp", "_fbc", "_hj", "_cf", "__cf", "awsalb", "awselb", "ajs_", "amplitude",
	"mp_", "optanon", "_uetsid", "_uetvid", "_clck", "_clsk", "nid", "1p_jar", "__utm", "_pk_", "_shopify_y",
	"_shopify_s", "lang", "locale", "theme", "consent", "cookieconsent", "__stripe_mid", "__stripe_sid",
}

func trackingCookie(name []byte) bool {
	for _, p := range trackingCookies {
		if len(name) >= len(p) && bytes.EqualFold(name[:len(p)], []byte(p)) {
			return true
		}
	}
	return false
}

// sectionValues reads the entries of a section starting at line vs (at most
// 16): the indented `child: value` lines of a YAML section, or the `name =
// value` lines of an INI section (ini) up to the next header or blank line.
// It returns the span from the first to the last value that looks generated:
// the entries of `secrets:` or `[credentials]` are named by the section, not
// by their own keys. more says the input ended inside the section.
func sectionValues(b []byte, vs int, ini bool) (s, e int, more bool) {
	s, e = -1, -1
	indent := -1
	for line, i := 0, vs; line < 16; line++ {
		ls := i
		for i < len(b) && (b[i] == ' ' || b[i] == '\t') {
			i++
		}
		if i >= len(b) {
			return -1, -1, true
		}
		if indent < 0 {
			indent = i - ls
		}
		if i-ls != indent || indent == 0 && !ini {
			break
		}
		ns := i
		for i < len(b) && nameByte(b[i]) {
			i++
		}
		if ini {
			for i < len(b) && (b[i] == ' ' || b[i] == '\t') {
				i++
			}
		}
		if i == ns || i+1 >= len(b) {
			break
		}
		if sep := b[i] == ':' && b[i+1] == ' ' || ini && b[i] == '='; !sep {
			break
		}
		i++
		for i < len(b) && (b[i] == ' ' || b[i] == '\t') {
			i++
		}
		vs, ve, open := keyedValue(b, i, false)
		if open {
			return -1, -1, true
		}
		if vs >= 0 && bytes.IndexByte(b[vs:ve], ':') < 0 && !entryAboutSecret(b[ns:i]) && opaqueValue(b[vs:ve], false) { // not an ARN or URL
			if s < 0 {
				s = vs
			}
			e = ve
		}
		eol := bytes.IndexByte(b[i:], '\n')
		if eol < 0 {
			return -1, -1, true
		}
		i += eol + 1
	}
	return s, e, false
}
