package redact

import (
	"errors"
	"mime"
	"slices"
	"strings"
)

// Kind selects how a Stream reads its bytes.
type Kind int

const (
	// KindText is raw text (or any body that is not an event stream): bytes in, bytes out.
	// Event framing inside the text (an SSE or NDJSON transcript, a streamed JSON array) is
	// looked through: text that continues from event to event is joined as KindSSE joins it
	// (lookthrough_frames.go).
	KindText Kind = iota
	// KindSSE is a text/event-stream body. Events are kept well-formed; the
	// text that continues from event to event (a choice's content, a content
	// block, a candidate's text, the data of a plain-text stream) forms one
	// channel that is redacted as a whole, across events and chunks.
	KindSSE
	// KindNDJSON is a body of JSON values one per line (application/x-ndjson,
	// as Ollama streams), read as events like KindSSE.
	KindNDJSON
	// KindJSON is a JSON body: a top-level array is read element by element as
	// events like KindSSE (Gemini's streamGenerateContent without alt=sse);
	// any other JSON value is scanned as text.
	KindJSON
)

// KindOf returns the Kind for a Content-Type header value: SSE, NDJSON
// (application/x-ndjson, application/jsonl and their aliases), JSON
// (application/json, *+json), otherwise text.
func KindOf(contentType string) Kind {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return KindText
	}
	switch {
	case mt == "text/event-stream":
		return KindSSE
	case ndjsonTypes[mt]:
		return KindNDJSON
	case mt == "application/json" || strings.HasSuffix(mt, "+json"):
		return KindJSON
	}
	return KindText
}

// StreamedJSON reports a JSON response that is a stream of values sent as
// they are made, given the request's path: a Google API streaming method
// (Gemini `:streamGenerateContent` without `alt=sse`, Vertex
// `:streamRawPredict`, `:serverStreamingPredict`) answers with one JSON array
// whose elements arrive over time. Buffered, the agent would see nothing until
// the last one; streamed as KindJSON, each element leaves as soon as the text
// it carries is decided.
func StreamedJSON(contentType, path string) bool {
	if KindOf(contentType) != KindJSON {
		return false
	}
	if q := strings.IndexAny(path, "?#"); q >= 0 {
		path = path[:q]
	}
	method := path[strings.LastIndexByte(path, '/')+1:]
	c := strings.LastIndexByte(method, ':')
	return c >= 0 && (strings.HasPrefix(method[c+1:], "stream") || strings.HasPrefix(method[c+1:], "serverStreaming"))
}

var ndjsonTypes = map[string]bool{
	"application/x-ndjson": true, "application/ndjson": true, "application/jsonl": true,
	"application/x-jsonlines": true, "application/jsonlines": true, "application/json-lines": true,
}

// StreamOptions configure a Stream.
type StreamOptions struct {
	Options
	// OnFinding, if set, is called for every finding. For KindText offsets are
	// in the input stream; for event streams they are in the text channel or
	// in the string value.
	OnFinding func(Finding)
	// MaxHold bounds the bytes held back per logical string (default 64 KiB).
	// Every rule's longest match is below it; past it the stream emits text
	// rather than grow.
	MaxHold int
	// MaxEvent bounds one event: an SSE event, an NDJSON line or a JSON array
	// element (default 1 MiB); a longer event is an error. It also bounds the
	// events waiting behind held text: past it, the text is decided as it is.
	MaxEvent int
}

// ErrClosed is returned by Write after Close.
var ErrClosed = errors.New("redact: stream is closed")

// ErrEventTooLarge is returned when one SSE event exceeds MaxEvent.
var ErrEventTooLarge = errors.New("redact: SSE event larger than the limit; raise MaxEvent or treat the body as text")

const (
	defaultMaxHold  = 64 << 10
	defaultMaxEvent = 1 << 20
	// ctxKeep is how much already-emitted text a stream keeps as context: the
	// keyword and operator of an assignment whose value is still arriving.
	ctxKeep = 256
)

// Stream redacts one body that arrives in chunks. It holds back only the
// tail that an unfinished match could still need and emits the rest at once.
// A Stream is not safe for concurrent use; use one per HTTP body.
type Stream struct {
	eng     *Engine
	opts    StreamOptions
	text    *textStream
	events  framer // SSE, NDJSON and JSON streams
	q       *events
	byRule  map[string]int
	byClass map[string]int
	closed  bool
}

// NewStream starts a streaming redactor.
func (e *Engine) NewStream(kind Kind, opts StreamOptions) *Stream {
	if opts.MaxHold <= 0 {
		opts.MaxHold = defaultMaxHold
	}
	if opts.MaxEvent <= 0 {
		opts.MaxEvent = defaultMaxEvent
	}
	opts.Exact = slices.Clone(opts.Exact)
	s := &Stream{eng: e, opts: opts}
	s.text = s.newText()
	switch kind {
	case KindSSE:
		s.q = newEvents(s)
		s.events = &sseStream{s: s, q: s.q}
	case KindNDJSON:
		s.q = newEvents(s)
		s.events = &ndjsonStream{s: s, q: s.q}
	case KindJSON:
		s.q = newEvents(s)
		s.events = &arrayStream{s: s, q: s.q}
	}
	return s
}

