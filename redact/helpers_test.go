package redact_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/warden-gw/warden/redact"
	"github.com/warden-gw/warden/redact/redacttest"
)

var markerRe = regexp.MustCompile(`\[REDACTED:[a-z0-9-]+(?::[0-9a-f]{8})?\]`)

var (
	engOnce    sync.Once
	sharedEng  *redact.Engine
	sharedSamp []redacttest.Sample
	sampErr    error
)

func engine(t testing.TB) *redact.Engine {
	t.Helper()
	engOnce.Do(func() {
		sharedEng, sampErr = redact.New(redact.Config{})
		if sampErr == nil {
			sharedSamp, sampErr = redacttest.Samples(sharedEng, 7)
		}
	})
	if sampErr != nil {
		t.Fatal(sampErr)
	}
	return sharedEng
}

func samples(t testing.TB) []redacttest.Sample {
	t.Helper()
	engine(t)
	return sharedSamp
}

// leak reports the first 8-byte window of secret (or all of a shorter secret)
// found in out.
func leak(out []byte, secret string) (string, bool) {
	out = markerRe.ReplaceAll(out, nil)
	w := min(8, len(secret))
	for i := 0; i+w <= len(secret); i++ {
		if bytes.Contains(out, []byte(secret[i:i+w])) {
			return secret[i : i+w], true
		}
	}
	return "", false
}

// runStream feeds chunks to a new stream and returns all output.
func runStream(t testing.TB, eng *redact.Engine, kind redact.Kind, chunks ...[]byte) []byte {
	t.Helper()
	s := eng.NewStream(kind, redact.StreamOptions{})
	var out []byte
	for _, c := range chunks {
		o, err := s.Write(c)
		if err != nil {
			t.Fatalf("write: %v", err)
		}
		out = append(out, o...)
	}
	o, err := s.Close()
	if err != nil {
		t.Fatalf("close: %v", err)
	}
	return append(out, o...)
}

func splitAt(b []byte, cuts ...int) [][]byte {
	var out [][]byte
	prev := 0
	for _, c := range cuts {
		c = max(prev, min(c, len(b)))
		out = append(out, b[prev:c])
		prev = c
	}
	return append(out, b[prev:])
}

// sseFormat builds a complete SSE body whose text is carried by deltas.
type sseFormat struct {
	name  string
	build func(deltas []string) []byte
	// text extracts the concatenated delta text of an output stream.
	text func(t testing.TB, events []sseEvent) string
}

type sseEvent struct {
	name string
	data string
}

