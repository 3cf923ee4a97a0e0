package inspect

import (
	"bytes"
	"encoding/json"
	"strconv"
	"unicode/utf8"

	"github.com/warden-gw/warden/exchange"
)

// decodeJSON decodes body into the values encoding/json gives for an `any` target
// (map[string]any, []any, string, float64, bool, nil). A single-pass decoder reads the
// common shapes; whatever it does not read exactly as encoding/json does (invalid UTF-8,
// control bytes, numbers that do not fit, very deep nesting, any syntax error) goes to
// encoding/json, so the result and the error/no-error outcome are always encoding/json's.
func decodeJSON(body []byte) (any, bool) {
	v, _, ok := decodeJSONAll(body)
	return v, ok
}

// decodeJSONAll is decodeJSON that also returns the values a repeated key shadowed, each as a
// one-key object {key: value}: servers differ in which of the values they use, so every one is
// judged.
func decodeJSONAll(body []byte) (any, []any, bool) {
	d := jsonDecoder{s: body}
	if v, ok := d.value(0); ok {
		d.space()
		if d.i == len(d.s) {
			return v, d.dups, true
		}
	}
	var v any
	if json.Unmarshal(body, &v) != nil {
		return nil, nil, false
	}
	return v, duplicatesOf(body), true
}

// duplicatesOf finds the shadowed values of repeated keys in valid JSON, with encoding/json's
// tokenizer (the path for text the single-pass decoder leaves to encoding/json).
func duplicatesOf(body []byte) []any {
	t := tokenDecoder{dec: json.NewDecoder(bytes.NewReader(body))}
	t.value(0)
	return t.dups
}

type tokenDecoder struct {
	dec  *json.Decoder
	dups []any
}

func (t *tokenDecoder) value(depth int) any {
	tok, err := t.dec.Token()
	if err != nil {
		return nil
	}
	delim, ok := tok.(json.Delim)
	if !ok {
		return tok
	}
	switch delim {
	case '{':
		m := map[string]any{}
		for t.dec.More() {
			kt, err := t.dec.Token()
			if err != nil {
				return m
			}
			k, _ := kt.(string)
			v := t.value(depth + 1)
			if old, ok := m[k]; ok && len(t.dups) <= maxDuplicates {
				t.dups = append(t.dups, map[string]any{k: old})
			}
			m[k] = v
		}
		_, _ = t.dec.Token()
		return m
	case '[':
		a := []any{}
		for t.dec.More() {
			a = append(a, t.value(depth+1))
		}
		_, _ = t.dec.Token()
		return a
	}
	return nil
}

// maxFastJSONDepth bounds the single-pass decoder's recursion; deeper text goes to encoding/json.
const maxFastJSONDepth = 256

type jsonDecoder struct {
	s    []byte
	i    int
	dups []any // values shadowed by repeated keys, each as {key: value}
}

