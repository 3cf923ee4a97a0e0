package redacttest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// StreamFormat builds a streamed LLM response in one provider's wire format
// and reads the text back from what a client received, so tests can split a
// secret across events at every offset and check what a client would
// assemble.
type StreamFormat struct {
	Name        string
	ContentType string
	// Build returns a complete body whose generated text is the concatenation of deltas,
	// each delta in its own event.
	Build func(deltas []string) []byte
	// Text parses a body as a client would and returns the concatenated generated text. It
	// fails on a body that is not well-formed for the format.
	Text func(body []byte) (string, error)
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// SSEEvent is one parsed server-sent event.
type SSEEvent struct {
	Name, Data string
}

// ParseSSE parses a body of complete events (each ended by a blank line).
func ParseSSE(body []byte) ([]SSEEvent, error) {
	s := strings.ReplaceAll(string(body), "\r\n", "\n")
	if s == "" {
		return nil, nil
	}
	if !strings.HasSuffix(s, "\n\n") {
		return nil, fmt.Errorf("SSE body does not end with a blank line: %q", s[max(0, len(s)-80):])
	}
	var evs []SSEEvent
	for _, block := range strings.Split(strings.TrimSuffix(s, "\n\n"), "\n\n") {
		var ev SSEEvent
		var data []string
		for _, line := range strings.Split(block, "\n") {
			name, val, _ := strings.Cut(line, ":")
			val = strings.TrimPrefix(val, " ")
			switch name {
			case "event":
				ev.Name = val
			case "data":
				data = append(data, val)
			case "":
			default:
				return nil, fmt.Errorf("unexpected SSE line %q", line)
			}
		}
		ev.Data = strings.Join(data, "\n")
		evs = append(evs, ev)
	}
	return evs, nil
}

// sseText reads the text of an SSE body whose events carry JSON: pick returns the text of one
// decoded event.
func sseText(pick func(name string, v map[string]any) string) func([]byte) (string, error) {
	return func(body []byte) (string, error) {
		evs, err := ParseSSE(body)
		if err != nil {
			return "", err
		}
		var sb strings.Builder
		for _, e := range evs {
			if e.Data == "[DONE]" || e.Data == "" {
				continue
			}
			var v map[string]any
			if err := json.Unmarshal([]byte(e.Data), &v); err != nil {
				return "", fmt.Errorf("event data is not valid JSON: %w: %s", err, e.Data)
			}
			sb.WriteString(pick(e.Name, v))
		}
		return sb.String(), nil
	}
}

// at walks decoded JSON by object keys and array positions.
func at(v any, path ...any) any {
	for _, p := range path {
		switch p := p.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[p]
		case int:
			a, _ := v.([]any)
			if p >= len(a) {
				return nil
			}
			v = a[p]
		}
	}
	return v
}

func str(v any, path ...any) string {
	s, _ := at(v, path...).(string)
	return s
}

