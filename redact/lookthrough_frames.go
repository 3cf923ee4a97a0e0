package redact

import (
	"bytes"
	"encoding/json"
	"slices"
)

// Look-through of event framing in text: an SSE or NDJSON transcript that
// reaches the engine as text (a tool result holding a `curl -N` of a model
// API, a log of a streamed response, `warden redact` reading a capture) cuts
// the model's text into `data:` events or JSON lines, so a token the model
// wrote in three pieces stands in three JSON strings two hundred bytes apart.
// Read as text, no piece is a secret; read as the event-stream reader reads
// the body (stream_route.go), the pieces of one text channel join.
//
// So the engine reads runs of frame lines (`data:`, `event:`, `id:`,
// `retry:`, SSE comments and blank lines; lines that are each one JSON
// object) as events, routes their strings to channels exactly as the event
// reader does (the three formats known exactly; every other one by shape:
// the string field whose value changes from event to event), scans each
// channel's joined text and maps every finding back to the bytes of each
// piece it covers, where they stand in the text (the output keeps its
// framing: each piece of a split secret gets its own marker). A stream holds
// back from the start of the event line where a match may still be growing,
// so the events after it are read whole.

// maxFrameRegion bounds the run of frame lines read as one stream; past it a
// new run starts (counted: channels are not joined across the cut).
const maxFrameRegion = 8 << 20

// maxFrameLine bounds one frame line (an event's JSON); a longer line ends
// the run of frame lines (counted, as the region's cut is: the channels open
// before it are not joined with the events after it).
const maxFrameLine = 1 << 20

var (
	dataField = []byte("data:")
	doneData  = []byte("[DONE]")
)

// frameSeg is one piece of a channel in its joined view.
type frameSeg struct {
	vs, ve int // range in the view
	srcEnd int // source offset just past the piece's last encoded byte
	line   int // source start of the event holding the piece
}

// frameChan is the joined view of one channel: the decoded text of its
// pieces and, for every byte, where its encoded form starts in the source.
type frameChan struct {
	buf  []byte
	off  []int32
	segs []frameSeg
}

// frameReader reads one run of frame lines.
type frameReader struct {
	e      *Engine
	b      []byte
	o      *Options
	layer  int
	chans  map[string]*frameChan
	order  []string
	shapes map[string]*shape
	spans  []span
	pend   int
	vals   [][2]int    // source ranges of the events' strings, in order
	links  []frameLink // findings in several pieces
	buf    eventBuf    // readJSONEvent's memory
	// the SSE event being read
	data   [][2]int // value bounds of its data lines
	evLine int      // start of its first line
	evName string
}

// frameHits reads the runs of frame lines around the look-through hits (line
// starts of `data:` lines and `}\n{` boundaries of JSON lines).
func (e *Engine) frameHits(b []byte, hits []int, o *Options, spans []span, pend, layer int) ([]span, int, []frameLink) {
	done := -1
	var links []frameLink
	for _, h := range hits {
		ls := h
		if b[h] == '}' {
			ls = lineStartBack(b, h)
		} else if h > 0 {
			ls = h + 1 // the hit is "\ndata:"
		}
		if ls < 0 || ls < done {
			continue
		}
		for ls > 0 && ls > done {
			p := lineStartBack(b, ls-1)
			if p < 0 || p < done {
				break
			}
			l := lineContent(b, p)
			if !frameLine(l) || !wholeJSONLine(l) {
				if k := embeddedFrame(l); k > 0 {
					ls = p + k
				}
				break
			}
			ls = p
		}
		fr := &frameReader{e: e, b: b, o: o, layer: layer, chans: map[string]*frameChan{}, shapes: map[string]*shape{}, spans: spans, pend: pend}
		done = fr.read(ls)
		spans, pend = fr.spans, fr.pend
		links = append(links, fr.links...)
	}
	return spans, pend, links
}

