package redact

import (
	"bytes"
	"slices"
	"sort"
	"strings"
)

// jsonEvent routes the strings of one JSON event (payload, whose byte k
// stands at source offset m[k]) to channels as the event reader does
// (events.jsonEvent): by the routes of the formats known exactly, else by
// shape. It reports false when the payload is not JSON.
func (fr *frameReader) jsonEvent(payload []byte, m []int32, line int, evName string) bool {
	ev, ok := readJSONEvent(payload, &fr.buf)
	if !ok {
		return false
	}
	head, known, tree, strs := &ev.head, ev.known, ev.tree, ev.strs
	fed := map[string]bool{}
	for _, js := range strs {
		fr.vals = append(fr.vals, [2]int{int(m[js.start+1]), int(m[js.end-1])})
		name := ""
		if n := len(js.path); n > 0 && js.path[n-1].isKey {
			name = js.path[n-1].key
		}
		if opaqueKeys[name] {
			continue
		}
		if known {
			if k := route(head, js.path, &fr.buf); k != "" {
				fr.addToken(k, payload, js.start, js.end, m, line)
			}
			continue
		}
		if metaFields[name] {
			continue
		}
		val := decodeJSONString(payload[js.start:js.end])
		if isTimestamp(val) {
			continue
		}
		k, g := shapeKey(tree, js.path, evName)
		sh := fr.shapes[k]
		if sh == nil {
			if len(fr.shapes) >= maxShapes {
				countBound(&bounds.unlearned) // read on its own, by the scan of the text
				continue
			}
			sh = &shape{group: g}
			fr.shapes[k] = sh
		}
		if !sh.varied && sh.last != nil && bytes.Equal(sh.last, val) {
			sh.repeat = true // the field repeats a complete value (an id, a name)
			fr.finish(k, false)
		}
		if sh.repeat {
			continue
		}
		if sh.last != nil {
			sh.varied = true
		}
		sh.last = append(sh.last[:0], val...)
		fr.addToken(k, payload, js.start, js.end, m, line)
		fed[k], fed[g] = true, true
	}
	var ended []string
	if known {
		ended = ends(head)
	} else {
		if len(fed) > 0 {
			for _, k := range fr.order {
				if sh := fr.shapes[k]; sh != nil && !fed[k] && !fed[sh.group] {
					ended = append(ended, k)
				}
			}
		}
		ended = append(ended, shapeEnds(tree)...)
	}
	if len(ended) > 0 {
		for _, k := range cloneKeys(fr.order) {
			if matchesAny(k, ended) {
				fr.finish(k, false)
			}
		}
	}
	return true
}

func (fr *frameReader) channel(key string) *frameChan {
	c, ok := fr.chans[key]
	if !ok {
		c = &frameChan{}
		fr.chans[key] = c
		fr.order = append(fr.order, key)
	}
	return c
}

// addToken appends the decoded JSON string token payload[start:end] to a
// channel, each byte with the source offset of its encoded form.
func (fr *frameReader) addToken(key string, payload []byte, start, end int, m []int32, line int) {
	if end-start <= 2 {
		return
	}
	c := fr.channel(key)
	vs := len(c.buf)
	for i := start + 1; i < end-1; {
		if payload[i] != '\\' {
			c.buf = append(c.buf, payload[i])
			c.off = append(c.off, m[i])
			i++
			continue
		}
		n0 := len(c.buf)
		var n int
		c.buf, n = jsonEscape(payload, i, c.buf)
		if n == 0 {
			// \b, \f or a lone surrogate: one byte stands for it
			c.buf, n = append(c.buf, ' '), 2
			if payload[i+1] == 'u' {
				n = 6
			}
		}
		for range len(c.buf) - n0 {
			c.off = append(c.off, m[i])
		}
		i += n
	}
	c.segs = append(c.segs, frameSeg{vs: vs, ve: len(c.buf), srcEnd: int(m[end-1]), line: line})
}

// add appends raw text (a plain-text data line) to a channel.
func (fr *frameReader) add(key string, val []byte, m []int32, line int) {
	if len(val) == 0 {
		return
	}
	c := fr.channel(key)
	vs := len(c.buf)
	c.buf = append(c.buf, val...)
	c.off = append(c.off, m[:len(val)]...)
	c.segs = append(c.segs, frameSeg{vs: vs, ve: len(c.buf), srcEnd: int(m[len(val)]), line: line})
}

