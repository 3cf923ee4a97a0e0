package llmapi

import "bytes"

// event is one parsed server-sent event.
type event struct {
	name string // the "event:" field, "" when absent
	data []byte // "data:" lines joined by '\n' (one line: a slice of the raw event, not to be kept)
}

// nextEvent returns the length of the first complete event in b, including the blank line that
// ends it, following the SSE line rules (lines end in "\r\n", "\n" or "\r"). A '\r' at the very
// end of b may be the first half of "\r\n", so it completes nothing unless atEOF. At EOF the
// remaining bytes form the last event even without a blank line.
func nextEvent(b []byte, atEOF bool) (int, bool) {
	n, ok, _ := scanEvent(b, 0, atEOF)
	return n, ok
}

// scanEvent is nextEvent starting at from, which must be the start of a line with only non-blank
// lines before it. When no event is complete it also returns the start of the line it stopped
// in, where the next scan of the same (grown) buffer may resume.
func scanEvent(b []byte, from int, atEOF bool) (n int, ok bool, resume int) {
	lineStart := from
	for i := from; i < len(b); i++ {
		c := b[i]
		if c != '\n' && c != '\r' {
			continue
		}
		end := i + 1
		if c == '\r' {
			if i+1 == len(b) && !atEOF {
				return 0, false, lineStart
			}
			if i+1 < len(b) && b[i+1] == '\n' {
				end++
			}
		}
		if i == lineStart { // blank line: the event is complete
			return end, true, 0
		}
		lineStart = end
		i = end - 1
	}
	if atEOF && len(b) > 0 {
		return len(b), true, 0
	}
	return 0, false, lineStart
}

// parseEvent reads the fields of one raw event. Comments and unknown fields are ignored.
func parseEvent(raw []byte) event {
	var ev event
	raw = bytes.TrimPrefix(raw, []byte("\xEF\xBB\xBF")) // a BOM may open the stream
	dataLines := 0
	for len(raw) > 0 {
		line := raw
		n := bytes.IndexAny(raw, "\r\n")
		if n >= 0 {
			line = raw[:n]
			step := n + 1
			if raw[n] == '\r' && n+1 < len(raw) && raw[n+1] == '\n' {
				step++
			}
			raw = raw[step:]
		} else {
			raw = nil
		}
		if len(line) == 0 || line[0] == ':' {
			continue
		}
		field, value := line, []byte(nil)
		if i := bytes.IndexByte(line, ':'); i >= 0 {
			field, value = line[:i], line[i+1:]
			if len(value) > 0 && value[0] == ' ' {
				value = value[1:]
			}
		}
		switch string(field) {
		case "event":
			ev.name = string(value)
		case "data":
			switch dataLines {
			case 0:
				// One data line (the common event) is read where it stands; its capacity ends
				// with it, so a second line's append copies instead of writing into raw.
				ev.data = value[:len(value):len(value)]
			default:
				ev.data = append(ev.data, '\n')
				ev.data = append(ev.data, value...)
			}
			dataLines++
		}
	}
	return ev
}
