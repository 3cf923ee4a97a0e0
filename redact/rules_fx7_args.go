package redact

import (
	"bytes"
	"encoding/base64"
)

// Positional credential arguments: well-known API calls whose grammar says
// which argument is the password or the secret key, whatever the argument
// looks like (`DriverManager.getConnection(url, "app", "Summer2026!Ledger")`,
// `new NetworkCredential("svc", "pw")`, `SecretValue.unsafePlainText("...")`,
// `credential.Credential("AKID...", "...")`, `algoliasearch("APPID",
// "<admin key>")`, `smtplib.SMTP(...).login(user, "pw")`, PHP's
// `mysqli_connect(host, user, "pw", db)`, Python's `auth=("user", "pw")`).
// Only a string literal in that position is read: a variable or a call
// there is a reference, not the secret. The literal must still look like a
// credential (opaqueValue; a password position also takes a word with a
// digit or a symbol).

const argCallsMax = 2048

// argCall names a call and the positions (from 0) of its secret arguments.
type argCall struct {
	name     string // lower case, up to and including '('
	pos      []int  // argument positions holding a secret; -1: the last of two or more
	password bool   // the position takes a password (word-like values allowed)
	// first, when set, must accept the first argument (a DN for an LDAP bind).
	first func(v []byte) bool
}

var argCalls = []argCall{
	// JDBC and database drivers: (url, user, password), (host, user, password, db).
	{name: "getconnection(", pos: []int{-1}, password: true},
	{name: "mysqli_connect(", pos: []int{2}, password: true},
	{name: "new mysqli(", pos: []int{2}, password: true},
	{name: "mysql_connect(", pos: []int{2}, password: true},
	{name: "mysql_pconnect(", pos: []int{2}, password: true},
	{name: "new pdo(", pos: []int{2}, password: true},
	{name: "pymysql.connect(", pos: []int{2}, password: true},
	{name: "mysqldb.connect(", pos: []int{2}, password: true},
	{name: "new sequelize(", pos: []int{2}, password: true},
	// Mail, FTP, SSH and LDAP logins.
	{name: ".login(", pos: []int{1}, password: true},
	{name: "ftp_login(", pos: []int{2}, password: true},
	{name: "ssh2_auth_password(", pos: []int{2}, password: true},
	{name: "imap_open(", pos: []int{2}, password: true},
	{name: "ldap_bind(", pos: []int{2}, password: true},
	{name: "simple_bind_s(", pos: []int{1}, password: true},
	{name: "simple_bind(", pos: []int{1}, password: true},
	{name: ".bind(", pos: []int{1}, password: true, first: ldapDN},
	{name: "smtp.plainauth(", pos: []int{2}, password: true},
	{name: "newdialer(", pos: []int{3}, password: true},
	{name: "net::smtp.start(", pos: []int{4}, password: true},
	// HTTP basic credentials.
	{name: "networkcredential(", pos: []int{1}, password: true},
	{name: "pscredential(", pos: []int{1}, password: true},
	{name: "setbasicauth(", pos: []int{1}, password: true},
	{name: "withbasicauth(", pos: []int{1}, password: true},
	{name: ".basic_auth(", pos: []int{1}, password: true},
	{name: ".basicauth(", pos: []int{1}, password: true},
	{name: "httpbasicauth(", pos: []int{1}, password: true},
	{name: "httpdigestauth(", pos: []int{1}, password: true},
	{name: "usernamepasswordcredentials(", pos: []int{1}, password: true},
	{name: "passwordauthentication(", pos: []int{1}, password: true},
	{name: "usernamepasswordauthenticationtoken(", pos: []int{1}, password: true},
	{name: "plaincredentials(", pos: []int{1}, password: true},
	{name: "credentials.basic(", pos: []int{1}, password: true},
	{name: "ftplib.ftp(", pos: []int{2}, password: true},
	{name: "ftplib.ftp_tls(", pos: []int{2}, password: true},
	{name: "auth=(", pos: []int{1}, password: true},
	{name: "auth = (", pos: []int{1}, password: true},
	// Cloud SDK credential constructors.
	{name: "credential.credential(", pos: []int{0, 1}},
	{name: "new credential(", pos: []int{0, 1}},
	{name: "basicawscredentials(", pos: []int{1}},
	{name: "awsbasiccredentials.create(", pos: []int{1}},
	{name: "awssessioncredentials.create(", pos: []int{1, 2}},
	{name: "basicsessioncredentials(", pos: []int{1, 2}},
	{name: "new aws.credentials(", pos: []int{1, 2}},
	{name: "newstaticcredentials(", pos: []int{1, 2}},
	{name: "newstaticv4(", pos: []int{1, 2}},
	{name: "newstaticcredentialsprovider(", pos: []int{1, 2}},
	{name: "boto3.session(", pos: []int{1, 2}},
	{name: "credentials::new(", pos: []int{1, 2}},
	{name: "minio(", pos: []int{1, 2}},
	{name: "clientsecretcredential(", pos: []int{2}},
	{name: "storagesharedkeycredential(", pos: []int{1}},
	{name: "azurenamedkeycredential(", pos: []int{1}},
	{name: "azurekeycredential(", pos: []int{0}},
	{name: "azuresascredential(", pos: []int{0}},
	{name: "new cosmosclient(", pos: []int{1}},
	// Infrastructure as code secrets written inline.
	{name: "secretvalue.unsafeplaintext(", pos: []int{0}, password: true},
	{name: "secretvalue.unsafe_plain_text(", pos: []int{0}, password: true},
	{name: "secretvalue.plaintext(", pos: []int{0}, password: true},
	{name: "secretvalue.plain_text(", pos: []int{0}, password: true},
	{name: "pulumi.secret(", pos: []int{0}, password: true},
	{name: "output.secret(", pos: []int{0}, password: true},
	// Search, messaging and signing clients: (app or account id, secret).
	{name: "algoliasearch(", pos: []int{1}},
	{name: "algoliasearch.client(", pos: []int{1}},
	{name: "searchclient.create(", pos: []int{1}},
	{name: "searchclient(", pos: []int{1}},
	{name: "twilioclient.init(", pos: []int{1}},
	{name: "twilio.init(", pos: []int{1}},
	{name: "twilio(", pos: []int{1}},
	{name: "client(", pos: []int{1}, first: twilioSID},
	{name: "jwt.encode(", pos: []int{1}, password: true},
	{name: "jwt.sign(", pos: []int{1}, password: true},
	{name: "jwt.decode(", pos: []int{1}, password: true},
	{name: "jwt.verify(", pos: []int{1}, password: true},
	{name: "new secretkeyspec(", pos: []int{0}, password: true},
	{name: "fernet(", pos: []int{0}},
}

