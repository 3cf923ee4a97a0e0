package extproc

import (
	"context"
	"errors"
	"strings"
	"testing"

	filterv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/ext_proc/v3"
	extprocv3 "github.com/envoyproxy/go-control-plane/envoy/service/ext_proc/v3"
)

// fuzzMessage turns two bytes into one ProcessingRequest: any kind, with or without
// end_of_stream, with bodies that trigger redaction, denial and tool-call blocking, content types
// that switch streaming on, huge headers, and protocol_config with any body mode.
func fuzzMessage(op, arg byte) *extprocv3.ProcessingRequest {
	eos := op&0x08 != 0
	bodies := []string{"", "plain", "SECRET", `{"q":"deny"}`, "data: tool DROP\n\n", `{"q":"approve"}`, "data: a SEC", "RET\n\n"}
	body := bodies[int(arg)%len(bodies)]
	var m *extprocv3.ProcessingRequest
	switch op & 0x07 {
	case 0:
		kv := []string{}
		if arg&0x40 != 0 {
			kv = append(kv, "x-huge", strings.Repeat("h", 300<<10))
		}
		m = reqHeaders(eos, kv...)
	case 1:
		m = reqBody(body, eos)
	case 2:
		m = reqTrailers()
	case 3:
		ct := []string{"application/json", "text/event-stream", "text/plain", "application/json; charset=utf-8"}[int(arg)%4]
		m = respHeaders(eos, "content-type", ct)
	case 4:
		m = respBody(body, eos)
	case 5:
		m = &extprocv3.ProcessingRequest{Request: &extprocv3.ProcessingRequest_ResponseTrailers{ResponseTrailers: &extprocv3.HttpTrailers{}}}
	default:
		m = &extprocv3.ProcessingRequest{} // no oneof set: what an unknown message looks like
	}
	if op&0x10 != 0 {
		modes := []filterv3.ProcessingMode_BodySendMode{
			filterv3.ProcessingMode_NONE, filterv3.ProcessingMode_STREAMED, filterv3.ProcessingMode_BUFFERED,
			filterv3.ProcessingMode_BUFFERED_PARTIAL, filterv3.ProcessingMode_FULL_DUPLEX_STREAMED,
		}
		m.ProtocolConfig = &extprocv3.ProtocolConfiguration{
			RequestBodyMode:  modes[int(op>>5)%len(modes)],
			ResponseBodyMode: modes[int(arg>>5)%len(modes)],
		}
	}
	return m
}

// FuzzProcessingSequence feeds arbitrary message sequences to one stream. Whatever arrives, the
// stream must not panic; it either answers or fails with ErrProtocol; it never answers after an
// ImmediateResponse; and the exchange leaves at most one request and one completion record.
func FuzzProcessingSequence(f *testing.F) {
	f.Add([]byte{0x08, 0x00})                                     // header-only GET
	f.Add([]byte{0x00, 0x00, 0x09, 0x02, 0x03, 0x01, 0x0c, 0x02}) // POST with a secret, JSON response
	f.Add([]byte{0x01, 0x00})                                     // body before headers
	f.Add([]byte{0x00, 0x00, 0x09, 0x01, 0x09, 0x01})             // duplicate end_of_stream
	f.Add([]byte{0x08, 0x00, 0x03, 0x01, 0x04, 0x04, 0x0c, 0x00}) // SSE with a blocked tool call
	f.Add([]byte{0x07, 0x00})                                     // unknown oneof
	f.Add([]byte{0x18, 0xff, 0x03, 0x00})                         // protocol_config, huge headers
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 64 {
			data = data[:64]
		}
		h := newHarness(t, nil)
		closed := false
		for i := 0; i+1 < len(data); i += 2 {
			// As Server.serve does: a completion record still due is written before the next
			// message, and replies that end the exchange leave it due until the stream ends.
			h.st.afterReplies(context.Background())
			replies, err := h.st.handle(context.Background(), fuzzMessage(data[i], data[i+1]))
			h.st.repliesSent()
			if err != nil {
				if !errors.Is(err, ErrProtocol) {
					t.Fatalf("message %d: error %v does not wrap ErrProtocol", i/2, err)
				}
				break
			}
			if closed && len(replies) > 0 {
				t.Fatalf("message %d answered after an ImmediateResponse", i/2)
			}
			for _, r := range replies {
				if r.GetImmediateResponse() != nil {
					closed = true
				}
			}
		}
		h.st.finish(context.Background(), context.Canceled)
		if req, comp := h.audit.counts(); req > 1 || comp > 1 || (comp == 1 && req != 1) {
			t.Fatalf("records: %d request, %d completion", req, comp)
		}
	})
}

// FuzzStreamEnd: whether the final SSE event was released never depends on where the stream was
// cut into chunks.
func FuzzStreamEnd(f *testing.F) {
	for _, s := range []string{"data: [DONE]\n\n", "event: message_stop\n", "x\ndata: {\"type\":\"response.completed\"}", "data: {\"t\":\"\\ndata: [DONE]\"}"} {
		f.Add([]byte(s), uint8(3), uint8(7))
	}
	f.Fuzz(func(t *testing.T, body []byte, a, b uint8) {
		var whole streamEnd
		whole.write(body)
		i, j := int(a)%(len(body)+1), int(b)%(len(body)+1)
		if i > j {
			i, j = j, i
		}
		var cut streamEnd
		cut.write(body[:i])
		cut.write(body[i:j])
		cut.write(body[j:])
		if whole.seen != cut.seen {
			t.Fatalf("%q cut at %d,%d: whole %v, cut %v", body, i, j, whole.seen, cut.seen)
		}
	})
}