func (d *jsonDecoder) space() {
	for d.i < len(d.s) {
		switch d.s[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// value reads one value after optional white space; ok is false when encoding/json must decide.
func (d *jsonDecoder) value(depth int) (any, bool) {
	d.space()
	if d.i >= len(d.s) || depth > maxFastJSONDepth {
		return nil, false
	}
	switch c := d.s[d.i]; {
	case c == '{':
		return d.object(depth)
	case c == '[':
		return d.array(depth)
	case c == '"':
		s, ok := d.str()
		return s, ok
	case c == '-' || c >= '0' && c <= '9':
		return d.number()
	default:
		return d.literal()
	}
}

func (d *jsonDecoder) object(depth int) (any, bool) {
	d.i++ // {
	m := map[string]any{}
	d.space()
	if d.i < len(d.s) && d.s[d.i] == '}' {
		d.i++
		return m, true
	}
	for {
		d.space()
		if d.i >= len(d.s) || d.s[d.i] != '"' {
			return nil, false
		}
		k, ok := d.str()
		if !ok {
			return nil, false
		}
		d.space()
		if d.i >= len(d.s) || d.s[d.i] != ':' {
			return nil, false
		}
		d.i++
		v, ok := d.value(depth + 1)
		if !ok {
			return nil, false
		}
		if old, seen := m[k]; seen && len(d.dups) <= maxDuplicates {
			d.dups = append(d.dups, map[string]any{k: old})
		}
		m[k] = v // a repeated key: the last one wins, as in encoding/json
		d.space()
		if d.i >= len(d.s) {
			return nil, false
		}
		switch d.s[d.i] {
		case ',':
			d.i++
		case '}':
			d.i++
			return m, true
		default:
			return nil, false
		}
	}
}

func (d *jsonDecoder) array(depth int) (any, bool) {
	d.i++ // [
	a := []any{}
	d.space()
	if d.i < len(d.s) && d.s[d.i] == ']' {
		d.i++
		return a, true
	}
	for {
		v, ok := d.value(depth + 1)
		if !ok {
			return nil, false
		}
		a = append(a, v)
		d.space()
		if d.i >= len(d.s) {
			return nil, false
		}
		switch d.s[d.i] {
		case ',':
			d.i++
		case ']':
			d.i++
			return a, true
		default:
			return nil, false
		}
	}
}

// str reads a string at the opening quote. Invalid UTF-8 (which encoding/json replaces) and
// control bytes are left to encoding/json.
func (d *jsonDecoder) str() (string, bool) {
	start := d.i + 1
	j := start
	for j < len(d.s) {
		c := d.s[j]
		if c == '"' {
			body := d.s[start:j]
			if !utf8.Valid(body) {
				return "", false
			}
			d.i = j + 1
			return string(body), true
		}
		if c == '\\' {
			return d.escapedStr(start)
		}
		if c < 0x20 {
			return "", false
		}
		j++
	}
	return "", false
}

// escapedStr reads a string holding escapes: it finds the closing quote, checking each escape,
// and decodes the text with exchange.AppendUnescaped, which decodes \u escapes (surrogate
// pairs, a lone surrogate as U+FFFD) as encoding/json does.
func (d *jsonDecoder) escapedStr(start int) (string, bool) {
	for j := start; j < len(d.s); j++ {
		switch c := d.s[j]; {
		case c == '"':
			out := exchange.AppendUnescaped(make([]byte, 0, j-start), d.s[start:j])
			if !utf8.Valid(out) {
				return "", false
			}
			d.i = j + 1
			return string(out), true
		case c < 0x20:
			return "", false
		case c == '\\':
			j++
			if j >= len(d.s) {
				return "", false
			}
			switch d.s[j] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if j+4 >= len(d.s) || !isHex4(d.s[j+1:j+5]) {
					return "", false
				}
				j += 4
			default:
				return "", false
			}
		}
	}
	return "", false
}

func isHex4(h []byte) bool {
	for _, c := range h {
		switch {
		case c >= '0' && c <= '9', c >= 'a' && c <= 'f', c >= 'A' && c <= 'F':
		default:
			return false
		}
	}
	return true
}

// number reads a number with JSON's grammar and converts it as encoding/json does.
func (d *jsonDecoder) number() (any, bool) {
	s, j := d.s, d.i
	if s[j] == '-' {
		j++
	}
	switch {
	case j < len(s) && s[j] == '0':
		j++
	case j < len(s) && s[j] >= '1' && s[j] <= '9':
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
	default:
		return nil, false
	}
	if j < len(s) && s[j] == '.' {
		j++
		k := j
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		if j == k {
			return nil, false
		}
	}
	if j < len(s) && (s[j] == 'e' || s[j] == 'E') {
		j++
		if j < len(s) && (s[j] == '+' || s[j] == '-') {
			j++
		}
		k := j
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		if j == k {
			return nil, false
		}
	}
	f, err := strconv.ParseFloat(string(s[d.i:j]), 64)
	if err != nil {
		return nil, false
	}
	d.i = j
	return f, true
}

func (d *jsonDecoder) literal() (any, bool) {
	rest := d.s[d.i:]
	switch {
	case len(rest) >= 4 && string(rest[:4]) == "true":
		d.i += 4
		return true, true
	case len(rest) >= 5 && string(rest[:5]) == "false":
		d.i += 5
		return false, true
	case len(rest) >= 4 && string(rest[:4]) == "null":
		d.i += 4
		return nil, true
	}
	return nil, false
}
