package redact

import "bytes"

// Credential calls: a password passed as a positional argument to a call
// that logs in or builds credentials, after the user name, in the languages
// agents write:
//
//	server.login("alerts@acme.io", "V")              smtplib, ftplib, imaplib
//	requests.get(url, auth=("svc", "V"))            HTTPBasicAuth("u", "V")
//	conn.simple_bind_s("cn=admin,...", "V")         new NetworkCredential("u", "V")
//	smtp.PlainAuth("", "user", "V", host)           request.auth('u', 'V')
//
// and cookies set by a call or a command-line flag:
//
//	driver.add_cookie({'name': 'sessionid', 'value': 'V'})
//	res.cookie('auth', 'V', {...})     response.set_cookie("sid", "V")
//	curl -b 'session=V' ...            curl --cookie "sid=V" ...
//
// The password must look like one (genericPassword: a digit or a symbol, no
// placeholder), the cookie value generated (opaqueValue, 16 bytes or more).

const callArgsMax = 512

func credentialCallRules() []*rule {
	return []*rule{
		custom("credential-call", Secret, callArgsMax, matchCredentialCall,
			"login(", "simple_bind_s(", "simple_bind(", "bind_s(", "auth(", "auth=(", "auth = (", "networkcredential(",
			"passwordauthentication(", "usernamepasswordcredentials(", "setcredentials(", "plainauth(").lowPrecedence(),
		custom("cookie-call", Secret, callArgsMax, matchCookieCall, "cookie(", "--cookie", " -b ").lowPrecedence().noHoldBack(),
	}
}

func skipBlank(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

func matchCredentialCall(_ *rule, b []byte, ks, ke int) (int, int, int) {
	kw := b[ks:ke]
	want := 1 // the password follows the user name
	switch {
	case bytes.EqualFold(kw, []byte("plainauth(")):
		want = 2 // Go smtp.PlainAuth(identity, username, password, host)
	case kw[0] == 'a' || kw[0] == 'A':
		if ks > 0 && isLetter(b[ks-1]) && b[ks-1] != 'c' && b[ks-1] != 'C' { // BasicAuth(, DigestAuth(; not oauth(
			if ks < 5 || !bytes.EqualFold(b[ks-5:ks], []byte("basic")) && (ks < 6 || !bytes.EqualFold(b[ks-6:ks], []byte("digest"))) {
				return -1, -1, -1
			}
		}
	}
	args, done := splitArgs(b, ke, callArgsMax)
	if !done {
		return -1, -1, pendIfNear(b, ks, callArgsMax)
	}
	if len(args) <= want || want == 1 && len(args) > 3 { // not a (user, password) call
		return -1, -1, -1
	}
	s, e, literal := literalArg(b, args[want])
	if !literal {
		return -1, -1, -1
	}
	v := b[s:e]
	if len(v) < 6 || bytes.ContainsAny(v, " \t\n") || !genericPassword(v) || bytes.ContainsAny(v, "$`{}") {
		return -1, -1, -1
	}
	return s, e, -1
}

func matchCookieCall(_ *rule, b []byte, ks, ke int) (int, int, int) {
	kw := b[ks:ke]
	if kw[0] == '-' || kw[0] == ' ' {
		return cookieFlag(b, ks, ke)
	}
	args, done := splitArgs(b, ke, callArgsMax)
	if !done {
		return -1, -1, pendIfNear(b, ks, callArgsMax)
	}
	if len(args) == 0 {
		return -1, -1, -1
	}
	if s, e := trimBlanks(b, args[0]); e > s && b[s] == '{' {
		// add_cookie({'name': ..., 'value': ...})
		s, e := containerCookieValues(b, s, e)
		if s < 0 {
			return -1, -1, -1
		}
		return s, e, -1
	}
	if len(args) < 2 {
		return -1, -1, -1
	}
	ns, ne, named := literalArg(b, args[0])
	vs, ve, literal := literalArg(b, args[1])
	if !named || !literal {
		return -1, -1, -1
	}
	v := b[vs:ve]
	if trackingCookie(b[ns:ne]) || len(v) < 16 || !opaqueValue(v, false) {
		return -1, -1, -1
	}
	return vs, ve, -1
}

// cookieFlag reads curl's `-b`/`--cookie` argument: a cookie list (a name
// without '=' is a cookie file).
func cookieFlag(b []byte, ks, ke int) (int, int, int) {
	if b[ks] == ' ' {
		ls := bytes.LastIndexByte(b[max(0, ks-cliSetterMaxLine):ks], '\n') + 1 + max(0, ks-cliSetterMaxLine)
		if !bytes.Contains(b[ls:ks], []byte("curl")) {
			return -1, -1, -1
		}
	} else if ks > 0 && b[ks-1] != ' ' && b[ks-1] != '\t' && b[ks-1] != '"' && b[ks-1] != '\'' {
		return -1, -1, -1
	}
	i := ke
	if i < len(b) && (b[i] == '=' || b[i] == ' ') {
		i++
	} else if b[ke-1] != ' ' {
		return -1, -1, -1
	}
	i = skipSpaces(b, i, 4)
	eol := bytes.IndexByte(b[i:min(len(b), i+cookieMaxLine)], '\n')
	if eol < 0 {
		if len(b)-i < cookieMaxLine {
			return -1, -1, pendIfNear(b, ks, callArgsMax)
		}
		eol = cookieMaxLine
	}
	ws := setterWords(b, i, i+eol)
	if len(ws) == 0 {
		return -1, -1, -1
	}
	vs, v := unquoted(b, ws[0].s, ws[0].e)
	if bytes.IndexByte(v, '=') < 0 {
		return -1, -1, -1
	}
	s, e := cookieValues(v)
	if s < 0 {
		return -1, -1, -1
	}
	return vs + s, vs + e, -1
}
