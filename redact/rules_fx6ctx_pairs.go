package redact

import "bytes"

// Pairs in code, markup and captures where the secret's name is not a key
// before the value:
//
//   - a call whose function is named for the secret, with the value as its
//     first argument: `Auth.api_key("V")`, `.with_token('V')`,
//     `setApiKey("V")`, `SecretStr("V")`;
//   - an XML element named for a secret by its name or key attribute, in any
//     case, with the value in a Value attribute after other attributes, as
//     its text, or in a child `<value>` (`<Parameter Name="Password"
//     Value="V"/>`, `<setting name="ApiToken" serializeAs="String"><value>V</value>`,
//     `<entry key="db.password">V</entry>`);
//   - XML `<add key="..." value="V"/>` entries of a section named for a
//     secret: NuGet `<apikeys>` (keyed by the feed's URL), `<secrets>`,
//     `<credentials>`;
//   - cookie containers: HAR and browser-automation `cookies` arrays of
//     {"name", "value"} objects, `cookies={...}` dicts in code, a HAR header
//     `{"name": "cookie", "value": "a=1; b=2"}`, `document.cookie = "..."`, and
//     in JSON the synthetic `cookie=...` line RedactJSON builds for them
//     (cookieKey);
//   - HashiCorp secret ids (`secret_id`, `SecretID`): a UUID that is Vault
//     AppRole's or Consul's credential only where Vault, Consul or Nomad is
//     named around it; elsewhere `secret_id=<uuid>` identifies a secret in a
//     log line.

const (
	callArgMax        = 64 + 4 + 512
	xmlSectionMax     = 2048
	cookieContainerMx = 16 << 10
	hashicorpCtxMax   = 512
	xmlNamedMax       = 1024
)

func pairRules() []*rule {
	return []*rule{
		custom("call-arg-secret", Secret, callArgMax, matchCallArg, "key(", "token(", "secret(", "password(", "secretstr(", "passphrase(").lowPrecedence(),
		custom("xml-section-secret", Secret, xmlSectionMax, matchXMLSection, "<add key=").lowPrecedence(),
		custom("xml-named-secret", Secret, xmlNamedMax, matchXMLNamed, `name="`, `key="`, `name='`, `key='`).lowPrecedence(),
		custom("cookie-container", Secret, cookieContainerMx, matchCookieContainer, "cookies", "cookie=", "cookie =", `cookie",`, `cookie" ,`).lowPrecedence(),
		custom("hashicorp-secret-id", Secret, hashicorpCtxMax, matchHashicorpSecretID, "secretid", "secret id", "secret_id", "secret-id"),
	}
}

// matchCallArg reads `<secret-named function>("V"` (see the file comment).
func matchCallArg(_ *rule, b []byte, ks, ke int) (int, int, int) {
	ns := ks
	for ns > 0 && ks-ns < 64 && isWordByte(b[ns-1]) {
		ns--
	}
	j := skipSpaces(b, ke, 4)
	if j >= len(b) {
		return -1, -1, pendIfNear(b, ks, callArgMax)
	}
	q := b[j]
	if q != '"' && q != '\'' && q != '`' {
		return -1, -1, -1
	}
	vs := j + 1
	ve := vs
	for ve < len(b) && ve-vs <= 512 && b[ve] != q && b[ve] != '\n' && b[ve] != '\\' {
		ve++
	}
	if ve >= len(b) {
		return -1, -1, pendIfNear(b, ks, callArgMax)
	}
	if b[ve] != q {
		return -1, -1, -1
	}
	after := skipSpaces(b, ve+1, 4)
	if after < len(b) && b[after] != ')' && b[after] != ',' {
		return -1, -1, -1
	}
	v := b[vs:ve]
	if len(v) < 12 || letterCount(v) < 4 || proseWord(v) {
		return -1, -1, -1
	}
	// The name last: it is the costly check, and most calls take no literal.
	secret, password := secretKeyName(b[ns : ke-1])
	if !secret || !qualifiedToken(b[ns:ke-1]) || !credibleValue(v, password) {
		return -1, -1, -1
	}
	return vs, ve, -1
}

