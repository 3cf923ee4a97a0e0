package llmapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// ParseResponse extracts the tool calls from a whole response body of api, JSON or SSE
// (recognised by its first non-blank byte: '{' is JSON). It returns the calls found even when it
// also returns an error.
func ParseResponse(api string, body []byte) ([]ToolCall, error) {
	if looksEventStream(body) {
		return ParseEventStream(api, body)
	}
	t := bytes.TrimLeft(bytes.TrimPrefix(body, []byte("\xef\xbb\xbf")), " \t\r\n")
	if len(t) > 0 && (t[0] == '{' || t[0] == '[' && api == APIGenerateContent) {
		return ParseJSON(api, t)
	}
	return ParseSSE(api, body)
}

// ParseSSE extracts the tool calls from a whole SSE response body.
func ParseSSE(api string, body []byte) ([]ToolCall, error) {
	a := newAssembler(api)
	for len(body) > 0 {
		n, _ := nextEvent(body, true)
		a.feed(parseEvent(body[:n]))
		body = body[n:]
	}
	return a.result()
}

// ParseJSON extracts the tool calls from a buffered JSON response body.
func ParseJSON(api string, body []byte) ([]ToolCall, error) {
	switch api {
	case APIChatCompletions:
		// One JSON object, or (Ollama's stream) one object per line: every one is read.
		dec := json.NewDecoder(bytes.NewReader(body))
		var out []ToolCall
		for {
			var ch chatChunk
			err := dec.Decode(&ch)
			if errors.Is(err, io.EOF) {
				return out, nil
			}
			if err != nil {
				return out, fmt.Errorf("read chat completion: %w", err)
			}
			out = append(out, chatMessageCalls(ch)...)
		}
	case APIResponses:
		var r struct {
			Output []respItem `json:"output"`
		}
		if err := json.Unmarshal(body, &r); err != nil {
			return nil, fmt.Errorf("read response: %w", err)
		}
		var out []ToolCall
		for _, it := range r.Output {
			if tc, ok := it.toolCall(); ok {
				out = append(out, tc)
			}
		}
		return out, nil
	case APIConverse:
		return parseConverseJSON(body)
	case APIGenerateContent:
		return parseGeminiJSON(body)
	case APIMessages:
		var m struct {
			Content []struct {
				Type  string          `json:"type"`
				ID    string          `json:"id"`
				Name  string          `json:"name"`
				Input json.RawMessage `json:"input"`
			} `json:"content"`
		}
		if err := json.Unmarshal(body, &m); err != nil {
			return nil, fmt.Errorf("read message: %w", err)
		}
		var out []ToolCall
		for _, b := range m.Content {
			if isAnthropicToolBlock(b.Type) {
				out = append(out, ToolCall{ID: b.ID, Type: b.Type, Name: b.Name, Arguments: rawText(b.Input)})
			}
		}
		return out, nil
	}
	return nil, fmt.Errorf("llmapi: unknown API %q", api)
}

func chatMessageCalls(ch chatChunk) []ToolCall {
	msgs := make([]*chatMsg, 0, len(ch.Choices)+1)
	for _, choice := range ch.Choices {
		msgs = append(msgs, choice.Msg)
	}
	msgs = append(msgs, ch.Message) // Ollama's native response
	var out []ToolCall
	for _, msg := range msgs {
		if msg == nil {
			continue
		}
		for _, tc := range msg.ToolCalls {
			c := ToolCall{ID: tc.ID, Type: tc.Type, Name: tc.Function.Name, Arguments: string(tc.Function.Arguments)}
			if tc.Type == "custom" {
				c.Name, c.Arguments = tc.Custom.Name, tc.Custom.Input
			}
			if c.Type == "" {
				c.Type = "function"
			}
			out = append(out, c)
		}
		if fc := msg.FunctionCall; fc != nil {
			out = append(out, ToolCall{Type: "function", Name: fc.Name, Arguments: string(fc.Arguments)})
		}
	}
	return out
}
