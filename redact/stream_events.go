package redact

import (
	"bytes"
	"strings"
)

// Streams of events.
//
// An SSE body, an NDJSON body and a JSON array streamed element by element
// are all sequences of items in wire order: events (an SSE event, an NDJSON
// line, an array element) and the bytes between them. Inside the events, the
// text a model generates travels as text channels: one string field whose
// value continues from event to event (a Chat Completions choice's content,
// a Gemini candidate's part text, an Ollama "response", the data of a
// plain-text SSE stream). Every piece of a channel is appended to that
// channel's text and scanned there, so a secret split across events
// (`sk-pro` | `j-...`) is seen whole.
//
// An event is emitted, in order, once every piece of channel text it carries
// is decided, that is, once no secret found later could still start in it. Until
// then the event and every event after it wait in the queue. So held-back
// text keeps its place: nothing that came after it in the stream (a tool
// call, a stop event) reaches the client first. An event whose text holds no
// secret is emitted byte for byte as it came; a secret that spans pieces is
// replaced by one marker in the piece where it starts, and its bytes in the
// later pieces are removed.

// item is one unit of a stream in wire order.
type item struct {
	raw     []byte    // as received
	lines   []sseLine // SSE events: the lines, rebuilt around a changed payload
	relined bool      // a line other than data was redacted
	payload []byte    // the event's data (pieces and splices index into it)
	pOff    int       // for non-SSE items: where payload starts in raw
	json    bool      // pieces are JSON string tokens
	splices []splice  // redacted complete values
	pieces  []*piece
	open    int // pieces not decided yet
}

// piece is one channel string in an event: its token span in the payload.
type piece struct {
	it         *item
	start, end int
	val        []byte // decoded text fed to the channel
	out        []byte // decided text
	changed    bool
	own        []span // findings in val read on its own, with its field name as context
}

// channel is one text channel: a hold-back machine over the concatenation of
// its pieces, like textStream, that decides whole pieces.
type channel struct {
	lines  bool   // the data of a plain-text SSE stream: its line breaks are data lines
	buf    []byte // context (already decided) + pending pieces
	ctx    int
	off    int64 // stream offset of buf[0]
	pieces []pieceAt
}

type pieceAt struct {
	p  *piece
	at int // offset in buf
}

// shape is what the stream learned about a channel key it found by shape.
type shape struct {
	last   []byte // the previous value
	varied bool   // two values differed: the field continues
	repeat bool   // the value repeated unchanged: a complete value, not a channel
	group  string // the key without element indexes
	seen   uint64 // when the field was last fed (events.seq), for eviction
}

// events is the part of a stream shared by every event format: the queue of
// items and the text channels.
type events struct {
	s      *Stream
	queue  []*item
	queued int
	chans  map[string]*channel
	order  []string
	shapes map[string]*shape
	// touched lists the channels the item being added fed.
	touched []string
	seq     uint64
	// unlearned counts string values scanned on their own because maxShapes
	// fields were open at once (Stream.Limits reports it).
	unlearned int
	buf       eventBuf // readJSONEvent's memory
	keyed     []byte   // the key=value text a value is scanned in, reused
}

func newEvents(s *Stream) *events {
	return &events{s: s, chans: map[string]*channel{}} // shapes: made when a field is read by shape
}

// complete redacts a string that is a whole value on its own and records
// the splice in the item.
func (q *events) complete(it *item, start, end int, val []byte, key string) {
	e := q.s.eng
	sc := e.pool.Get().(*scratch)
	defer e.putScratch(sc)
	red, spans := e.redactValueIn(val, key, &q.s.opts.Options, sc, &q.keyed)
	for _, sp := range spans {
		q.s.report(Finding{Rule: sp.id, Class: sp.class, Start: sp.s, End: sp.e, Tag: e.Tag(val[sp.s:sp.e])})
	}
	if red == nil {
		return
	}
	repl := red
	if it.json {
		repl = appendJSONString(nil, red)
	}
	it.splices = append(it.splices, splice{start: start, end: end, repl: repl})
}

