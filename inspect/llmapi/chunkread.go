package llmapi

import (
	"encoding/json"
	"strconv"
	"unicode/utf8"
)

// decodeChatChunk fills ch from one Chat Completions stream chunk as json.Unmarshal(d, ch)
// would, and returns the error json.Unmarshal would (nil or not). The common chunk (keys
// spelled exactly once, in ASCII and without escapes; values of the types chatChunk has) is
// read by one pass over the bytes that checks the whole chunk is JSON and skips what chatChunk
// does not name. Anything else (a key equal to a field only without regard to case, a key
// read twice, an escaped or non-ASCII key where fields are matched, a value of another type, a
// number that is not a plain integer or overflows, a null element, nesting past maxChunkDepth,
// anything that is not JSON) is handed to encoding/json, so the result and the error are the
// old decode's: TestDecodeChatChunkMatchesUnmarshal, FuzzDecodeChatChunk.
func decodeChatChunk(d []byte, ch *chatChunk) error {
	r := chunkReader{b: d}
	var fast chatChunk
	if r.chunk(&fast) {
		*ch = fast
		return nil
	}
	*ch = chatChunk{}
	return json.Unmarshal(d, ch)
}

// maxChunkDepth bounds the nesting the one-pass reader follows; deeper input goes to
// encoding/json (whose own bound is far above it).
const maxChunkDepth = 256

// chunkReader reads one JSON value; every method reports false for input it leaves to
// encoding/json, including input that is not JSON.
type chunkReader struct {
	b     []byte
	i     int
	depth int
}

func (r *chunkReader) ws() {
	for r.i < len(r.b) {
		switch r.b[r.i] {
		case ' ', '\t', '\n', '\r':
			r.i++
		default:
			return
		}
	}
}

// peek returns the next non-space byte (0 at the end).
func (r *chunkReader) peek() byte {
	r.ws()
	if r.i >= len(r.b) {
		return 0
	}
	return r.b[r.i]
}

// null consumes a null literal at r.i.
func (r *chunkReader) null() bool {
	if r.peek() == 'n' && r.i+4 <= len(r.b) && string(r.b[r.i:r.i+4]) == "null" {
		r.i += 4
		return true
	}
	return false
}

// fieldSet guards one object's keys: a key read twice (encoding/json merges) and a key equal to
// a field only without regard to case are given up on. take returns the key's position in
// names, -1 for a key the struct does not name.
type fieldSet uint32

func (s *fieldSet) take(key []byte, names ...string) (int, bool) {
	for n, f := range names {
		if string(key) == f {
			if *s&(1<<n) != 0 {
				return 0, false
			}
			*s |= 1 << n
			return n, true
		}
		if asciiEqualFold(key, f) {
			return 0, false
		}
	}
	return -1, true
}

// asciiEqualFold reports whether the ASCII key equals f without regard to case.
func asciiEqualFold(key []byte, f string) bool {
	if len(key) != len(f) {
		return false
	}
	for i, c := range key {
		if c|0x20 != f[i]|0x20 || (c|0x20 < 'a' || c|0x20 > 'z') && c != f[i] {
			return false
		}
	}
	return true
}

// object reads the object at r.i, calling field for each key (ASCII, no escapes) with r.i at
// its value; field must consume the value.
func (r *chunkReader) object(field func(key []byte) bool) bool {
	if r.peek() != '{' || r.depth >= maxChunkDepth {
		return false
	}
	r.depth++
	r.i++
	if r.peek() == '}' {
		r.i++
		r.depth--
		return true
	}
	for {
		key, ok := r.plainKey()
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
			r.depth--
			return true
		default:
			return false
		}
	}
}

// array reads the array at r.i (null elements are given up on), calling elem with r.i at each
// element; elem must consume it.
func (r *chunkReader) array(elem func() bool) bool {
	if r.peek() != '[' || r.depth >= maxChunkDepth {
		return false
	}
	r.depth++
	r.i++
	if r.peek() == ']' {
		r.i++
		r.depth--
		return true
	}
	for {
		if r.peek() == 'n' || !elem() {
			return false
		}
		switch r.peek() {
		case ',':
			r.i++
		case ']':
			r.i++
			r.depth--
			return true
		default:
			return false
		}
	}
}

// plainKey reads a key with no escapes and only ASCII bytes (fields are matched on it).
func (r *chunkReader) plainKey() ([]byte, bool) {
	if r.peek() != '"' {
		return nil, false
	}
	for j := r.i + 1; j < len(r.b); j++ {
		switch c := r.b[j]; {
		case c == '"':
			s := r.b[r.i+1 : j]
			r.i = j + 1
			return s, true
		case c == '\\' || c >= 0x80 || c < 0x20:
			return nil, false
		}
	}
	return nil, false
}

