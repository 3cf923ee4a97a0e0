package extproc

import "bytes"

// streamEnd watches the bytes of a streamed (SSE) response as warden releases them to the agent
// and notices the event that ends the stream for the agent's SDK: `data: [DONE]` (OpenAI Chat
// Completions), `message_stop` (Anthropic Messages) and `response.completed` (OpenAI Responses).
// SDKs close their stream right there; when the upstream's body ends a moment later, Envoy resets
// the ext_proc stream, and the completion record must still say that the agent got the whole
// answer rather than that the exchange was cancelled.
type streamEnd struct {
	seen bool
	tail []byte // the end of what was released so far: a marker may straddle two chunks
}

// streamEndMarkers each start a line, so that text inside a JSON string (where a newline is
// escaped) can never match.
var streamEndMarkers = [][]byte{
	[]byte("\ndata: [DONE]"),
	[]byte("\nevent: message_stop"),
	[]byte("\ndata: {\"type\":\"message_stop\""),
	[]byte("\nevent: response.completed"),
	[]byte("\ndata: {\"type\":\"response.completed\""),
}

const streamEndTail = 48 // longer than every marker

// write looks at the next released bytes.
func (e *streamEnd) write(released []byte) {
	if e.seen || len(released) == 0 {
		return
	}
	if e.tail == nil {
		e.tail = []byte{'\n'} // the start of the body is the start of a line
	}
	buf := append(e.tail, released...)
	for _, m := range streamEndMarkers {
		if bytes.Contains(buf, m) {
			e.seen = true
			e.tail = nil
			return
		}
	}
	if len(buf) > streamEndTail {
		buf = buf[len(buf)-streamEndTail:]
	}
	e.tail = append(e.tail[:0], buf...)
}