// StreamFormats are the streamed response formats of the providers agents use.
var StreamFormats = []StreamFormat{
	{
		Name: "openai-chat", ContentType: "text/event-stream",
		Build: func(deltas []string) []byte {
			var b strings.Builder
			b.WriteString(`data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-x","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}` + "\n\n")
			for _, d := range deltas {
				fmt.Fprintf(&b, `data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-x","choices":[{"index":0,"delta":{"content":%s},"finish_reason":null}]}`+"\n\n", jsonString(d))
			}
			b.WriteString(`data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-x","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}` + "\n\ndata: [DONE]\n\n")
			return []byte(b.String())
		},
		Text: sseText(func(_ string, v map[string]any) string { return str(v, "choices", 0, "delta", "content") }),
	},
	{
		Name: "openai-completions", ContentType: "text/event-stream",
		Build: func(deltas []string) []byte {
			var b strings.Builder
			for _, d := range deltas {
				fmt.Fprintf(&b, `data: {"id":"cmpl-1","object":"text_completion","created":1,"choices":[{"text":%s,"index":0,"logprobs":null,"finish_reason":null}],"model":"gpt-3.5-turbo-instruct"}`+"\n\n", jsonString(d))
			}
			b.WriteString(`data: {"id":"cmpl-1","object":"text_completion","created":1,"choices":[{"text":"","index":0,"logprobs":null,"finish_reason":"stop"}],"model":"gpt-3.5-turbo-instruct"}` + "\n\ndata: [DONE]\n\n")
			return []byte(b.String())
		},
		Text: sseText(func(_ string, v map[string]any) string { return str(v, "choices", 0, "text") }),
	},
	{
		Name: "openai-responses", ContentType: "text/event-stream",
		Build: func(deltas []string) []byte {
			var b strings.Builder
			ev := func(name, data string) { fmt.Fprintf(&b, "event: %s\ndata: %s\n\n", name, data) }
			ev("response.created", `{"type":"response.created","sequence_number":0,"response":{"id":"resp_1","status":"in_progress","output":[]}}`)
			ev("response.output_item.added", `{"type":"response.output_item.added","sequence_number":1,"output_index":0,"item":{"id":"msg_1","type":"message","role":"assistant","content":[]}}`)
			full := strings.Join(deltas, "")
			for i, d := range deltas {
				ev("response.output_text.delta", fmt.Sprintf(`{"type":"response.output_text.delta","sequence_number":%d,"item_id":"msg_1","output_index":0,"content_index":0,"delta":%s}`, i+2, jsonString(d)))
			}
			ev("response.output_text.done", `{"type":"response.output_text.done","item_id":"msg_1","output_index":0,"content_index":0,"text":`+jsonString(full)+`}`)
			ev("response.content_part.done", `{"type":"response.content_part.done","item_id":"msg_1","output_index":0,"content_index":0,"part":{"type":"output_text","text":`+jsonString(full)+`}}`)
			ev("response.completed", `{"type":"response.completed","response":{"id":"resp_1","status":"completed","output":[{"id":"msg_1","type":"message","content":[{"type":"output_text","text":`+jsonString(full)+`}]}]}}`)
			return []byte(b.String())
		},
		Text: sseText(func(_ string, v map[string]any) string {
			if str(v, "type") == "response.output_text.delta" {
				return str(v, "delta")
			}
			return ""
		}),
	},
	{
		Name: "anthropic-messages", ContentType: "text/event-stream",
		Build: func(deltas []string) []byte {
			var b strings.Builder
			ev := func(name, data string) { fmt.Fprintf(&b, "event: %s\ndata: %s\n\n", name, data) }
			ev("message_start", `{"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","content":[],"model":"claude-x","usage":{"input_tokens":5,"output_tokens":1}}}`)
			ev("content_block_start", `{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}`)
			ev("ping", `{"type": "ping"}`)
			for _, d := range deltas {
				ev("content_block_delta", `{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":`+jsonString(d)+`}}`)
			}
			ev("content_block_stop", `{"type":"content_block_stop","index":0}`)
			ev("message_delta", `{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":15}}`)
			ev("message_stop", `{"type":"message_stop"}`)
			return []byte(b.String())
		},
		Text: sseText(func(_ string, v map[string]any) string {
			if str(v, "type") == "content_block_delta" {
				return str(v, "delta", "text")
			}
			return ""
		}),
	},
	{
		Name: "gemini-sse", ContentType: "text/event-stream",
		Build: func(deltas []string) []byte {
			var b strings.Builder
			for _, d := range deltas {
				fmt.Fprintf(&b, "data: %s\r\n\r\n", geminiChunk(d, false))
			}
			fmt.Fprintf(&b, "data: %s\r\n\r\n", geminiChunk("", true))
			return []byte(b.String())
		},
		Text: sseText(func(_ string, v map[string]any) string { return geminiText(v) }),
	},
	{
		Name: "gemini-json-array", ContentType: "application/json; charset=UTF-8",
		Build: func(deltas []string) []byte {
			var b strings.Builder
			b.WriteString("[")
			for i, d := range deltas {
				if i > 0 {
					b.WriteString("\n,\r\n")
				}
				b.WriteString(geminiChunk(d, false))
			}
			b.WriteString("\n,\r\n" + geminiChunk("", true) + "\n]")
			return []byte(b.String())
		},
		Text: func(body []byte) (string, error) {
			var evs []map[string]any
			if err := json.Unmarshal(body, &evs); err != nil {
				return "", fmt.Errorf("not a JSON array: %w", err)
			}
			var sb strings.Builder
			for _, v := range evs {
				sb.WriteString(geminiText(v))
			}
			return sb.String(), nil
		},
	},
	{
		Name: "cohere-v2", ContentType: "text/event-stream",
		Build: func(deltas []string) []byte {
			var b strings.Builder
			ev := func(name, data string) { fmt.Fprintf(&b, "event: %s\ndata: %s\n\n", name, data) }
			ev("message-start", `{"id":"5a9a0d5c-1b2c-4d3e-8f90-0a1b2c3d4e5f","type":"message-start","delta":{"message":{"role":"assistant","content":[],"tool_plan":"","tool_calls":[],"citations":[]}}}`)
			ev("content-start", `{"type":"content-start","index":0,"delta":{"message":{"content":{"type":"text","text":""}}}}`)
			for _, d := range deltas {
				ev("content-delta", `{"type":"content-delta","index":0,"delta":{"message":{"content":{"text":`+jsonString(d)+`}}}}`)
			}
			ev("content-end", `{"type":"content-end","index":0}`)
			ev("message-end", `{"type":"message-end","delta":{"finish_reason":"COMPLETE","usage":{"billed_units":{"input_tokens":3,"output_tokens":9},"tokens":{"input_tokens":70,"output_tokens":9}}}}`)
			return []byte(b.String())
		},
		Text: sseText(func(_ string, v map[string]any) string {
			if str(v, "type") == "content-delta" {
				return str(v, "delta", "message", "content", "text")
			}
			return ""
		}),
	},
	{
		Name: "hf-tgi", ContentType: "text/event-stream",
		Build: func(deltas []string) []byte {
			var b strings.Builder
			for i, d := range deltas {
				gen, details := "null", "null"
				if i == len(deltas)-1 {
					gen = jsonString(strings.Join(deltas, ""))
					details = `{"finish_reason":"length","generated_tokens":` + fmt.Sprint(len(deltas)) + `,"seed":null}`
				}
				fmt.Fprintf(&b, `data:{"index":%d,"token":{"id":%d,"text":%s,"logprob":-0.25,"special":false},"generated_text":%s,"details":%s}`+"\n\n", i+1, 1000+i*37, jsonString(d), gen, details)
			}
			return []byte(b.String())
		},
		Text: sseText(func(_ string, v map[string]any) string { return str(v, "token", "text") }),
	},
	{
		Name: "plain-text-data", ContentType: "text/event-stream",
		Build: func(deltas []string) []byte {
			var b strings.Builder
			for _, d := range deltas {
				for _, line := range strings.Split(d, "\n") {
					b.WriteString("data: " + line + "\n")
				}
				b.WriteString("\n")
			}
			return []byte(b.String())
		},
		Text: func(body []byte) (string, error) {
			evs, err := ParseSSE(body)
			if err != nil {
				return "", err
			}
			var sb strings.Builder
			for _, e := range evs {
				sb.WriteString(e.Data)
			}
			return sb.String(), nil
		},
	},
	{
		Name: "ollama-generate-ndjson", ContentType: "application/x-ndjson",
		Build: func(deltas []string) []byte {
			var b strings.Builder
			for i, d := range deltas {
				fmt.Fprintf(&b, `{"model":"llama3.2","created_at":"2026-12-07T11:52:%02d.%09dZ","response":%s,"done":false}`+"\n", i%60, 123456789+i*1111, jsonString(d))
			}
			b.WriteString(`{"model":"llama3.2","created_at":"2026-12-07T11:53:00.5Z","response":"","done":true,"done_reason":"stop","context":[1,2,3],"total_duration":5043500667,"eval_count":290}` + "\n")
			return []byte(b.String())
		},
		Text: ndjsonText(func(v map[string]any) string { return str(v, "response") }),
	},
	{
		Name: "ollama-chat-ndjson", ContentType: "application/x-ndjson",
		Build: func(deltas []string) []byte {
			var b strings.Builder
			for i, d := range deltas {
				fmt.Fprintf(&b, `{"model":"llama3.2","created_at":"2026-12-07T11:52:%02d.%09dZ","message":{"role":"assistant","content":%s},"done":false}`+"\n", i%60, 223456789+i*7, jsonString(d))
			}
			b.WriteString(`{"model":"llama3.2","created_at":"2026-12-07T11:53:00.5Z","message":{"role":"assistant","content":""},"done":true,"done_reason":"stop"}` + "\n")
			return []byte(b.String())
		},
		Text: ndjsonText(func(v map[string]any) string { return str(v, "message", "content") }),
	},
}

