package redact

import "bytes"

// Object context for the fx8 rules: a value is secret (or public) because of
// a sibling in the same object — `"sensitive": true` beside `"value"`, an
// `authDomain` beside a Firebase `apiKey`. These helpers find the object
// around a position in raw bytes (JSON, a JavaScript object literal, an HCL
// block) or the YAML mapping a line belongs to, and list its members, so the
// same predicate serves the text scanner and RedactJSON.

const objReach = 4096 // how far from a value its object's braces are looked for

// member is one `key: value` (or `key = value`) of an object: the key's bytes
// and the raw value b[vs:ve] (quotes included for a string).
type member struct {
	key    []byte
	ks     int // where the key starts
	vs, ve int
}

// containerAround returns the start of the innermost unclosed `{` or `[`
// before i, levels containers up (1: the innermost), within objReach bytes.
// It counts brackets outside double-quoted strings, scanning backwards.
func containerAround(b []byte, i, levels int) (int, bool) {
	depth := 0
	inStr := false
	for j := i - 1; j >= 0 && i-j <= objReach; j-- {
		c := b[j]
		if c == '"' && !escapedAt(b, j) {
			inStr = !inStr
			continue
		}
		if inStr {
			continue
		}
		switch c {
		case '}', ']':
			depth++
		case '{', '[':
			if depth == 0 {
				levels--
				if levels == 0 {
					return j, true
				}
				continue
			}
			depth--
		}
	}
	return -1, false
}

// keyOpen returns where the key holding b[i] opens: before its quote, so
// that containerAround starts outside any string.
func keyOpen(b []byte, i int) int {
	for i > 0 && (isWordByte(b[i-1]) || b[i-1] == '-') {
		i--
	}
	if i > 0 && (b[i-1] == '"' || b[i-1] == '\'') {
		i--
	}
	return i
}

// escapedAt reports a quote at b[j] escaped by an odd run of backslashes.
func escapedAt(b []byte, j int) bool {
	n := 0
	for k := j - 1; k >= 0 && b[k] == '\\'; k-- {
		n++
	}
	return n%2 == 1
}

// closeOf returns the index after the bracket that closes the one at b[o]
// (strings in double or single quotes skipped), or -1 within objReach.
func closeOf(b []byte, o int) int {
	depth := 0
	for j := o; j < len(b) && j-o <= objReach; j++ {
		switch c := b[j]; c {
		case '"', '\'':
			if c == '\'' && (j == 0 || isAlnum(b[j-1])) {
				continue // an apostrophe in a bare word
			}
			k := j + 1
			for k < len(b) && b[k] != c && b[k] != '\n' {
				if b[k] == '\\' {
					k++
				}
				k++
			}
			j = k
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				return j + 1
			}
		}
	}
	return -1
}

// objectMembers lists the top-level members of the object b[o:c] (b[o] is
// `{`): JSON (`"k": v,`), JavaScript (`k: v,`) and HCL (`k = v` lines).
func objectMembers(b []byte, o, c int, out []member) []member {
	i := o + 1
	for i < c-1 && len(out) < 256 {
		for i < c && (b[i] <= ' ' || b[i] == ',') {
			i++
		}
		if i >= c-1 {
			break
		}
		ks, ke, next := memberKey(b, i, c)
		if ks < 0 {
			i = skipToLineEnd(b, i, c)
			continue
		}
		j := next
		for j < c && (b[j] == ' ' || b[j] == '\t') {
			j++
		}
		if j >= c || b[j] != ':' && b[j] != '=' {
			if j < c && b[j] == '{' { // an HCL nested block: `lifecycle {`
				if e := closeOf(b, j); e > 0 {
					i = e
					continue
				}
			}
			i = skipToLineEnd(b, j, c)
			continue
		}
		j++
		for j < c && (b[j] == ' ' || b[j] == '\t') {
			j++
		}
		ve := valueEnd(b, j, c)
		out = append(out, member{key: b[ks:ke], ks: ks, vs: j, ve: ve})
		i = ve
	}
	return out
}

