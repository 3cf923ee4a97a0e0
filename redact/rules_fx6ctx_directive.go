package redact

import "bytes"

// Configuration directives that carry a password under a name the keyed
// model does not read as a secret's, their value after blanks or '=':
//
//	requirepass V        masterauth V          (redis.conf)
//	bindpw V             rootpw V              (ldap.conf, slapd.conf)
//	psk="V"              sae_password=V        (wpa_supplicant, hostapd)
//	user alice on >V ~* +@all                  (Redis ACL)
//	ngrok authtoken V                          (a CLI that stores the token)
//
// A directive stands at the start of its line (after indentation); the
// value is any password-like word that is not a placeholder or a variable
// (a lower-case word such as redis.conf's example "foobared" stays).

const directiveMaxLine = 512

var passwordDirectives = map[string]bool{
	"requirepass": true, "masterauth": true, "bindpw": true, "rootpw": true, "psk": true, "wpa_psk": true,
	"sae_password": true, "authtoken": true,
}

func directiveRules() []*rule {
	return []*rule{
		custom("config-directive-secret", Secret, directiveMaxLine, matchDirective,
			"requirepass", "masterauth", "bindpw", "rootpw", "psk", "sae_password", "authtoken", " on >").lowPrecedence().noHoldBack(),
	}
}

func matchDirective(_ *rule, b []byte, ks, ke int) (int, int, int) {
	kw := b[ks:ke]
	j := ke
	if kw[0] == ' ' {
		// A Redis ACL rule: `user <name> on >password`.
		ls := bytes.LastIndexByte(b[max(0, ks-128):ks], '\n') + 1 + max(0, ks-128)
		if eq := bytes.IndexByte(b[ls:ks], '='); eq >= 0 && lineStart(b, ls+eq+1) {
			ls += eq + 1 // a JSON string's synthetic `key=` (RedactJSON)
		}
		line := bytes.TrimLeft(b[ls:ks], " \t")
		if !bytes.HasPrefix(bytes.ToLower(line), []byte("user ")) && !bytes.Contains(bytes.ToLower(line), []byte("acl setuser ")) {
			return -1, -1, -1
		}
	} else {
		if ke < len(b) && nameByte(b[ke]) || ks > 0 && nameByte(b[ks-1]) {
			return -1, -1, -1
		}
		if !passwordDirectives[string(bytes.ToLower(kw))] {
			return -1, -1, -1
		}
		ls := ks
		for ls > 0 && (b[ls-1] == ' ' || b[ls-1] == '\t') {
			ls--
		}
		cmd := bytes.EqualFold(kw, []byte("authtoken")) && ls > 0 && b[ls-1] != '\n' && ls < ks
		if !cmd && !lineStart(b, ls) {
			return -1, -1, -1
		}
		for k := 0; j < len(b) && k < 8 && (b[j] == ' ' || b[j] == '\t' || b[j] == '='); k++ {
			j++
		}
		if j == ke {
			if j >= len(b) {
				return -1, -1, pendIfNear(b, ks, directiveMaxLine)
			}
			return -1, -1, -1
		}
	}
	s, e, open := wordValue(b, j)
	if open {
		return -1, -1, pendIfNear(b, ks, directiveMaxLine)
	}
	if s < 0 {
		return -1, -1, -1
	}
	v := b[s:e]
	if len(v) < 6 || !plausibleCLIPassword(v) || proseWord(v) || !genericPassword(v) && !opaqueValue(v, true) {
		return -1, -1, -1
	}
	return s, e, -1
}
