// Package llmapi understands the wire formats of the LLM APIs agents call: OpenAI Chat
// Completions and Responses, and Anthropic Messages. It reads requests (model, prompt text,
// declared tools, stream flag), extracts the tool calls a model proposes from JSON and SSE
// responses (assembling arguments streamed in pieces), and provides Guard, which holds a streamed
// response back from the first tool-call event until a policy has judged the complete calls.
package llmapi

import (
	"strings"
)

// Providers and APIs.
const (
	ProviderOpenAI    = "openai"
	ProviderAnthropic = "anthropic"
	ProviderBedrock   = "bedrock" // AWS Bedrock runtime: InvokeModel (a model's own format) and Converse
	ProviderVertex    = "vertex"  // Google Vertex AI: Anthropic models through rawPredict
	ProviderGoogle    = "google"  // Gemini API and Vertex AI generateContent

	APIChatCompletions = "chat_completions"
	APIResponses       = "responses"
	APIMessages        = "messages"
	APIConverse        = "converse"         // Bedrock Converse and ConverseStream
	APIGenerateContent = "generate_content" // Gemini generateContent and streamGenerateContent
)

// Detect names the provider and API of a request path (the query, if any, is ignored). The
// provider names the wire format, so OpenAI-compatible servers (vLLM, Azure OpenAI, gateways)
// are "openai".
func Detect(path string) (provider, api string, ok bool) {
	if i := strings.IndexAny(path, "?#"); i >= 0 {
		path = path[:i]
	}
	path = strings.TrimSuffix(path, "/")
	if p, a, ok := detectCloud(path); ok {
		return p, a, true
	}
	switch {
	case strings.HasSuffix(path, "/chat/completions"):
		return ProviderOpenAI, APIChatCompletions, true
	case strings.HasSuffix(path, "/v1/responses") || strings.HasSuffix(path, "/openai/responses"):
		return ProviderOpenAI, APIResponses, true
	case strings.HasSuffix(path, "/v1/messages"):
		return ProviderAnthropic, APIMessages, true
	}
	return "", "", false
}

// Request is what an LLM request asks for.
type Request struct {
	Provider string
	API      string
	Model    string
	// Prompt is the system and user text, in order, joined by "\n". Assistant turns and tool
	// results are left out: they are the model's and the tools' words, not the agent's ask.
	Prompt string
	Tools  []string // declared tool names (for built-in tools without a name, their type)
	Stream bool
}

// ParseRequest reads a decoded JSON request body (encoding/json into any). Fields of the wrong
// type are skipped, never an error: a request the provider would reject is still inspected as far
// as it can be.
func ParseRequest(provider, api string, body any) Request {
	r := Request{Provider: provider, API: api}
	o, ok := body.(map[string]any)
	if !ok {
		return r
	}
	r.Model, _ = o["model"].(string)
	r.Stream, _ = o["stream"].(bool)
	var p promptBuilder
	switch api {
	case APIChatCompletions:
		p.messages(o["messages"], "system", "developer", "user")
	case APIResponses:
		p.text(o["instructions"])
		if s, ok := o["input"].(string); ok {
			p.add(s)
		} else {
			p.messages(o["input"], "system", "developer", "user")
		}
	case APIMessages:
		p.content(o["system"])
		p.messages(o["messages"], "user")
	case APIGenerateContent:
		p.geminiContents(o["systemInstruction"], o["contents"])
		o = map[string]any{"tools": geminiTools(o["tools"])}
	case APIConverse:
		p.content(o["system"])
		p.messages(o["messages"], "user")
		if tc, ok := o["toolConfig"].(map[string]any); ok {
			o = map[string]any{"tools": converseTools(tc["tools"])}
		}
	}
	r.Prompt = p.String()
	r.Tools = toolNames(o["tools"])
	return r
}

// Map returns the request part of the CEL "llm" variable.
func (r Request) Map() map[string]any {
	tools := make([]any, len(r.Tools))
	for i, t := range r.Tools {
		tools[i] = t
	}
	return map[string]any{
		"provider": r.Provider, "api": r.API, "model": r.Model, "prompt": r.Prompt,
		"tools": tools, "stream": r.Stream,
	}
}

type promptBuilder struct{ strings.Builder }

func (p *promptBuilder) add(s string) {
	if s == "" {
		return
	}
	if p.Len() > 0 {
		p.WriteByte('\n')
	}
	p.WriteString(s)
}

func (p *promptBuilder) text(v any) {
	if s, ok := v.(string); ok {
		p.add(s)
	}
}

// messages adds the content of every message whose role is one of roles.
func (p *promptBuilder) messages(v any, roles ...string) {
	list, _ := v.([]any)
	for _, m := range list {
		msg, ok := m.(map[string]any)
		if !ok {
			continue
		}
		role, _ := msg["role"].(string)
		for _, want := range roles {
			if role == want {
				p.content(msg["content"])
				break
			}
		}
	}
}

// content adds a string content or the text parts of a content array (OpenAI "text",
// "input_text"; Anthropic "text").
func (p *promptBuilder) content(v any) {
	switch c := v.(type) {
	case string:
		p.add(c)
	case []any:
		for _, part := range c {
			po, ok := part.(map[string]any)
			if !ok {
				continue
			}
			switch po["type"] {
			case "text", "input_text":
				p.text(po["text"])
			case nil: // Bedrock Converse: {"text": "..."}
				p.text(po["text"])
			}
		}
	}
}

// toolNames reads declared tools in the three APIs' shapes: Chat {"type":"function",
// "function":{"name"}} or {"type":"custom","custom":{"name"}}; Responses and Anthropic {"name"};
// built-in tools without a name by their type ("local_shell", "web_search_preview", ...).
func toolNames(v any) []string {
	list, _ := v.([]any)
	if len(list) == 0 {
		return nil
	}
	out := make([]string, 0, len(list))
	for _, t := range list {
		to, ok := t.(map[string]any)
		if !ok {
			continue
		}
		name, _ := to["name"].(string)
		if name == "" {
			for _, k := range []string{"function", "custom"} {
				if f, ok := to[k].(map[string]any); ok {
					name, _ = f["name"].(string)
				}
			}
		}
		if name == "" {
			name, _ = to["type"].(string)
		}
		if name != "" {
			out = append(out, name)
		}
	}
	return out
}
