package redact

import "bytes"

// Continued values: a YAML double-quoted value broken over lines with a
// backslash at the end of each line but the last. YAML drops the escaped
// line break and the next line's indentation, so the value is one string:
//
//	apiKey: "AKCp8Pf4bTNvFGqRqAk2c8eoLmZJ6MHSauzX33Wj\
//	  exvY9wH7yQ5641jd6838VbDAZWJzoXgkc"
//
// Found at the escaped line break followed by the indentation (the keyword;
// a two-byte keyword `\`+newline would cost the prefilter a lookup at every
// byte, so a shell value continued at column 0 inside double quotes is not
// read). The quoted value it sits in must be
// given to a secret's name (`name: "`, `name = "`, `NAME="`), and the
// joined value must look generated. The finding runs from the opening quote
// to the closing one, across the lines (the replacement keeps them).

const (
	continuedMaxLines = 8
	continuedMax      = 64 + 8 + continuedMaxLines*(512+66)
)

func continuedRules() []*rule {
	return []*rule{
		custom("continued-quoted-value", Secret, continuedMax, matchContinued, "\\\n ", "\\\n\t", "\\\r\n").lowPrecedence().noHoldBack(),
	}
}

func matchContinued(_ *rule, b []byte, ks, ke int) (int, int, int) {
	// The opening quote of the value on this line.
	q := -1
	for i := ks - 1; i >= 0 && ks-i <= 512 && b[i] != '\n'; i-- {
		if b[i] == '"' && (i == 0 || b[i-1] != '\\') {
			q = i
			break
		}
	}
	if q < 0 || bytes.IndexByte(b[q+1:ks], ' ') >= 0 {
		return -1, -1, -1
	}
	// The separator and the name before it.
	j := q
	for j > 0 && q-j < 8 && (b[j-1] == ' ' || b[j-1] == '\t') {
		j--
	}
	if j == 0 || b[j-1] != ':' && b[j-1] != '=' {
		return -1, -1, -1
	}
	j--
	for j > 0 && q-j < 16 && (b[j-1] == ' ' || b[j-1] == '\t' || b[j-1] == '"' || b[j-1] == '\'') {
		j--
	}
	ne, ns := j, j
	for ns > 0 && ne-ns < 64 && nameByte(b[ns-1]) {
		ns--
	}
	secret, password := secretKeyName(b[ns:ne])
	if ns == ne || !secret {
		return -1, -1, -1
	}
	// Join the lines up to the closing quote.
	var buf [512]byte
	v := append(buf[:0], b[q+1:ks]...)
	i := ke
	for lines := 1; ; lines++ {
		if lines > continuedMaxLines {
			return -1, -1, -1
		}
		i = skipSpaces(b, i, 64)
		ls := i
		for i < len(b) && i-ls <= 512 && b[i] != '"' && b[i] != '\\' && b[i] > ' ' {
			i++
		}
		if i >= len(b) {
			return -1, -1, q + 1 // the value is still arriving
		}
		v = append(v, b[ls:i]...)
		if b[i] == '"' {
			break
		}
		switch {
		case b[i] == '\\' && i+1 < len(b) && b[i+1] == '\n':
			i += 2
		case b[i] == '\\' && i+2 < len(b) && b[i+1] == '\r' && b[i+2] == '\n':
			i += 3
		case b[i] == '\\' && i+2 >= len(b):
			return -1, -1, q + 1
		default:
			return -1, -1, -1 // a blank or an escape inside: not one token
		}
	}
	if !opaqueValue(v, password) {
		return -1, -1, -1
	}
	return q + 1, i, -1
}