func jsonStr(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

var sseFormats = []sseFormat{
	{
		name: "openai-chat",
		build: func(deltas []string) []byte {
			var b strings.Builder
			b.WriteString(`data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-x","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}` + "\n\n")
			for _, d := range deltas {
				fmt.Fprintf(&b, `data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-x","choices":[{"index":0,"delta":{"content":%s},"finish_reason":null}]}`+"\n\n", jsonStr(d))
			}
			b.WriteString(`data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-x","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}` + "\n\n")
			b.WriteString("data: [DONE]\n\n")
			return []byte(b.String())
		},
		text: func(t testing.TB, evs []sseEvent) string {
			var sb strings.Builder
			for _, e := range evs {
				if e.data == "[DONE]" {
					continue
				}
				var c struct {
					Choices []struct {
						Delta struct {
							Content string `json:"content"`
						} `json:"delta"`
					} `json:"choices"`
				}
				mustJSON(t, e.data, &c)
				for _, ch := range c.Choices {
					sb.WriteString(ch.Delta.Content)
				}
			}
			return sb.String()
		},
	},
	{
		name: "openai-responses",
		build: func(deltas []string) []byte {
			var b strings.Builder
			seq := 0
			ev := func(name, data string) {
				fmt.Fprintf(&b, "event: %s\ndata: %s\n\n", name, data)
				seq++
			}
			ev("response.created", `{"type":"response.created","sequence_number":0,"response":{"id":"resp_1","status":"in_progress","output":[]}}`)
			ev("response.output_item.added", `{"type":"response.output_item.added","sequence_number":1,"output_index":0,"item":{"id":"msg_1","type":"message","role":"assistant","content":[]}}`)
			full := strings.Join(deltas, "")
			for _, d := range deltas {
				ev("response.output_text.delta", fmt.Sprintf(`{"type":"response.output_text.delta","sequence_number":%d,"item_id":"msg_1","output_index":0,"content_index":0,"delta":%s}`, seq, jsonStr(d)))
			}
			ev("response.output_text.done", fmt.Sprintf(`{"type":"response.output_text.done","sequence_number":%d,"item_id":"msg_1","output_index":0,"content_index":0,"text":%s}`, seq, jsonStr(full)))
			ev("response.content_part.done", fmt.Sprintf(`{"type":"response.content_part.done","sequence_number":%d,"item_id":"msg_1","output_index":0,"content_index":0,"part":{"type":"output_text","text":%s}}`, seq, jsonStr(full)))
			ev("response.completed", fmt.Sprintf(`{"type":"response.completed","sequence_number":%d,"response":{"id":"resp_1","status":"completed","output":[{"id":"msg_1","type":"message","content":[{"type":"output_text","text":%s}]}]}}`, seq, jsonStr(full)))
			return []byte(b.String())
		},
		text: func(t testing.TB, evs []sseEvent) string {
			var sb strings.Builder
			for _, e := range evs {
				var d struct {
					Type  string `json:"type"`
					Delta string `json:"delta"`
				}
				mustJSON(t, e.data, &d)
				if d.Type == "response.output_text.delta" {
					sb.WriteString(d.Delta)
				}
			}
			return sb.String()
		},
	},
	{
		name: "anthropic-messages",
		build: func(deltas []string) []byte {
			var b strings.Builder
			ev := func(name, data string) { fmt.Fprintf(&b, "event: %s\ndata: %s\n\n", name, data) }
			ev("message_start", `{"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","content":[],"model":"claude-x","usage":{"input_tokens":5,"output_tokens":1}}}`)
			ev("content_block_start", `{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}`)
			ev("ping", `{"type": "ping"}`)
			for _, d := range deltas {
				ev("content_block_delta", fmt.Sprintf(`{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":%s}}`, jsonStr(d)))
			}
			ev("content_block_stop", `{"type":"content_block_stop","index":0}`)
			ev("message_delta", `{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":15}}`)
			ev("message_stop", `{"type":"message_stop"}`)
			return []byte(b.String())
		},
		text: func(t testing.TB, evs []sseEvent) string {
			var sb strings.Builder
			for _, e := range evs {
				var d struct {
					Type  string `json:"type"`
					Delta struct {
						Text string `json:"text"`
					} `json:"delta"`
				}
				mustJSON(t, e.data, &d)
				if d.Type == "content_block_delta" {
					sb.WriteString(d.Delta.Text)
				}
			}
			return sb.String()
		},
	},
}

func mustJSON(t testing.TB, data string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(data), v); err != nil {
		t.Fatalf("event data is not valid JSON: %v\n%s", err, data)
	}
}

// parseSSE checks that out is a sequence of complete events and returns them.
func parseSSE(t testing.TB, out []byte) []sseEvent {
	t.Helper()
	s := string(out)
	if s != "" && !strings.HasSuffix(s, "\n\n") {
		t.Fatalf("SSE output does not end with a blank line: %q", s[max(0, len(s)-80):])
	}
	var evs []sseEvent
	for _, block := range strings.Split(strings.TrimSuffix(s, "\n\n"), "\n\n") {
		var ev sseEvent
		var data []string
		for _, line := range strings.Split(block, "\n") {
			name, val, _ := strings.Cut(line, ":")
			val = strings.TrimPrefix(val, " ")
			switch name {
			case "event":
				ev.name = val
			case "data":
				data = append(data, val)
			default:
				t.Fatalf("unexpected SSE line %q", line)
			}
		}
		ev.data = strings.Join(data, "\n")
		evs = append(evs, ev)
	}
	return evs
}
