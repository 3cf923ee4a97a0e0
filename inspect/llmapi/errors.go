package llmapi

import "encoding/json"

// ErrorCode is the code warden puts in the error bodies it substitutes for denied responses.
const ErrorCode = "warden_policy_denied"

// StreamError returns one SSE event that the provider's SDKs raise as an error, to be sent in
// place of a held response whose tool call was denied:
//   - OpenAI (both APIs): a data-only event whose JSON has an "error" object; the official SDKs
//     check every data payload for "error" and raise APIError with its message. The Responses
//     form also carries the documented error event fields (type, code, message).
//   - Anthropic: "event: error" with {"type":"error","error":{"type":"permission_error",...}},
//     which the SDKs raise as an APIStatusError.
func StreamError(provider, api, message string) []byte {
	var payload any
	prefix := "data: "
	if provider == ProviderAnthropic || api == APIMessages {
		prefix = "event: error\ndata: "
		payload = anthropicError(message)
	} else {
		e := openAIError(message)
		if api == APIResponses {
			payload = map[string]any{
				"type": "error", "code": ErrorCode, "message": message, "param": nil,
				"error": e["error"],
			}
		} else {
			payload = e
		}
	}
	b, _ := json.Marshal(payload) // maps of strings cannot fail to marshal
	out := make([]byte, 0, len(prefix)+len(b)+2)
	out = append(out, prefix...)
	out = append(out, b...)
	return append(out, '\n', '\n')
}

// ErrorBody returns a JSON error body in the provider's own shape, for a buffered response
// replaced by an HTTP 403: OpenAI {"error":{"message","type","param","code"}}, Anthropic
// {"type":"error","error":{"type":"permission_error","message"}}.
func ErrorBody(provider, api, message string) (contentType string, body []byte) {
	var payload any = openAIError(message)
	if provider == ProviderAnthropic || api == APIMessages {
		payload = anthropicError(message)
	}
	b, _ := json.Marshal(payload)
	return "application/json", b
}

func openAIError(message string) map[string]any {
	return map[string]any{"error": map[string]any{
		"message": message, "type": "permission_error", "param": nil, "code": ErrorCode,
	}}
}

func anthropicError(message string) map[string]any {
	return map[string]any{"type": "error", "error": map[string]any{
		"type": "permission_error", "message": message,
	}}
}
