package redact

import (
	"bytes"
	"slices"
)

// SSE redaction.
//
// The byte stream is cut into events (a blank line ends one). A chunk that
// ends inside an event leaves that event pending until its end arrives, so
// every emitted event is complete and its data is valid JSON. Lines other
// than data (comments, id, event, retry) are redacted on their own. The data
// of an event is JSON (its strings are read as stream_route.go says) or text
// (the data of a plain-text stream, one channel per event name); the events
// then go through the queue of stream_events.go. [DONE] ends every channel.

type sseStream struct {
	s       *Stream
	pending []byte
	q       *events
	scan    eventScan // how far pending's unfinished first event has been read
}

// eventScan is where eventEnd stopped in an unfinished event, so the next
// call, on the same bytes grown by a chunk, reads only the new bytes: an
// event arriving in many chunks is read once, not once per chunk.
type eventScan struct {
	lineStart int // start of the line being read
	at        int // first byte not read yet
}

// opaqueKeys are provider blobs (signatures, encrypted reasoning, padding): never text, left as they are.
var opaqueKeys = map[string]bool{"signature": true, "encrypted_content": true, "obfuscation": true}

func (x *sseStream) write(p []byte, final bool) ([]byte, error) {
	x.pending = append(x.pending, p...)
	var out []byte
	pos := 0
	for {
		next := eventEnd(x.pending[pos:], final, &x.scan)
		if next < 0 {
			break
		}
		out = x.event(out, slices.Clone(x.pending[pos:pos+next]))
		pos += next
	}
	n := copy(x.pending, x.pending[pos:])
	x.pending = x.pending[:n]
	if len(x.pending) > x.s.opts.MaxEvent {
		return out, ErrEventTooLarge
	}
	if final {
		if len(x.pending) > 0 {
			ev := append(x.pending, "\n\n"...)
			x.pending = nil
			x.scan = eventScan{}
			out = x.event(out, ev)
		}
		x.q.finishAll()
		out = x.q.release(out)
	}
	return out, nil
}

// eventEnd returns the length of the first complete event in b (through its
// blank line), or -1. A '\r' at the very end may be half of "\r\n" and waits.
// It reads from sc, where the previous call on a shorter b stopped, and
// leaves sc where this one stopped (zero once an event is complete).
func eventEnd(b []byte, final bool, sc *eventScan) int {
	lineStart := sc.lineStart
	for i := sc.at; i < len(b); i++ {
		c := b[i]
		if c != '\n' && c != '\r' {
			continue
		}
		end := i + 1
		if c == '\r' {
			if i+1 == len(b) && !final {
				*sc = eventScan{lineStart: lineStart, at: i}
				return -1
			}
			if i+1 < len(b) && b[i+1] == '\n' {
				end++
			}
		}
		if i == lineStart {
			*sc = eventScan{}
			return end
		}
		lineStart = end
		i = end - 1
	}
	*sc = eventScan{lineStart: lineStart, at: len(b)}
	return -1
}

type sseLine struct {
	raw   []byte // with terminator
	field string
	value []byte
}

func parseLines(ev []byte) []sseLine {
	lines := make([]sseLine, 0, 3) // data lines and the blank line that ends the event
	for len(ev) > 0 {
		i := bytes.IndexAny(ev, "\r\n")
		end, term := len(ev), len(ev)
		if i >= 0 {
			term, end = i, i+1
			if ev[i] == '\r' && i+1 < len(ev) && ev[i+1] == '\n' {
				end++
			}
		}
		l := sseLine{raw: ev[:end]}
		// A byte order mark may open the stream; clients skip it, so it must not hide the field.
		content := bytes.TrimPrefix(ev[:term], utf8BOM)
		if len(content) > 0 && content[0] != ':' {
			name, val, found := bytes.Cut(content, []byte(":"))
			l.field = fieldName(name)
			if found && len(val) > 0 && val[0] == ' ' {
				val = val[1:]
			}
			l.value = val
		}
		lines = append(lines, l)
		ev = ev[end:]
	}
	return lines
}

var utf8BOM = []byte("\xEF\xBB\xBF")

// fieldName returns an SSE line's field name, without a copy for the fields every event has.
func fieldName(name []byte) string {
	switch string(name) {
	case "data":
		return "data"
	case "event":
		return "event"
	case "id":
		return "id"
	}
	return string(name)
}

// redactOtherLines redacts, in place, the lines that are not data (comments, id, event, retry,
// unknown fields): clients may show or log them, so a secret there is a leak like any other. It
// reports whether a line changed.
func (x *sseStream) redactOtherLines(lines []sseLine) bool {
	changed := false
	for i, l := range lines {
		if l.field == "data" {
			continue
		}
		content := bytes.TrimRight(l.raw, "\r\n")
		if len(content) == 0 {
			continue
		}
		red, findings := x.s.eng.Redact(content, x.s.opts.Options)
		if len(findings) == 0 {
			continue
		}
		for _, f := range findings {
			x.s.report(f)
		}
		lines[i].raw = append(red, l.raw[len(content):]...)
		changed = true
	}
	return changed
}

// emit writes the event: as received when no line changed, else line by line.
func emit(out, ev []byte, lines []sseLine, changed bool) []byte {
	if !changed {
		return append(out, ev...)
	}
	for _, l := range lines {
		out = append(out, l.raw...)
	}
	return out
}

func (x *sseStream) event(out, ev []byte) []byte {
	lines := parseLines(ev)
	it := &item{raw: ev, lines: lines, relined: x.redactOtherLines(lines)}
	var data [][]byte
	evName := ""
	for _, l := range lines {
		switch l.field {
		case "data":
			data = append(data, l.value)
		case "event":
			evName = string(l.value)
		}
	}
	if data == nil {
		return x.q.push(out, it, nil)
	}
	if len(data) == 1 {
		it.payload = data[0][:len(data[0]):len(data[0])] // read only: splices build new bytes
	} else {
		it.payload = bytes.Join(data, []byte("\n"))
	}
	if string(bytes.TrimSpace(it.payload)) == "[DONE]" {
		x.q.finishAll()
		return x.q.push(out, it, nil)
	}
	if ev, ok := readJSONEvent(it.payload, &x.q.buf); ok {
		return x.q.push(out, it, x.q.jsonEvent(it, evName, &ev))
	}
	x.q.textEvent(it, "data:"+evName)
	return x.q.push(out, it, nil)
}

func cloneKeys(s []string) []string { return append([]string(nil), s...) }

func appendData(out, payload []byte) []byte {
	for _, line := range bytes.Split(payload, []byte("\n")) {
		out = append(out, "data: "...)
		out = append(out, bytes.TrimSuffix(line, []byte("\r"))...)
		out = append(out, '\n')
	}
	return out
}

// rebuild writes an event with its data replaced, keeping the other lines
// (event, id, retry, comments) in place.
func rebuild(out []byte, lines []sseLine, payload []byte) []byte {
	wrote := false
	for _, l := range lines {
		if l.field == "data" {
			if !wrote && bytes.HasPrefix(l.raw, utf8BOM) {
				out = append(out, utf8BOM...) // the stream's BOM stays where it was
			}
			if !wrote {
				out = appendData(out, payload)
				wrote = true
			}
			continue
		}
		out = append(out, l.raw...)
	}
	return out
}
