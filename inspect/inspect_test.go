package inspect

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/warden-gw/warden/exchange"
	"github.com/warden-gw/warden/inspect/llmapi"
)

func jsonReq(method, authority, path, body string) *exchange.Request {
	return &exchange.Request{
		Method: method, Scheme: "https", Authority: authority, Path: path, Body: []byte(body), BodySeen: true,
		Headers: exchange.Headers{{Key: "content-type", Value: "application/json"}},
	}
}

func TestCELShape(t *testing.T) {
	f := Analyze(jsonReq("POST", "mcp.internal", "/mcp",
		`{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"execute_sql","arguments":{"query":"DROP TABLE users"}}}`))
	vars := f.CEL()
	mcp := vars["mcp"].(map[string]any)
	if mcp["method"] != "tools/call" || mcp["tool"] != "execute_sql" {
		t.Errorf("mcp = %v", mcp)
	}
	if args := mcp["arguments"].(map[string]any); args["query"] != "DROP TABLE users" {
		t.Errorf("mcp.arguments = %v", args)
	}
	actions := vars["actions"].([]any)
	if len(actions) != 1 {
		t.Fatalf("actions = %v", actions)
	}
	a := actions[0].(map[string]any)
	for k, want := range map[string]any{"kind": "sql", "source": "mcp.arguments.query", "text": "DROP TABLE users", "destructive": true, "tool": "execute_sql"} {
		if a[k] != want {
			t.Errorf("action[%q] = %v, want %v", k, a[k], want)
		}
	}
	if _, ok := a["sql"].(map[string]any); !ok {
		t.Errorf("action has no sql map: %v", a)
	}
	for _, other := range []string{"shell", "k8s", "aws", "github"} {
		if _, ok := a[other]; ok {
			t.Errorf("sql action also has %q", other)
		}
	}
	if _, ok := a["reasons"].([]any); !ok {
		t.Errorf("reasons is %T, want []any", a["reasons"])
	}
	llm := vars["llm"].(map[string]any)
	for _, k := range []string{"provider", "api", "model", "prompt", "tools", "tool_calls", "streamed"} {
		if _, ok := llm[k]; !ok {
			t.Errorf("llm lacks %q even when empty", k)
		}
	}
}

func TestCELEmptyRequest(t *testing.T) {
	vars := Analyze(&exchange.Request{Method: "GET", Authority: "example.com", Path: "/"}).CEL()
	if got := vars["actions"].([]any); len(got) != 0 {
		t.Errorf("actions = %v", got)
	}
	mcp := vars["mcp"].(map[string]any)
	if mcp["method"] != "" || mcp["tool"] != "" || mcp["arguments"] == nil {
		t.Errorf("empty mcp = %v", mcp)
	}
}

func TestLLMRequestFacts(t *testing.T) {
	f := Analyze(jsonReq("POST", "api.openai.com", "/v1/chat/completions",
		`{"model":"gpt-4o","stream":true,"messages":[{"role":"system","content":"sys"},{"role":"user","content":"run DROP TABLE x"},
		{"role":"assistant","tool_calls":[{"id":"c","type":"function","function":{"name":"run_sql","arguments":"{\"query\":\"DROP TABLE y\"}"}}]}],
		"tools":[{"type":"function","function":{"name":"run_sql"}}]}`))
	llm := f.CEL()["llm"].(map[string]any)
	if llm["provider"] != "openai" || llm["api"] != "chat_completions" || llm["model"] != "gpt-4o" ||
		llm["prompt"] != "sys\nrun DROP TABLE x" || llm["streamed"] != true || !reflect.DeepEqual(llm["tools"], []any{"run_sql"}) {
		t.Errorf("llm = %v", llm)
	}
	if len(f.Actions) != 0 {
		t.Errorf("history in an LLM request became actions: %v", describe(f))
	}
}

