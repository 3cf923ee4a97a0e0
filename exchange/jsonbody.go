package exchange

import (
	"bytes"
	"encoding/binary"
	"sync"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"
)

// JSONBody is a JSON body read once, in a single validating pass, so that every stage that
// needs its values (inspection, the LLM response reader, redaction) reads them from here
// instead of decoding the bytes again. Nodes lists every value and every object key in
// document order: an object is followed by its members (each a key node, then the value's
// nodes), an array by its elements. Each node carries its token's byte span in Src, so a stage
// that rewrites a string (redaction) splices the original bytes.
//
// A JSONBody is read-only once built and belongs to the bytes it was read from: check Of before
// using it for a body. Those bytes must not change afterwards: the strings StdText returns share
// their memory (see ParseJSON).
type JSONBody struct {
	// Src is the body the nodes point into.
	Src []byte
	// Nodes are the values and object keys in document order; Nodes[0] is the root value.
	Nodes []JSONNode
	// MaxDepth is the depth of the deepest value: the root is at 0, a member or element of a
	// value at depth d is at d+1.
	MaxDepth int
	arena    []byte   // decoded text of the strings that hold escapes
	keys     []string // the names of the JSONKey nodes, in order
}

// JSONKind is the kind of one node.
type JSONKind uint8

// The kinds of JSON node. JSONKey is an object member's name; the member's value follows it.
const (
	JSONNull JSONKind = iota
	JSONFalse
	JSONTrue
	JSONNumber
	JSONString
	JSONKey
	JSONObject
	JSONArray
)

// JSONNode is one value or object key of a JSONBody.
type JSONNode struct {
	// Start and End are the token's bytes in Src: a string or key with its quotes, a number or
	// literal, a container from its opening to its closing bracket.
	Start, End int32
	// Next is the index of the first node after this value and everything in it: the next
	// sibling, or the end of the parent. For a key, the index of its value.
	Next int32
	// Members is the number of members of an object or elements of an array (for a key, the
	// position of its name in the body's list of names).
	Members int32
	text    int32 // decoded text of a string or key: offset in Src, or in arena when escaped
	textLen int32
	Kind    JSONKind
	flags   uint8
}

const (
	jsonEscaped     uint8 = 1 << iota // the decoded text is in the arena
	jsonInvalidUTF8                   // the decoded text is not valid UTF-8
)

// maxJSONNesting bounds nested arrays and objects as encoding/json does (10000): deeper text
// is not read here.
const maxJSONNesting = 10000

// ParseJSON reads b as exactly one JSON value (RFC 8259, white space around it allowed). ok is
// false for anything else: invalid syntax, trailing data, a byte order mark, nesting deeper
// than 10000. Strings may hold invalid UTF-8, as encoding/json allows (Text keeps the bytes,
// StdText replaces them as encoding/json does).
//
// The JSONBody keeps b, and the strings StdText returns are not copies: they share b's memory
// (or the body's own buffer of unescaped text), so b must never be modified once read. The
// pipeline reads request and response bodies that nothing writes to (a body held by extproc is
// only ever appended to past its end, and a decoded body is a new buffer).
func ParseJSON(b []byte) (*JSONBody, bool) {
	if len(b) > 1<<31-1 {
		return nil, false
	}
	j := jsonBodies.Get().(*JSONBody)
	j.Src = b
	if want := 16 + len(b)/128; cap(j.Nodes) < want {
		j.Nodes = make([]JSONNode, 0, want)
	}
	p := jsonParser{j: j}
	p.ws()
	if !p.value(0, 0) {
		ReleaseJSON(j)
		return nil, false
	}
	p.ws()
	if p.i != len(b) {
		ReleaseJSON(j)
		return nil, false
	}
	return j, true
}

// jsonBodies holds bodies given back by ReleaseJSON, with their node and key arrays: every
// exchange reads one or two JSON bodies, and their nodes were ~2–3 KB of allocation each.
var jsonBodies = sync.Pool{New: func() any { return new(JSONBody) }}

// maxPooledNodes bounds the node array a released body keeps for reuse (~112 KB); the rare
// larger body's nodes are left to the garbage collector.
const maxPooledNodes = 4096