// tokenQualifiers make a function named for a token a credential's setter
// (`with_api_token`, `setAccessToken`); a lexer's `rawToken`, `newToken` or
// `Token` names a token of a grammar.
var tokenQualifiers = map[string]bool{
	"api": true, "auth": true, "access": true, "bearer": true, "bot": true, "refresh": true, "personal": true,
	"session": true, "oauth": true, "secret": true, "service": true, "app": true, "deploy": true, "client": true,
	"id": true, "github": true, "slack": true, "discord": true, "hf": true, "npm": true,
}

// qualifiedToken reports a function name that does not end in a bare
// "token", or whose "token" follows a credential's qualifier.
func qualifiedToken(name []byte) bool {
	if len(name) < 5 || !bytes.EqualFold(name[len(name)-5:], []byte("token")) {
		return true
	}
	q := bytes.TrimRight(name[:len(name)-5], "_-.")
	i := len(q)
	for i > 0 && isAlnum(q[i-1]) {
		i--
		if isUpper(q[i]) && i > 0 && q[i-1] >= 'a' && q[i-1] <= 'z' {
			break // the start of a camel-case word: setAccessToken
		}
	}
	var buf [16]byte
	w := q[i:]
	if len(w) > len(buf) {
		return false
	}
	for k, c := range w {
		buf[k] = foldByte(c)
	}
	return tokenQualifiers[string(buf[:len(w)])]
}

func letterCount(v []byte) int {
	n := 0
	for _, c := range v {
		if isLetter(c) {
			n++
		}
	}
	return n
}

// matchXMLSection reads `<add key="K" value="V"` inside an element whose
// name is a secret's (`<apikeys>`): the section names the value, whatever K
// is. An entry whose own key names a secret is name-value-secret's.
func matchXMLSection(_ *rule, b []byte, ks, ke int) (int, int, int) {
	end := bytes.IndexByte(b[ke:min(len(b), ke+xmlSectionMax)], '>')
	if end < 0 {
		return -1, -1, pendIfNear(b, ks, xmlSectionMax)
	}
	tag := b[ke : ke+end]
	vi := bytes.Index(tag, []byte("value="))
	if vi < 0 || vi+7 > len(tag) {
		return -1, -1, -1
	}
	q := tag[vi+6]
	if q != '"' && q != '\'' {
		return -1, -1, -1
	}
	ve := bytes.IndexByte(tag[vi+7:], q)
	if ve < 0 {
		return -1, -1, -1
	}
	vs := ke + vi + 7
	v := b[vs : vs+ve]
	section := enclosingElement(b, ks)
	if section == nil {
		return -1, -1, -1
	}
	secret, password := secretKeyName(section)
	if !secret {
		if len(section) > 1 && (section[len(section)-1] == 's' || section[len(section)-1] == 'S') {
			secret, password = secretKeyName(section[:len(section)-1]) // <apikeys>
		}
		if !secret {
			return -1, -1, -1
		}
	}
	if !credibleValue(v, password) {
		return -1, -1, -1
	}
	return vs, vs + ve, -1
}

// enclosingElement returns the name of the element open before i, skipping
// sibling `<add .../>` entries and their own elements (`<acme><add/></acme>`
// stays inside acme's parent only when acme itself names nothing), or nil.
func enclosingElement(b []byte, i int) []byte {
	lim := max(0, i-xmlSectionMax)
	for depth := 0; i > lim; {
		lt := bytes.LastIndexByte(b[lim:i], '<')
		if lt < 0 {
			return nil
		}
		lt += lim
		gt := bytes.IndexByte(b[lt:i], '>')
		tag := b[lt+1 : i]
		if gt >= 0 {
			tag = b[lt+1 : lt+gt]
		}
		i = lt
		switch {
		case len(tag) == 0 || tag[0] == '!' || tag[0] == '?' || tag[len(tag)-1] == '/':
			continue // a comment, a declaration or an empty element
		case tag[0] == '/':
			depth++
			continue
		}
		if depth > 0 {
			depth--
			continue
		}
		n := 0
		for n < len(tag) && nameByte(tag[n]) {
			n++
		}
		if n == 0 {
			return nil
		}
		if secret, _ := secretKeyName(tag[:n]); secret || n > 1 && (tag[n-1] == 's' || tag[n-1] == 'S') {
			return tag[:n]
		}
		// <acme> inside <packageSourceCredentials>: one level more.
		if up := enclosingElement(b, lt); up != nil {
			return up
		}
		return tag[:n]
	}
	return nil
}

