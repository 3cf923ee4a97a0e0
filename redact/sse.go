package redact

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// SSE redaction.
//
// The byte stream is cut into events (a blank line ends one). A chunk that
// ends inside an event leaves that event pending until its end arrives, so
// every emitted event is complete and its data is valid JSON.
//
// Inside events, the text deltas of one logical string (a Chat Completions
// choice's content, refusal or tool-call arguments; an Anthropic content
// block; a Responses output item's text, refusal, reasoning or arguments) are
// fed to one textStream, the same hold-back machine as raw text. The part of a
// delta that could still be the beginning of a secret stays in that
// textStream; the rest replaces the delta's text in the event, which is
// emitted at once. The held text travels in the next delta of the same
// logical string. When the logical string ends (finish_reason,
// content_block_stop, a *.done event, message_stop, response.completed,
// [DONE] or the end of the body) the remainder is flushed: into the
// terminating event if it carries a delta for that string, otherwise into a
// copy of the string's last delta event emitted just before the terminating
// event. So a secret split across deltas (`sk-pro` | `j-...`) is seen whole,
// and no byte of it is emitted before it is known not to be (or is replaced
// as) a secret.
//
// Every other string in an event (the full values repeated in *.done events
// and response.completed, tool-call ids, names...) is complete and is
// redacted on its own with the non-streaming rules. Opaque provider blobs
// (signature, encrypted_content, obfuscation) are left untouched.

type logical struct {
	ts     *textStream
	evName string
	tmpl   []byte // data JSON of the last delta event for this string (already redacted)
	ts0    int    // span of this string's token in tmpl
	te0    int
}

type sseStream struct {
	s       *Stream
	pending []byte
	logical map[string]*logical
	order   []string
}

var opaqueKeys = map[string]bool{"signature": true, "encrypted_content": true, "obfuscation": true}

func (x *sseStream) write(p []byte, final bool) ([]byte, error) {
	x.pending = append(x.pending, p...)
	var out []byte
	pos := 0
	for {
		next := eventEnd(x.pending[pos:], final)
		if next < 0 {
			break
		}
		out = x.event(out, x.pending[pos:pos+next])
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
			out = x.event(out, ev)
		}
		out = x.flush(out, "")
	}
	return out, nil
}

// eventEnd returns the length of the first complete event in b (through its
// blank line), or -1. A '\r' at the very end may be half of "\r\n" and waits.
func eventEnd(b []byte, final bool) int {
	lineStart := 0
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c != '\n' && c != '\r' {
			continue
		}
		end := i + 1
		if c == '\r' {
			if i+1 == len(b) && !final {
				return -1
			}
			if i+1 < len(b) && b[i+1] == '\n' {
				end++
			}
		}
		if i == lineStart {
			return end
		}
		lineStart = end
		i = end - 1
	}
	return -1
}

type sseLine struct {
	raw   []byte // with terminator
	field string
	value []byte
}

func parseLines(ev []byte) []sseLine {
	var lines []sseLine
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
			l.field = string(name)
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

type eventHead struct {
	Type         string `json:"type"`
	Index        *int   `json:"index"`
	OutputIndex  *int   `json:"output_index"`
	ContentIndex *int   `json:"content_index"`
	SummaryIndex *int   `json:"summary_index"`
	Choices      []struct {
		Index        int     `json:"index"`
		FinishReason *string `json:"finish_reason"`
		Delta        *struct {
			ToolCalls []struct {
				Index int `json:"index"`
			} `json:"tool_calls"`
		} `json:"delta"`
	} `json:"choices"`
}

func (x *sseStream) event(out, ev []byte) []byte {
	lines := parseLines(ev)
	changed := x.redactOtherLines(lines)
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
		return emit(out, ev, lines, changed)
	}
	payload := bytes.Join(data, []byte("\n"))
	if string(bytes.TrimSpace(payload)) == "[DONE]" {
		out = x.flush(out, "")
		return emit(out, ev, lines, changed)
	}
	var head eventHead
	if len(payload) == 0 || payload[0] != '{' || walkJSON(payload, nil) != nil {
		red, findings := x.s.eng.Redact(payload, x.s.opts.Options)
		for _, f := range findings {
			x.s.report(f)
		}
		if len(findings) == 0 {
			return emit(out, ev, lines, changed)
		}
		return rebuild(out, lines, red)
	}
	if json.Unmarshal(payload, &head) != nil {
		head = eventHead{} // unexpected field types: no routing, every string is a complete value
	}
	return x.jsonEvent(out, lines, evName, payload, &head)
}

