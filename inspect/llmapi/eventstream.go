package llmapi

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
)

// The AWS event-stream framing (application/vnd.amazon.eventstream), which Bedrock's
// InvokeModelWithResponseStream and ConverseStream responses use. A message is
//
//	total length (uint32) | headers length (uint32) | prelude CRC32 (of the 8 bytes before)
//	headers | payload | message CRC32 (of every byte before it)
//
// all big-endian, CRC-32/IEEE. A header is name length (uint8), name, value type (uint8) and a
// value whose size the type gives (strings and byte arrays carry a uint16 length).

// ErrEventStream reports event-stream bytes that do not frame, or whose CRCs do not match.
var ErrEventStream = errors.New("llmapi: malformed AWS event-stream message")

const (
	esPrelude    = 12
	esMinMessage = 16
	esMaxMessage = 16 << 20 // AWS's limit for one message
)

// esMessage is one decoded event-stream message.
type esMessage struct {
	headers map[string]string // string-valued headers (:event-type, :message-type, :content-type, ...)
	payload []byte
}

// looksEventStream reports whether b starts with a well-formed event-stream prelude (its CRC
// matches): a JSON or SSE body cannot.
func looksEventStream(b []byte) bool {
	if len(b) < esPrelude {
		return false
	}
	total := binary.BigEndian.Uint32(b[0:4])
	hlen := binary.BigEndian.Uint32(b[4:8])
	return total >= esMinMessage && total <= esMaxMessage && hlen <= total-esMinMessage &&
		crc32.ChecksumIEEE(b[:8]) == binary.BigEndian.Uint32(b[8:12])
}

// nextEventStreamMessage decodes the message at the start of b; n is its length. With fewer
// bytes than the message needs it returns n == 0 and no error (wait for more).
func nextEventStreamMessage(b []byte) (m esMessage, n int, err error) {
	if len(b) < esPrelude {
		return m, 0, nil
	}
	total := binary.BigEndian.Uint32(b[0:4])
	hlen := binary.BigEndian.Uint32(b[4:8])
	if total < esMinMessage || total > esMaxMessage || hlen > total-esMinMessage {
		return m, 0, fmt.Errorf("%w: lengths %d/%d", ErrEventStream, total, hlen)
	}
	if crc32.ChecksumIEEE(b[:8]) != binary.BigEndian.Uint32(b[8:12]) {
		return m, 0, fmt.Errorf("%w: prelude CRC mismatch", ErrEventStream)
	}
	if len(b) < int(total) {
		return m, 0, nil
	}
	msg := b[:total]
	if crc32.ChecksumIEEE(msg[:total-4]) != binary.BigEndian.Uint32(msg[total-4:]) {
		return m, 0, fmt.Errorf("%w: message CRC mismatch", ErrEventStream)
	}
	m.headers, err = eventStreamHeaders(msg[esPrelude : esPrelude+hlen])
	if err != nil {
		return m, 0, err
	}
	m.payload = msg[esPrelude+hlen : total-4]
	return m, int(total), nil
}

// eventStreamHeaders decodes the header block, keeping string values.
func eventStreamHeaders(h []byte) (map[string]string, error) {
	out := map[string]string{}
	for len(h) > 0 {
		nl := int(h[0])
		if nl == 0 || len(h) < 1+nl+1 {
			return nil, fmt.Errorf("%w: truncated header name", ErrEventStream)
		}
		name := string(h[1 : 1+nl])
		typ := h[1+nl]
		h = h[2+nl:]
		var size int
		switch typ {
		case 0, 1: // bool true, false
		case 2: // byte
			size = 1
		case 3: // int16
			size = 2
		case 4: // int32
			size = 4
		case 5, 8: // int64, timestamp
			size = 8
		case 9: // uuid
			size = 16
		case 6, 7: // byte array, string
			if len(h) < 2 {
				return nil, fmt.Errorf("%w: truncated header value", ErrEventStream)
			}
			l := int(binary.BigEndian.Uint16(h))
			if len(h) < 2+l {
				return nil, fmt.Errorf("%w: truncated header value", ErrEventStream)
			}
			if typ == 7 {
				out[name] = string(h[2 : 2+l])
			}
			h = h[2+l:]
			continue
		default:
			return nil, fmt.Errorf("%w: unknown header type %d", ErrEventStream, typ)
		}
		if len(h) < size {
			return nil, fmt.Errorf("%w: truncated header value", ErrEventStream)
		}
		h = h[size:]
	}
	return out, nil
}

// ParseEventStream extracts the tool calls from a whole event-stream response body of api:
// Bedrock InvokeModelWithResponseStream ("chunk" events whose payload {"bytes": base64} holds
// the model's own stream event) or ConverseStream (contentBlockStart / contentBlockDelta
// events). An exception message, a framing or CRC error, or bytes after the last whole message
// give an error along with the calls read so far: fail closed.
func ParseEventStream(api string, body []byte) ([]ToolCall, error) {
	a := newAssembler(api)
	var firstErr error
	for len(body) > 0 {
		m, n, err := nextEventStreamMessage(body)
		if err != nil {
			firstErr = err
			break
		}
		if n == 0 {
			firstErr = fmt.Errorf("%w: %d trailing bytes do not make a whole message", ErrEventStream, len(body))
			break
		}
		body = body[n:]
		if err := a.feedEventStream(m); err != nil && firstErr == nil {
			firstErr = err
		}
	}
	calls, err := a.result()
	if firstErr != nil {
		return calls, firstErr
	}
	return calls, err
}

// feedEventStream reads one event-stream message into the assembler.
func (a *assembler) feedEventStream(m esMessage) error {
	switch m.headers[":message-type"] {
	case "exception", "error":
		return fmt.Errorf("llmapi: event-stream %s %q", m.headers[":message-type"],
			m.headers[":exception-type"]+m.headers[":error-code"])
	}
	typ := m.headers[":event-type"]
	if a.api == APIConverse {
		_, err := a.converseEvent(typ, m.payload)
		if err != nil {
			a.malformed++
		}
		return nil
	}
	if typ != "chunk" {
		return nil
	}
	inner, err := chunkBytes(m.payload)
	if err != nil {
		a.malformed++
		return nil
	}
	a.feed(event{data: inner})
	return nil
}
