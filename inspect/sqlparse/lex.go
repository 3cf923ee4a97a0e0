package sqlparse

import (
	"errors"
	"strings"
	"unicode/utf8"
)

// The lexer below reproduces PostgreSQL's scanner (scan.l, standard_conforming_strings on) for
// what the fast path needs: token boundaries, statement separators, identifiers folded the way
// the server folds them. Whatever it is not sure to read exactly as PostgreSQL does is either an
// opaque token (the statement it sits in goes to the full parser) or, when even its extent is in
// doubt, errLexUnsure (the whole text goes to the full parser).

type tokKind uint8

const (
	tkIdent  tokKind = iota + 1 // text: folded name; kw: keyword category when not quoted
	tkString                    // text: value; esc: E'' string whose value was not decoded
	tkNumber
	tkParam
	tkOp     // operator or self char: + - * / < > = <= >= <> != || ...
	tkPunct  // , ( ) [ ] . ; : :: := ..
	tkOpaque // a token the fast path never accepts
)

type token struct {
	text   string
	pos    int32 // byte offsets of the token in the text
	end    int32
	kind   tokKind
	kw     kwCat
	quoted bool
	esc    bool
}

// errLexUnsure sends the whole text to the full parser.
var errLexUnsure = errors.New("lexer not sure")

// maxIdentBytes is NAMEDATALEN-1: PostgreSQL truncates longer identifiers.
const maxIdentBytes = 63

// Byte classes of scan.l.
const (
	cSpace      = 1 << iota // space \t \n \r \f (\v is left to PostgreSQL)
	cIdentStart             // A-Z a-z _ and bytes >= 0x80
	cIdentCont              // identStart, digits, $
	cOp                     // ~!@#^&|`?+-*/%<>=
	cUpper                  // A-Z
	cHigh                   // bytes >= 0x80
)

var byteClass = func() (t [256]uint8) {
	for _, c := range []byte(" \t\n\r\f") {
		t[c] |= cSpace
	}
	for c := 0; c < 256; c++ {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c >= 0x80 {
			t[c] |= cIdentStart | cIdentCont
		}
		if c >= '0' && c <= '9' || c == '$' {
			t[c] |= cIdentCont
		}
		if c >= 'A' && c <= 'Z' {
			t[c] |= cUpper
		}
		if c >= 0x80 {
			t[c] |= cHigh
		}
	}
	for _, c := range []byte("~!@#^&|`?+-*/%<>=") {
		t[c] |= cOp
	}
	return t
}()

func isIdentStart(c byte) bool { return byteClass[c]&cIdentStart != 0 }
func isIdentCont(c byte) bool  { return byteClass[c]&cIdentCont != 0 }
func isOpChar(c byte) bool     { return byteClass[c]&cOp != 0 }
func isSpace(c byte) bool      { return byteClass[c]&cSpace != 0 }

// off32 narrows a byte offset of a text lex accepted to a token offset.
func off32(i int) int32 {
	return int32(i) //nolint:gosec // G115: 0 <= i <= len(src) <= MaxInputBytes (1 MiB), checked at the top of lex
}

