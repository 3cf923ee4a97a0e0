package redact

import (
	"encoding/json"
	"strconv"
	"strings"
)

// decodeHead fills head from one JSON event as json.Unmarshal(payload, head)
// would, and reports whether that succeeded. The common event (every key
// spelled exactly once, integers where eventHead has ints) is read by a
// single pass over the bytes that skips what eventHead does not name; any
// other input (a key that differs from a field only in case, a repeated key,
// an escape in a key or a type, a number that is not a plain integer, a value
// of another type) is handed to encoding/json, so the result is the same.
func decodeHead(payload []byte, head *eventHead) bool {
	var h eventHead
	if r := (headReader{b: payload}); r.top(&h) {
		*head = h
		return true
	}
	*head = eventHead{}
	return json.Unmarshal(payload, head) == nil
}

// headReader reads a JSON value known to be valid (jsonStrings validated it)
// and reports false for anything it leaves to encoding/json.
type headReader struct {
	b []byte
	i int
}

func (r *headReader) ws() {
	for r.i < len(r.b) && (r.b[r.i] == ' ' || r.b[r.i] == '\t' || r.b[r.i] == '\n' || r.b[r.i] == '\r') {
		r.i++
	}
}

// peek returns the next non-space byte (0 at the end).
func (r *headReader) peek() byte {
	r.ws()
	if r.i >= len(r.b) {
		return 0
	}
	return r.b[r.i]
}

// object calls field for each key of the object at r.i (keys without escapes
// and in ASCII only); field reports false to give up.
func (r *headReader) object(field func(key string) bool) bool {
	if r.peek() != '{' {
		return false
	}
	r.i++
	if r.peek() == '}' {
		r.i++
		return true
	}
	for {
		key, ok := r.plainString()
		if !ok || r.peek() != ':' {
			return false
		}
		r.i++
		r.ws()
		if !field(key) {
			return false
		}
		switch r.peek() {
		case ',':
			r.i++
		case '}':
			r.i++
			return true
		default:
			return false
		}
	}
}

// array calls elem for each element of the array at r.i.
func (r *headReader) array(elem func() bool) bool {
	if r.peek() != '[' {
		return false
	}
	r.i++
	if r.peek() == ']' {
		r.i++
		return true
	}
	for {
		r.ws()
		if !elem() {
			return false
		}
		switch r.peek() {
		case ',':
			r.i++
		case ']':
			r.i++
			return true
		default:
			return false
		}
	}
}

// plainString reads a string with no escapes and only ASCII bytes.
func (r *headReader) plainString() (string, bool) {
	if r.peek() != '"' {
		return "", false
	}
	for j := r.i + 1; j < len(r.b); j++ {
		switch c := r.b[j]; {
		case c == '"':
			s := string(r.b[r.i+1 : j])
			r.i = j + 1
			return s, true
		case c == '\\' || c >= 0x80 || c < 0x20:
			return "", false
		}
	}
	return "", false
}

// null consumes a null literal.
func (r *headReader) null() bool {
	if r.i+4 <= len(r.b) && string(r.b[r.i:r.i+4]) == "null" {
		r.i += 4
		return true
	}
	return false
}

// integer reads a number written as a plain integer that fits an int.
func (r *headReader) integer() (int, bool) {
	j := r.i
	if j < len(r.b) && r.b[j] == '-' {
		j++
	}
	for j < len(r.b) && r.b[j] >= '0' && r.b[j] <= '9' {
		j++
	}
	if j < len(r.b) && (r.b[j] == '.' || r.b[j] == 'e' || r.b[j] == 'E') {
		return 0, false
	}
	n, err := strconv.Atoi(string(r.b[r.i:j]))
	if err != nil {
		return 0, false
	}
	r.i = j
	return n, true
}

// optInt reads an int or null into *p.
func (r *headReader) optInt(p **int) bool {
	if r.null() {
		*p = nil
		return true
	}
	n, ok := r.integer()
	if ok {
		*p = &n
	}
	return ok
}

