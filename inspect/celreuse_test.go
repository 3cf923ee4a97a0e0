package inspect

import (
	"reflect"
	"testing"

	"github.com/warden-gw/warden/exchange"
)

// TestResponseWithoutToolCallsKeepsTheCELVariables: the response phase sees what the response
// added (tool calls, streamed, a response it could not read), and a response that added nothing
// leaves the request phase's variables in place (the same map, not a rebuilt copy).
func TestResponseWithoutToolCallsKeepsTheCELVariables(t *testing.T) {
	chat := func() *Facts {
		return Analyze(&exchange.Request{
			Method: "POST", Scheme: "https", Authority: "api.openai.com", Path: "/v1/chat/completions",
			Headers: exchange.Headers{{Key: "content-type", Value: "application/json"}},
			Body:    []byte(`{"model":"gpt-4o","messages":[{"role":"user","content":"list the pods"}]}`),
		})
	}
	resp := func(ct, body string) *exchange.Response {
		return &exchange.Response{Status: 200, Headers: exchange.Headers{{Key: "content-type", Value: ct}}, Body: []byte(body)}
	}
	llm := func(f *Facts) map[string]any { return f.CEL()["llm"].(map[string]any) }

	f := chat()
	before := f.CEL()
	f.AddResponse(resp("application/json", `{"object":"chat.completion","choices":[{"message":{"role":"assistant","content":"3 pods"}}]}`))
	if after := f.CEL(); reflect.ValueOf(after).Pointer() != reflect.ValueOf(before).Pointer() {
		t.Fatal("a response without tool calls rebuilt the CEL variables")
	}
	if l := llm(f); len(l["tool_calls"].([]any)) != 0 || l["streamed"] != false || l["response_error"] != "" {
		t.Fatalf("llm after a plain response: %v", l)
	}

	f = chat()
	f.CEL()
	f.AddResponse(resp("application/json", `{"object":"chat.completion","choices":[{"message":{"role":"assistant","tool_calls":[{"id":"c1","type":"function","function":{"name":"shell","arguments":"{\"cmd\":\"kubectl delete ns prod\"}"}}]}}]}`))
	if calls := llm(f)["tool_calls"].([]any); len(calls) != 1 || len(f.CEL()["actions"].([]any)) == 0 {
		t.Fatalf("a tool call in the response is not in the CEL variables: %v / %v", calls, f.CEL()["actions"])
	}

	f = chat()
	f.CEL()
	f.AddResponse(resp("text/event-stream", "data: {\"object\":\"chat.completion.chunk\",\"choices\":[{\"delta\":{\"content\":\"hi\"}}]}\n\n"))
	if llm(f)["streamed"] != true {
		t.Fatal("a streamed response is not marked streamed in the CEL variables")
	}

	f = chat()
	f.CEL()
	f.AddResponse(resp("application/json", `{"object":"chat.completion","choices":[`))
	if llm(f)["response_error"] == "" {
		t.Fatal("a response that could not be read is not reported in the CEL variables")
	}
}
