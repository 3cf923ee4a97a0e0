package redact

import (
	"bytes"
	"cmp"
	"slices"
)

// withOwn adds the pieces' own findings to the channel's. A channel finding that the own
// findings cover entirely is dropped: two values of one field that each hold a secret (the
// e-mail of two records) keep a marker each, rather than one marker for both.
func withOwn(spans []span, ps []pieceAt) []span {
	var own []span
	for _, pa := range ps {
		for _, sp := range pa.p.own {
			sp.s, sp.e = sp.s+pa.at, sp.e+pa.at
			own = append(own, sp)
		}
	}
	out := make([]span, 0, len(spans)+len(own))
	for _, sp := range spans {
		if !covered(sp, own) {
			out = append(out, sp)
		}
	}
	return mergeSpans(append(out, own...))
}

// covered reports whether the sorted, disjoint spans in own cover every byte of sp.
func covered(sp span, own []span) bool {
	pos := sp.s
	for _, o := range own {
		if o.e <= pos {
			continue
		}
		if o.s > pos {
			return false
		}
		pos = o.e
		if pos >= sp.e {
			return true
		}
	}
	return false
}

func hasOwn(ps []pieceAt) bool {
	for _, pa := range ps {
		if len(pa.p.own) > 0 {
			return true
		}
	}
	return false
}

// render decides one piece: a secret that starts in it is replaced by its
// marker here; the bytes of a secret that started in an earlier piece are
// removed.
func (q *events) render(c *channel, pa pieceAt, spans []span) {
	e := q.s.eng
	a, b := pa.at, pa.at+len(pa.p.val)
	var out []byte
	pos, changed := a, false
	for _, sp := range spans {
		s, en := max(sp.s, c.ctx), sp.e
		if en <= a || s >= b || en <= s {
			continue
		}
		changed = true
		if s >= a {
			out = append(out, c.buf[pos:s]...)
			var tag string
			out, tag = e.marker(out, sp.id, c.buf[s:en])
			q.s.report(Finding{Rule: sp.id, Class: sp.class, Start: int(c.off) + s, End: int(c.off) + en, Tag: tag})
		}
		pos = max(pos, min(en, b))
	}
	p := pa.p
	if changed {
		p.out = append(out, c.buf[pos:b]...)
		p.changed = true
	}
	p.it.open--
}

// appendTo writes the item: as received when nothing in it changed. The item is released: out
// may be returned as its own bytes.
func (it *item) appendTo(out []byte) []byte {
	sp := it.splices
	for _, p := range it.pieces {
		if !p.changed {
			continue
		}
		repl := p.out
		if it.json {
			repl = appendJSONString(nil, p.out)
		}
		sp = append(sp, splice{start: p.start, end: p.end, repl: repl})
	}
	if len(sp) == 0 && !it.relined {
		if len(out) == 0 {
			// The item's bytes are its own copy and it is done with: out starts as them (capped,
			// so the next item's append copies).
			return it.raw[:len(it.raw):len(it.raw)]
		}
		return append(out, it.raw...)
	}
	payload := applySplices(it.payload, sp)
	if it.lines != nil {
		if len(sp) == 0 {
			return emit(out, it.raw, it.lines, true)
		}
		return rebuild(out, it.lines, payload)
	}
	out = append(out, it.raw[:it.pOff]...)
	out = append(out, payload...)
	return append(out, it.raw[it.pOff+len(it.payload):]...)
}

// maxShapes bounds the fields a stream knows by shape at once (memory per
// stream). Past it the fields with no open channel are forgotten, oldest
// first (evictIdleShapes), so a long stream of records with ever new fields
// keeps learning; only maxShapes fields open at the same time exhaust it.
const maxShapes = 1024

// evictIdleShapes forgets the older half of the fields that have no open
// channel. A forgotten field is learned again if it comes back: an id is
// then a channel piece for one event before it repeats, which costs a
// little hold-back, never a missed secret.
func (q *events) evictIdleShapes() {
	var idle []string
	for k := range q.shapes {
		if c, open := q.chans[k]; !open || len(c.pieces) == 0 {
			idle = append(idle, k)
		}
	}
	slices.SortFunc(idle, func(a, b string) int { return cmp.Compare(q.shapes[a].seen, q.shapes[b].seen) })
	for _, k := range idle[:(len(idle)+1)/2] {
		delete(q.shapes, k)
	}
}

// jsonString is one string value of a JSON event: its path and token span.
type jsonString struct {
	path       []pathElem
	start, end int
}

// mayBeKnown is a cheap test that rules out the formats read exactly.
func mayBeKnown(payload []byte) bool {
	for _, m := range knownMarks {
		if bytes.Contains(payload, m) {
			return true
		}
	}
	return false
}

var knownMarks = [][]byte{[]byte(`"delta"`), []byte(`"message_`), []byte(`"content_block_`), []byte(`"ping"`), []byte(`"response.`), []byte(`"error"`)}

// jsonEvent adds the strings of one JSON event (read once by readJSONEvent):
// channel pieces (by the known formats' routes, or found by shape) and
// complete values. It returns the channels the event ends.
func (q *events) jsonEvent(it *item, evName string, ev *jsonEvent) []string {
	payload := it.payload
	it.json = true
	head, known, tree, strs := &ev.head, ev.known, ev.tree, ev.strs
	var fed map[string]bool // the fields found by shape this event feeds
	for _, js := range strs {
		path, start, end := js.path, js.start, js.end
		name := ""
		if n := len(path); n > 0 && path[n-1].isKey {
			name = path[n-1].key
		}
		if opaqueKeys[name] {
			continue
		}
		val := decodeJSONString(payload[start:end])
		if known {
			if k := route(head, path, &q.buf); k != "" {
				q.add(it, k, false, start, end, val, name)
				continue
			}
			q.complete(it, start, end, val, name)
			continue
		}
		if metaFields[name] || isTimestamp(val) {
			// Metadata names no text (ids, model names, roles, reasons), and a time stamp changes
			// with every event (Ollama's created_at) but never continues: complete values.
			q.complete(it, start, end, val, name)
			continue
		}
		k, g := shapeKey(tree, path, evName)
		if _, ok := q.shapes[k]; !ok {
			if len(q.shapes) >= maxShapes {
				q.evictIdleShapes()
			}
			if len(q.shapes) >= maxShapes {
				// maxShapes fields are open at once: this value is scanned on its own, so a
				// secret split across events in it would be missed. Counted, never silent.
				q.unlearned++
				countBound(&bounds.unlearned)
				q.complete(it, start, end, val, name)
				continue
			}
			if q.shapes == nil {
				q.shapes = map[string]*shape{}
			}
			q.shapes[k] = &shape{group: g}
		}
		if q.add(it, k, true, start, end, val, name) {
			if fed == nil {
				fed = map[string]bool{}
			}
			fed[k], fed[g] = true, true
		}
	}
	if known {
		return ends(head)
	}
	if len(fed) > 0 {
		// A field found by shape continues only while the events that follow carry it (or the
		// same field of a sibling choice): an id or a name sent once is decided at the next event.
		for _, k := range cloneKeys(q.order) {
			if sh := q.shapes[k]; sh != nil && !fed[k] && !fed[sh.group] {
				q.finish(k)
			}
		}
	}
	return shapeEnds(tree)
}

// textEvent adds a payload that is not JSON as one piece of the channel key.
func (q *events) textEvent(it *item, key string) {
	q.add(it, key, false, 0, len(it.payload), it.payload, "")
}
