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

// callArg is one argument of a call: its span and whether it is a string
// literal (then the span excludes the quotes).
type callArg struct {
	s, e    int
	literal bool
}

// callArgs splits the arguments of the call whose '(' is at open, at most
// eight; ok is false when the call does not close within callArgsMax bytes
// (open: the input ended first).
func callArgs(b []byte, open int) (args []callArg, ok, more bool) {
	i := open + 1
	for len(args) < 8 {
		i = skipBlank(b, i)
		if i >= len(b) || i-open > callArgsMax {
			return nil, false, i >= len(b)
		}
		if b[i] == ')' {
			return args, true, false
		}
		s := i
		depth := 0
		var quote byte
		literal := b[i] == '"' || b[i] == '\'' || b[i] == '`'
		for ; i < len(b) && i-open <= callArgsMax; i++ {
			c := b[i]
			if quote != 0 {
				switch c {
				case '\\':
					i++
				case quote:
					quote = 0
				}
				continue
			}
			if c == '"' || c == '\'' || c == '`' {
				quote = c
				continue
			}
			if c == '(' || c == '[' || c == '{' {
				depth++
			} else if (c == ')' || c == ']' || c == '}') && depth > 0 {
				depth--
			} else if depth == 0 && (c == ',' || c == ')') {
				break
			}
		}
		if i >= len(b) || i-open > callArgsMax {
			return nil, false, i >= len(b)
		}
		e := i
		for e > s && (b[e-1] == ' ' || b[e-1] == '\t' || b[e-1] == '\n') {
			e--
		}
		if literal && e-s >= 2 && b[e-1] == b[s] {
			args = append(args, callArg{s + 1, e - 1, true})
		} else {
			args = append(args, callArg{s, e, false})
		}
		if b[i] == ')' {
			return args, true, false
		}
		i++
	}
	return args, true, false
}

func skipBlank(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

func matchCredentialCall(_ *rule, b []byte, ks, ke int) (int, int, int) {
	kw := b[ks:ke]
	open := ke - 1
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
	args, ok, more := callArgs(b, open)
	if more {
		return -1, -1, pendIfNear(b, ks, callArgsMax)
	}
	if !ok || len(args) <= want || !args[want].literal {
		return -1, -1, -1
	}
	if want == 1 && len(args) > 3 {
		return -1, -1, -1 // not a (user, password) call
	}
	a := args[want]
	v := b[a.s:a.e]
	if len(v) < 6 || bytes.ContainsAny(v, " \t\n") || !genericPassword(v) || bytes.ContainsAny(v, "$`{}") {
		return -1, -1, -1
	}
	return a.s, a.e, -1
}

func matchCookieCall(_ *rule, b []byte, ks, ke int) (int, int, int) {
	kw := b[ks:ke]
	if kw[0] == '-' || kw[0] == ' ' {
		return cookieFlag(b, ks, ke)
	}
	args, ok, more := callArgs(b, ke-1)
	if more {
		return -1, -1, pendIfNear(b, ks, callArgsMax)
	}
	if !ok || len(args) == 0 {
		return -1, -1, -1
	}
	if a := args[0]; !a.literal && a.e > a.s && b[a.s] == '{' {
		// add_cookie({'name': ..., 'value': ...})
		s, e := containerCookieValues(b, a.s, a.e)
		if s < 0 {
			return -1, -1, -1
		}
		return s, e, -1
	}
	if len(args) < 2 || !args[0].literal || !args[1].literal {
		return -1, -1, -1
	}
	v := b[args[1].s:args[1].e]
	if trackingCookie(b[args[0].s:args[0].e]) || len(v) < 16 || !opaqueValue(v, false) {
		return -1, -1, -1
	}
	return args[1].s, args[1].e, -1
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