// memberKey reads a key at b[i]: quoted or a bare identifier.
func memberKey(b []byte, i, c int) (ks, ke, next int) {
	if q := b[i]; q == '"' || q == '\'' {
		e := bytes.IndexByte(b[i+1:c], q)
		if e < 0 {
			return -1, -1, i
		}
		return i + 1, i + 1 + e, i + e + 2
	}
	j := i
	for j < c && (isWordByte(b[j]) || b[j] == '-' || b[j] == '.') {
		j++
	}
	if j == i {
		return -1, -1, i
	}
	return i, j, j
}

// valueEnd returns the end of the value starting at b[j]: a string, a
// bracketed value, or a bare literal up to `,`, `}` or the line end.
func valueEnd(b []byte, j, c int) int {
	if j >= c {
		return c
	}
	switch b[j] {
	case '"', '\'':
		k := j + 1
		for k < c && b[k] != b[j] && b[k] != '\n' {
			if b[k] == '\\' {
				k++
			}
			k++
		}
		return min(k+1, c)
	case '{', '[':
		if e := closeOf(b, j); e > 0 && e <= c {
			return e
		}
		return c
	}
	k := j
	for k < c && b[k] != ',' && b[k] != '}' && b[k] != '\n' {
		k++
	}
	return k
}

func skipToLineEnd(b []byte, i, c int) int {
	if e := bytes.IndexByte(b[i:c], '\n'); e >= 0 {
		return i + e + 1
	}
	return c
}

// bareValue is a member's value without quotes and surrounding blanks.
func bareValue(b []byte, m member) []byte {
	v := bytes.TrimSpace(b[m.vs:m.ve])
	if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
		v = v[1 : len(v)-1]
	}
	return v
}

// keyIs compares a member key with a lower-case name, ignoring case.
func keyIs(k []byte, name string) bool {
	return len(k) == len(name) && bytes.EqualFold(k, []byte(name))
}

// stringSpans appends the contents of the string literals that are values in
// b[vs:ve] (a string itself, or the strings of an object or list, keys
// skipped).
func stringSpans(b []byte, vs, ve int, out [][2]int) [][2]int {
	for i := vs; i < ve && len(out) < 64; i++ {
		q := b[i]
		if q != '"' && q != '\'' || q == '\'' && i > 0 && isAlnum(b[i-1]) {
			continue
		}
		k := i + 1
		for k < ve && b[k] != q && b[k] != '\n' {
			if b[k] == '\\' {
				k++
			}
			k++
		}
		if k >= ve || b[k] != q {
			return out
		}
		n := k + 1
		for n < ve && (b[n] == ' ' || b[n] == '\t') {
			n++
		}
		if n >= ve || b[n] != ':' {
			out = append(out, [2]int{i + 1, k})
		}
		i = k
	}
	return out
}

// yamlMembers lists the `key: value` lines at the indentation of the line
// holding i, in the mapping that line belongs to (up to a line indented
// less). Values are the rest of the line.
func yamlMembers(b []byte, i int, out []member) []member {
	ls := i
	for ls > 0 && b[ls-1] != '\n' {
		ls--
	}
	indent := 0
	for ls+indent < len(b) && b[ls+indent] == ' ' {
		indent++
	}
	start := ls
	for n := 0; start > 0 && n < 64; n++ { // up to the mapping's first line
		ps := start - 1
		for ps > 0 && b[ps-1] != '\n' {
			ps--
		}
		in := 0
		for ps+in < start-1 && b[ps+in] == ' ' {
			in++
		}
		if ps+in >= start-1 { // a blank line ends nothing
			start = ps
			continue
		}
		if in < indent || in == indent && b[ps+in] == '-' {
			break
		}
		start = ps
	}
	for p, n := start, 0; p < len(b) && n < 128; n++ {
		le := bytes.IndexByte(b[p:], '\n')
		end := len(b)
		if le >= 0 {
			end = p + le
		}
		in := 0
		for p+in < end && b[p+in] == ' ' {
			in++
		}
		if p+in < end {
			if in < indent || p > ls && in == indent && b[p+in] == '-' {
				break
			}
			if in == indent {
				if c := bytes.IndexByte(b[p+in:end], ':'); c > 0 {
					vs := skipSpaces(b, p+in+c+1, 64)
					out = append(out, member{key: b[p+in : p+in+c], ks: p + in, vs: vs, ve: len(bytes.TrimRight(b[:end], " \r"))})
				}
			}
		}
		if le < 0 {
			break
		}
		p = end + 1
	}
	return out
}