// lex splits src into tokens. toks is reused when it has capacity. Texts longer than
// MaxInputBytes get errLexUnsure so that every byte offset fits a token's int32 fields.
func lex(src string, toks []token) ([]token, error) {
	if len(src) > MaxInputBytes {
		return nil, errLexUnsure
	}
	i := 0
	for i < len(src) {
		c := src[i]
		switch {
		case isSpace(c):
			i++
		case c == '-' && i+1 < len(src) && src[i+1] == '-':
			for i < len(src) && src[i] != '\n' && src[i] != '\r' {
				i++
			}
		case c == '/' && i+1 < len(src) && src[i+1] == '*':
			end, err := skipBlockComment(src, i)
			if err != nil {
				return nil, err
			}
			i = end
		case isIdentStart(c) && (i+1 >= len(src) || (src[i+1] != '\'' && src[i+1] != '&' && src[i+1] != '"')):
			var t token
			t, i = lexIdent(src, i)
			toks = append(toks, t)
		case c == ',' || c == '(' || c == ')' || c == ';':
			toks = append(toks, token{kind: tkPunct, text: src[i : i+1], pos: off32(i), end: off32(i + 1)})
			i++
		case isOpChar(c) && (i+1 == len(src) || !isOpChar(src[i+1])):
			// A lone operator character: no comment can start here, no trailing-sign rule applies.
			toks = append(toks, token{kind: tkOp, text: src[i : i+1], pos: off32(i), end: off32(i + 1)})
			i++
		default:
			var t token
			var end int
			var err error
			switch { // the commonest tokens of bulk statements first, as lexToken reads them
			case c == '\'':
				t, end, err = lexString(src, i, false)
			case c >= '0' && c <= '9':
				t, end, err = lexNumber(src, i)
			default:
				t, end, err = lexToken(src, i)
			}
			if err != nil {
				return nil, err
			}
			t.pos, t.end = off32(i), off32(end)
			toks = append(toks, t)
			i = end
		}
	}
	return toks, nil
}

func skipBlockComment(src string, i int) (int, error) {
	depth := 0
	for i < len(src) {
		switch {
		case strings.HasPrefix(src[i:], "/*"):
			depth++
			i += 2
		case strings.HasPrefix(src[i:], "*/"):
			depth--
			i += 2
			if depth == 0 {
				return i, nil
			}
		default:
			i++
		}
	}
	return 0, errLexUnsure // unterminated comment
}

func lexToken(src string, i int) (token, int, error) {
	c := src[i]
	var next byte
	if i+1 < len(src) {
		next = src[i+1]
	}
	switch {
	case c == '\'':
		return lexString(src, i, false)
	case (c == 'e' || c == 'E') && next == '\'':
		return lexString(src, i+1, true)
	case next == '\'' && (c|0x20 == 'b' || c|0x20 == 'x' || c|0x20 == 'n'):
		_, end, err := lexString(src, i+1, false)
		return token{kind: tkOpaque}, end, err
	case (c == 'u' || c == 'U') && next == '&' && i+2 < len(src) && (src[i+2] == '\'' || src[i+2] == '"'):
		return token{}, 0, errLexUnsure // Unicode escapes and UESCAPE: leave to PostgreSQL
	case c == '"':
		return lexQuotedIdent(src, i)
	case isIdentStart(c):
		t, end := lexIdent(src, i)
		return t, end, nil
	case c >= '0' && c <= '9' || c == '.' && next >= '0' && next <= '9':
		return lexNumber(src, i)
	case c == '$':
		return lexDollar(src, i)
	case isOpChar(c):
		return lexOp(src, i)
	case c == ':':
		if next == ':' || next == '=' {
			return token{kind: tkPunct, text: src[i : i+2]}, i + 2, nil
		}
		return token{kind: tkPunct, text: ":"}, i + 1, nil
	case c == '.':
		if next == '.' {
			return token{kind: tkPunct, text: ".."}, i + 2, nil
		}
		return token{kind: tkPunct, text: "."}, i + 1, nil
	case strings.IndexByte(",()[];", c) >= 0:
		return token{kind: tkPunct, text: src[i : i+1]}, i + 1, nil
	}
	if c < 0x20 || c == 0x7f {
		return token{}, 0, errLexUnsure // \v and other control bytes
	}
	return token{kind: tkOpaque}, i + 1, nil
}