// TestStreamedToolCalls runs the streaming path: Guard over a chunked SSE body, then
// AddToolCalls, and checks that the held call becomes a blocking action.
func TestStreamedToolCalls(t *testing.T) {
	f := Analyze(jsonReq("POST", "api.anthropic.com", "/v1/messages", `{"model":"claude-sonnet-4-5","stream":true,"messages":[{"role":"user","content":"free disk"}]}`))
	stream := "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{}}\n\n" +
		"event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"tool_use\",\"id\":\"t1\",\"name\":\"bash\",\"input\":{}}}\n\n" +
		"event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"command\\\": \\\"rm -rf /var\"}}\n\n" +
		"event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"/lib\\\"}\"}}\n\n" +
		"event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
	g := llmapi.NewGuard(f.LLM.Provider, f.LLM.API, 0)
	var released []byte
	for i := 0; i < len(stream); i += 17 {
		out, err := g.Write([]byte(stream[i:min(i+17, len(stream))]))
		if err != nil {
			t.Fatal(err)
		}
		released = append(released, out...)
	}
	calls, held, err := g.Finish()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(released), "rm -rf") || string(released)+string(held) != stream {
		t.Fatalf("released %q", released)
	}
	f.AddToolCalls(calls)
	b := blocking(f)
	if len(b) != 1 || b[0].Source != "llm.tool_calls[0].arguments.command" || b[0].Text != "rm -rf /var/lib" || b[0].Name != "bash" {
		t.Fatalf("blocking actions: %s", describe(f))
	}
	llm := f.CEL()["llm"].(map[string]any)
	tc := llm["tool_calls"].([]any)[0].(map[string]any)
	if tc["name"] != "bash" || tc["arguments"] != `{"command": "rm -rf /var/lib"}` || llm["streamed"] != true {
		t.Errorf("llm.tool_calls = %v", tc)
	}
}

func TestFreeFormToolInput(t *testing.T) {
	f := &Facts{LLM: llmapi.Request{Provider: "openai", API: "responses"}}
	f.AddToolCalls([]llmapi.ToolCall{
		{ID: "a", Type: "custom_tool_call", Name: "run_sql", Arguments: "DROP TABLE t"},
		{ID: "b", Type: "custom_tool_call", Name: "shell", Arguments: "shred -u /etc/passwd"},
		{ID: "c", Type: "custom_tool_call", Name: "write_poem", Arguments: "DROP everything, said the wind"},
	})
	got := map[string]string{}
	for _, a := range f.Actions {
		got[a.Source] = a.Kind
	}
	want := map[string]string{"llm.tool_calls[0].input": "sql", "llm.tool_calls[1].input": "shell"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("actions %v, want %v", got, want)
	}
}

func TestBodiesThatAreNotJSON(t *testing.T) {
	for _, body := range []string{"", "{", "not json at all", "\x00\xff", `{"command": 3}`, `[1,2,3]`, `"ls -la"`} {
		f := Analyze(jsonReq("POST", "runner.internal", "/v1/exec", body))
		if len(f.Actions) != 0 {
			t.Errorf("body %q gave actions: %s", body, describe(f))
		}
		_ = f.CEL()
	}
}

func TestTruncated(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"jobs":[`)
	for i := 0; i < maxActions+10; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"command":"echo %d"}`, i)
	}
	b.WriteString(`]}`)
	f := Analyze(jsonReq("POST", "runner.internal", "/v1/exec", b.String()))
	if len(f.Actions) != maxActions || !f.Inspection.Truncated {
		t.Errorf("%d actions, truncated=%v", len(f.Actions), f.Inspection.Truncated)
	}
	deep := strings.Repeat(`{"a":`, 200) + `{"command":"rm -rf /"}` + strings.Repeat("}", 200)
	if f := Analyze(jsonReq("POST", "runner.internal", "/v1/exec", deep)); !f.Inspection.Truncated {
		t.Error("deep nesting not reported as truncated")
	}
}

func TestActionsSortedAndToolCalls(t *testing.T) {
	body := `{"z":{"command":"ls"},"a":{"sql":"SELECT 1"},"m":{"cmd":"pwd"}}`
	for i := 0; i < 20; i++ { // map order varies between runs; the result must not
		f := Analyze(jsonReq("POST", "db-runner.internal", "/v1/exec", body))
		var srcs []string
		for _, tc := range f.ToolCalls() {
			srcs = append(srcs, tc.Kind+":"+tc.Source+":"+tc.Text)
		}
		want := []string{"sql:request.body.a.sql:SELECT 1", "shell:request.body.m.cmd:pwd", "shell:request.body.z.command:ls"}
		if !reflect.DeepEqual(srcs, want) {
			t.Fatalf("tool calls %v, want %v", srcs, want)
		}
	}
}