// skip passes over one valid JSON value.
func (r *headReader) skip() bool {
	r.ws()
	depth := 0
	for r.i < len(r.b) {
		switch r.b[r.i] {
		case '"':
			j := r.i + 1
			for j < len(r.b) && r.b[j] != '"' {
				if r.b[j] == '\\' {
					j++
				}
				j++
			}
			if j >= len(r.b) {
				return false
			}
			r.i = j + 1
		case '{', '[':
			depth++
			r.i++
			continue
		case '}', ']':
			if depth == 0 {
				return false
			}
			depth--
			r.i++
		default:
			j := r.i + 1 // a scalar, or a ':', ',' or space inside an object or array
			for j < len(r.b) && !isJSONDelim(r.b[j]) {
				j++
			}
			r.i = j
		}
		if depth == 0 {
			return true
		}
	}
	return false
}

func isJSONDelim(c byte) bool {
	switch c {
	case ',', '}', ']', ':', '"', '{', '[', ' ', '\t', '\n', '\r':
		return true
	}
	return false
}

// fields guards against a key read twice (encoding/json's last-wins merge is left to it) and
// a key that matches a field only without regard to case: take returns the field's position
// in names (-1 for a key eventHead does not name) and false to give up.
type fields uint32

func (s *fields) take(key string, names ...string) (int, bool) {
	for n, f := range names {
		if key == f {
			if *s&(1<<n) != 0 {
				return 0, false
			}
			*s |= 1 << n
			return n, true
		}
		if strings.EqualFold(key, f) {
			return 0, false
		}
	}
	return -1, true
}

// top reads the event object.
func (r *headReader) top(h *eventHead) bool {
	var s fields
	ok := r.object(func(key string) bool {
		f, ok := s.take(key, "type", "index", "output_index", "content_index", "summary_index", "choices")
		switch {
		case !ok:
			return false
		case f == 0:
			if r.null() {
				return true
			}
			t, ok := r.plainString()
			h.Type = t
			return ok
		case f == 1:
			return r.optInt(&h.Index)
		case f == 2:
			return r.optInt(&h.OutputIndex)
		case f == 3:
			return r.optInt(&h.ContentIndex)
		case f == 4:
			return r.optInt(&h.SummaryIndex)
		case f == 5:
			return r.choices(h)
		}
		return r.skip()
	})
	r.ws()
	return ok && r.i == len(r.b)
}

func (r *headReader) choices(h *eventHead) bool {
	if r.null() {
		h.Choices = nil
		return true
	}
	h.Choices = h.Choices[:0]
	return r.array(func() bool {
		h.Choices = append(h.Choices, headChoice{})
		ch := &h.Choices[len(h.Choices)-1]
		var s fields
		return r.object(func(key string) bool {
			f, ok := s.take(key, "index", "finish_reason", "delta")
			switch {
			case !ok:
				return false
			case f == 0:
				if r.null() {
					return true
				}
				n, ok := r.integer()
				ch.Index = n
				return ok
			case f == 1:
				if r.null() {
					return true
				}
				v, ok := r.plainString()
				ch.FinishReason = &v
				return ok
			case f == 2:
				if r.null() {
					return true
				}
				ch.Delta = &headDelta{}
				return r.delta(&ch.Delta.ToolCalls)
			}
			return r.skip()
		})
	})
}

func (r *headReader) delta(calls *[]headToolCall) bool {
	var s fields
	return r.object(func(key string) bool {
		f, ok := s.take(key, "tool_calls")
		switch {
		case !ok:
			return false
		case f == 0:
			if r.null() {
				*calls = nil
				return true
			}
			*calls = (*calls)[:0]
			return r.array(func() bool {
				*calls = append(*calls, headToolCall{})
				c := &(*calls)[len(*calls)-1]
				var cs fields
				return r.object(func(key string) bool {
					f, ok := cs.take(key, "index")
					switch {
					case !ok:
						return false
					case f == 0:
						if r.null() {
							return true
						}
						n, ok := r.integer()
						c.Index = n
						return ok
					}
					return r.skip()
				})
			})
		}
		return r.skip()
	})
}