// framer cuts a body into the items of an event stream.
type framer interface {
	write(p []byte, final bool) ([]byte, error)
}

func (s *Stream) newText() *textStream {
	return &textStream{s: s}
}

func (s *Stream) report(f Finding) {
	if s.byRule == nil {
		s.byRule, s.byClass = map[string]int{}, map[string]int{} // made at the first finding
	}
	s.byRule[f.Rule]++
	s.byClass[f.Class.String()]++
	if s.opts.OnFinding != nil {
		s.opts.OnFinding(f)
	}
}

// AddExact adds a value to redact from now on (for example a credential that
// was injected into the request this response answers).
func (s *Stream) AddExact(v []byte) {
	if len(v) >= minExactLen {
		s.opts.Exact = append(s.opts.Exact, slices.Clone(v))
	}
}

// Write consumes a chunk and returns what can be emitted now.
func (s *Stream) Write(p []byte) ([]byte, error) {
	if s.closed {
		return nil, ErrClosed
	}
	if s.events != nil {
		return s.events.write(p, false)
	}
	return s.text.write(nil, p, false), nil
}

// Close flushes everything held back (end of stream). An SSE stream whose
// last event is unterminated gets it scanned and terminated.
func (s *Stream) Close() ([]byte, error) {
	if s.closed {
		return nil, nil
	}
	s.closed = true
	if s.events != nil {
		return s.events.write(nil, true)
	}
	return s.text.write(nil, nil, true), nil
}

// Counts returns the number of findings so far per class name and per rule,
// for the audit record (never the values).
func (s *Stream) Counts() (byClass, byRule map[string]int) {
	byClass = make(map[string]int, len(s.byClass))
	for k, v := range s.byClass {
		byClass[k] = v
	}
	byRule = make(map[string]int, len(s.byRule))
	for k, v := range s.byRule {
		byRule[k] = v
	}
	return byClass, byRule
}

// Limits reports the bounds this stream reached, by name, with how often:
// "stream_fields_unlearned" counts JSON string values scanned on their own
// because maxShapes (1024) fields had open channels at once (a secret split
// across events in such a value is not joined). Empty when no bound was
// reached. The server writes it into the record; the wasm filter counts it
// in a metric.
func (s *Stream) Limits() map[string]int {
	if s.q == nil || s.q.unlearned == 0 {
		return nil
	}
	return map[string]int{"stream_fields_unlearned": s.q.unlearned}
}

// Held reports how many bytes of text are currently held back (for metrics
// and tests).
func (s *Stream) Held() int {
	n := len(s.text.buf) - s.text.ctx
	if s.q != nil {
		n += s.q.held()
	}
	return n
}

// textStream is the hold-back machine for one logical string. buf holds up
// to ctxKeep bytes of already-emitted context followed by the pending bytes.
type textStream struct {
	s   *Stream
	buf []byte
	ctx int   // len of the context prefix of buf
	off int64 // input offset of buf[0]
}

func (t *textStream) write(dst, p []byte, final bool) []byte {
	t.buf = append(t.buf, p...)
	if len(t.buf) == t.ctx {
		return dst
	}
	e := t.s.eng
	sc := e.pool.Get().(*scratch)
	defer e.putScratch(sc)
	var spans []span
	h := len(t.buf)
	if final {
		spans = e.scanFinal(t.buf, &t.s.opts.Options, sc)
	} else {
		spans, h = e.scan(t.buf, &t.s.opts.Options, sc)
	}
	h = clipToSpans(h, spans, false)
	if maxHold := t.s.opts.MaxHold; len(t.buf)-h > maxHold {
		h = clipToSpans(len(t.buf)-maxHold, spans, true)
	}
	h = max(h, t.ctx)
	var findings []Finding
	dst, findings = e.apply(dst, t.buf, t.ctx, h, spans, nil, int(t.off))
	for _, f := range findings {
		t.s.report(f)
	}
	keep := max(0, h-ctxKeep)
	n := copy(t.buf, t.buf[keep:])
	t.buf = t.buf[:n]
	t.ctx = h - keep
	t.off += int64(keep)
	if cap(t.buf) > 4*t.s.opts.MaxHold && len(t.buf) < t.s.opts.MaxHold {
		t.buf = slices.Clip(slices.Clone(t.buf))
	}
	return dst
}

// clipToSpans moves h out of any span it would cut: back to the span start,
// or (forward) past its end.
func clipToSpans(h int, spans []span, forward bool) int {
	for _, sp := range spans {
		if sp.s < h && h < sp.e {
			if forward {
				return sp.e
			}
			return sp.s
		}
	}
	return h
}