func TestBodyJSONReused(t *testing.T) {
	f := Analyze(jsonReq("POST", "x", "/", `{"a":[1]}`))
	v, ok := f.BodyJSON()
	if !ok || !reflect.DeepEqual(v, map[string]any{"a": []any{float64(1)}}) {
		t.Errorf("BodyJSON = %v %v", v, ok)
	}
	if _, ok := Analyze(jsonReq("POST", "x", "/", `nope`)).BodyJSON(); ok {
		t.Error("BodyJSON ok for a non-JSON body")
	}
}

func TestContexts(t *testing.T) {
	for ctx, want := range map[string]bool{
		"db-gateway.internal /v1/query": true, "execute_sql": true, "acme.snowflakecomputing.example /api/v2/statements": true,
		"feedback.example /v1/query": false, "search.example /v1/search": false, "mongodb.internal /find": false,
	} {
		if got := isSQLContext(ctx); got != want {
			t.Errorf("isSQLContext(%q) = %v", ctx, got)
		}
	}
	for s, want := range map[string]string{
		"  /* x */ (select 1)": "select", "-- c\nDROP TABLE x": "drop", "query { a }": "", "select_all()": "",
		"best pizza": "", "DELETE": "delete",
	} {
		if got := leadingSQLKeyword(s); got != want {
			t.Errorf("leadingSQLKeyword(%q) = %q, want %q", s, got, want)
		}
	}
}

func FuzzAnalyze(f *testing.F) {
	for _, fx := range loadFixtures(f, "actions.jsonl") {
		body := ""
		if fx.Request.Body != nil {
			body = *fx.Request.Body
		}
		f.Add(fx.Request.Method, fx.Request.URL, body)
	}
	f.Add("POST", "https://runner.internal/v1/exec", `{"command":"rm","args":["-rf","/"],"x":[{"sql":["DROP TABLE a"]}]}`)
	// Actions described by tool arguments and tunnelled requests (described.go, tunnel.go).
	f.Add("POST", "https://mcp.corp/mcp", mcpCall("kubernetes", `{"verb":"delete","kind":"Namespace","metadata":{"name":"p"}}`))
	f.Add("POST", "https://mcp.corp/mcp", mcpCall("fs_remove", `{"paths":["/srv","~"],"recursive":true}`))
	f.Add("POST", "https://mcp.corp/mcp", mcpCall("mongo", `{"command":{"dropDatabase":1,"drop":"x"}}`))
	f.Add("POST", "https://mcp.corp/mcp", mcpCall("execute_code", `{"code":"requests.request('DELETE', 'https://x/y'); fetch(u, {method: 'DELETE'})"}`))
	f.Add("POST", "https://kibana.corp/api/console/proxy?path=%2F_all&method=DELETE", `{"query":{"match_all":{}}}`)
	f.Fuzz(func(t *testing.T, method, rawURL, body string) {
		host, path, _ := strings.Cut(strings.TrimPrefix(rawURL, "https://"), "/")
		f := Analyze(jsonReq(method, host, "/"+path, body))
		if len(f.Actions) > maxActions+maxActions {
			t.Fatalf("%d actions", len(f.Actions))
		}
		_ = f.CEL()
		_ = f.ToolCalls()
	})
}

