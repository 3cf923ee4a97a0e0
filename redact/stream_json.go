package redact

import (
	"bytes"
	"slices"
)

// Streams of JSON values: NDJSON (one value per line, as Ollama streams) and
// a JSON array whose elements arrive one by one (Gemini's
// streamGenerateContent without alt=sse). Each line or element is an event
// for the queue of stream_events.go; the bytes around them (brackets, commas,
// blank lines) are items that pass as they are. A line that is not JSON is
// text of one channel, so a plain-text stream cut into lines is joined too.

// ndjsonStream cuts a body into lines.
type ndjsonStream struct {
	s       *Stream
	pending []byte
	q       *events
}

func (x *ndjsonStream) write(p []byte, final bool) ([]byte, error) {
	x.pending = append(x.pending, p...)
	var out []byte
	pos := 0
	for {
		i := bytes.IndexByte(x.pending[pos:], '\n')
		if i < 0 {
			break
		}
		out = x.line(out, slices.Clone(x.pending[pos:pos+i+1]))
		pos += i + 1
	}
	n := copy(x.pending, x.pending[pos:])
	x.pending = x.pending[:n]
	if len(x.pending) > x.s.opts.MaxEvent {
		return out, ErrEventTooLarge
	}
	if final {
		if len(x.pending) > 0 {
			out = x.line(out, slices.Clone(x.pending))
			x.pending = nil
		}
		x.q.finishAll()
		out = x.q.release(out)
	}
	return out, nil
}

func (x *ndjsonStream) line(out, raw []byte) []byte {
	payload := bytes.TrimRight(raw, "\r\n")
	it := &item{raw: raw, payload: payload}
	if len(bytes.TrimSpace(payload)) == 0 {
		it.payload = nil
		return x.q.push(out, it, nil)
	}
	if ev, ok := readJSONEvent(bytes.TrimLeft(payload, " \t"), &x.q.buf); ok {
		it.pOff = len(payload) - len(bytes.TrimLeft(payload, " \t"))
		it.payload = payload[it.pOff:]
		return x.q.push(out, it, x.q.jsonEvent(it, "", &ev))
	}
	x.q.textEvent(it, "line")
	return x.q.push(out, it, nil)
}

// arrayState is where an arrayStream is in the body.
type arrayState int

const (
	arrayStart   arrayState = iota // before the first non-space byte
	arrayBetween                   // inside the array, between elements
	arrayElement                   // inside an element
	arrayAfter                     // after the closing bracket
	arrayNot                       // the body is not an array: scanned as text
)

// arrayStream cuts a JSON array into its elements as they arrive. A body
// that is not an array is scanned as text, as KindText would.
type arrayStream struct {
	s       *Stream
	pending []byte
	q       *events
	state   arrayState
	// element scanner, resumable across chunks
	at       int // how far pending was scanned
	depth    int
	inString bool
	escaped  bool
}

func (x *arrayStream) write(p []byte, final bool) ([]byte, error) {
	if x.state == arrayNot {
		return x.s.text.write(nil, p, final), nil
	}
	x.pending = append(x.pending, p...)
	var out []byte
	pos := 0
	for pos < len(x.pending) {
		var n int
		out, n = x.step(out, x.pending[pos:], final)
		if n == 0 {
			break
		}
		pos += n
		if x.state == arrayNot {
			break
		}
	}
	n := copy(x.pending, x.pending[pos:])
	x.pending = x.pending[:n]
	if x.state == arrayNot {
		x.q.finishAll()
		out = x.q.release(out)
		rest := slices.Clone(x.pending)
		x.pending = nil
		return x.s.text.write(out, rest, final), nil
	}
	if len(x.pending) > x.s.opts.MaxEvent {
		return out, ErrEventTooLarge
	}
	if final {
		if len(x.pending) > 0 {
			// A truncated element: scanned as text of its own channel.
			it := &item{raw: slices.Clone(x.pending), payload: slices.Clone(x.pending)}
			x.pending = nil
			x.q.textEvent(it, "tail")
			out = x.q.push(out, it, nil)
		}
		x.q.finishAll()
		out = x.q.release(out)
	}
	return out, nil
}

// step consumes one item from the start of b and reports its length (0: it
// is not complete yet).
func (x *arrayStream) step(out, b []byte, final bool) ([]byte, int) {
	switch x.state {
	case arrayStart, arrayBetween, arrayAfter:
		i := 0
		if x.state == arrayStart {
			if len(b) < len(utf8BOM) && bytes.HasPrefix(utf8BOM, b) && !final {
				return out, 0 // maybe a byte order mark
			}
			if bytes.HasPrefix(b, utf8BOM) {
				i = len(utf8BOM)
			}
		}
		for i < len(b) && (isJSONSpace(b[i]) || x.state == arrayBetween && b[i] == ',') {
			i++
		}
		if i == len(b) {
			if !final {
				return out, 0 // separators pass with the next element
			}
			return x.q.push(out, &item{raw: slices.Clone(b)}, nil), i
		}
		switch {
		case x.state == arrayStart && b[i] == '[':
			x.state = arrayBetween
			i++
		case x.state == arrayBetween && b[i] == ']':
			x.state = arrayAfter
			i++
		case x.state == arrayBetween:
			x.state = arrayElement
			x.at, x.depth, x.inString, x.escaped = 0, 0, false, false
			if i == 0 {
				return x.element(out, b, final)
			}
		default:
			x.state = arrayNot
			return out, 0
		}
		return x.q.push(out, &item{raw: slices.Clone(b[:i])}, nil), i
	case arrayElement:
		return x.element(out, b, final)
	}
	return out, 0
}

// element finds the end of the element at the start of b.
func (x *arrayStream) element(out, b []byte, final bool) ([]byte, int) {
	end := -1
	for i := x.at; i < len(b) && end < 0; i++ {
		c := b[i]
		switch {
		case x.inString:
			switch {
			case x.escaped:
				x.escaped = false
			case c == '\\':
				x.escaped = true
			case c == '"':
				x.inString = false
				if x.depth == 0 {
					end = i + 1
				}
			}
		case c == '"':
			x.inString = true
		case c == '{' || c == '[':
			x.depth++
		case c == '}' || c == ']':
			x.depth--
			if x.depth <= 0 {
				end = i + 1
				if x.depth < 0 { // a scalar element ended by the array's bracket
					end = i
				}
			}
		case x.depth == 0 && (c == ',' || isJSONSpace(c)):
			end = i // a scalar element
		}
		x.at = i + 1
	}
	if end < 0 {
		if !final || len(b) == 0 {
			return out, 0
		}
		end = len(b)
	}
	raw := slices.Clone(b[:end])
	it := &item{raw: raw, payload: raw}
	x.state = arrayBetween
	if ev, ok := readJSONEvent(raw, &x.q.buf); ok {
		return x.q.push(out, it, x.q.jsonEvent(it, "", &ev)), end
	}
	x.q.textEvent(it, "element")
	return x.q.push(out, it, nil), end
}

func isJSONSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
