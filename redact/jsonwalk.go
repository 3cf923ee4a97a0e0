package redact

import (
	"bytes"
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/warden-gw/warden/exchange"
)

// ErrInvalidJSON is returned by RedactJSON for a body that is not valid JSON;
// callers fall back to the byte scanner (Redact), which still scans it.
var ErrInvalidJSON = errors.New("redact: body is not valid JSON")

const maxJSONDepth = 1000

// pathElem is one step from the root to a value: an object key or an index.
type pathElem struct {
	key   string
	index int
	isKey bool
}

// jsonVisit is called for every string value (not object keys) with its path
// and the byte span of the quoted token.
type jsonVisit func(path []pathElem, start, end int)

type jsonWalker struct {
	b     []byte
	i     int
	path  []pathElem
	visit jsonVisit
}

// walkJSON validates b as one JSON value (RFC 8259) and visits every string.
func walkJSON(b []byte, visit jsonVisit) error {
	w := &jsonWalker{b: b, visit: visit}
	w.ws()
	if err := w.value(0); err != nil {
		return err
	}
	w.ws()
	if w.i != len(b) {
		return w.errf("unexpected data after the JSON value")
	}
	return nil
}

func (w *jsonWalker) errf(format string, a ...any) error {
	return fmt.Errorf("%w: at byte %d: %s", ErrInvalidJSON, w.i, fmt.Sprintf(format, a...))
}

func (w *jsonWalker) ws() {
	for w.i < len(w.b) {
		switch w.b[w.i] {
		case ' ', '\t', '\n', '\r':
			w.i++
		default:
			return
		}
	}
}

func (w *jsonWalker) value(depth int) error {
	if depth > maxJSONDepth {
		return w.errf("nesting deeper than %d", maxJSONDepth)
	}
	if w.i >= len(w.b) {
		return w.errf("truncated: value expected")
	}
	switch c := w.b[w.i]; {
	case c == '{':
		return w.object(depth)
	case c == '[':
		return w.array(depth)
	case c == '"':
		s := w.i
		if err := w.str(); err != nil {
			return err
		}
		if w.visit != nil {
			w.visit(w.path, s, w.i)
		}
		return nil
	case c == 't':
		return w.lit("true")
	case c == 'f':
		return w.lit("false")
	case c == 'n':
		return w.lit("null")
	case c == '-' || isDigit(c):
		return w.number()
	default:
		return w.errf("unexpected character %q", c)
	}
}

func (w *jsonWalker) lit(s string) error {
	if len(w.b)-w.i < len(s) || string(w.b[w.i:w.i+len(s)]) != s {
		return w.errf("invalid literal")
	}
	w.i += len(s)
	return nil
}

func (w *jsonWalker) digits() int {
	n := 0
	for w.i < len(w.b) && isDigit(w.b[w.i]) {
		w.i++
		n++
	}
	return n
}

func (w *jsonWalker) number() error {
	if w.b[w.i] == '-' {
		w.i++
	}
	if w.i < len(w.b) && w.b[w.i] == '0' {
		w.i++
	} else if w.digits() == 0 {
		return w.errf("invalid number")
	}
	if w.i < len(w.b) && w.b[w.i] == '.' {
		w.i++
		if w.digits() == 0 {
			return w.errf("invalid number fraction")
		}
	}
	if w.i < len(w.b) && (w.b[w.i] == 'e' || w.b[w.i] == 'E') {
		w.i++
		if w.i < len(w.b) && (w.b[w.i] == '+' || w.b[w.i] == '-') {
			w.i++
		}
		if w.digits() == 0 {
			return w.errf("invalid number exponent")
		}
	}
	return nil
}

func isHex(c byte) bool { return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

// str consumes a string token, checking escapes and rejecting raw control
// characters.
func (w *jsonWalker) str() error {
	w.i++
	for w.i < len(w.b) {
		c := w.b[w.i]
		switch {
		case c == '"':
			w.i++
			return nil
		case c == '\\':
			if w.i+1 >= len(w.b) {
				return w.errf("truncated escape")
			}
			switch w.b[w.i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				w.i += 2
			case 'u':
				if w.i+6 > len(w.b) || !isHex(w.b[w.i+2]) || !isHex(w.b[w.i+3]) || !isHex(w.b[w.i+4]) || !isHex(w.b[w.i+5]) {
					return w.errf("invalid \\u escape")
				}
				w.i += 6
			default:
				return w.errf("invalid escape")
			}
		case c < 0x20:
			return w.errf("control character in string")
		default:
			w.i++
		}
	}
	return w.errf("truncated string")
}

func (w *jsonWalker) object(depth int) error {
	w.i++
	w.ws()
	if w.i < len(w.b) && w.b[w.i] == '}' {
		w.i++
		return nil
	}
	for {
		w.ws()
		if w.i >= len(w.b) || w.b[w.i] != '"' {
			return w.errf("object key expected")
		}
		ks := w.i
		if err := w.str(); err != nil {
			return err
		}
		key := string(decodeJSONString(w.b[ks:w.i]))
		w.ws()
		if w.i >= len(w.b) || w.b[w.i] != ':' {
			return w.errf("':' expected")
		}
		w.i++
		w.ws()
		w.path = append(w.path, pathElem{key: key, isKey: true})
		if err := w.value(depth + 1); err != nil {
			return err
		}
		w.path = w.path[:len(w.path)-1]
		w.ws()
		if w.i >= len(w.b) {
			return w.errf("truncated object")
		}
		if w.b[w.i] == '}' {
			w.i++
			return nil
		}
		if w.b[w.i] != ',' {
			return w.errf("',' or '}' expected")
		}
		w.i++
	}
}

func (w *jsonWalker) array(depth int) error {
	w.i++
	w.ws()
	if w.i < len(w.b) && w.b[w.i] == ']' {
		w.i++
		return nil
	}
	for n := 0; ; n++ {
		w.ws()
		w.path = append(w.path, pathElem{index: n})
		if err := w.value(depth + 1); err != nil {
			return err
		}
		w.path = w.path[:len(w.path)-1]
		w.ws()
		if w.i >= len(w.b) {
			return w.errf("truncated array")
		}
		if w.b[w.i] == ']' {
			w.i++
			return nil
		}
		if w.b[w.i] != ',' {
			return w.errf("',' or ']' expected")
		}
		w.i++
	}
}

// decodeJSONString decodes a validated, quoted string token. A string without
// an escape (most of them) is returned as the bytes between its quotes, capped
// so an append copies: callers read the result and never write to it.
func decodeJSONString(tok []byte) []byte {
	s := tok[1 : len(tok)-1]
	if bytes.IndexByte(s, '\\') < 0 {
		return s[:len(s):len(s)]
	}
	return exchange.AppendUnescaped(make([]byte, 0, len(s)), s)
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a quoted JSON string. Invalid UTF-8 becomes
// U+FFFD so the output is always valid JSON.
func appendJSONString(dst, s []byte) []byte {
	dst = append(dst, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				dst = append(dst, '\\', c)
			case c == '\n':
				dst = append(dst, '\\', 'n')
			case c == '\r':
				dst = append(dst, '\\', 'r')
			case c == '\t':
				dst = append(dst, '\\', 't')
			case c < 0x20 || c == 0x7f:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			default:
				dst = append(dst, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, `\ufffd`...)
		} else {
			dst = append(dst, s[i:i+size]...)
		}
		i += size
	}
	return append(dst, '"')
}