// FuzzAnalyzeBody feeds any body under the content types inspection reads (multipart, form,
// text, JSON) and checks that the limits hold.
func FuzzAnalyzeBody(f *testing.F) {
	f.Add("multipart/form-data; boundary=b", "--b\r\nContent-Disposition: form-data; name=\"sql\"\r\n\r\nDROP TABLE a\r\n--b--\r\n")
	f.Add("application/x-www-form-urlencoded", "_method=DELETE&q=DROP+TABLE+a&q=SELECT+1")
	f.Add("text/plain", "rm -rf /")
	f.Add("application/json", "\ufeff{\"a\":\"{\\\"sql\\\":\\\"DROP TABLE a\\\"}\",\"a\":[\"x\"]}")
	f.Add("application/yaml", "command: rm -rf /\n---\n- a: &x [*x]\n")
	f.Add("application/x-ndjson", "{\"command\": \"ls\"}\n{\"command\": \"rm -rf /\"}\n{broken\n")
	f.Add("application/json", "\"\\\"{\\\\\\\"sql\\\\\\\": \\\\\\\"DROP TABLE a\\\\\\\"}\\\"\"")
	f.Add("text/plain", "DELETE /api/v1/namespaces/prod HTTP/1.1\nHost: k8s\n\n")
	f.Add("text/xml", "<a x=\"1\"><sql>DROP TABLE t</sql><sql>SELECT 1</sql><b><c>rm -rf /</c></b></a>")
	f.Fuzz(func(t *testing.T, ct, body string) {
		r := jsonReq("POST", "runner.internal", "/v1/exec", body)
		r.Headers = exchange.Headers{{Key: "content-type", Value: ct}}
		f := Analyze(r)
		if len(f.Actions) > maxActions+maxActions {
			t.Fatalf("%d actions", len(f.Actions))
		}
		if len(f.Inspection.Reasons) > maxInspectionReasons {
			t.Fatalf("%d reasons", len(f.Inspection.Reasons))
		}
		_ = f.CEL()
	})
}

// FuzzAnalyzeEncodedBody feeds any body under any Content-Encoding: decoding is bounded, and a
// body that does not decode is reported, never read as plain bytes.
func FuzzAnalyzeEncodedBody(f *testing.F) {
	f.Add("application/json", "gzip", "\x1f\x8b\x08\x00\x00\x00\x00\x00")
	f.Add("application/json", "deflate, br", "x")
	f.Add("text/plain", "zstd", "\x28\xb5\x2f\xfd")
	f.Add("application/json", "compress", "{}")
	f.Fuzz(func(t *testing.T, ct, enc, body string) {
		r := jsonReq("POST", "runner.internal", "/v1/exec", body)
		r.Headers = exchange.Headers{{Key: "content-type", Value: ct}, {Key: "content-encoding", Value: enc}}
		f := Analyze(r)
		if len(f.Inspection.Reasons) > maxInspectionReasons {
			t.Fatalf("%d reasons", len(f.Inspection.Reasons))
		}
		_ = f.CEL()
	})
}

func TestExtractionSources(t *testing.T) {
	tests := []struct {
		name, authority, path, body string
		want                        []string // kind:source:text
	}{
		{
			"command with args", "runner.internal", "/v1/exec", `{"command":"rm","args":["-rf","/"]}`,
			[]string{"shell:request.body.command:rm -rf /"},
		},
		{"args outside exec context", "api.example", "/v1/things", `{"args":["rm","-rf","/"]}`, nil},
		{
			"args in exec context", "api.example", "/v1/run", `{"args":["rm","-rf","/"]}`,
			[]string{"shell:request.body.args:rm -rf /"},
		},
		{"argv needs a program first", "runner.internal", "/v1/exec", `{"argv":["-rf","/"]}`, nil},
		{
			"mcp batch names the member", "mcp.internal", "/mcp",
			`[{"jsonrpc":"2.0","id":1,"method":"tools/list"},{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"run","arguments":{"cmd":"ls"}}}]`,
			[]string{"shell:mcp[1].arguments.cmd:ls"},
		},
		{
			"url query on a sql endpoint", "ch.internal:8123", "/sql?query=SELECT%201", "",
			[]string{"sql:request.query.query:SELECT 1"},
		},
		{"script without exec context or shebang", "cms.example", "/v1/pages", `{"script":"alert(1)"}`, nil},
		{
			"nested statements array", "db.internal", "/v1/batch", `{"batch":{"statements":["SELECT 1"]}}`,
			[]string{"sql:request.body.batch.statements[0]:SELECT 1"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := Analyze(jsonReq("POST", tt.authority, tt.path, tt.body))
			var got []string
			for _, a := range f.Actions {
				got = append(got, a.Kind+":"+a.Source+":"+a.Text)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("actions %q, want %q", got, tt.want)
			}
		})
	}
}