// add feeds a piece of channel text. key names the channel; found tells
// whether the key was found by shape (a field that might instead repeat a
// complete value, like a model name), and name is the field's own key, the
// context generic rules need (`"password": "..."`).
func (q *events) add(it *item, key string, found bool, start, end int, val []byte, name string) bool {
	var own []span
	if found {
		sh := q.shapes[key]
		if sh == nil {
			sh = &shape{}
			if q.shapes == nil {
				q.shapes = map[string]*shape{}
			}
			q.shapes[key] = sh
		}
		if !sh.varied && sh.last != nil && bytes.Equal(sh.last, val) {
			// The same value again: the field repeats (an id, a model name), it does not continue.
			sh.repeat = true
			q.finish(key)
		}
		if sh.repeat {
			q.complete(it, start, end, val, name)
			return false
		}
		if sh.last != nil {
			sh.varied = true
		}
		q.seq++
		sh.seen = q.seq
		sh.last = append(sh.last[:0], val...)
		// A piece is also a value of its field: the field's name is context (`"password": "..."`)
		// that the joined text does not carry. Its own findings join the channel's.
		e := q.s.eng
		sc := e.pool.Get().(*scratch)
		_, own = e.redactValueIn(val, name, &q.s.opts.Options, sc, &q.keyed)
		e.putScratch(sc)
	}
	p := &piece{it: it, start: start, end: end, val: val, own: own}
	it.pieces = append(it.pieces, p)
	if len(val) == 0 {
		return true // nothing to hold; decided as it is
	}
	it.open++
	c, ok := q.chans[key]
	if !ok {
		c = &channel{lines: strings.HasPrefix(key, "data:")}
		q.chans[key] = c
		q.order = append(q.order, key)
	}
	if len(c.pieces) == 0 || c.pieces[len(c.pieces)-1].p.it != it {
		q.touched = append(q.touched, key)
	}
	c.pieces = append(c.pieces, pieceAt{p: p, at: len(c.buf)})
	c.buf = append(c.buf, val...)
	return true
}

// push appends an item whose pieces were added, decides what can be decided
// (ending the channels named by ends: a prefix, "" for all) and returns the
// items that can be emitted.
func (q *events) push(out []byte, it *item, ends []string) []byte {
	q.queue = append(q.queue, it)
	q.queued += len(it.raw)
	for _, k := range q.touched {
		if c, ok := q.chans[k]; ok {
			q.decide(c, false)
		}
	}
	q.touched = q.touched[:0]
	if len(ends) > 0 {
		for _, k := range cloneKeys(q.order) {
			if matchesAny(k, ends) {
				q.finish(k)
			}
		}
	}
	if q.queued > q.s.opts.MaxEvent {
		// Bound the queue: a channel that keeps an old event waiting is decided now.
		for _, k := range cloneKeys(q.order) {
			q.finish(k)
		}
	}
	return q.release(out)
}

// finish decides a channel to its end and forgets it.
func (q *events) finish(key string) {
	c, ok := q.chans[key]
	if !ok {
		return
	}
	q.decide(c, true)
	delete(q.chans, key)
	for i, k := range q.order {
		if k == key {
			q.order = append(q.order[:i], q.order[i+1:]...)
			break
		}
	}
}

// finishAll ends every channel (end of stream, [DONE]).
func (q *events) finishAll() {
	for _, k := range cloneKeys(q.order) {
		q.finish(k)
	}
}

// release emits the items at the head of the queue that have nothing left to decide.
func (q *events) release(out []byte) []byte {
	n := 0
	for n < len(q.queue) && q.queue[n].open == 0 {
		out = q.queue[n].appendTo(out)
		q.queued -= len(q.queue[n].raw)
		n++
	}
	k := copy(q.queue, q.queue[n:])
	clear(q.queue[k:])
	q.queue = q.queue[:k]
	return out
}

// held is the channel text not decided yet.
func (q *events) held() int {
	n := 0
	for _, c := range q.chans {
		n += len(c.buf) - c.ctx
	}
	return n
}

// decide scans a channel and decides every whole piece that no secret found
// later could still start in.
func (q *events) decide(c *channel, final bool) {
	if len(c.pieces) == 0 {
		return
	}
	e := q.s.eng
	sc := e.pool.Get().(*scratch)
	defer e.putScratch(sc)
	var spans []span
	h := len(c.buf)
	if final {
		spans = e.scanFinal(c.buf, &q.s.opts.Options, sc)
	} else {
		spans, h = e.scan(c.buf, &q.s.opts.Options, sc)
	}
	if hasOwn(c.pieces) {
		spans = withOwn(spans, c.pieces)
	}
	if c.lines {
		spans = e.joinLines(c.buf, spans, &q.s.opts.Options, final)
	}
	h = clipToSpans(h, spans, false)
	if maxHold := q.s.opts.MaxHold; len(c.buf)-h > maxHold {
		h = clipToSpans(len(c.buf)-maxHold, spans, true)
	}
	// Decide whole pieces, and never between two pieces of one secret: its marker goes in the
	// first and its bytes leave the others in the same call.
	cut, n := c.ctx, 0
	for i, pa := range c.pieces {
		end := pa.at + len(pa.p.val)
		if end > h {
			break
		}
		if clipToSpans(end, spans, false) == end {
			cut, n = end, i+1
		}
	}
	if n == 0 {
		return
	}
	for _, pa := range c.pieces[:n] {
		q.render(c, pa, spans)
	}
	keep := max(0, cut-ctxKeep)
	m := copy(c.buf, c.buf[keep:])
	c.buf = c.buf[:m]
	c.ctx = cut - keep
	c.off += int64(keep)
	rest := copy(c.pieces, c.pieces[n:])
	clear(c.pieces[rest:])
	c.pieces = c.pieces[:rest]
	for i := range c.pieces {
		c.pieces[i].at -= keep
	}
}
