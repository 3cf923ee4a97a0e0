package redact

import "strings"

// Percent-encoded userinfo: drivers (MongoDB, PostgreSQL, MySQL, Redis,
// AMQP, SQLAlchemy) require reserved characters of a URL password to be
// percent-encoded, so a generated password travels as `P%40ss%3Aw%2Frd%23…`.
// url-password reads the encoded form where it stands; this file decides
// when a password that spells "password" (`p@ssword`, `P@ss:w/rd`) is a
// documentation example and when it is a real one with a random part.

// passwordSpellingOnly reports a URL or basic-auth password that spells
// "password" and carries no random part beside it: fewer than six
// characters outside the word's letters, or only digits there
// (`p%40ssw0rd`, `Password2024`), unlike `P%40ss%3Aw%2Frd%23JMkgeY17`.
func passwordSpellingOnly(letters string, pw []byte) bool {
	if !strings.Contains(letters, "ssw") && !strings.Contains(letters, "swor") && !strings.Contains(letters, "sword") {
		return false
	}
	rest, nonDigit := 0, false
	for i := 0; i < len(pw); i++ {
		c := pw[i]
		if c == '%' && i+2 < len(pw) && hexVal(pw[i+1]) >= 0 && hexVal(pw[i+2]) >= 0 {
			i += 2 // an encoded separator: not part of the random rest
			continue
		}
		if !isAlnum(c) || strings.IndexByte("pasword", foldByte(c)) >= 0 {
			continue
		}
		rest++
		nonDigit = nonDigit || !isDigit(c)
	}
	return rest < 6 || !nonDigit
}

// passwordWordsOnly reports a URL or basic-auth password made of words: one
// that spells "password", or whose letters hold a stopword (a path or a
// phrase, not a generated password). A password with a percent-encoded
// reserved character (`%40`, `%3A`, `%2F`, `%23`…) and a mixed random part
// was encoded for a driver URL on purpose: its letters run across the
// encoded bytes, so a stopword there is chance (`…%3Ay%2Fpe…`).
func passwordWordsOnly(l string, letters, pw []byte) bool {
	if passwordSpellingOnly(l, pw) {
		return true
	}
	if encodedReserved(pw) && mixedAlnum(pw) >= 8 {
		return false
	}
	return hasStopword(letters)
}

// encodedReserved reports a percent-encoded URL delimiter in pw.
func encodedReserved(pw []byte) bool {
	for i := 0; i+2 < len(pw); i++ {
		if pw[i] != '%' {
			continue
		}
		switch strings.ToUpper(string(pw[i+1 : i+3])) {
		case "40", "3A", "2F", "23", "3F", "25", "26", "2B", "3D", "24", "21", "2C", "3B", "5B", "5D":
			return true
		}
	}
	return false
}

// mixedAlnum counts the letters and digits of pw outside its %XX escapes
// when they mix at least two of lower case, upper case and digits (0
// otherwise).
func mixedAlnum(pw []byte) int {
	n := 0
	var lo, up, dg bool
	for i := 0; i < len(pw); i++ {
		c := pw[i]
		if c == '%' && i+2 < len(pw) {
			i += 2
			continue
		}
		switch {
		case c >= 'a' && c <= 'z':
			lo = true
		case c >= 'A' && c <= 'Z':
			up = true
		case isDigit(c):
			dg = true
		default:
			continue
		}
		n++
	}
	if lo && up || lo && dg || up && dg {
		return n
	}
	return 0
}
