package redact

import "bytes"

// Connection strings and DSNs in the driver syntaxes url-password (which reads
// `scheme://user:password@host`) does not:
//
//   - userinfo after `//` whatever precedes it, so a malformed or unusual
//     scheme (`mongodb+srv//user:pw@host` in a driver's error message,
//     `jdbc:mysql//…`, a protocol-relative `//user:pw@host`) still counts, and
//     a password holding `#`, `?` or `/`-free punctuation is read up to its `@`;
//   - Go's MySQL DSN `user:pw@tcp(host:3306)/db` (also `@unix(…)`, `@/db`),
//     gosnowflake's `user:pw@account/db` in quotes or after `=`, and
//     scheme-less `user:pw@host:port` (proxies, Redis);
//   - Oracle's `user/pw@//host:1521/svc` (EZConnect), `user/pw@host:1521:SID`,
//     `jdbc:oracle:thin:user/pw@…`, `user/pw@(DESCRIPTION=…)` and
//     `sqlplus user/pw@alias`;
//   - ODBC and ADO.NET `Pwd={…}` with `}}` escaping a brace, `Password="…"`
//     with `""` escaping a quote, and unquoted `;Password=…;` holding spaces.
//
// Percent-encoded passwords are read as they stand (the encoded form is what
// is redacted).
func connRulesFx6() []*rule {
	return []*rule{
		custom("dsn-userinfo-password", Secret, 2*userinfoMax, matchUserinfoAt, "@"),
		custom("odbc-braced-password", Secret, 2*userinfoMax, matchConnStringPassword,
			"pwd=", "pwd =", "password=", "password =", "passwd="),
	}
}

// userinfoMax bounds the user:password run read back from an `@`.
const userinfoMax = 160

// userinfoStop ends a user:password run read back from its `@`.
func userinfoStop(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\r', '"', '\'', '`', '<', '>', '(', ')', '[', ']', '{', '}', ',', ';', '=', '|', '\\', '/', '@':
		return true
	}
	return c < ' ' || c == 0x7f
}

// matchUserinfoAt reads the credential before an `@` (see connRulesFx6).
func matchUserinfoAt(_ *rule, b []byte, ks, _ int) (int, int, int) {
	at := ks
	rs := at
	for rs > 0 && at-rs < userinfoMax && !userinfoStop(b[rs-1]) {
		rs--
	}
	if rs == at || rs > 0 && !userinfoStop(b[rs-1]) {
		return -1, -1, -1
	}
	run := b[rs:at]
	slashes := rs >= 2 && b[rs-1] == '/' && b[rs-2] == '/'
	colon := bytes.IndexByte(run, ':')
	switch {
	case slashes && colon >= 0:
		// //user:password@host: any scheme, even a malformed one. After `://`
		// url-password reads it, unless the password holds `#` or `?`.
		if rs >= 3 && b[rs-3] == ':' && !bytes.ContainsAny(run[colon:], "#?") {
			return -1, -1, -1
		}
		return userinfoResult(b, rs+colon+1, at, hostFollows(b, at+1, false), rs)
	case colon > 0 && !slashes && (rs == 0 || b[rs-1] != '/'):
		// user:password@<Go DSN address | host:port | account/db>.
		if !userName(run[:colon]) {
			return -1, -1, -1
		}
		quoted := rs > 0 && (b[rs-1] == '"' || b[rs-1] == '\'' || b[rs-1] == '`' || b[rs-1] == '=')
		return userinfoResult(b, rs+colon+1, at, dsnAddressFollows(b, at+1, quoted), rs)
	case colon < 0 && rs > 1 && b[rs-1] == '/' && b[rs-2] != '/':
		// Oracle user/password@connect-descriptor.
		us := rs - 1
		for us > 0 && rs-1-us < 64 && userNameByte(b[us-1]) {
			us--
		}
		if us == rs-1 || us > 0 && !oracleUserBoundary(b, us) {
			return -1, -1, -1
		}
		any := us > 0 && oracleCommand(b[:us])
		return userinfoResult(b, rs, at, oracleTargetFollows(b, at+1, any), us)
	}
	return -1, -1, -1
}