// ReleaseJSON gives j (from ParseJSON; nil is allowed) back for reuse by a later ParseJSON. The
// caller must hold the only reference still in use: j, its Nodes and anything read through
// Text or Raw must not be used afterwards. Strings from Key, StdKey and StdText stay valid
// (they share the body's bytes, or buffers that are not reused).
func ReleaseJSON(j *JSONBody) {
	if j == nil {
		return
	}
	nodes, keys := j.Nodes[:0], j.keys
	if cap(nodes) > maxPooledNodes {
		nodes = nil
	}
	clear(keys) // keep no key string alive
	if cap(keys) > maxPooledNodes {
		keys = nil
	}
	// The arena is not kept: strings StdText returned may share it.
	*j = JSONBody{Nodes: nodes, keys: keys[:0]}
	jsonBodies.Put(j)
}

// i32 is an offset or index as a node holds it: ParseJSON refuses bodies of 2 GiB and more, and
// a body has fewer nodes than bytes.
func i32(i int) int32 { return int32(i) } //nolint:gosec // G115: bounded as said above

// Of reports whether j was read from exactly body (the same bytes, not a copy).
func (j *JSONBody) Of(body []byte) bool {
	return j != nil && len(body) == len(j.Src) && len(body) > 0 && &body[0] == &j.Src[0]
}

// Text returns the decoded text of a string or key node: escapes decoded (a lone surrogate as
// U+FFFD), every other byte as sent, invalid UTF-8 included. The caller must not modify it.
func (j *JSONBody) Text(i int) []byte {
	n := &j.Nodes[i]
	if n.flags&jsonEscaped != 0 {
		return j.arena[n.text : n.text+n.textLen : n.text+n.textLen]
	}
	return j.Src[n.text : n.text+n.textLen : n.text+n.textLen]
}

// StdText returns a string node's text as encoding/json decodes it: Text with each byte of
// invalid UTF-8 replaced by U+FFFD. Valid text is not copied: the string shares the body's
// memory (Src, or the buffer of unescaped text), which never changes once read (ParseJSON), so
// inspection's values of a 4 KiB prompt cost no second 4 KiB.
func (j *JSONBody) StdText(i int) string {
	t := j.Text(i)
	if j.Nodes[i].flags&jsonInvalidUTF8 == 0 {
		return unsafe.String(unsafe.SliceData(t), len(t)) //nolint:gosec // G103: the bytes never change once read (see above)
	}
	out := make([]byte, 0, len(t)+8)
	for len(t) > 0 {
		r, size := utf8.DecodeRune(t)
		if r == utf8.RuneError && size == 1 {
			out = utf8.AppendRune(out, utf8.RuneError)
		} else {
			out = append(out, t[:size]...)
		}
		t = t[size:]
	}
	return string(out)
}

// Raw returns the node's token as sent (a container with everything in it).
func (j *JSONBody) Raw(i int) []byte {
	n := &j.Nodes[i]
	return j.Src[n.Start:n.End:n.End]
}

type jsonParser struct {
	j *JSONBody
	i int
}