// lineStartBack returns the start of the line holding b[i], or -1 when it is
// more than maxFrameLine bytes back.
func lineStartBack(b []byte, i int) int {
	j := bytes.LastIndexByte(b[max(0, i-maxFrameLine):i], '\n')
	switch {
	case j >= 0:
		return max(0, i-maxFrameLine) + j + 1
	case i <= maxFrameLine:
		return 0
	}
	return -1
}

// lineContent returns the line at ls without its terminator.
func lineContent(b []byte, ls int) []byte {
	le := bytes.IndexByte(b[ls:], '\n')
	if le < 0 {
		le = len(b) - ls
	}
	return bytes.TrimSuffix(b[ls:ls+le], []byte("\r"))
}

// frameLine reports whether a line can be part of an event stream: an SSE
// field line (data, event, id, retry), an SSE comment, a blank line or one
// JSON object.
func frameLine(l []byte) bool {
	l = bytes.TrimPrefix(l, utf8BOM)
	if len(l) == 0 || l[0] == ':' {
		return true
	}
	for _, f := range [][]byte{dataField, []byte("event:"), []byte("id:"), []byte("retry:")} {
		if bytes.HasPrefix(l, f) {
			return true
		}
	}
	t := bytes.TrimSpace(l)
	return len(t) >= 2 && t[0] == '{' && t[len(t)-1] == '}'
}

// wholeJSONLine reports whether a frame line that looks like a JSON object
// is one (any other frame line passes): a line that only starts and ends with
// braces (a JSON document holding a stream in a string) is no event.
func wholeJSONLine(l []byte) bool {
	t := bytes.TrimSpace(bytes.TrimPrefix(l, utf8BOM))
	return len(t) == 0 || t[0] != '{' || json.Valid(t)
}

// read reads the run of frame lines from ls and returns where it ended.
func (fr *frameReader) read(ls int) int {
	b := fr.b
	i := ls
	open := true // the run reaches the end of b: its channels may continue
	for i < len(b) && open {
		if i-ls > maxFrameRegion {
			countBound(&bounds.unlearned)
			open = false
			break
		}
		le := bytes.IndexByte(b[i:], '\n')
		complete := le >= 0
		if !complete {
			le = len(b) - i
		}
		l := bytes.TrimSuffix(b[i:i+le], []byte("\r"))
		bom := 0
		if bytes.HasPrefix(l, utf8BOM) {
			bom = len(utf8BOM)
		}
		c := l[bom:]
		switch {
		case !frameLine(l) || len(l) > maxFrameLine:
			if complete && len(l) > maxFrameLine && frameLine(l) {
				countBound(&bounds.unlearned)
			}
			if !complete && (len(c) < len(dataField) && bytes.HasPrefix(dataField, c) || len(c) > 0 && c[0] == '{') {
				fr.hold(i) // the start of a frame line, cut by the end of b
			} else {
				open = false
			}
		case len(c) == 0:
			fr.dispatch()
		case c[0] == '{':
			fr.dispatch()
			if !fr.jsonEvent(c, payloadMap(i+bom, len(c)), i, "") {
				if complete {
					open = false // a line that is not JSON ends the run
				} else {
					fr.hold(i) // a JSON line cut by the end of b
				}
			}
		case bytes.HasPrefix(c, dataField):
			if len(fr.data) == 0 {
				fr.evLine = i
			}
			vs := i + bom + len(dataField)
			if vs < i+len(l) && b[vs] == ' ' {
				vs++
			}
			fr.data = append(fr.data, [2]int{vs, i + len(l)})
			if !complete && !fr.dispatchCut() {
				fr.hold(fr.evLine)
			}
		case bytes.HasPrefix(c, []byte("event:")):
			fr.evName = string(bytes.TrimSpace(c[len("event:"):]))
		}
		if !open || !complete {
			break
		}
		i += le + 1
	}
	fr.dispatch()
	for _, k := range cloneKeys(fr.order) {
		fr.finish(k, open)
	}
	fr.confine(ls, i)
	return i
}