// cookieKey is the key RedactJSON gives a string inside a cookie container:
// an object under a `cookies` member within two levels, or a header named
// Cookie or Set-Cookie (`{"name": "cookie", "value": "a=1"}`). The key ends
// in `cookie=<name>`, so the scanner reads `cookie=<name>=<value>` as a
// cookie list (matchCookieContainer); other keys are returned as they are.
func cookieKey(path []pathElem, key string) string {
	if len(key) > 64 {
		return key
	}
	if eqFoldStr(key, "cookie") || eqFoldStr(key, "set-cookie") {
		return key // `cookie=a=1; b=2`: already a cookie list
	}
	for i, up := len(path)-2, 0; i >= 0 && up < 3; i-- {
		if !path[i].isKey {
			continue
		}
		up++
		if eqFoldStr(path[i].key, "cookies") {
			return "cookie=" + key
		}
	}
	return key
}

func eqFoldStr(a, b string) bool { return len(a) == len(b) && bytes.EqualFold([]byte(a), []byte(b)) }

// matchCookieContainer finds generated cookie values in a cookie container
// (see the file comment): from the first to the last one.
func matchCookieContainer(_ *rule, b []byte, ks, ke int) (int, int, int) {
	if ks > 0 && isLetter(b[ks-1]) && b[ks-1] != 't' { // set-cookie, document.cookie
		return -1, -1, -1
	}
	kw := b[ks:ke]
	if kw[len(kw)-1] == '=' {
		// `cookie=<list>`: a JSON value's synthetic line, document.cookie = "...".
		if ks > 0 && b[ks-1] != '.' && b[ks-1] != '-' && !lineStart(b, ks) && b[ks-1] != ' ' {
			return -1, -1, -1
		}
		i := skipSpaces(b, ke, 4)
		eol := bytes.IndexByte(b[i:min(len(b), i+cookieMaxLine)], '\n')
		if eol < 0 {
			eol = min(len(b), i+cookieMaxLine) - i
		}
		line := b[i : i+eol]
		if len(line) > 0 && (line[0] == '"' || line[0] == '\'') {
			if s, e, ok := quotedAfter(line); ok {
				line, i = line[s:e], i+s
			}
		}
		s, e := cookieValues(line)
		if s < 0 {
			return -1, -1, -1
		}
		return i + s, i + e, -1
	}
	if kw[len(kw)-1] == ',' || kw[len(kw)-1] == ' ' {
		return harCookieHeader(b, ks, ke)
	}
	// `cookies`: a container follows ("cookies": [...], cookies={...}).
	j := ke
	for k := 0; j < len(b) && k < 8 && (b[j] == '"' || b[j] == '\'' || b[j] == ' ' || b[j] == ':' || b[j] == '=' || b[j] == '\t' || b[j] == '\n' || b[j] == '\r'); k++ {
		j++
	}
	if j >= len(b) {
		return -1, -1, pendIfNear(b, ks, cookieContainerMx)
	}
	if j == ke || b[j] != '[' && b[j] != '{' {
		return -1, -1, -1
	}
	end, open := containerEnd(b, j)
	if open {
		return -1, -1, pendIfNear(b, ks, cookieContainerMx)
	}
	if end < 0 {
		return -1, -1, -1
	}
	s, e := containerCookieValues(b, j, end)
	if s < 0 {
		return -1, -1, -1
	}
	return s, e, -1
}