func geminiChunk(text string, last bool) string {
	finish := ""
	if last {
		finish = `,"finishReason":"STOP"`
	}
	return `{"candidates":[{"content":{"parts":[{"text":` + jsonString(text) + `}],"role":"model"}` + finish + `,"index":0}],` +
		`"usageMetadata":{"promptTokenCount":8,"totalTokenCount":20},"modelVersion":"gemini-2.0-flash","responseId":"9Cs2aLy0Bf2vz7IP"}`
}

func geminiText(v map[string]any) string {
	var sb strings.Builder
	parts, _ := at(v, "candidates", 0, "content", "parts").([]any)
	for _, p := range parts {
		sb.WriteString(str(p, "text"))
	}
	return sb.String()
}

func ndjsonText(pick func(map[string]any) string) func([]byte) (string, error) {
	return func(body []byte) (string, error) {
		if len(body) > 0 && !bytes.HasSuffix(body, []byte("\n")) {
			return "", fmt.Errorf("NDJSON body does not end with a newline")
		}
		var sb strings.Builder
		for _, line := range bytes.Split(bytes.TrimSuffix(body, []byte("\n")), []byte("\n")) {
			var v map[string]any
			if err := json.Unmarshal(line, &v); err != nil {
				return "", fmt.Errorf("line is not valid JSON: %w: %s", err, line)
			}
			sb.WriteString(pick(v))
		}
		return sb.String(), nil
	}
}