func argRules() []*rule {
	kws := make([]string, 0, len(argCalls))
	for _, c := range argCalls {
		kws = append(kws, c.name)
	}
	return []*rule{
		customMulti("call-credential-argument", Secret, argCallsMax, matchCallArgs, kws...),
		custom("powershell-plaintext-password", Secret, 1024, matchSecureString, "convertto-securestring"),
		custom("net-use-password", Secret, positionalMaxLine, matchNetUse, "net use"),
		custom("curl-user-key", Secret, 1024, matchCurlUserKey, "-u ", "-u'", `-u"`, "--user ", "--user=", "-u=").noHoldBack(),
		custom("basic-auth-user-key", Secret, 2048, matchBasicUserKey, "basic "),
	}
}

// ldapDN reports a distinguished name (`cn=admin,dc=example,dc=org`).
func ldapDN(v []byte) bool {
	l := bytes.ToLower(v)
	return bytes.Contains(l, []byte("dc=")) || bytes.HasPrefix(l, []byte("cn=")) || bytes.HasPrefix(l, []byte("uid="))
}

// twilioSID reports a Twilio account SID: `AC` and 32 hex digits.
func twilioSID(v []byte) bool {
	if len(v) != 34 || v[0] != 'A' || v[1] != 'C' {
		return false
	}
	for _, c := range v[2:] {
		if !isHex(c) {
			return false
		}
	}
	return true
}

