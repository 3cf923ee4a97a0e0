package redact

import (
	"bytes"
	"encoding/json"
	"strconv"
)

// One reading of a JSON event, shared by both event readers: the body's event
// reader (events.jsonEvent) and the look-through of event framing in text
// (frameReader.jsonEvent). readJSONEvent validates the event, lists its
// strings with their paths and reads its head (eventHead: which channel a
// string feeds, which channels the event ends) in a single pass over the
// bytes; before, each reader validated and listed the strings (walkJSON) and
// read the head again (decodeHead). The head is the one json.Unmarshal reads:
// where the pass could read it differently (a key that differs from a field
// only in case, a repeated key, an escape or a non-ASCII byte in a key of the
// head or in `type`/`finish_reason`, a number that is not a plain integer, a
// value of another type, a null element), decodeHead reads it
// (TestReadJSONEventMatches, FuzzReadJSONEvent).

// jsonEvent is one JSON event as read once.
type jsonEvent struct {
	strs  []jsonString
	head  eventHead
	known bool // one of the formats read exactly (eventHead.known)
	tree  any  // the decoded event, for the formats read by shape (nil when known)
}

// eventBuf is the memory readJSONEvent reuses from event to event: the string list, the
// paths' elements and the keys read so far (a stream repeats the same few keys in every
// event).
type eventBuf struct {
	strs    []jsonString
	elems   []pathElem
	path    []pathElem
	choices []headChoice
	deltas  []headDelta
	keys    map[string]string
	route   []byte // a channel key being built
}

// maxKeptKeys bounds the keys an eventBuf keeps.
const maxKeptKeys = 256

// readJSONEvent reads payload as one JSON event (an object or an array) and reports false
// when it is not one. The strings and their paths live in buf until its next use.
func readJSONEvent(payload []byte, buf *eventBuf) (jsonEvent, bool) {
	var ev jsonEvent
	if len(payload) == 0 || payload[0] != '{' && payload[0] != '[' {
		return ev, false
	}
	if buf.strs == nil {
		// Sized for a typical event at once, rather than grown over the first one.
		buf.strs, buf.elems, buf.path = make([]jsonString, 0, 8), make([]pathElem, 0, 16), make([]pathElem, 0, 8)
		buf.choices, buf.deltas = make([]headChoice, 0, 2), make([]headDelta, 0, 2)
	}
	r := eventWalker{w: jsonWalker{b: payload, path: buf.path[:0]}, buf: buf, headOK: true}
	r.head.Choices = buf.choices[:0]
	buf.strs, buf.elems, buf.deltas = buf.strs[:0], buf.elems[:0], buf.deltas[:0]
	defer func() { buf.path, buf.choices = r.w.path[:0], r.head.Choices[:0] }()
	r.w.ws()
	ctx := hNone
	if payload[0] == '{' {
		ctx = hTop
	}
	if !r.value(0, ctx) {
		return ev, false
	}
	r.w.ws()
	if r.w.i != len(payload) {
		return ev, false
	}
	ev.strs = buf.strs
	if mayBeKnown(payload) {
		switch {
		case ctx != hTop:
			// An array: json.Unmarshal into eventHead fails, and the head stays empty.
		case r.headOK:
			ev.head = r.head
		case !decodeHead(payload, &ev.head):
			ev.head = eventHead{} // unexpected field types: not a known format
		}
	}
	ev.known = ev.head.known()
	if !ev.known {
		_ = json.Unmarshal(payload, &ev.tree)
	}
	return ev, true
}

// headCtx says which part of eventHead a JSON value is.
type headCtx uint8

const (
	hNone    headCtx = iota
	hTop             // the event object
	hChoices         // its choices
	hChoice          // one choice
	hDelta           // a choice's delta
	hCalls           // the delta's tool_calls
	hCall            // one tool call
)

// headFields are the keys eventHead reads in each object it names.
var headFields = [...][]string{
	hTop:    {"type", "index", "output_index", "content_index", "summary_index", "choices"},
	hChoice: {"index", "finish_reason", "delta"},
	hDelta:  {"tool_calls"},
	hCall:   {"index"},
}

// eventWalker is walkJSON with the head read on the way. Validation is jsonWalker's (the
// same primitives), so an event is JSON for it exactly when it is for walkJSON.
type eventWalker struct {
	w      jsonWalker
	buf    *eventBuf
	head   eventHead
	headOK bool // false: something the pass does not read as encoding/json would
	choice int  // the choice being read
	call   int  // the tool call being read
}

