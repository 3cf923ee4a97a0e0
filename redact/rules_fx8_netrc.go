package redact

import "bytes"

// A .netrc `password` is secret only in a netrc-shaped entry: the tokens
// before it, back to the entry's `machine <host>` or `default`, are netrc
// keyword/value pairs (`login`, `account`, `port`) and nothing else. Prose
// that mentions a login form and a password field ("the login form's
// password field looks misaligned") has words between that no .netrc holds.

const netrcReach = 300

// netrcEntryBefore reports that b[:ks] ends with a netrc entry's tokens
// (`machine host login user ` or `default login user `), separated by
// blanks, newlines or their JSON escapes.
func netrcEntryBefore(b []byte, ks int) bool {
	from := max(0, ks-netrcReach)
	toks := netrcTokens(b[from:ks])
	// Read the pairs back from the password: value, keyword, value, keyword…
	for i := len(toks) - 1; i >= 0; i-- {
		kw := string(bytes.ToLower(toks[i]))
		if kw == "default" && (len(toks)-1-i)%2 == 0 {
			return len(toks)-1-i >= 2 // `default login u password …`: prose says "default password"
		}
		if (len(toks)-1-i)%2 == 0 {
			continue // a value
		}
		switch kw {
		case "machine":
			return true
		case "login", "account", "port":
		default:
			return false
		}
	}
	return false
}

// netrcTokens splits b at blanks, newlines and the escapes `\n`, `\t`, `\r`
// (a .netrc inside a JSON string or a log line).
func netrcTokens(b []byte) [][]byte {
	var toks [][]byte
	s := -1
	for i := 0; i < len(b); i++ {
		sep := b[i] <= ' '
		if b[i] == '\\' && i+1 < len(b) && (b[i+1] == 'n' || b[i+1] == 't' || b[i+1] == 'r') {
			sep = true
		}
		if sep {
			if s >= 0 {
				toks = append(toks, b[s:i])
				s = -1
			}
			if b[i] == '\\' {
				i++
			}
			continue
		}
		if s < 0 {
			s = i
		}
	}
	if s >= 0 {
		toks = append(toks, b[s:])
	}
	return toks
}

// netrcValue reads the password token at b[i]: quoted as wordValue reads
// it, or bare up to a blank, a quote or an escaped line break (`\n` in a JSON
// string holding the file).
func netrcValue(b []byte, i int) (s, e int, open bool) {
	if i < len(b) && (b[i] == '"' || b[i] == '\'') {
		return wordValue(b, i)
	}
	j := i
	for j < len(b) && j-i < 256 && b[j] > ' ' && b[j] != '"' {
		if b[j] == '\\' && j+1 < len(b) && (b[j+1] == 'n' || b[j+1] == 't' || b[j+1] == 'r' || b[j+1] == '"') {
			break
		}
		j++
	}
	if j == len(b) {
		return -1, -1, true
	}
	return i, j, false
}

// escapedBreakBefore reports `\n`, `\t` or `\r` (escaped) just before b[i].
func escapedBreakBefore(b []byte, i int) bool {
	return i >= 2 && b[i-2] == '\\' && (b[i-1] == 'n' || b[i-1] == 't' || b[i-1] == 'r')
}