// finish scans a channel's joined text and forgets the channel. open says
// more of it may follow the end of the text: a stream then holds from the
// event where a match may still be growing.
func (fr *frameReader) finish(key string, open bool) {
	c, ok := fr.chans[key]
	if !ok {
		return
	}
	delete(fr.chans, key)
	if i := slices.Index(fr.order, key); i >= 0 {
		fr.order = slices.Delete(fr.order, i, i+1)
	}
	if len(c.segs) == 0 || len(c.segs) < 2 && !open {
		return // one piece: the scan of the text itself reads it
	}
	e := fr.e
	sc := e.pool.Get().(*scratch)
	defer e.putScratch(sc)
	inner, ipend := e.scanLayer(c.buf, fr.o, sc, fr.layer+1)
	inner = slices.Clone(inner)
	if ipend < len(c.buf) {
		if open {
			fr.hold(c.segAt(c.holdFrom(ipend, inner)).line)
		}
		// Read the end as if the channel ended there (as scanFinal does): a value that
		// runs to the end of the joined text is pending, not missing.
		from := max(0, ipend-tailContext)
		tail := append(slices.Clone(c.buf[from:]), '\n')
		tsc := e.pool.Get().(*scratch)
		more, _ := e.scanLayer(tail, fr.o, tsc, fr.layer+1)
		for _, sp := range more {
			if sp.e <= len(tail)-1 && sp.e+from > ipend {
				sp.s, sp.e = sp.s+from, sp.e+from
				inner = append(inner, sp)
			}
		}
		e.putScratch(tsc)
	}
	if strings.HasPrefix(key, "data:") {
		inner = e.joinLines(c.buf, mergeSpans(inner), fr.o, !open)
	}
	for _, sp := range inner {
		n := len(fr.spans)
		fr.spans = c.mapSpan(fr.spans, sp)
		if len(fr.spans)-n > 1 {
			// One finding in several pieces: a stream must not emit some of them and hold the
			// rest (read again alone, the rest is no finding).
			first := c.segAt(sp.s).line
			fr.links = append(fr.links, frameLink{line: first, s: fr.spans[n].s, e: fr.spans[len(fr.spans)-1].e})
		}
	}
}

// frameLink is a finding found in several pieces: the line of the event its
// first piece stands in, and the source range from its first piece to its
// last.
type frameLink struct{ line, s, e int }

// holdLinked moves pend before every finding in several pieces that it
// would cut, to the start of the event of its first piece.
func holdLinked(pend int, links []frameLink) int {
	for moved := true; moved; {
		moved = false
		for _, l := range links {
			if l.s < pend && pend < l.e && l.line < pend {
				pend, moved = l.line, true
			}
		}
	}
	return pend
}

// frameCtx is how much of a channel's text before a match still growing a
// stream holds with it: the key and separator a keyed value needs
// (`password=` in the event before the value's first piece).
const frameCtx = 64

// holdFrom returns the view offset a stream holds from when the scan is
// pending at ipend: the start of the piece frameCtx bytes of text before it,
// moved back before every finding that has a piece from there on (its
// pieces are read again together, with the events that follow).
func (c *frameChan) holdFrom(ipend int, spans []span) int {
	h := max(0, ipend-frameCtx)
	for moved := true; moved; {
		moved = false
		h = c.segAt(h).vs
		for _, sp := range spans {
			if sp.s < h && sp.e > h {
				h, moved = sp.s, true
			}
		}
	}
	return h
}

// segIndex returns the index of the first piece that ends after view byte i
// (len(c.segs) if none): the pieces stand in the view in order, so it is
// found by bisection (a transcript has a piece per event, a hundred thousand
// in a few MB, and every finding looks its pieces up).
func (c *frameChan) segIndex(i int) int {
	return sort.Search(len(c.segs), func(k int) bool { return i < c.segs[k].ve })
}

// segAt returns the piece holding view byte i.
func (c *frameChan) segAt(i int) frameSeg {
	return c.segs[min(c.segIndex(i), len(c.segs)-1)]
}

// mapSpan appends the source spans of view span sp: one per piece it covers.
func (c *frameChan) mapSpan(spans []span, sp span) []span {
	for _, s := range c.segs[c.segIndex(sp.s):] {
		if s.vs >= sp.e {
			break
		}
		a, z := max(sp.s, s.vs), min(sp.e, s.ve)
		if a >= z {
			continue
		}
		ss, se := int(c.off[a]), s.srcEnd
		if z < s.ve {
			se = int(c.off[z])
		}
		if ss < se {
			spans = append(spans, span{s: ss, e: se, id: sp.id, class: sp.class, prio: sp.prio})
		}
	}
	return spans
}

// confine keeps the findings in the events of [from, to) inside the strings
// they stand in: a finding of the text as it stands that runs over a line
// break there (a container or a key block read across the framing of two
// events) is cut to the parts of it inside the events' strings, so every
// event keeps its framing (its JSON, its data lines).
func (fr *frameReader) confine(from, to int) {
	if len(fr.vals) == 0 {
		return
	}
	var out []span
	changed := false
	for _, sp := range fr.spans {
		if sp.e <= from || sp.s >= to || bytes.IndexByte(fr.b[sp.s:sp.e], '\n') < 0 {
			out = append(out, sp)
			continue
		}
		changed = true
		if sp.s < from {
			out = append(out, span{s: sp.s, e: from, id: sp.id, class: sp.class, prio: sp.prio})
		}
		if sp.e > to {
			out = append(out, span{s: to, e: sp.e, id: sp.id, class: sp.class, prio: sp.prio})
		}
		for _, v := range fr.vals {
			if s, e := max(sp.s, v[0]), min(sp.e, v[1]); s < e {
				out = append(out, span{s: s, e: e, id: sp.id, class: sp.class, prio: sp.prio})
			}
		}
	}
	if changed {
		fr.spans = out
	}
}
