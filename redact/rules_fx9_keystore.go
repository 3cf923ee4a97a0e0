package redact

import "bytes"

// Java keystore passwords on a command line. keytool and jarsigner take
// them as `-storepass V`, `-keypass V`, `-srcstorepass V`, `-deststorepass
// V`, `-srckeypass V`, `-destkeypass V` (and `-new V` after
// `-storepasswd`/`-keypasswd`); `-storepass:env NAME` and
// `-storepass:file PATH` name where the password is, not the password, and
// stay. The Maven jarsigner plugin reads the same passwords from properties
// (`-Djarsigner.storepass=V`, `-Djarsigner.keypass=V`).
//
// The flag word itself is the rule's keyword, so each flag is read on its
// own: a line with `-srcstorepass A -deststorepass B` redacts both, where
// cli-password (rules_context.go) reads one flag per command word.

const keystoreMaxLen = 300

func keystoreRules() []*rule {
	return []*rule{
		custom("keystore-password", Secret, keystoreMaxLen, matchKeystorePassword, "storepass", "keypass"),
	}
}

// matchKeystorePassword reads the value after a keystore password flag at
// b[ks:ke]: `-storepass V` (also `-srcstorepass`, `-destkeypass`, …) or a
// property `.storepass=V`.
func matchKeystorePassword(_ *rule, b []byte, ks, ke int) (int, int, int) {
	fs := ks
	for _, p := range []string{"-src", "-dest"} {
		if fs >= len(p) && bytes.EqualFold(b[fs-len(p):fs], []byte(p)) {
			fs -= len(p) - 1
			break
		}
	}
	if fs == 0 || fs < ks && b[fs-1] != '-' {
		return -1, -1, -1
	}
	if ke >= len(b) {
		return -1, -1, ks
	}
	var i int
	switch lead := b[fs-1]; {
	case lead == '-' && fs >= 2 && (b[fs-2] == '"' || b[fs-2] == '\'') && b[ke] == b[fs-2]:
		i = ke + 1 // an argv array: `"-storepass", "V"`
		for k := 0; i < len(b) && k < 4 && (b[i] == ',' || b[i] == ' ' || b[i] == '\t'); k++ {
			i++
		}
	case lead == '-' && (b[ke] == ' ' || b[ke] == '\t'):
		if fs-1 > 0 && b[fs-2] != ' ' && b[fs-2] != '\t' && b[fs-2] != '"' && b[fs-2] != '\'' {
			return -1, -1, -1
		}
		i = skipSpaces(b, ke, 8)
	case lead == '.' && b[ke] == '=':
		i = ke + 1
	default:
		return -1, -1, -1 // `-storepass:env NAME`, `-storepasswd`, prose
	}
	if i >= len(b) {
		return -1, -1, ks
	}
	s, e, open := wordValue(b, i)
	if open {
		return -1, -1, pendIfNear(b, ks, keystoreMaxLen)
	}
	if s < 0 || !plausibleCLIPassword(b[s:e]) {
		return -1, -1, -1
	}
	return s, e, -1
}