// hold makes a stream hold from the event line at i.
func (fr *frameReader) hold(i int) { fr.pend = min(fr.pend, i) }

// payloadMap returns the source offsets of a payload that stands in one
// piece at src.
func payloadMap(src, n int) []int32 {
	m := make([]int32, n+1)
	for k := range m {
		m[k] = int32(src + k) //nolint:gosec // bodies are far below 2 GiB
	}
	return m
}

// dispatchCut reads the SSE event whose last data line is cut by the end of
// b when its data is whole JSON (a line that parses is complete); it reports
// false when the line may still grow.
func (fr *frameReader) dispatchCut() bool {
	last := fr.data[len(fr.data)-1]
	v := fr.b[last[0]:last[1]]
	if len(v) > 0 && (v[0] == '{' || v[0] == '[') && json.Valid(v) {
		fr.dispatch()
		return true
	}
	if len(v) > 0 && v[0] != '{' && v[0] != '[' {
		fr.dispatch() // text: the piece is read as it stands; the channel stays open
		return true
	}
	fr.data = fr.data[:0]
	return false
}

// dispatch reads the SSE event whose data lines were collected.
func (fr *frameReader) dispatch() {
	if len(fr.data) == 0 {
		fr.evName = ""
		return
	}
	data, name := fr.data, fr.evName
	fr.data, fr.evName = fr.data[:0], ""
	var payload []byte
	var m []int32
	for k, d := range data {
		if k > 0 {
			payload = append(payload, '\n')
			m = append(m, int32(d[0])) //nolint:gosec // bodies are far below 2 GiB
		}
		payload = append(payload, fr.b[d[0]:d[1]]...)
		for x := d[0]; x < d[1]; x++ {
			m = append(m, int32(x)) //nolint:gosec // bodies are far below 2 GiB
		}
	}
	m = append(m, int32(data[len(data)-1][1])) //nolint:gosec // bodies are far below 2 GiB
	if bytes.Equal(bytes.TrimSpace(payload), doneData) {
		for _, k := range cloneKeys(fr.order) {
			fr.finish(k, false)
		}
		return
	}
	if fr.jsonEvent(payload, m, fr.evLine, name) {
		return
	}
	// A plain-text stream: the event's data is a piece of the event name's channel, its
	// lines joined by line breaks as a client reads them (finish also reads it without
	// them: a token split over data lines).
	key := "data:" + name
	for k, d := range data {
		fr.vals = append(fr.vals, d)
		val, m := fr.b[d[0]:d[1]], payloadMap(d[0], d[1]-d[0])
		if k < len(data)-1 {
			val = append(slices.Clone(val), '\n')
			m = append(m, int32(d[1])) //nolint:gosec // bodies are far below 2 GiB
		}
		fr.add(key, val, m, fr.evLine)
	}
}

// embeddedFrame returns where the first event of a stream starts in a line
// that holds something else before it, or -1: a body stored in a JSON string
// (a HAR file's response text, a tool result) or read with its key as
// context (`text=data: {...}`) opens its first event after the quote or the
// key, where no line starts. The event must be whole JSON (`data: {...}`
// or `{...}`) so that prose mentioning `data:` is not read as one.
func embeddedFrame(l []byte) int {
	if k := bytes.LastIndex(l, dataField); k > 0 && !isAlnum(l[k-1]) {
		v := bytes.TrimPrefix(l[k+len(dataField):], []byte(" "))
		if len(v) > 1 && v[0] == '{' && json.Valid(v) {
			return k
		}
	}
	for k, tries := 0, 0; tries < 4; tries++ {
		j := bytes.Index(l[k:], []byte(`{"`))
		if j < 0 {
			break
		}
		k += j
		if k > 0 && (l[k-1] == '"' || l[k-1] == '=' || l[k-1] == ' ') && json.Valid(l[k:]) {
			return k
		}
		k++
	}
	return -1
}
