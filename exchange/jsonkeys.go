package exchange

// commonKeys are object keys the bodies warden reads carry on nearly every request (LLM APIs,
// MCP, JSON-RPC): a body's key with one of these names shares the string instead of
// allocating its own. Read-only after init.
var commonKeys = func() map[string]string {
	m := map[string]string{}
	for _, k := range []string{
		// OpenAI Chat Completions and Responses, Ollama
		"model", "messages", "role", "content", "name", "tools", "tool_choice", "tool_calls",
		"tool_call_id", "function", "function_call", "arguments", "parameters", "description",
		"type", "properties", "required", "items", "enum", "strict", "temperature", "top_p",
		"max_tokens", "max_completion_tokens", "stream", "stream_options", "include_usage", "n",
		"stop", "seed", "user", "id", "object", "created", "choices", "index", "message", "delta",
		"finish_reason", "logprobs", "refusal", "usage", "prompt_tokens", "completion_tokens",
		"total_tokens", "system_fingerprint", "text", "image_url", "url", "detail", "input",
		"output", "instructions", "call_id", "status", "response_format", "json_schema", "schema",
		"reasoning", "reasoning_effort", "metadata", "service_tier", "options",
		// Anthropic Messages
		"system", "max_tokens_to_sample", "stop_reason", "stop_sequence", "input_schema",
		"tool_use_id", "cache_control", "input_tokens", "output_tokens", "thinking",
		// Gemini
		"contents", "parts", "functionCall", "functionDeclarations", "generationConfig",
		"candidates", "args", "systemInstruction",
		// MCP and JSON-RPC
		"jsonrpc", "method", "params", "result", "error", "code", "data", "query", "command",
	} {
		m[k] = k
	}
	return m
}()

// keyString returns b as a string: a common key's shared string, a name this body already
// used (among the last few distinct names), or a new string.
func (j *JSONBody) keyString(b []byte) string {
	if s, ok := commonKeys[string(b)]; ok {
		return s
	}
	for i := len(j.keys) - 1; i >= max(0, len(j.keys)-16); i-- {
		if j.keys[i] == string(b) {
			return j.keys[i]
		}
	}
	return string(b)
}
