package record

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/warden-gw/warden/exchange"
	"github.com/warden-gw/warden/inspect"
)

// fakeFacts hands the record any CEL variables, of every type copier knows and some it does not.
type fakeFacts map[string]any

func (f fakeFacts) CEL() map[string]any            { return f }
func (f fakeFacts) ToolCalls() []exchange.ToolCall { return nil }

type oddValue struct {
	Name  string   `json:"name"`
	N     uint8    `json:"n"`
	Items []string `json:"items"`
}

// liveCases are exchanges whose decision inputs exercise the live writer.
func liveCases() map[string]func() *exchange.Exchange {
	long := strings.Repeat("x", maxInputText+17)
	withBody := func(path, body string) func() *exchange.Exchange {
		return func() *exchange.Exchange {
			x := inputExchange()
			x.Request.Path, x.Request.Body = path, []byte(body)
			x.Facts = inspect.Analyze(&x.Request)
			return x
		}
	}
	fake := func(vars map[string]any) func() *exchange.Exchange {
		return func() *exchange.Exchange {
			x := sampleExchange(4, "s")
			x.Facts = fakeFacts(vars)
			return x
		}
	}
	return map[string]func() *exchange.Exchange{
		"mcp sql":  inputExchange,
		"long sql": withBody("/sql", `{"query":"SELECT '`+long+`'"}`),
		"api key by its key": withBody("/mcp", `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"call_api",`+
			`"arguments":{"api_key":"9f86d081884c7d659a2feaa0c55ad015","headers":{"X-Api-Key":"abc7"},"e7":["a","b7"],"n":3.5}}}`),
		"chat with tool calls": func() *exchange.Exchange {
			x := withBody("/v1/chat/completions", `{"model":"gpt-4o","messages":[{"role":"user","content":"hi, my password is hunter2"}],"tools":[{"type":"function","function":{"name":"run"}}]}`)()
			x.Request.Authority = "api.openai.com"
			x.Facts = inspect.Analyze(&x.Request)
			x.Response = exchange.Response{
				Status: 200, Headers: exchange.Headers{{Key: "content-type", Value: "application/json"}},
				Body: []byte(`{"object":"chat.completion","choices":[{"message":{"role":"assistant","tool_calls":[{"id":"c1","type":"function","function":{"name":"run","arguments":"{\"cmd\":\"kubectl delete ns prod7\",\"token\":\"e7e7\"}"}}]}}]}`),
			}
			x.Facts.(*inspect.Facts).AddResponse(&x.Response)
			return x
		},
		"k8s": func() *exchange.Exchange {
			k := &exchange.Exchange{ID: "k", Request: exchange.Request{Method: "DELETE", Scheme: "https", Authority: "k8s.internal:6443", Path: "/api/v1/namespaces/prod/pods/web-1"}}
			k.Facts = inspect.Analyze(&k.Request)
			k.Decisions = []exchange.Decision{{Action: exchange.Deny, Phase: exchange.PhaseRequest}}
			return k
		},
		"every type": fake(map[string]any{
			"llm":        map[string]any{"prompt": "the prompt", "model": "m7", "n": int32(7), "u": uint64(1 << 60), "f": 0.000001},
			"mcp":        map[string]string{"tool": "t7", "api_key": "k", "": "empty key"},
			"actions":    []any{map[string]any{"kind": "sql", "sql": map[string]any{"statements": []any{map[string]any{"tables": []string{"a.b7", long}}}}}, oddValue{Name: "o7", N: 3, Items: []string{"i"}}},
			"inspection": map[string]any{"reasons": []string{"r7", long}, "i": 3, "odd": oddValue{Name: long}},
			"e7":         nil,
		}),
		"llm not a map":  fake(map[string]any{"llm": "p7", "mcp": map[string]any{}}),
		"llm of strings": fake(map[string]any{"llm": map[string]string{"prompt": "p", "model": "m7"}}),
		"llm odd":        fake(map[string]any{"llm": oddValue{Name: "prompt"}}),
		"k8s in strings": fake(map[string]any{"actions": []any{map[string]string{"kind": "k8s"}, map[string]any{"kind": "k8s", "k8s": map[string]string{"resource": "pods", "namespace": "n7"}}}}),
		"no variables":   fake(nil),
	}
}

// TestLiveInputMatchesCopy: a record whose decision input refers to the live facts (Build), encoded
// while redacting, is byte for byte the record BuildRecord copies the facts into, walked by
// MapStrings and encoded; and the live facts are left as they were.
func TestLiveInputMatchesCopy(t *testing.T) {
	for name, mk := range liveCases() {
		for _, stage := range []Stage{StageRequest, StageCompletion} {
			for rname, f := range redactors {
				x := mk()
				before := fmt.Sprint(x.Facts.CEL())
				now := time.Unix(100, 0)
				walked := BuildRecord(x, stage, Product{Name: "warden"}, now)
				walked.MapStrings(f)
				want, _, err := Encode(walked)
				if err != nil {
					t.Fatal(err)
				}
				got, _, err := EncodeRedactedInto(nil, Build(x, stage, Product{Name: "warden"}, now), f)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, want) {
					t.Fatalf("%s/%s/%s: live input encoding differs:\n got %s\nwant %s", name, stage, rname, got, want)
				}
				if after := fmt.Sprint(x.Facts.CEL()); after != before {
					t.Fatalf("%s/%s: encoding changed the live facts", name, rname)
				}
			}
		}
	}
}

// FuzzLiveInput: for any keys and strings in the facts and any substring the redactor replaces,
// the live input is written as its copy walked by MapStrings.
func FuzzLiveInput(f *testing.F) {
	f.Add("model", "gpt\u2028", "tables", "a.b", "e", uint8(1))
	f.Add("prompt", "", "", "\xff", "", uint8(2))
	f.Fuzz(func(t *testing.T, k1, v1, k2, v2, secret string, size uint8) {
		n := []int{0, 5, maxInputText + 3}[size%3] // a string the input cuts, or not
		vars := map[string]any{
			"llm":     map[string]any{k1: v1, "prompt": v2, "n": int64(n)},
			"actions": []any{map[string]any{"kind": "sql", "sql": map[string]any{"statements": []any{map[string]any{"tables": []any{v1, v2}}}}}},
			k2:        map[string]any{k1: []any{v2, strings.Repeat("s", n)}, "m": map[string]string{k2: v1}},
		}
		red := func(s string) string {
			if secret == "" {
				return s
			}
			return strings.ReplaceAll(s, secret, "[REDACTED]")
		}
		x := sampleExchange(1, "s")
		x.Facts = fakeFacts(vars)
		walked := BuildRecord(x, StageRequest, Product{}, time.Unix(1, 0))
		walked.MapStrings(red)
		want, _, err := Encode(walked)
		if err != nil {
			t.Fatal(err)
		}
		got, _, err := EncodeRedactedInto(nil, Build(x, StageRequest, Product{}, time.Unix(1, 0)), red)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("live input encoding differs:\n got %q\nwant %q", got, want)
		}
	})
}