// containerEnd returns the index of the bracket closing the one at i, or
// -1 when it is not within cookieContainerMx; open: the input ended first.
func containerEnd(b []byte, i int) (int, bool) {
	depth := 0
	var quote byte
	for j := i; j < len(b); j++ {
		if j-i > cookieContainerMx {
			return -1, false
		}
		c := b[j]
		switch {
		case quote != 0:
			switch c {
			case '\\':
				j++
			case quote:
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '[' || c == '{':
			depth++
		case c == ']' || c == '}':
			depth--
			if depth == 0 {
				return j, false
			}
		}
	}
	return -1, true
}

// containerCookieValues reads the quoted strings of b[s:e]: a string after
// `"value":` (HAR objects) or after any other name's colon (a dict of
// cookies) is a cookie value, named by the `"name"` string of its object or
// by its own key. It returns the span from the first to the last generated
// value not named as a tracking cookie.
func containerCookieValues(b []byte, s, e int) (int, int) {
	first, last := -1, -1
	var key, name []byte
	for i := s; i < e; i++ {
		c := b[i]
		if c == '{' {
			name = nil
		}
		if c != '"' && c != '\'' {
			continue
		}
		j := i + 1
		for j < e && b[j] != c && b[j] != '\n' {
			if b[j] == '\\' {
				j++
			}
			j++
		}
		if j >= e || b[j] != c {
			return first, last
		}
		str := b[i+1 : j]
		k := skipSpaces(b, j+1, 4)
		isKey := k < e && (b[k] == ':' || b[k] == '=')
		prevKey := key
		i = j
		if isKey {
			key = str
			continue
		}
		key = nil
		switch {
		case prevKey == nil:
			continue
		case eqFoldStr(string(prevKey), "name"):
			name = str
			continue
		case !eqFoldStr(string(prevKey), "value"):
			name = prevKey // a dict: {'sessionid': 'V'}
		}
		if name != nil && trackingCookie(name) || len(str) < 16 || !opaqueValue(str, false) {
			continue
		}
		if first < 0 {
			first = i - len(str)
		}
		last = i
	}
	return first, last
}

// harCookieHeader reads a HAR header entry named cookie or set-cookie in
// text: `"name": "cookie", "value": "a=1; b=2"`.
func harCookieHeader(b []byte, ks, ke int) (int, int, int) {
	ns := ks
	if ns >= 4 && bytes.EqualFold(b[ns-4:ns], []byte("set-")) {
		ns -= 4
	}
	if ns == 0 || b[ns-1] != '"' {
		return -1, -1, -1
	}
	p := ns - 1
	for k := 0; p > 0 && k < 4 && (b[p-1] == ' ' || b[p-1] == '\t'); k++ {
		p--
	}
	if p == 0 || b[p-1] != ':' || !bytes.HasSuffix(bytes.ToLower(bytes.TrimRight(b[max(0, p-12):p-1], " \t")), []byte(`"name"`)) {
		return -1, -1, -1
	}
	j := ke
	for k := 0; j < len(b) && k < 32 && (b[j] == ' ' || b[j] == '\t' || b[j] == '\n' || b[j] == '\r'); k++ {
		j++
	}
	if len(b)-j < 8 {
		return -1, -1, pendIfNear(b, ks, cookieMaxLine)
	}
	if !bytes.HasPrefix(bytes.ToLower(b[j:j+7]), []byte(`"value"`)) {
		return -1, -1, -1
	}
	j = skipSpaces(b, j+7, 4)
	if j >= len(b) || b[j] != ':' {
		return -1, -1, -1
	}
	eol := bytes.IndexByte(b[j+1:min(len(b), j+1+cookieMaxLine)], '\n')
	if eol < 0 {
		eol = min(len(b), j+1+cookieMaxLine) - j - 1
	}
	s, e, ok := quotedAfter(b[j+1 : j+1+eol])
	if !ok {
		return -1, -1, -1
	}
	cs, ce := cookieValues(b[j+1+s : j+1+e])
	if cs < 0 {
		return -1, -1, -1
	}
	return j + 1 + s + cs, j + 1 + s + ce, -1
}

// hashicorpContext are words that say a secret id is HashiCorp's credential.
var hashicorpContext = [][]byte{
	[]byte("vault"), []byte("approle"), []byte("role_id"), []byte("roleid"), []byte("role-id"), []byte("consul"),
	[]byte("nomad"), []byte("accessor"),
}

// matchHashicorpSecretID finds the UUID of a Vault AppRole secret_id or a
// Consul/Nomad ACL SecretID where HashiCorp context stands within
// hashicorpCtxMax bytes before it or on its line; the CamelCase `SecretID`
// of the ACL APIs is context enough.
func matchHashicorpSecretID(_ *rule, b []byte, ks, ke int) (int, int, int) {
	if ks > 0 && isLetter(b[ks-1]) {
		return -1, -1, -1
	}
	j := ke
	for k := 0; j < len(b) && k < 24 && (b[j] == '"' || b[j] == '\'' || b[j] == ' ' || b[j] == '\t' || b[j] == ':' || b[j] == '='); k++ {
		j++
	}
	if len(b)-j < 37 {
		if j < len(b) && (j == ke || !uuidPrefix(b[j:])) {
			return -1, -1, -1 // "your secret id is ...": no UUID is arriving
		}
		return -1, -1, pendIfNear(b, ks, hashicorpCtxMax)
	}
	if j == ke || !uuidShape.Match(b[j:j+36]) || isAlnum(b[j+36]) || b[j+36] == '-' {
		return -1, -1, -1
	}
	camel := string(b[ks:ke]) == "SecretID" || string(b[ks:ke]) == "SecretId"
	if !camel {
		eol := bytes.IndexByte(b[j:min(len(b), j+hashicorpCtxMax)], '\n')
		if eol < 0 {
			eol = min(len(b), j+hashicorpCtxMax) - j
		}
		around := bytes.ToLower(b[max(0, ks-hashicorpCtxMax) : j+eol])
		found := false
		for _, w := range hashicorpContext {
			if bytes.Contains(around, w) {
				found = true
				break
			}
		}
		if !found {
			return -1, -1, -1
		}
	}
	return j, j + 36, -1
}

// uuidPrefix reports whether v (cut short in a stream) can begin a UUID:
// hex digits with dashes at 8, 13, 18 and 23.
func uuidPrefix(v []byte) bool {
	for i, c := range v[:min(len(v), 36)] {
		if i == 8 || i == 13 || i == 18 || i == 23 {
			if c != '-' {
				return false
			}
		} else if !isHex(c) {
			return false
		}
	}
	return true
}

// matchXMLNamed reads an element named for a secret by its name or key
// attribute (see the file comment).
func matchXMLNamed(_ *rule, b []byte, ks, ke int) (int, int, int) {
	if ks == 0 || b[ks-1] != ' ' && b[ks-1] != '\t' && b[ks-1] != '\n' {
		return -1, -1, -1
	}
	if lt := bytes.LastIndexByte(b[max(0, ks-256):ks], '<'); lt < 0 || bytes.IndexByte(b[max(0, ks-256)+lt:ks], '>') >= 0 {
		return -1, -1, -1 // not inside a start tag
	}
	q := b[ke-1]
	ne := bytes.IndexByte(b[ke:min(len(b), ke+128)], q)
	if ne < 0 {
		return -1, -1, pendIfNear(b, ks, xmlNamedMax)
	}
	name := b[ke : ke+ne]
	if len(name) < 3 {
		return -1, -1, -1
	}
	i := ke + ne + 1
	gt := bytes.IndexByte(b[i:min(len(b), i+xmlNamedMax/2)], '>')
	if gt < 0 {
		return -1, -1, pendIfNear(b, ks, xmlNamedMax)
	}
	tag := b[i : i+gt]
	var vs, ve int
	if at := indexFold(tag, []byte(" value=")); at >= 0 && at+8 < len(tag) && (tag[at+7] == '"' || tag[at+7] == '\'') {
		vs = i + at + 8
		e := bytes.IndexByte(b[vs:i+gt], tag[at+7])
		if e < 0 {
			return -1, -1, -1
		}
		ve = vs + e
	} else {
		if gt > 0 && tag[gt-1] == '/' {
			return -1, -1, -1
		}
		vs = i + gt + 1
		for k := 0; vs < len(b) && k < 64 && (b[vs] == ' ' || b[vs] == '\t' || b[vs] == '\n' || b[vs] == '\r'); k++ {
			vs++
		}
		if len(b)-vs >= 7 && bytes.EqualFold(b[vs:vs+7], []byte("<value>")) {
			vs += 7
		}
		lt := bytes.IndexByte(b[vs:min(len(b), vs+maxKeyedValue)], '<')
		if lt < 0 {
			return -1, -1, pendIfNear(b, ks, xmlNamedMax)
		}
		ve = vs + lt
	}
	v := b[vs:ve]
	if len(v) < 8 || proseWord(v) {
		return -1, -1, -1
	}
	secret, password := secretKeyName(name)
	if !secret || !credibleValue(v, password) {
		return -1, -1, -1
	}
	return vs, ve, -1
}

// indexFold is bytes.Index ignoring ASCII case.
func indexFold(s, sub []byte) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if bytes.EqualFold(s[i:i+len(sub)], sub) {
			return i
		}
	}
	return -1
}

// credibleValue reports a value that reads as a credential: a generated token, or under a
// password's name a password-like value.
func credibleValue(v []byte, password bool) bool {
	return opaqueToken(v) || password && opaqueValue(v, true)
}