func (r *eventWalker) value(depth int, ctx headCtx) bool {
	w := &r.w
	if depth > maxJSONDepth || w.i >= len(w.b) {
		return false
	}
	switch c := w.b[w.i]; {
	case c == '{':
		return r.object(depth, ctx)
	case c == '[':
		return r.array(depth, ctx)
	case c == '"':
		s := w.i
		if w.str() != nil {
			return false
		}
		start := len(r.buf.elems)
		r.buf.elems = append(r.buf.elems, w.path...)
		p := r.buf.elems[start:len(r.buf.elems):len(r.buf.elems)]
		r.buf.strs = append(r.buf.strs, jsonString{path: p, start: s, end: w.i})
		return true
	case c == 't':
		return w.lit("true") == nil
	case c == 'f':
		return w.lit("false") == nil
	case c == 'n':
		return w.lit("null") == nil
	case c == '-' || isDigit(c):
		return w.number() == nil
	}
	return false
}

// key returns the decoded key of a validated key token, kept in buf when it has no escape.
func (r *eventWalker) key(tok []byte) string {
	s := tok[1 : len(tok)-1]
	if bytes.IndexByte(s, '\\') >= 0 {
		return string(decodeJSONString(tok))
	}
	return r.buf.intern(s)
}

// commonNames are the keys and channel names the streaming APIs use in nearly every event: a
// fixed, read-only table, so a stream's first event does not build them (nor a map for them).
var commonNames = func() map[string]string {
	m := map[string]string{}
	for _, k := range []string{
		"id", "object", "created", "model", "system_fingerprint", "service_tier", "choices", "index",
		"delta", "role", "content", "refusal", "reasoning", "reasoning_content", "finish_reason",
		"logprobs", "usage", "tool_calls", "type", "function", "name", "arguments", "message",
		"text", "partial_json", "thinking", "signature", "content_block", "stop_reason",
		"stop_sequence", "output_index", "content_index", "summary_index", "item_id",
		"sequence_number", "item", "response", "candidates", "parts", "modelVersion",
		"responseId", "finishReason", "usageMetadata", "created_at", "done", "done_reason",
		"c0/content", "c0/refusal", "c0/reasoning", "c0/reasoning_content", "c0/t0", "c0/t1",
		"a0", "a1", "a2", "a3",
	} {
		m[k] = k
	}
	return m
}()

// intern returns s as a string, the one kept from an earlier call when there is one.
func (b *eventBuf) intern(s []byte) string {
	if k, ok := commonNames[string(s)]; ok {
		return k
	}
	if k, ok := b.keys[string(s)]; ok {
		return k
	}
	k := string(s)
	if b.keys == nil {
		b.keys = map[string]string{}
	}
	if len(b.keys) < maxKeptKeys {
		b.keys[k] = k
	}
	return k
}

func (r *eventWalker) object(depth int, ctx headCtx) bool {
	w := &r.w
	w.i++
	w.ws()
	if w.i < len(w.b) && w.b[w.i] == '}' {
		w.i++
		return true
	}
	var seen fields
	for {
		w.ws()
		if w.i >= len(w.b) || w.b[w.i] != '"' {
			return false
		}
		ks := w.i
		if w.str() != nil {
			return false
		}
		tok := w.b[ks:w.i]
		key := r.key(tok)
		w.ws()
		if w.i >= len(w.b) || w.b[w.i] != ':' {
			return false
		}
		w.i++
		w.ws()
		field := -1
		if ctx != hNone && r.headOK {
			if !plainASCII(tok) {
				r.headOK = false // a key encoding/json may fold or unescape to a field
			} else if f, ok := seen.take(key, headFields[ctx]...); !ok {
				r.headOK = false
			} else {
				field = f
			}
		}
		child := hNone
		if field >= 0 {
			child = r.enter(ctx, field)
		}
		vs := w.i
		w.path = append(w.path, pathElem{key: key, isKey: true})
		if !r.value(depth+1, child) {
			return false
		}
		w.path = w.path[:len(w.path)-1]
		if field >= 0 && r.headOK {
			r.scalar(ctx, field, w.b[vs:w.i])
		}
		w.ws()
		if w.i >= len(w.b) {
			return false
		}
		if w.b[w.i] == '}' {
			w.i++
			return true
		}
		if w.b[w.i] != ',' {
			return false
		}
		w.i++
	}
}

func (r *eventWalker) array(depth int, ctx headCtx) bool {
	w := &r.w
	w.i++
	w.ws()
	if w.i < len(w.b) && w.b[w.i] == ']' {
		w.i++
		return true
	}
	for n := 0; ; n++ {
		w.ws()
		child := hNone
		if r.headOK && (ctx == hChoices || ctx == hCalls) {
			if w.i < len(w.b) && w.b[w.i] == '{' {
				child = r.element(ctx)
			} else {
				r.headOK = false // a null element or another type
			}
		}
		w.path = append(w.path, pathElem{index: n})
		if !r.value(depth+1, child) {
			return false
		}
		w.path = w.path[:len(w.path)-1]
		w.ws()
		if w.i >= len(w.b) {
			return false
		}
		if w.b[w.i] == ']' {
			w.i++
			return true
		}
		if w.b[w.i] != ',' {
			return false
		}
		w.i++
	}
}

