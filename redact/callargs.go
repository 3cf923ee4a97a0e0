package redact

// argSpan is one argument of a call: b[s:e], blanks included.
type argSpan struct{ s, e int }

// splitArgs splits the arguments of a call whose '(' ends at i (b[i-1]), up
// to the matching ')', reading at most limit bytes: string literals and nested
// brackets are skipped whole. done is false when the input ends first (the
// call is still arriving); args is nil and done true when the bytes are no
// call's arguments (a quote left open at a line's end, an unbalanced
// bracket, a ';', more than 16 arguments, no ')' within limit bytes). A span
// keeps the blanks around its argument; `f(a,)` has an empty last one.
//
// It is the splitter of both kinds of call rules: credential and cookie calls
// (rules_fx6ctx_calls.go) and calls with secret arguments (rules_fx7_args.go).
func splitArgs(b []byte, i, limit int) (args []argSpan, done bool) {
	end := min(len(b), i+limit)
	depth, s := 0, i
	for j := i; j < end; j++ {
		switch c := b[j]; c {
		case '"', '\'', '`':
			k := j + 1
			for k < end && b[k] != c && b[k] != '\n' {
				if b[k] == '\\' {
					k++
				}
				k++
			}
			if k >= end {
				return nil, end < len(b) // at the input's end: still arriving
			}
			if b[k] != c {
				return nil, true
			}
			j = k
		case '(', '[', '{':
			depth++
		case ']', '}':
			depth--
		case ')':
			if depth == 0 {
				if j > s || len(args) > 0 {
					args = append(args, argSpan{s, j})
				}
				return args, true
			}
			depth--
		case ',':
			if depth == 0 {
				args = append(args, argSpan{s, j})
				s = j + 1
			}
		case ';':
			return nil, true
		}
		if len(args) > 16 || depth < 0 {
			return nil, true
		}
	}
	return nil, end < len(b)
}

// literalArg returns the content of the argument a when it is one string
// literal (`"v"`, `'v'`, a backquoted string) with only blanks around it
// (not `"a" + x + "b"`).
func literalArg(b []byte, a argSpan) (s, e int, ok bool) {
	s, e = trimBlanks(b, a)
	if e-s < 2 || b[s] != '"' && b[s] != '\'' && b[s] != '`' {
		return 0, 0, false
	}
	k := s + 1
	for k < e && b[k] != b[s] {
		if b[k] == '\\' {
			k++
		}
		k++
	}
	if k != e-1 {
		return 0, 0, false
	}
	return s + 1, e - 1, true
}

// trimBlanks returns the span of the argument a without the blanks around it.
func trimBlanks(b []byte, a argSpan) (s, e int) {
	s, e = a.s, a.e
	for s < e && isBlankByte(b[s]) {
		s++
	}
	for e > s && isBlankByte(b[e-1]) {
		e--
	}
	return s, e
}

func isBlankByte(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