// lexString reads a quoted string starting at the quote at i, with its continuations.
func lexString(src string, i int, escapes bool) (token, int, error) {
	start := i
	continued := false
	// What the scan of a standard string's last segment saw; unknown (true) otherwise.
	high, doubled := true, true
	for {
		j := i + 1
		if !escapes {
			j, high, doubled = closingQuote(src, j)
		}
		for ; j < len(src); j++ {
			if escapes && src[j] == '\\' {
				j++
				continue
			}
			if src[j] == '\'' {
				if j+1 < len(src) && src[j+1] == '\'' {
					j++
					continue
				}
				break
			}
		}
		if j >= len(src) {
			return token{}, 0, errLexUnsure // unterminated
		}
		end := j + 1
		if k, ok := quoteContinues(src, end); ok {
			continued, i = true, k
			continue
		}
		body := src[start+1 : j]
		if (high || continued) && !utf8.ValidString(body) {
			return token{}, 0, errLexUnsure
		}
		if continued {
			return token{kind: tkOpaque}, end, nil
		}
		t := token{kind: tkString, esc: escapes, text: body}
		switch {
		case escapes:
			if !plainEscapes(body) {
				t.kind = tkOpaque
			}
		case doubled:
			t.text = strings.ReplaceAll(body, "''", "'")
		}
		return t, end, nil
	}
}

// closingQuote returns the index of the quote that ends a standard string whose body starts
// at j, skipping doubled quotes (len(src) when there is none), and whether the body holds a
// byte >= 0x80 or a doubled quote.
func closingQuote(src string, j int) (end int, high, doubled bool) {
	for ; j < len(src); j++ {
		switch c := src[j]; {
		case c == '\'':
			if j+1 < len(src) && src[j+1] == '\'' {
				doubled = true
				j++
				continue
			}
			return j, high, doubled
		case c >= 0x80:
			high = true
		}
	}
	return len(src), high, doubled
}

// quoteContinues reports whether a string literal continues at i: whitespace holding a newline
// (and possibly -- comments), then a quote. It returns the index of that quote.
func quoteContinues(src string, i int) (int, bool) {
	newline := false
	for i < len(src) {
		c := src[i]
		switch {
		case c == '\n' || c == '\r':
			newline = true
			i++
		case isSpace(c):
			i++
		case c == '-' && i+1 < len(src) && src[i+1] == '-':
			for i < len(src) && src[i] != '\n' && src[i] != '\r' {
				i++
			}
		case c == '\'' && newline:
			return i, true
		default:
			return 0, false
		}
	}
	return 0, false
}

// plainEscapes accepts E” bodies whose escapes cannot make PostgreSQL reject the string
// (octal, hex and Unicode escapes can produce NUL or invalid UTF-8).
func plainEscapes(body string) bool {
	for j := 0; j < len(body); j++ {
		if body[j] == '\\' {
			j++
			if j >= len(body) || strings.IndexByte("\\'\"bfnrt", body[j]) < 0 {
				return false
			}
		}
	}
	return true
}

func lexQuotedIdent(src string, i int) (token, int, error) {
	j := i + 1
	for ; j < len(src); j++ {
		if src[j] == '"' {
			if j+1 < len(src) && src[j+1] == '"' {
				j++
				continue
			}
			break
		}
	}
	if j >= len(src) {
		return token{}, 0, errLexUnsure
	}
	name := strings.ReplaceAll(src[i+1:j], `""`, `"`)
	if name == "" || len(name) > maxIdentBytes || !utf8.ValidString(name) {
		return token{kind: tkOpaque}, j + 1, nil
	}
	return token{kind: tkIdent, text: name, quoted: true}, j + 1, nil
}

// lowerByte folds ASCII upper case, as PostgreSQL folds unquoted identifiers.
var lowerByte = func() (t [256]byte) {
	for c := range t {
		t[c] = byte(c)
		if c >= 'A' && c <= 'Z' {
			t[c] = byte(c) + 'a' - 'A'
		}
	}
	return t
}()