func (p *jsonParser) ws() {
	b := p.j.Src
	for p.i < len(b) {
		switch b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

// value reads one value at p.i (white space before it already skipped); depth is the value's
// depth, nest the number of containers around it.
func (p *jsonParser) value(depth, nest int) bool {
	b := p.j.Src
	if p.i >= len(b) {
		return false
	}
	if depth > p.j.MaxDepth {
		p.j.MaxDepth = depth
	}
	switch c := b[p.i]; {
	case c == '{':
		return nest < maxJSONNesting && p.object(depth, nest+1)
	case c == '[':
		return nest < maxJSONNesting && p.array(depth, nest+1)
	case c == '"':
		return p.str(JSONString)
	case c == 't':
		return p.lit("true", JSONTrue)
	case c == 'f':
		return p.lit("false", JSONFalse)
	case c == 'n':
		return p.lit("null", JSONNull)
	case c == '-' || c >= '0' && c <= '9':
		return p.number()
	}
	return false
}

func (p *jsonParser) add(n JSONNode) int {
	p.j.Nodes = append(p.j.Nodes, n)
	return len(p.j.Nodes) - 1
}

func (p *jsonParser) lit(s string, k JSONKind) bool {
	b := p.j.Src
	if len(b)-p.i < len(s) || string(b[p.i:p.i+len(s)]) != s {
		return false
	}
	idx := p.add(JSONNode{Kind: k, Start: i32(p.i), End: i32(p.i + len(s))})
	p.i += len(s)
	p.j.Nodes[idx].Next = i32(idx + 1)
	return true
}

func (p *jsonParser) digits() int {
	b, n := p.j.Src, 0
	for p.i < len(b) && b[p.i] >= '0' && b[p.i] <= '9' {
		p.i++
		n++
	}
	return n
}

func (p *jsonParser) number() bool {
	b, start := p.j.Src, p.i
	if b[p.i] == '-' {
		p.i++
	}
	if p.i < len(b) && b[p.i] == '0' {
		p.i++
	} else if p.digits() == 0 {
		return false
	}
	if p.i < len(b) && b[p.i] == '.' {
		p.i++
		if p.digits() == 0 {
			return false
		}
	}
	if p.i < len(b) && (b[p.i] == 'e' || b[p.i] == 'E') {
		p.i++
		if p.i < len(b) && (b[p.i] == '+' || b[p.i] == '-') {
			p.i++
		}
		if p.digits() == 0 {
			return false
		}
	}
	idx := p.add(JSONNode{Kind: JSONNumber, Start: i32(start), End: i32(p.i)})
	p.j.Nodes[idx].Next = i32(idx + 1)
	return true
}

func isHexDigit(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// str reads a string token at its opening quote as a node of kind k (JSONString or JSONKey).
func (p *jsonParser) str(k JSONKind) bool {
	b, start := p.j.Src, p.i
	escaped, high := false, false
	p.i++
	for p.i < len(b) {
		for p.i+8 <= len(b) && plainASCII8(binary.LittleEndian.Uint64(b[p.i:])) {
			p.i += 8 // the common case, prose: eight bytes at a time
		}
		if p.i >= len(b) {
			break
		}
		c := b[p.i]
		switch {
		case c == '"':
			p.i++
			return p.addString(k, start, escaped, high)
		case c == '\\':
			if p.i+1 >= len(b) {
				return false
			}
			switch b[p.i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				p.i += 2
			case 'u':
				if p.i+6 > len(b) || !isHexDigit(b[p.i+2]) || !isHexDigit(b[p.i+3]) || !isHexDigit(b[p.i+4]) || !isHexDigit(b[p.i+5]) {
					return false
				}
				p.i += 6
			default:
				return false
			}
			escaped = true
		case c < 0x20:
			return false
		default:
			high = high || c >= utf8.RuneSelf
			p.i++
		}
	}
	return false
}

const (
	bytes1 = 0x0101010101010101
	bytes8 = 0x8080808080808080
)

// plainASCII8 reports whether none of the eight bytes in x is a quote, a backslash, a control
// byte or a byte of a multi-byte UTF-8 sequence: bytes a string token holds as they are.
func plainASCII8(x uint64) bool {
	if x&bytes8 != 0 {
		return false
	}
	ctl := (x - 0x20*bytes1) & bytes8 // a byte below 0x20 (no byte has its high bit set here)
	q := x ^ '"'*bytes1
	bs := x ^ '\\'*bytes1
	return ctl|(q-bytes1)&^q&bytes8|(bs-bytes1)&^bs&bytes8 == 0
}

func (p *jsonParser) addString(k JSONKind, start int, escaped, high bool) bool {
	j := p.j
	n := JSONNode{Kind: k, Start: i32(start), End: i32(p.i)}
	var text []byte
	if escaped {
		off := len(j.arena)
		j.arena = AppendUnescaped(j.arena, j.Src[start+1:p.i-1])
		n.flags |= jsonEscaped
		n.text, n.textLen = i32(off), i32(len(j.arena)-off)
		text = j.arena[off:]
	} else {
		n.text, n.textLen = i32(start+1), i32(p.i-1-start-1)
		text = j.Src[start+1 : p.i-1]
	}
	if high && !utf8.Valid(text) {
		n.flags |= jsonInvalidUTF8
	}
	if k == JSONKey {
		n.Members = i32(len(j.keys))
		if j.keys == nil {
			j.keys = make([]string, 0, 16)
		}
		j.keys = append(j.keys, j.keyString(text))
	}
	idx := p.add(n)
	j.Nodes[idx].Next = i32(idx + 1)
	return true
}

func (p *jsonParser) object(depth, nest int) bool {
	b := p.j.Src
	idx := p.add(JSONNode{Kind: JSONObject, Start: i32(p.i)})
	p.i++
	p.ws()
	members := i32(0)
	if p.i < len(b) && b[p.i] == '}' {
		p.i++
		return p.close(idx, members)
	}
	for {
		p.ws()
		if p.i >= len(b) || b[p.i] != '"' || !p.str(JSONKey) {
			return false
		}
		p.ws()
		if p.i >= len(b) || b[p.i] != ':' {
			return false
		}
		p.i++
		p.ws()
		if !p.value(depth+1, nest) {
			return false
		}
		members++
		p.ws()
		if p.i >= len(b) {
			return false
		}
		if b[p.i] == '}' {
			p.i++
			return p.close(idx, members)
		}
		if b[p.i] != ',' {
			return false
		}
		p.i++
	}
}

func (p *jsonParser) array(depth, nest int) bool {
	b := p.j.Src
	idx := p.add(JSONNode{Kind: JSONArray, Start: i32(p.i)})
	p.i++
	p.ws()
	members := i32(0)
	if p.i < len(b) && b[p.i] == ']' {
		p.i++
		return p.close(idx, members)
	}
	for {
		p.ws()
		if !p.value(depth+1, nest) {
			return false
		}
		members++
		p.ws()
		if p.i >= len(b) {
			return false
		}
		if b[p.i] == ']' {
			p.i++
			return p.close(idx, members)
		}
		if b[p.i] != ',' {
			return false
		}
		p.i++
	}
}

func (p *jsonParser) close(idx int, members int32) bool {
	n := &p.j.Nodes[idx]
	n.End, n.Next, n.Members = i32(p.i), i32(len(p.j.Nodes)), members
	return true
}

// AppendUnescaped appends the decoded text of a validated JSON string token's contents (between
// its quotes): simple escapes decoded, \u escapes as UTF-8 (a surrogate pair as one rune, a
// lone surrogate as U+FFFD), every other byte as it is. The one JSON string decoder that
// exchange, redact and inspect share.
func AppendUnescaped(out, s []byte) []byte {
	for i := 0; i < len(s); i++ {
		j := bytes.IndexByte(s[i:], '\\')
		if j < 0 {
			return append(out, s[i:]...)
		}
		out = append(out, s[i:i+j]...)
		i += j + 1
		switch s[i] {
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r := hexRune(s[i+1 : i+5])
			i += 4
			if utf16.IsSurrogate(r) {
				if i+6 < len(s) && s[i+1] == '\\' && s[i+2] == 'u' {
					if d := utf16.DecodeRune(r, hexRune(s[i+3:i+7])); d != utf8.RuneError {
						out = utf8.AppendRune(out, d)
						i += 6
						continue
					}
				}
				r = utf8.RuneError
			}
			out = utf8.AppendRune(out, r)
		default:
			out = append(out, s[i])
		}
	}
	return out
}

func hexRune(h []byte) rune {
	var r rune
	for _, c := range h {
		r <<= 4
		switch {
		case c <= '9':
			r |= rune(c - '0')
		case c >= 'a':
			r |= rune(c-'a') + 10
		default:
			r |= rune(c-'A') + 10
		}
	}
	return r
}

// Key returns a key node's name: escapes decoded, other bytes as sent (as Text). The string is
// made once, when the body is read.
func (j *JSONBody) Key(i int) string { return j.keys[j.Nodes[i].Members] }

// StdKey returns a key node's name as encoding/json decodes it (invalid UTF-8 replaced).
func (j *JSONBody) StdKey(i int) string {
	if j.Nodes[i].flags&jsonInvalidUTF8 == 0 {
		return j.Key(i)
	}
	return j.StdText(i)
}
