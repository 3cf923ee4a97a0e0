package llmapi

import (
	"errors"
	"fmt"
)

// DefaultMaxHeld is the hold limit NewGuard uses when given maxHeld <= 0.
const DefaultMaxHeld = 8 << 20

// ErrHeldTooLarge reports that a guarded stream held more bytes than its limit. The caller must
// fail closed: the tool call it was holding has not been judged.
var ErrHeldTooLarge = errors.New("llmapi: held SSE bytes exceed the limit")

// Guard holds back the part of a streamed SSE response that carries tool calls until the calls
// are complete and judged. Bytes before the first tool-call event flow through unchanged (text
// keeps streaming); from that event on, every byte is held, in order and byte-identical, so the
// client never sees a call the policy has not allowed. A Guard is used by one goroutine.
type Guard struct {
	provider, api string
	maxHeld       int
	pending       []byte // the start of an event whose end has not arrived
	resume        int    // where scanning pending resumes (a line start after non-blank lines)
	held          []byte
	holding       bool
	asm           *assembler
	err           error
	// framing is decided by the first bytes: AWS event-stream (Bedrock) or SSE.
	framed, eventStream bool
}

// NewGuard returns a guard for a response of provider and api (see Detect). maxHeld bounds the
// bytes held plus the bytes of an unfinished event; <= 0 means DefaultMaxHeld.
func NewGuard(provider, api string, maxHeld int) *Guard {
	if maxHeld <= 0 {
		maxHeld = DefaultMaxHeld
	}
	return &Guard{provider: provider, api: api, maxHeld: maxHeld, asm: newAssembler(api)}
}

// Write takes the next chunk of the response body and returns the bytes that may be sent to the
// client now: the complete events before the first tool-call event. They may be chunk's own
// memory (a chunk of whole events released as it came is not copied). It returns
// ErrHeldTooLarge once the held bytes pass the limit; after an error every call returns it again.
func (g *Guard) Write(chunk []byte) ([]byte, error) {
	if g.err != nil {
		return nil, g.err
	}
	fresh := len(g.pending) == 0 // then pending holds chunk's bytes from offset 0
	g.pending = append(g.pending, chunk...)
	if !g.framed && len(g.pending) >= esPrelude {
		g.framed, g.eventStream = true, looksEventStream(g.pending)
	}
	if g.eventStream {
		return g.writeEventStream()
	}
	off, released := 0, 0 // released events are always a prefix: once holding, all is held
	for off < len(g.pending) {
		n, ok, resume := scanEvent(g.pending[off:], g.resume, false)
		if !ok {
			g.resume = resume
			break
		}
		g.resume = 0
		raw := g.pending[off : off+n]
		if g.asm.feed(parseEvent(raw)) || g.holding {
			g.holding = true
			g.held = append(g.held, raw...)
		} else {
			released = off + n
		}
		off += n
	}
	var out []byte
	switch {
	case released > 0 && fresh:
		out = chunk[:released:released]
	case released > 0:
		out = append(out, g.pending[:released]...)
	}
	if off > 0 {
		g.pending = append(g.pending[:0], g.pending[off:]...) // resume is relative to off already
	}
	if len(g.held)+len(g.pending) > g.maxHeld {
		g.err = fmt.Errorf("%w (%d bytes): raise the guard limit or fail the response", ErrHeldTooLarge, g.maxHeld)
		g.held, g.pending = nil, nil
		return out, g.err
	}
	return out, nil
}

// Holding reports whether the guard has started holding bytes back.
func (g *Guard) Holding() bool { return g.holding }

// Finish ends the stream. It returns the tool calls the response proposed (arguments assembled),
// and the bytes still held, which the caller either releases unchanged or replaces with
// StreamError when a call is denied. An unterminated last event is parsed and held too. err is
// ErrHeldTooLarge after an overflow, or ErrMalformedEvent when an event's data was not JSON (the
// calls may then be incomplete: fail closed).
func (g *Guard) Finish() (calls []ToolCall, held []byte, err error) {
	if g.err != nil {
		return nil, nil, g.err
	}
	if len(g.pending) > 0 && g.eventStream {
		g.held = append(g.held, g.pending...)
		g.pending = nil
		g.asm.malformed++ // a message cut short cannot be judged
	} else if len(g.pending) > 0 {
		if g.asm.feed(parseEvent(g.pending)) {
			g.holding = true
		}
		g.held = append(g.held, g.pending...)
		g.pending = nil
	}
	calls, err = g.asm.result()
	held, g.held = g.held, nil
	return calls, held, err
}

// writeEventStream is Write for AWS event-stream framing: whole messages are the units held or
// released. A framing or CRC error fails the stream (the client's decoder would reject it too,
// but a call in it could not be judged).
func (g *Guard) writeEventStream() ([]byte, error) {
	var out []byte
	off := 0
	for off < len(g.pending) {
		m, n, err := nextEventStreamMessage(g.pending[off:])
		if err != nil {
			g.err = err
			g.held, g.pending = nil, nil
			return out, err
		}
		if n == 0 {
			break
		}
		raw := g.pending[off : off+n]
		before := len(g.asm.calls) + g.asm.malformed
		if ferr := g.asm.feedEventStream(m); ferr != nil {
			g.asm.malformed++
		}
		if len(g.asm.calls)+g.asm.malformed > before || len(g.asm.calls) > 0 || g.holding {
			g.holding = true
			g.held = append(g.held, raw...)
		} else {
			out = append(out, raw...)
		}
		off += n
	}
	if off > 0 {
		g.pending = append(g.pending[:0], g.pending[off:]...)
	}
	if len(g.held)+len(g.pending) > g.maxHeld {
		g.err = fmt.Errorf("%w (%d bytes): raise the guard limit or fail the response", ErrHeldTooLarge, g.maxHeld)
		g.held, g.pending = nil, nil
		return out, g.err
	}
	return out, nil
}