// lexIdent reads an identifier or keyword, folded to lower case as PostgreSQL folds it.
func lexIdent(src string, i int) (token, int) {
	j := i
	var seen uint8
	var h uint32
	for j < len(src) {
		c := src[j]
		cl := byteClass[c]
		if cl&cIdentCont == 0 {
			break
		}
		seen |= cl
		h = kwHashStep(h, lowerByte[c])
		j++
	}
	n := j - i
	t := token{kind: tkIdent, pos: off32(i), end: off32(j), text: src[i:j]}
	if seen&cHigh != 0 || n > maxIdentBytes {
		t.kind, t.text = tkOpaque, ""
		return t, j
	}
	if n <= maxKeywordBytes {
		if e := lookupKeyword(t.text, h); e != nil {
			t.text, t.kw = e.word, e.cat
			return t, j
		}
	}
	if seen&cUpper != 0 {
		t.text = strings.ToLower(t.text)
	}
	return t, j
}

func lexNumber(src string, i int) (token, int, error) {
	j := i
	digits := func() {
		for j < len(src) && src[j] >= '0' && src[j] <= '9' {
			j++
		}
	}
	digits()
	if j < len(src) && src[j] == '.' {
		j++
		digits()
	}
	if j < len(src) && (src[j] == 'e' || src[j] == 'E') {
		k := j + 1
		if k < len(src) && (src[k] == '+' || src[k] == '-') {
			k++
		}
		if k < len(src) && src[k] >= '0' && src[k] <= '9' {
			j = k
			digits()
		}
	}
	if j < len(src) && (isIdentCont(src[j]) || src[j] == '.') {
		return token{}, 0, errLexUnsure // trailing junk, 1..2, 0x1F, 1_000: PostgreSQL's business
	}
	return token{kind: tkNumber, text: src[i:j]}, j, nil
}

func lexDollar(src string, i int) (token, int, error) {
	j := i + 1
	if j < len(src) && src[j] >= '0' && src[j] <= '9' {
		for j < len(src) && src[j] >= '0' && src[j] <= '9' {
			j++
		}
		if j < len(src) && isIdentCont(src[j]) {
			return token{}, 0, errLexUnsure
		}
		return token{kind: tkParam, text: src[i:j]}, j, nil
	}
	for j < len(src) && src[j] < 0x80 && (isIdentStart(src[j]) || j > i+1 && src[j] >= '0' && src[j] <= '9') {
		j++
	}
	if j >= len(src) || src[j] != '$' {
		return token{}, 0, errLexUnsure
	}
	tag := src[i : j+1]
	k := strings.Index(src[j+1:], tag)
	if k < 0 {
		return token{}, 0, errLexUnsure
	}
	body := src[j+1 : j+1+k]
	if !utf8.ValidString(body) {
		return token{}, 0, errLexUnsure
	}
	return token{kind: tkString, text: body}, j + 1 + k + len(tag), nil
}

// lexOp reads an operator the way scan.l does: the longest run of operator characters, cut
// before a comment start, without trailing + or - unless the operator holds one of ~!@#^&|`?%.
func lexOp(src string, i int) (token, int, error) {
	j := i
	for j < len(src) && isOpChar(src[j]) {
		j++
	}
	op := src[i:j]
	if k := commentStart(op); k >= 0 {
		op = op[:k]
	}
	if len(op) > 1 && (op[len(op)-1] == '+' || op[len(op)-1] == '-') &&
		!strings.ContainsAny(op[:len(op)-1], "~!@#^&|`?%") {
		for len(op) > 1 && (op[len(op)-1] == '+' || op[len(op)-1] == '-') {
			op = op[:len(op)-1]
		}
	}
	if op == "" {
		return token{}, 0, errLexUnsure
	}
	return token{kind: tkOp, text: op}, i + len(op), nil
}

func commentStart(op string) int {
	a, b := strings.Index(op, "/*"), strings.Index(op, "--")
	switch {
	case a < 0:
		return b
	case b < 0 || a < b:
		return a
	}
	return b
}