// route names the logical string a string value at path belongs to ("" for
// a complete value) and reports which logical strings this event ends.
func route(head *eventHead, path []pathElem) string {
	if len(head.Choices) > 0 {
		if len(path) < 4 || path[0].key != "choices" || path[2].key != "delta" || path[1].index >= len(head.Choices) {
			return ""
		}
		ch := head.Choices[path[1].index]
		switch {
		case len(path) == 4 && (path[3].key == "content" || path[3].key == "refusal" || path[3].key == "reasoning_content" || path[3].key == "reasoning"):
			return fmt.Sprintf("c%d/%s", ch.Index, path[3].key)
		case len(path) == 7 && path[3].key == "tool_calls" && path[5].key == "function" && path[6].key == "arguments" &&
			ch.Delta != nil && path[4].index < len(ch.Delta.ToolCalls):
			return fmt.Sprintf("c%d/t%d", ch.Index, ch.Delta.ToolCalls[path[4].index].Index)
		}
		return ""
	}
	switch {
	case head.Type == "content_block_delta" && head.Index != nil && len(path) == 2 && path[0].key == "delta" &&
		(path[1].key == "text" || path[1].key == "partial_json" || path[1].key == "thinking"):
		return fmt.Sprintf("a%d", *head.Index)
	case strings.HasPrefix(head.Type, "response.") && strings.HasSuffix(head.Type, ".delta") && head.OutputIndex != nil &&
		len(path) == 1 && path[0].key == "delta":
		return fmt.Sprintf("r%d/%s/%d/%d", *head.OutputIndex, head.Type, deref(head.ContentIndex), deref(head.SummaryIndex))
	}
	return ""
}

func deref(p *int) int {
	if p == nil {
		return 0
	}
	return *p
}

// ends returns the key prefixes of the logical strings this event ends; ""
// ends every string.
func ends(head *eventHead) []string {
	var out []string
	for _, ch := range head.Choices {
		if ch.FinishReason != nil && *ch.FinishReason != "" {
			out = append(out, fmt.Sprintf("c%d/", ch.Index))
		}
	}
	switch {
	case head.Type == "content_block_stop" && head.Index != nil:
		out = append(out, fmt.Sprintf("a%d", *head.Index))
	case head.Type == "message_delta" || head.Type == "message_stop" || head.Type == "error":
		out = append(out, "")
	case head.Type == "response.completed" || head.Type == "response.incomplete" || head.Type == "response.failed" || head.Type == "error":
		out = append(out, "")
	case strings.HasPrefix(head.Type, "response.") && strings.HasSuffix(head.Type, ".done") && head.OutputIndex != nil:
		out = append(out, fmt.Sprintf("r%d/", *head.OutputIndex))
	}
	return out
}

func matchesAny(key string, prefixes []string) bool {
	for _, p := range prefixes {
		if p == "" || key == p || strings.HasPrefix(key, p) && strings.HasSuffix(p, "/") {
			return true
		}
	}
	return false
}

type deltaRef struct {
	key        string
	start, end int
}