// stringToken passes over a JSON string at r.i, checking it as encoding/json's scanner does,
// and returns its token (with the quotes) and whether it needs decoding (an escape, or bytes
// that are not valid UTF-8, which encoding/json replaces).
func (r *chunkReader) stringToken() (tok []byte, plain bool, ok bool) {
	if r.peek() != '"' {
		return nil, false, false
	}
	start, escaped, ascii := r.i, false, true
	for j := r.i + 1; j < len(r.b); j++ {
		c := r.b[j]
		switch {
		case c == '"':
			r.i = j + 1
			tok = r.b[start:r.i]
			return tok, !escaped && (ascii || utf8.Valid(tok)), true
		case c < 0x20:
			return nil, false, false
		case c >= 0x80:
			ascii = false
		case c == '\\':
			escaped = true
			if j+1 >= len(r.b) {
				return nil, false, false
			}
			switch r.b[j+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				j++
			case 'u':
				if j+5 >= len(r.b) || !isHex4(r.b[j+2:j+6]) {
					return nil, false, false
				}
				j += 5
			default:
				return nil, false, false
			}
		}
	}
	return nil, false, false
}

func isHex4(b []byte) bool {
	for _, c := range b {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') && (c < 'A' || c > 'F') {
			return false
		}
	}
	return true
}

// str reads a string value into *dst; null leaves it as it is (as encoding/json does).
func (r *chunkReader) str(dst *string) bool {
	if r.null() {
		return true
	}
	tok, plain, ok := r.stringToken()
	if !ok {
		return false
	}
	if plain {
		*dst = string(tok[1 : len(tok)-1])
		return true
	}
	return json.Unmarshal(tok, dst) == nil
}

// number passes over a JSON number at r.i and reports whether it is a plain integer.
func (r *chunkReader) number() (integer bool, ok bool) {
	j := r.i
	if j < len(r.b) && r.b[j] == '-' {
		j++
	}
	switch {
	case j < len(r.b) && r.b[j] == '0':
		j++
	case j < len(r.b) && '1' <= r.b[j] && r.b[j] <= '9':
		for j < len(r.b) && '0' <= r.b[j] && r.b[j] <= '9' {
			j++
		}
	default:
		return false, false
	}
	integer = true
	if j < len(r.b) && r.b[j] == '.' {
		integer = false
		j++
		k := j
		for j < len(r.b) && '0' <= r.b[j] && r.b[j] <= '9' {
			j++
		}
		if j == k {
			return false, false
		}
	}
	if j < len(r.b) && (r.b[j] == 'e' || r.b[j] == 'E') {
		integer = false
		j++
		if j < len(r.b) && (r.b[j] == '+' || r.b[j] == '-') {
			j++
		}
		k := j
		for j < len(r.b) && '0' <= r.b[j] && r.b[j] <= '9' {
			j++
		}
		if j == k {
			return false, false
		}
	}
	r.i = j
	return integer, true
}

// integer reads an int field; null leaves it as it is.
func (r *chunkReader) integer(dst *int) bool {
	if r.null() {
		return true
	}
	start := r.i
	integer, ok := r.number()
	if !ok || !integer {
		return false
	}
	n, err := strconv.ParseInt(string(r.b[start:r.i]), 10, 64)
	if err != nil {
		return false
	}
	*dst = int(n)
	return true
}

// skip passes over any JSON value, checking it.
func (r *chunkReader) skip() bool {
	switch r.peek() {
	case '{':
		if r.depth >= maxChunkDepth {
			return false
		}
		r.depth++
		r.i++
		if r.peek() == '}' {
			r.i++
			r.depth--
			return true
		}
		for {
			if _, _, ok := r.stringToken(); !ok || r.peek() != ':' {
				return false // a key of a value skipped: any string
			}
			r.i++
			if !r.skip() {
				return false
			}
			switch r.peek() {
			case ',':
				r.i++
			case '}':
				r.i++
				r.depth--
				return true
			default:
				return false
			}
		}
	case '[':
		if r.depth >= maxChunkDepth {
			return false
		}
		r.depth++
		r.i++
		if r.peek() == ']' {
			r.i++
			r.depth--
			return true
		}
		for {
			if !r.skip() {
				return false
			}
			switch r.peek() {
			case ',':
				r.i++
			case ']':
				r.i++
				r.depth--
				return true
			default:
				return false
			}
		}
	case '"':
		_, _, ok := r.stringToken()
		return ok
	case 't':
		return r.literal("true")
	case 'f':
		return r.literal("false")
	case 'n':
		return r.literal("null")
	}
	_, ok := r.number()
	return ok
}

func (r *chunkReader) literal(s string) bool {
	if r.i+len(s) <= len(r.b) && string(r.b[r.i:r.i+len(s)]) == s {
		r.i += len(s)
		return true
	}
	return false
}

// argText reads a tool call's arguments as argText.UnmarshalJSON gets them: a string's value,
// any other value's JSON text, "" for null.
func (r *chunkReader) argText(dst *argText) bool {
	if r.null() {
		*dst = ""
		return true
	}
	if r.peek() == '"' {
		var s string
		if !r.str(&s) {
			return false
		}
		*dst = argText(s)
		return true
	}
	start := r.i
	if !r.skip() {
		return false
	}
	*dst = argText(r.b[start:r.i])
	return true
}
