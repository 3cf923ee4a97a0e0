package llmapi

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestDetect(t *testing.T) {
	for path, want := range map[string][2]string{
		"/v1/chat/completions": {ProviderOpenAI, APIChatCompletions},
		"/openai/deployments/gpt4/chat/completions?api-version=1": {ProviderOpenAI, APIChatCompletions},
		"/v1/responses":             {ProviderOpenAI, APIResponses},
		"/v1/messages?beta=true":    {ProviderAnthropic, APIMessages},
		"/v1/messages/count_tokens": {"", ""},
		"/v1/responses/resp_1":      {"", ""},
		"/v1/embeddings":            {"", ""},
	} {
		p, a, ok := Detect(path)
		if p != want[0] || a != want[1] || ok != (want[0] != "") {
			t.Errorf("Detect(%q) = %q %q %v, want %v", path, p, a, ok, want)
		}
	}
}

func decode(t *testing.T, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestParseRequest(t *testing.T) {
	tests := []struct {
		name, provider, api, body string
		want                      Request
	}{
		{
			"chat", ProviderOpenAI, APIChatCompletions, `{"model":"gpt-4o","stream":true,
			"messages":[{"role":"system","content":"be careful"},{"role":"user","content":[{"type":"text","text":"clean up"},{"type":"image_url","image_url":{"url":"x"}}]},
			{"role":"assistant","content":"ok"},{"role":"tool","content":"result"},{"role":"user","content":"the database"}],
			"tools":[{"type":"function","function":{"name":"run_sql","parameters":{}}},{"type":"custom","custom":{"name":"patch"}}]}`,
			Request{ProviderOpenAI, APIChatCompletions, "gpt-4o", "be careful\nclean up\nthe database", []string{"run_sql", "patch"}, true},
		},
		{
			"responses string input", ProviderOpenAI, APIResponses, `{"model":"gpt-5","instructions":"sys","input":"hi","tools":[{"type":"function","name":"f"},{"type":"local_shell"}]}`,
			Request{ProviderOpenAI, APIResponses, "gpt-5", "sys\nhi", []string{"f", "local_shell"}, false},
		},
		{
			"responses items", ProviderOpenAI, APIResponses, `{"model":"gpt-5","input":[{"role":"developer","content":"dev"},{"type":"message","role":"user","content":[{"type":"input_text","text":"do it"}]},{"type":"function_call_output","call_id":"c","output":"x"}]}`,
			Request{ProviderOpenAI, APIResponses, "gpt-5", "dev\ndo it", nil, false},
		},
		{
			"anthropic", ProviderAnthropic, APIMessages, `{"model":"claude-sonnet-4-5","max_tokens":10,"system":[{"type":"text","text":"sys"}],
			"messages":[{"role":"user","content":"free some disk"},{"role":"assistant","content":[{"type":"tool_use","id":"t","name":"bash","input":{}}]},{"role":"user","content":[{"type":"tool_result","tool_use_id":"t","content":"x"},{"type":"text","text":"more"}]}],
			"tools":[{"type":"bash_20250124","name":"bash"},{"name":"query_db","input_schema":{}}],"stream":true}`,
			Request{ProviderAnthropic, APIMessages, "claude-sonnet-4-5", "sys\nfree some disk\nmore", []string{"bash", "query_db"}, true},
		},
		{
			"wrong types", ProviderOpenAI, APIChatCompletions, `{"model":3,"messages":"x","tools":{}}`,
			Request{Provider: ProviderOpenAI, API: APIChatCompletions},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ParseRequest(tt.provider, tt.api, decode(t, tt.body))
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestParseJSONResponses(t *testing.T) {
	tests := []struct {
		name, api, body string
		want            []ToolCall
	}{
		{
			"chat", APIChatCompletions, `{"id":"chatcmpl-1","choices":[{"index":0,"finish_reason":"tool_calls","message":{"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"run_sql","arguments":"{\"query\": \"DROP TABLE customers\"}"}}]}}]}`,
			[]ToolCall{{ID: "call_1", Type: "function", Name: "run_sql", Arguments: `{"query": "DROP TABLE customers"}`}},
		},
		{"chat text only", APIChatCompletions, `{"choices":[{"message":{"role":"assistant","content":"hi"}}]}`, nil},
		{
			"anthropic", APIMessages, `{"id":"msg_1","type":"message","content":[{"type":"text","text":"ok"},{"type":"tool_use","id":"toolu_1","name":"bash","input":{"command":"rm -rf /var/lib/postgresql"}}]}`,
			[]ToolCall{{ID: "toolu_1", Type: "tool_use", Name: "bash", Arguments: `{"command":"rm -rf /var/lib/postgresql"}`}},
		},
		{
			"responses", APIResponses, `{"output":[{"type":"reasoning","summary":[]},{"type":"function_call","id":"fc","call_id":"call_1","name":"f","arguments":"{}"},{"type":"custom_tool_call","call_id":"c2","name":"patch","input":"*** Begin"}]}`,
			[]ToolCall{{ID: "call_1", Type: "function_call", Name: "f", Arguments: "{}"}, {ID: "c2", Type: "custom_tool_call", Name: "patch", Arguments: "*** Begin"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseResponse(tt.api, []byte(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
	if _, err := ParseResponse(APIMessages, []byte(`{"content":`)); err == nil {
		t.Error("truncated JSON gave no error")
	}
}

func TestParseSSEWholeBody(t *testing.T) {
	for _, tc := range streamCases {
		got, err := ParseResponse(tc.api, readFixture(t, tc.file))
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: got %+v, %v", tc.file, got, err)
		}
	}
}

func TestResponsesCompletedDisagreement(t *testing.T) {
	// A stream whose final response reports different arguments than its deltas: both are
	// reported so the policy judges whichever the client acts on.
	s := "data: {\"type\":\"response.output_item.added\",\"output_index\":0,\"item\":{\"type\":\"function_call\",\"call_id\":\"c\",\"name\":\"sh\",\"arguments\":\"\"}}\n\n" +
		"data: {\"type\":\"response.function_call_arguments.delta\",\"output_index\":0,\"delta\":\"{\\\"command\\\":\\\"ls\\\"}\"}\n\n" +
		"data: {\"type\":\"response.completed\",\"response\":{\"output\":[{\"type\":\"function_call\",\"call_id\":\"c\",\"name\":\"sh\",\"arguments\":\"{\\\"command\\\":\\\"rm -rf /\\\"}\"}]}}\n\n"
	got, err := ParseSSE(APIResponses, []byte(s))
	if err != nil || len(got) != 2 || got[1].Arguments != `{"command":"rm -rf /"}` {
		t.Fatalf("got %+v, %v", got, err)
	}
}

func TestToolCallMap(t *testing.T) {
	m := ToolCall{ID: "c", Type: "function", Name: "f", Arguments: `{"a":1}`}.Map()
	if m["name"] != "f" || m["arguments"] != `{"a":1}` || !reflect.DeepEqual(m["args"], map[string]any{"a": float64(1)}) {
		t.Errorf("Map() = %v", m)
	}
	if args := (ToolCall{Arguments: "not json"}).Args(); args == nil || len(args) != 0 {
		t.Errorf("Args() of free text = %v", args)
	}
}

func FuzzParseResponse(f *testing.F) {
	for _, tc := range streamCases {
		f.Add(readFixture(f, tc.file), uint8(0))
	}
	f.Add([]byte(`{"choices":[{"message":{"tool_calls":[{"function":{"name":"x","arguments":"{}"}}]}}]}`), uint8(0))
	f.Add([]byte(`{"content":[{"type":"tool_use","name":"bash","input":{"command":"ls"}}]}`), uint8(2))
	f.Fuzz(func(t *testing.T, body []byte, apiSel uint8) {
		api := []string{APIChatCompletions, APIResponses, APIMessages}[int(apiSel)%3]
		calls, _ := ParseResponse(api, body)
		if len(calls) > 2*maxCalls {
			t.Fatalf("%d calls: unbounded", len(calls))
		}
		for _, c := range calls {
			_ = c.Map()
		}
	})
}

func FuzzParseRequest(f *testing.F) {
	f.Add([]byte(`{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"f"}}]}`), uint8(0))
	f.Add([]byte(`{"model":"c","system":"s","messages":[{"role":"user","content":[{"type":"text","text":"x"}]}]}`), uint8(2))
	f.Fuzz(func(t *testing.T, body []byte, apiSel uint8) {
		api := []string{APIChatCompletions, APIResponses, APIMessages}[int(apiSel)%3]
		var v any
		if json.Unmarshal(body, &v) != nil {
			return
		}
		_ = ParseRequest(ProviderOpenAI, api, v).Map()
	})
}