// userinfoResult turns a decision on what follows the `@` into the matcher's
// result: ok (the password b[ps:pe] if plausible), not yet known (hold from
// start), or no.
func userinfoResult(b []byte, ps, pe int, follows tristate, start int) (int, int, int) {
	switch follows {
	case pending:
		return -1, -1, start
	case no:
		return -1, -1, -1
	}
	if pe-ps < 1 || !plausiblePassword(b[ps:pe]) {
		return -1, -1, -1
	}
	return ps, pe, -1
}

type tristate uint8

const (
	no tristate = iota
	yes
	pending
)

func userNameByte(c byte) bool {
	return isWordByte(c) || c == '.' || c == '-' || c == '$' || c == '%' || c == '#'
}

// userName is a database user: word bytes, dots, dashes, percent escapes.
func userName(u []byte) bool {
	if len(u) == 0 || len(u) > 64 {
		return false
	}
	for _, c := range u {
		if !userNameByte(c) {
			return false
		}
	}
	return true
}

// oracleUserBoundary: an Oracle user name starts a word, or follows
// `thin:` in a JDBC URL.
func oracleUserBoundary(b []byte, us int) bool {
	c := b[us-1]
	if c == ':' {
		return us >= 5 && bytes.EqualFold(b[us-5:us-1], []byte("thin"))
	}
	return userinfoStop(c) && c != '/' && c != '@'
}

// oracleCommands take `user/password@alias` as their first argument, so the
// alias need not look like a host.
var oracleCommands = [][]byte{
	[]byte("sqlplus"), []byte("sqlplus64"), []byte("connect"), []byte("conn"), []byte("sqlldr"),
	[]byte("expdp"), []byte("impdp"), []byte("exp"), []byte("imp"), []byte("rman target"), []byte("userid="), []byte("thin:"),
}

func oracleCommand(before []byte) bool {
	before = bytes.TrimRight(before, " \t")
	tail := before[max(0, len(before)-16):]
	for _, c := range oracleCommands {
		if len(tail) >= len(c) && bytes.EqualFold(tail[len(tail)-len(c):], c) {
			return true
		}
	}
	return false
}

// hostFollows: a host (or an IPv6 literal, or a `(` address) starts at i.
func hostFollows(b []byte, i int, _ bool) tristate {
	if i >= len(b) {
		return pending
	}
	if isAlnum(b[i]) || b[i] == '[' || b[i] == '(' || b[i] == '%' {
		return yes
	}
	return no
}

// dsnAddressFollows: after `user:password@`, Go's MySQL address
// (`tcp(`, `unix(`, `(`, `/db`), a `host:port`, or, when the DSN stands quoted
// or after `=`, gosnowflake's `account/db`.
func dsnAddressFollows(b []byte, i int, quoted bool) tristate {
	if i >= len(b) {
		return pending
	}
	if b[i] == '/' && i+1 == len(b) {
		return pending
	}
	if b[i] == '(' || b[i] == '/' && (isWordByte(b[i+1]) || b[i+1] == '?') {
		return yes
	}
	j := i
	for j < len(b) && j-i < 253 && (isAlnum(b[j]) || b[j] == '.' || b[j] == '-' || b[j] == '_') {
		j++
	}
	if j == len(b) {
		return pending
	}
	if j == i {
		return no
	}
	switch b[j] {
	case '(':
		return yesIf(isProtocol(b[i:j]))
	case ':':
		return portFollows(b, j+1)
	case '/':
		return yesIf(quoted)
	}
	return no
}

func yesIf(ok bool) tristate {
	if ok {
		return yes
	}
	return no
}

func isProtocol(p []byte) bool {
	for _, s := range []string{"tcp", "tcp4", "tcp6", "unix", "udp", "memory", "pipe"} {
		if bytes.EqualFold(p, []byte(s)) {
			return true
		}
	}
	return false
}

// portFollows: 1-5 digits at i, then a byte that is not alphanumeric.
func portFollows(b []byte, i int) tristate {
	j := i
	for j < len(b) && j-i < 6 && isDigit(b[j]) {
		j++
	}
	if j == len(b) {
		return pending
	}
	if j == i || j-i > 5 || isAlnum(b[j]) {
		return no
	}
	return yes
}