func matchCallArgs(r *rule, b []byte, ks, ke int, out []span) ([]span, int) {
	var call *argCall
	for i := range argCalls {
		if c := &argCalls[i]; len(c.name) == ke-ks && bytes.EqualFold(b[ks:ke], []byte(c.name)) {
			call = c
			break
		}
	}
	if call == nil || call.name[0] != '.' && ks > 0 && isWordByte(b[ks-1]) {
		return out, -1
	}
	if call.first != nil {
		// Cheap before the arguments are read: "client(" is everywhere in code.
		i := skipSpaces(b, ke, 8)
		if i < len(b) && b[i] != '"' && b[i] != '\'' {
			return out, -1
		}
	}
	args, done := splitArgs(b, ke, argCallsMax)
	if !done {
		return out, pendIfNear(b, ks, argCallsMax)
	}
	if len(args) == 0 {
		return out, -1
	}
	if call.first != nil {
		s, e := stringArg(b, args[0])
		if s < 0 || !call.first(b[s:e]) {
			return out, -1
		}
	}
	for _, p := range call.pos {
		if p < 0 {
			if len(args) < 2 || len(args) > 3 {
				continue
			}
			p = len(args) - 1
		}
		if p >= len(args) {
			continue
		}
		s, e := stringArg(b, args[p])
		if s >= 0 && credentialLiteral(b[s:e], call.password) {
			out = addSpan(out, r, s, e)
		}
	}
	return out, -1
}

// credentialLiteral reports a string literal that is a credential in a
// position that holds one.
func credentialLiteral(v []byte, password bool) bool {
	if isPlaceholder(v) || maskRun(v) {
		return false
	}
	return opaqueValue(v, password) || uuidShape.Match(v) || randomPrintable(v)
}

// randomPrintable reports a long run of printable characters drawn at random
// from letters, digits and symbols (WordPress salts, Django secret keys):
// what no identifier, path or sentence is.
func randomPrintable(v []byte) bool {
	if len(v) < 32 || len(v) > maxKeyedValue || bytes.ContainsAny(v, " \t\n") {
		return false
	}
	var upper, lower, digit, sym int
	for _, c := range v {
		switch {
		case isUpper(c):
			upper++
		case c >= 'a' && c <= 'z':
			lower++
		case isDigit(c):
			digit++
		case c > ' ' && c < 0x7f:
			sym++
		default:
			return false
		}
	}
	classes := 0
	for _, n := range []int{upper, lower, digit, sym} {
		if n > 0 {
			classes++
		}
	}
	return classes >= 3 && sym >= 4 && upper > 0 && lower > 0 && shannon(v) >= 4.5
}

// stringArg returns the content of the string literal an argument starts
// with (`"v"`, `'v'`, `b"v"`, `@"v"`, `Some("v")`, `"v".toCharArray()`),
// or s < 0.
func stringArg(b []byte, a argSpan) (int, int) {
	i := skipSpaces(b, a.s, 64)
	for i < a.e && (b[i] == '\n' || b[i] == '\r' || b[i] == ' ' || b[i] == '\t') {
		i++
	}
	if i+5 < a.e && string(b[i:i+5]) == "Some(" {
		i += 5
	}
	if i < a.e && (b[i] == 'b' || b[i] == 'r' || b[i] == 'u' || b[i] == '@' || b[i] == 'L') && i+1 < a.e && (b[i+1] == '"' || b[i+1] == '\'') {
		i++
	}
	if i >= a.e {
		return -1, -1
	}
	q := b[i]
	if q != '"' && q != '\'' && q != '`' {
		return -1, -1
	}
	j := i + 1
	for j < a.e && b[j] != q {
		if b[j] == '\\' {
			return -1, -1 // escapes: left to the JSON and keyed readers
		}
		j++
	}
	if j >= a.e || q == '`' && bytes.Contains(b[i:j], []byte("${")) {
		return -1, -1
	}
	return i + 1, j
}

// matchSecureString finds the plain-text password of PowerShell's
// `ConvertTo-SecureString "<pw>" -AsPlainText [-Force]` (also `-String
// "<pw>"`). Without -AsPlainText the argument is an encrypted standard
// string, a DPAPI ciphertext, and stays.
func matchSecureString(_ *rule, b []byte, ks, ke int) (int, int, int) {
	eol := bytes.IndexByte(b[ke:min(len(b), ke+1024)], '\n')
	if eol < 0 {
		if len(b)-ke < 1024 {
			return -1, -1, ks
		}
		eol = 1024
	}
	line := b[ke : ke+eol]
	if !bytes.Contains(bytes.ToLower(line), []byte("-asplaintext")) {
		return -1, -1, -1
	}
	for _, w := range shellWords(b, ke, ke+eol) {
		v := b[w.s:w.e]
		if len(v) > 0 && v[0] == '-' || len(v) > 0 && v[0] == '(' {
			continue
		}
		if w.s > 0 && b[w.s-1] != '"' && b[w.s-1] != '\'' {
			return -1, -1, -1 // a variable or an expression
		}
		if credentialLiteral(v, true) || plausibleCLIPassword(v) && !isPlaceholder(v) && !proseWord(v) {
			return w.s, w.e, -1
		}
		return -1, -1, -1
	}
	return -1, -1, -1
}