// enter prepares the head for the value of field in ctx, which starts at r.w.i, and returns
// the value's own context (hNone for a scalar).
func (r *eventWalker) enter(ctx headCtx, field int) headCtx {
	w := &r.w
	if w.i >= len(w.b) {
		return hNone // truncated: the walk fails on it
	}
	c := w.b[w.i]
	switch {
	case ctx == hTop && field == 5: // choices
		if c == 'n' {
			r.head.Choices = r.head.Choices[:0]
		}
		return r.list(c, hChoices)
	case ctx == hChoice && field == 2: // delta
		switch c {
		case 'n':
			return hNone
		case '{':
			r.head.Choices[r.choice].Delta = r.delta()
			return hDelta
		}
		r.headOK = false
	case ctx == hDelta && field == 0: // tool_calls
		if c == 'n' {
			r.head.Choices[r.choice].Delta.ToolCalls = nil
		}
		return r.list(c, hCalls)
	}
	return hNone
}

// delta returns a new headDelta from buf's (a choice's delta lives until the event is read).
func (r *eventWalker) delta() *headDelta {
	if len(r.buf.deltas) == cap(r.buf.deltas) {
		// A new array: the deltas already handed out keep pointing into the old one.
		r.buf.deltas = make([]headDelta, 0, max(4, 2*cap(r.buf.deltas)))
	}
	r.buf.deltas = append(r.buf.deltas, headDelta{})
	return &r.buf.deltas[len(r.buf.deltas)-1]
}

// list enters a list field whose value starts with c (null: cleared by the caller).
func (r *eventWalker) list(c byte, ctx headCtx) headCtx {
	switch c {
	case 'n':
		return hNone
	case '[':
		return ctx
	}
	r.headOK = false
	return hNone
}

// element adds an element to the list ctx and returns its context.
func (r *eventWalker) element(ctx headCtx) headCtx {
	if ctx == hChoices {
		r.head.Choices = append(r.head.Choices, headChoice{})
		r.choice = len(r.head.Choices) - 1
		return hChoice
	}
	d := r.head.Choices[r.choice].Delta
	d.ToolCalls = append(d.ToolCalls, headToolCall{})
	r.call = len(d.ToolCalls) - 1
	return hCall
}

// scalar reads the value tok of a head field that is not a list or an object.
func (r *eventWalker) scalar(ctx headCtx, field int, tok []byte) {
	null := string(tok) == "null"
	ok := true
	switch {
	case ctx == hTop && field == 0: // type
		if !null {
			r.head.Type, ok = plainValue(tok)
		}
	case ctx == hTop && field >= 1 && field <= 4:
		p := [...]**int{&r.head.Index, &r.head.OutputIndex, &r.head.ContentIndex, &r.head.SummaryIndex}[field-1]
		*p = nil
		if !null {
			var n int
			n, ok = plainInt(tok)
			*p = &n
		}
	case ctx == hChoice && field == 0 && !null: // index
		r.head.Choices[r.choice].Index, ok = plainInt(tok)
	case ctx == hChoice && field == 1 && !null: // finish_reason
		var v string
		v, ok = plainValue(tok)
		r.head.Choices[r.choice].FinishReason = &v
	case ctx == hCall && field == 0 && !null: // index
		calls := r.head.Choices[r.choice].Delta.ToolCalls
		calls[r.call].Index, ok = plainInt(tok)
	}
	if !ok {
		r.headOK = false
	}
}

// plainASCII reports whether a string token has no escape and only ASCII bytes.
func plainASCII(tok []byte) bool {
	for _, c := range tok[1 : len(tok)-1] {
		if c == '\\' || c >= 0x80 {
			return false
		}
	}
	return true
}

// plainValue returns the value of a string token with no escape and only ASCII bytes.
func plainValue(tok []byte) (string, bool) {
	if len(tok) < 2 || tok[0] != '"' || !plainASCII(tok) {
		return "", false
	}
	return string(tok[1 : len(tok)-1]), true
}

// plainInt reads a number token written as a plain integer that fits an int.
func plainInt(tok []byte) (int, bool) {
	if len(tok) == 0 || tok[0] != '-' && !isDigit(tok[0]) || bytes.ContainsAny(tok, ".eE") {
		return 0, false
	}
	n, err := strconv.Atoi(string(tok))
	return n, err == nil
}