func (x *sseStream) jsonEvent(out []byte, lines []sseLine, evName string, payload []byte, head *eventHead) []byte {
	e := x.s.eng
	terminated := ends(head)
	type item struct {
		key        string
		path       string
		start, end int
	}
	var items []item
	present := map[string]bool{}
	_ = walkJSON(payload, func(path []pathElem, start, end int) {
		k := route(head, path)
		last := ""
		if n := len(path); n > 0 && path[n-1].isKey {
			last = path[n-1].key
		}
		items = append(items, item{key: k, path: last, start: start, end: end})
		if k != "" {
			present[k] = true
		}
	})
	// Strings this event ends without carrying a delta for them: flush first.
	for _, k := range cloneKeys(x.order) {
		if matchesAny(k, terminated) && !present[k] {
			out = x.flushKey(out, k)
		}
	}
	sc := e.pool.Get().(*scratch)
	defer e.putScratch(sc)
	var splices []splice
	var deltas []deltaRef
	for _, it := range items {
		v := decodeJSONString(payload[it.start:it.end])
		if it.key == "" {
			if opaqueKeys[it.path] {
				continue
			}
			red, spans := e.redactValue(v, it.path, &x.s.opts.Options, sc)
			for _, sp := range spans {
				x.s.report(Finding{Rule: sp.id, Class: sp.class, Start: sp.s, End: sp.e, Tag: e.Tag(v[sp.s:sp.e])})
			}
			if red != nil {
				splices = append(splices, splice{start: it.start, end: it.end, repl: appendJSONString(nil, red)})
			}
			continue
		}
		l := x.get(it.key)
		emitted := l.ts.write(nil, v, matchesAny(it.key, terminated))
		if !bytes.Equal(emitted, v) {
			splices = append(splices, splice{start: it.start, end: it.end, repl: appendJSONString(nil, emitted)})
		}
		deltas = append(deltas, deltaRef{key: it.key, start: it.start, end: it.end})
	}
	newPayload, moved := spliceTrack(payload, splices, deltas)
	for _, d := range moved {
		l := x.logical[d.key]
		l.evName, l.tmpl, l.ts0, l.te0 = evName, newPayload, d.start, d.end
	}
	for _, k := range cloneKeys(x.order) {
		if matchesAny(k, terminated) {
			x.drop(k)
		}
	}
	if len(splices) == 0 {
		for _, l := range lines {
			out = append(out, l.raw...)
		}
		return out
	}
	return rebuild(out, lines, newPayload)
}

func cloneKeys(s []string) []string { return append([]string(nil), s...) }

// spliceTrack applies splices and returns where each delta token ended up.
func spliceTrack(b []byte, sp []splice, deltas []deltaRef) ([]byte, []deltaRef) {
	out := applySplices(b, sp) // sorts sp
	moved := make([]deltaRef, 0, len(deltas))
	for _, d := range deltas {
		shift, size := 0, d.end-d.start
		for _, s := range sp {
			if s.start == d.start {
				size = len(s.repl)
			} else if s.end <= d.start {
				shift += len(s.repl) - (s.end - s.start)
			}
		}
		moved = append(moved, deltaRef{key: d.key, start: d.start + shift, end: d.start + shift + size})
	}
	return out, moved
}

func (x *sseStream) get(key string) *logical {
	l, ok := x.logical[key]
	if !ok {
		l = &logical{ts: x.s.newText()}
		x.logical[key] = l
		x.order = append(x.order, key)
	}
	return l
}

func (x *sseStream) drop(key string) {
	delete(x.logical, key)
	for i, k := range x.order {
		if k == key {
			x.order = append(x.order[:i], x.order[i+1:]...)
			return
		}
	}
}

// flush ends every logical string whose key has the prefix ("" for all).
func (x *sseStream) flush(out []byte, prefix string) []byte {
	for _, k := range cloneKeys(x.order) {
		if matchesAny(k, []string{prefix}) {
			out = x.flushKey(out, k)
		}
	}
	return out
}

// flushKey emits the held text of a logical string in a copy of its last
// delta event and forgets the string.
func (x *sseStream) flushKey(out []byte, key string) []byte {
	l := x.logical[key]
	x.drop(key)
	rest := l.ts.write(nil, nil, true)
	if len(rest) == 0 || l.tmpl == nil {
		return out
	}
	payload := make([]byte, 0, len(l.tmpl)+len(rest)+8)
	payload = append(payload, l.tmpl[:l.ts0]...)
	payload = appendJSONString(payload, rest)
	payload = append(payload, l.tmpl[l.te0:]...)
	if l.evName != "" {
		out = append(out, "event: "...)
		out = append(out, l.evName...)
		out = append(out, '\n')
	}
	out = appendData(out, payload)
	return append(out, '\n')
}

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