// matchNetUse finds the password of Windows `net use [device] [\\host\share]
// [password | *] [/user:[domain\]name] [/options]`: the positional word that
// is neither the device (`Z:`, `*`, `LPT1:`) nor the share.
func matchNetUse(_ *rule, b []byte, ks, ke int) (int, int, int) {
	if ks > 0 && isWordByte(b[ks-1]) {
		return -1, -1, -1
	}
	eol := bytes.IndexByte(b[ke:min(len(b), ke+positionalMaxLine)], '\n')
	if eol < 0 {
		if len(b)-ke < positionalMaxLine {
			return -1, -1, ks
		}
		eol = positionalMaxLine
	}
	ws := shellWords(b, ke, ke+eol)
	if len(ws) == 0 {
		return -1, -1, -1
	}
	// The first word is a device or a share: what makes the words a command
	// line rather than prose about `net use`.
	if first := b[ws[0].s:ws[0].e]; !bytes.HasPrefix(first, []byte(`\\`)) && string(first) != "*" && !driveLetter(first) {
		return -1, -1, -1
	}
	for i, w := range ws {
		v := b[w.s:w.e]
		switch {
		case len(v) == 0, v[0] == '/', bytes.HasPrefix(v, []byte(`\\`)):
			continue
		case i == 0 && (v[len(v)-1] == ':' || string(v) == "*"):
			continue // the device
		}
		if string(v) == "*" || !positionalPassword(v) {
			return -1, -1, -1
		}
		return w.s, w.e, -1
	}
	return -1, -1, -1
}

// matchCurlUserKey finds an API key given as the user of HTTP basic
// authentication with an empty password (`curl -u <key>:`), the form
// Stripe, Greenhouse, Harvest and many others document.
func matchCurlUserKey(_ *rule, b []byte, ks, ke int) (int, int, int) {
	if ks > 0 && b[ks-1] != ' ' && b[ks-1] != '\t' && b[ks-1] != '"' && b[ks-1] != '\'' {
		return -1, -1, -1
	}
	i := ke
	if b[ke-1] == '\'' || b[ke-1] == '"' {
		i = ke
	} else if i < len(b) && (b[i] == '\'' || b[i] == '"') {
		i++
	}
	s := i
	for i < len(b) && i-s < 256 && (isAlnum(b[i]) || b[i] == '_' || b[i] == '-' || b[i] == '.') {
		i++
	}
	if i >= len(b) {
		return -1, -1, pendIfNear(b, ks, 1024)
	}
	if b[i] != ':' || i+1 < len(b) && bytes.IndexByte([]byte(" '\"\n\r\t"), b[i+1]) < 0 {
		return -1, -1, -1
	}
	if !opaqueValue(b[s:i], false) {
		return -1, -1, -1
	}
	return s, i, -1
}

// matchBasicUserKey finds `Basic <base64>` whose decoded form is an API key
// and an empty password (`<key>:`), which basic-auth, looking for a
// password, does not take.
func matchBasicUserKey(_ *rule, b []byte, ks, ke int) (int, int, int) {
	s := ke
	for s < len(b) && b[s] == ' ' {
		s++
	}
	e := s
	for e < len(b) && e-s < 1024 && (isAlnum(b[e]) || b[e] == '+' || b[e] == '/' || b[e] == '=') {
		e++
	}
	if e == len(b) {
		return -1, -1, pendIfNear(b, ks, 2048)
	}
	if e-s < 12 {
		return -1, -1, -1
	}
	dec, err := base64.StdEncoding.DecodeString(string(b[s:e]))
	if err != nil || len(dec) < 9 || dec[len(dec)-1] != ':' || bytes.IndexByte(dec[:len(dec)-1], ':') >= 0 {
		return -1, -1, -1
	}
	if !opaqueValue(dec[:len(dec)-1], false) {
		return -1, -1, -1
	}
	return s, e, -1
}

// driveLetter reports a Windows drive name such as `Z:`.
func driveLetter(w []byte) bool {
	return len(w) >= 2 && w[len(w)-1] == ':' && isLetter(w[0])
}
