package llmapi

import (
	"strings"
)

// detectCloud names the LLM APIs that cloud platforms serve under their own paths:
//   - AWS Bedrock runtime: /model/{id}/invoke and /model/{id}/invoke-with-response-stream carry
//     the model's own format (Anthropic Messages for anthropic.* models, Chat Completions for
//     openai.* models); /model/{id}/converse and /model/{id}/converse-stream carry Converse.
//   - Google Vertex AI: .../publishers/anthropic/models/{m}:rawPredict and :streamRawPredict
//     carry Anthropic Messages.
//   - Azure OpenAI: /openai/deployments/{d}/chat/completions (the generic suffix rule) and
//     /openai/deployments/{d}/responses.
func detectCloud(path string) (provider, api string, ok bool) {
	if i := strings.Index(path, "/model/"); i >= 0 {
		rest := path[i+len("/model/"):]
		j := strings.LastIndexByte(rest, '/')
		if j > 0 {
			model, op := strings.ToLower(rest[:j]), rest[j+1:]
			switch op {
			case "invoke", "invoke-with-response-stream":
				if strings.Contains(model, "openai.") {
					return ProviderBedrock, APIChatCompletions, true
				}
				return ProviderBedrock, APIMessages, true
			case "converse", "converse-stream":
				return ProviderBedrock, APIConverse, true
			}
		}
	}
	if strings.Contains(path, "/publishers/anthropic/models/") &&
		(strings.HasSuffix(path, ":rawPredict") || strings.HasSuffix(path, ":streamRawPredict")) {
		return ProviderVertex, APIMessages, true
	}
	if strings.HasSuffix(path, ":generateContent") || strings.HasSuffix(path, ":streamGenerateContent") {
		return ProviderGoogle, APIGenerateContent, true
	}
	if strings.Contains(path, "/openai/deployments/") && strings.HasSuffix(path, "/responses") {
		return ProviderOpenAI, APIResponses, true
	}
	return "", "", false
}

// DetectBody names the API of a decoded JSON request body by its shape, for OpenAI- and
// Anthropic-compatible servers on any host and path (vLLM, Ollama, LiteLLM, gateways):
//   - Anthropic Messages: "messages" (a list of {role, content}) with "max_tokens" and an
//     Anthropic marker: anthropic_version, a system prompt, or tools with input_schema;
//   - Chat Completions: "model" and "messages", a list of {role, content} objects;
//   - Responses: "model" and "input", with "instructions", "tools" or "previous_response_id";
//   - Converse: "messages" whose content is a list of {text}/{toolUse} blocks, with toolConfig or
//     inferenceConfig.
func DetectBody(body any) (provider, api string, ok bool) {
	o, isObj := body.(map[string]any)
	if !isObj {
		return "", "", false
	}
	_, hasModel := o["model"].(string)
	msgs, hasMsgs := o["messages"].([]any)
	if hasMsgs && !roleMessages(msgs) {
		hasMsgs = false
	}
	_, hasMax := o["max_tokens"]
	_, anthVer := o["anthropic_version"]
	_, toolConfig := o["toolConfig"]
	_, inferenceConfig := o["inferenceConfig"]
	switch {
	case hasMsgs && (toolConfig || inferenceConfig):
		return ProviderBedrock, APIConverse, true
	case hasMsgs && (anthVer || hasMax && (hasStringOrList(o["system"]) || inputSchemaTools(o["tools"]))):
		return ProviderAnthropic, APIMessages, true
	case hasMsgs && hasModel:
		return ProviderOpenAI, APIChatCompletions, true
	case hasModel && o["input"] != nil:
		_, instr := o["instructions"]
		_, tools := o["tools"]
		_, prev := o["previous_response_id"]
		if instr || tools || prev {
			return ProviderOpenAI, APIResponses, true
		}
	}
	return "", "", false
}

// roleMessages reports whether a list holds chat messages: objects with a string role.
func roleMessages(msgs []any) bool {
	if len(msgs) == 0 {
		return false
	}
	for _, m := range msgs {
		mo, ok := m.(map[string]any)
		if !ok {
			return false
		}
		if _, ok := mo["role"].(string); !ok {
			return false
		}
	}
	return true
}

func hasStringOrList(v any) bool {
	switch v.(type) {
	case string, []any:
		return true
	}
	return false
}

func inputSchemaTools(v any) bool {
	list, _ := v.([]any)
	for _, t := range list {
		if to, ok := t.(map[string]any); ok && to["input_schema"] != nil {
			return true
		}
	}
	return false
}

// converseTools turns Converse's toolConfig.tools ([{"toolSpec": {"name"}}]) into the
// {"name"} shape toolNames reads.
func converseTools(v any) []any {
	list, _ := v.([]any)
	out := make([]any, 0, len(list))
	for _, t := range list {
		to, _ := t.(map[string]any)
		if spec, ok := to["toolSpec"].(map[string]any); ok {
			out = append(out, map[string]any{"name": spec["name"]})
		}
	}
	return out
}

// StreamPath reports whether a path asks for a streamed response by itself (Bedrock's
// invoke-with-response-stream and converse-stream, Vertex's :streamRawPredict).
func StreamPath(path string) bool {
	if i := strings.IndexAny(path, "?#"); i >= 0 {
		path = path[:i]
	}
	return strings.HasSuffix(path, "/invoke-with-response-stream") || strings.HasSuffix(path, "/converse-stream") ||
		strings.HasSuffix(path, ":streamRawPredict") || strings.HasSuffix(path, ":streamGenerateContent")
}
