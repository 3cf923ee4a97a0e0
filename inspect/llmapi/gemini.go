package llmapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
)

// geminiResponse is a GenerateContentResponse; streamed responses send one per SSE event (or,
// without alt=sse, a JSON array of them). Function calls arrive whole, never in pieces.
type geminiResponse struct {
	Candidates []struct {
		Content struct {
			Parts []struct {
				FunctionCall *struct {
					ID   string          `json:"id"`
					Name string          `json:"name"`
					Args json.RawMessage `json:"args"`
				} `json:"functionCall"`
			} `json:"parts"`
		} `json:"content"`
	} `json:"candidates"`
}

func (r geminiResponse) calls() []ToolCall {
	var out []ToolCall
	for _, c := range r.Candidates {
		for _, p := range c.Content.Parts {
			if fc := p.FunctionCall; fc != nil {
				out = append(out, ToolCall{ID: fc.ID, Type: "functionCall", Name: fc.Name, Arguments: rawText(fc.Args)})
			}
		}
	}
	return out
}

// parseGeminiJSON reads a buffered generateContent response, or the JSON array a
// streamGenerateContent call without alt=sse returns.
func parseGeminiJSON(body []byte) ([]ToolCall, error) {
	if t := bytes.TrimSpace(body); len(t) > 0 && t[0] == '[' {
		var list []geminiResponse
		if err := json.Unmarshal(t, &list); err != nil {
			return nil, fmt.Errorf("read generateContent stream: %w", err)
		}
		var out []ToolCall
		for _, r := range list {
			out = append(out, r.calls()...)
		}
		return out, nil
	}
	var r geminiResponse
	if err := json.Unmarshal(body, &r); err != nil {
		return nil, fmt.Errorf("read generateContent response: %w", err)
	}
	return r.calls(), nil
}

// gemini reads one SSE event of streamGenerateContent.
func (a *assembler) gemini(d []byte) (bool, error) {
	var r geminiResponse
	if err := json.Unmarshal(d, &r); err != nil {
		return false, err
	}
	calls := r.calls()
	for _, c := range calls {
		cc := a.call("g" + strconv.Itoa(len(a.calls)))
		*cc = c
	}
	return len(calls) > 0, nil
}

// geminiContents adds the system instruction and the user turns' text parts.
func (p *promptBuilder) geminiContents(system, contents any) {
	if s, ok := system.(map[string]any); ok {
		p.content(s["parts"])
	}
	list, _ := contents.([]any)
	for _, c := range list {
		co, ok := c.(map[string]any)
		if !ok {
			continue
		}
		if role, _ := co["role"].(string); role == "user" || role == "" {
			p.content(co["parts"])
		}
	}
}

// geminiTools turns tools[].functionDeclarations[].name into the {"name"} shape.
func geminiTools(v any) []any {
	list, _ := v.([]any)
	var out []any
	for _, t := range list {
		to, _ := t.(map[string]any)
		decls, _ := to["functionDeclarations"].([]any)
		for _, d := range decls {
			if do, ok := d.(map[string]any); ok {
				out = append(out, map[string]any{"name": do["name"]})
			}
		}
	}
	return out
}
