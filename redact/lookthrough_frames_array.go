package redact

import "bytes"

// A JSON array streamed element by element (Gemini's streamGenerateContent
// without alt=sse, Vertex's streaming methods) read as text: the array opens
// a line (`[{`), its elements are objects that start at the beginning of a
// line, separated by a comma and a line break (`}\n,\r\n{` or `},\r\n{`).
// Each element is an event of the frame reader (lookthrough_frames.go),
// so the text that continues from element to element joins as it does for
// the event reader (arrayStream).

// arrayHits reads the arrays around the element boundaries in hits (the
// offset of the `}` that closes an element).
func (e *Engine) arrayHits(b []byte, hits []int, o *Options, spans []span, pend, layer int) ([]span, int, []frameLink) {
	done, floor := -1, 0
	var links []frameLink
	for _, h := range hits {
		if h < done || h < floor {
			continue
		}
		from := arrayOpening(b, max(floor, h-maxFrameRegion), h) + 1
		if from == 0 {
			// No array opens before h in b (a stream holds from an element, not from the array's
			// start): the elements are read from the one after h.
			from = h + 1
		}
		fr := &frameReader{e: e, b: b, o: o, layer: layer, chans: map[string]*frameChan{}, shapes: map[string]*shape{}, spans: spans, pend: pend}
		done = fr.readArray(from)
		spans, pend = fr.spans, fr.pend
		links = append(links, fr.links...)
		if done <= h && from <= h {
			// What looked like the array's opening (a `[` where b starts, mid-element in a
			// stream's held text) did not lead to h: the elements are read from the one after h.
			fr = &frameReader{e: e, b: b, o: o, layer: layer, chans: map[string]*frameChan{}, shapes: map[string]*shape{}, spans: spans, pend: pend}
			done = fr.readArray(h + 1)
			spans, pend = fr.spans, fr.pend
			links = append(links, fr.links...)
		}
		floor = done
	}
	return spans, pend, links
}

// arrayOpening returns the offset of the `[` that opens a line in b[lo:hi] and
// is followed by an object, the last one, or -1.
func arrayOpening(b []byte, lo, hi int) int {
	for i := hi; i > lo; {
		j := bytes.LastIndexByte(b[lo:i], '[')
		if j < 0 {
			return -1
		}
		j += lo
		if (j == 0 || b[j-1] == '\n') && bytes.HasPrefix(bytes.TrimLeft(b[j+1:min(len(b), j+64)], " \t\r\n"), []byte("{")) {
			return j
		}
		i = j
	}
	return -1
}

// readArray reads the elements of an array from from (after its `[` or
// after an element) and returns where the array (or the run of elements
// read) ended.
func (fr *frameReader) readArray(from int) int {
	b := fr.b
	i := from
	open := true
	for open {
		for i < len(b) && (isJSONSpace(b[i]) || b[i] == ',') {
			i++
		}
		if i >= len(b) {
			break
		}
		if b[i] == ']' || b[i] != '{' {
			open = false
			break
		}
		end := objectEnd(b, i)
		if end < 0 {
			fr.hold(i) // an element cut by the end of b
			break
		}
		if end-i > maxFrameLine {
			countBound(&bounds.unlearned) // the run ends: not joined across the element (as read does)
			open = false
			break
		}
		if !fr.jsonEvent(b[i:end], payloadMap(i, end-i), i, "") {
			open = false
			break
		}
		i = end
	}
	for _, k := range cloneKeys(fr.order) {
		fr.finish(k, open)
	}
	fr.confine(from, i)
	return i
}

// objectEnd returns the end of the JSON object that starts at b[i], or -1
// when b ends first.
func objectEnd(b []byte, i int) int {
	depth, inString, escaped := 0, false, false
	for k := i; k < len(b); k++ {
		c := b[k]
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			depth++
		case c == '}' || c == ']':
			depth--
			if depth == 0 {
				return k + 1
			}
		}
	}
	return -1
}