// oracleTargetFollows: after `user/password@`, an EZConnect `//host`, a
// `(DESCRIPTION=…)`, a `host:port`, or (after sqlplus and friends) any alias.
func oracleTargetFollows(b []byte, i int, anyAlias bool) tristate {
	if i+1 >= len(b) {
		return pending
	}
	if b[i] == '/' && b[i+1] == '/' || b[i] == '(' {
		return yes
	}
	if anyAlias && isAlnum(b[i]) {
		return yes
	}
	j := i
	for j < len(b) && j-i < 253 && (isAlnum(b[j]) || b[j] == '.' || b[j] == '-' || b[j] == '_') {
		j++
	}
	if j == len(b) {
		return pending
	}
	if j > i && b[j] == ':' {
		return portFollows(b, j+1)
	}
	return no
}

// trailingUserinfo returns where a stream must hold from when b ends inside
// what may become `user:password` or `user/password` before an `@`
// (matchUserinfoAt reads the password backwards from the `@`, so the
// password's start must not leave before the `@` arrives), or len(b).
func trailingUserinfo(b []byte) int {
	i := len(b)
	sep := false
	for i > 0 && len(b)-i < userinfoMax {
		c := b[i-1]
		if c == ':' {
			sep = true
		} else if c == '/' {
			sep = true
			if i >= 2 && b[i-2] == '/' {
				break
			}
		} else if userinfoStop(c) {
			break
		}
		i--
	}
	if !sep || i == len(b) || len(b)-i >= userinfoMax {
		return len(b)
	}
	// Hold from the start of the user name (Oracle's `user/` sits before the run).
	for i > 0 && len(b)-i < userinfoMax+64 && userNameByte(b[i-1]) {
		i--
	}
	return i
}

// matchConnStringPassword reads an ODBC / ADO.NET password value after
// `Pwd=` or `Password=`: braced `{…}` (a `}}` inside is one brace), quoted
// `"…"` or `'…'` (a doubled quote is one quote), or, inside a `;`-separated
// connection string, everything up to the next `;`.
func matchConnStringPassword(_ *rule, b []byte, ks, ke int) (int, int, int) {
	if ks > 0 && isAlnum(b[ks-1]) {
		return -1, -1, -1
	}
	vs := ke
	for vs < len(b) && (b[vs] == ' ' || b[vs] == '\t') && vs-ke < 4 {
		vs++
	}
	if vs >= len(b) {
		return -1, -1, ks
	}
	var s, e int
	switch open := b[vs]; open {
	case '{':
		s, e = vs+1, closeDoubled(b, vs+1, '}')
	case '"', '\'':
		s, e = vs+1, closeDoubled(b, vs+1, open)
	default:
		if ks == 0 || b[ks-1] != ';' {
			return -1, -1, -1 // not inside a connection string: generic-password's
		}
		s, e = vs, vs
		for e < len(b) && e-vs < userinfoMax && b[e] != ';' && b[e] != '\n' && b[e] != '\r' && b[e] != '"' && b[e] != '\'' {
			e++
		}
		if e == len(b) {
			return -1, -1, ks
		}
		for e > s && (b[e-1] == ' ' || b[e-1] == '\t') {
			e--
		}
	}
	if e == -2 {
		return -1, -1, ks
	}
	if e < 0 || e-s < 6 || isPlaceholder(b[s:e]) || isIdentifierWithWords(b[s:e]) {
		return -1, -1, -1
	}
	return s, e, -1
}

// closeDoubled returns the index of the closing byte q at or after i, where
// a doubled q is an escaped one; -2 if b ends first, -1 if a line ends first
// or the value is too long.
func closeDoubled(b []byte, i int, q byte) int {
	for j := i; j < len(b); j++ {
		if j-i > userinfoMax {
			return -1
		}
		switch b[j] {
		case '\n', '\r':
			return -1
		case q:
			if j+1 == len(b) {
				return -2
			}
			if b[j+1] == q {
				j++
				continue
			}
			return j
		}
	}
	return -2
}
