package pack_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/warden-gw/warden/cel/policycli"
)

// checkOne runs one `warden check` input through the embedded pack and returns its output line.
func checkOne(t *testing.T, in map[string]any) policycli.Output {
	t.Helper()
	line, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	if err := policycli.Check(context.Background(), nil, bytes.NewReader(line), &out, &errOut); err != nil {
		t.Fatalf("check: %v\n%s", err, errOut.String())
	}
	var o policycli.Output
	if err := json.Unmarshal(out.Bytes(), &o); err != nil {
		t.Fatalf("output %q: %v", out.String(), err)
	}
	return o
}

func post(url, contentType, body string) map[string]any {
	return map[string]any{"request": map[string]any{
		"method": "POST", "url": url, "headers": map[string]string{"content-type": contentType}, "body": body,
	}}
}

// nest wraps inner in n levels of {"step": ...}.
func nest(n int, inner string) string {
	return strings.Repeat(`{"step":`, n) + inner + strings.Repeat("}", n)
}

// nestString wraps inner in n levels of JSON-in-a-JSON-string.
func nestString(n int, inner string) string {
	s := inner
	for i := 0; i < n; i++ {
		q, _ := json.Marshal(s)
		s = `{"payload":` + string(q) + `}`
	}
	return s
}

func chatResponse(calls int, args func(i int) string) map[string]any {
	var tc []string
	for i := 0; i < calls; i++ {
		a, _ := json.Marshal(args(i))
		tc = append(tc, fmt.Sprintf(`{"id":"c%d","type":"function","function":{"name":"lookup","arguments":%s}}`, i, a))
	}
	body := `{"id":"x","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","tool_calls":[` +
		strings.Join(tc, ",") + `]}}]}`
	in := post("https://api.openai.com/v1/chat/completions", "application/json",
		`{"model":"gpt-4o","messages":[{"role":"user","content":"go"}]}`)
	in["response"] = map[string]any{"status": 200, "headers": map[string]string{"content-type": "application/json"}, "body": body}
	return in
}

// TestEveryLimitBlocks shows, for every inspection limit, that input past it on an executing
// endpoint is blocked or held, never allowed unseen, and that the same shape under the limit
// passes (so the block comes from the limit, not from the shape).
func TestEveryLimitBlocks(t *testing.T) {
	const exec = "https://runner.internal/v1/exec"
	const js = "application/json"
	benignCmd := `{"command":"ls -l /tmp"}`
	manyActions := func(n int) string {
		var parts []string
		for i := 0; i < n; i++ {
			parts = append(parts, fmt.Sprintf(`{"command":"ls /srv/%d"}`, i))
		}
		return `{"steps":[` + strings.Join(parts, ",") + `]}`
	}
	manyNodes := func(n int) string {
		return `{"items":[` + strings.TrimSuffix(strings.Repeat(`{},`, n), ",") + `],"command":"ls"}`
	}
	dups := func(n int) string {
		var b strings.Builder
		b.WriteString("{")
		for i := 0; i < n; i++ {
			b.WriteString(`"command":"ls",`)
		}
		b.WriteString(`"command":"ls"}`)
		return b.String()
	}
	multipart := func(parts int, size int) (string, string) {
		var b strings.Builder
		for i := 0; i < parts; i++ {
			fmt.Fprintf(&b, "--B\r\nContent-Disposition: form-data; name=\"f%d\"\r\n\r\n%s\r\n", i, strings.Repeat("x", size))
		}
		b.WriteString("--B--\r\n")
		return "multipart/form-data; boundary=B", b.String()
	}
	mpManyCT, mpMany := multipart(300, 1)
	mpFewCT, mpFew := multipart(10, 1)
	mpBigCT, mpBig := multipart(1, 2<<20)
	cases := []struct {
		name        string
		over, under map[string]any
		rule        string // the rule expected to block "over"
	}{
		{"JSON depth", post(exec, js, nest(40, benignCmd)), post(exec, js, nest(20, benignCmd)), "inspection-truncated"},
		{"JSON nodes", post(exec, js, manyNodes(25000)), post(exec, js, manyNodes(1000)), "inspection-truncated"},
		{"actions per exchange", post(exec, js, manyActions(70)), post(exec, js, manyActions(20)), "inspection-truncated"},
		{"JSON-in-string nesting", post(exec, js, nestString(6, benignCmd)), post(exec, js, nestString(3, benignCmd)), "inspection-truncated"},
		{
			"JSON-in-string bytes", post(exec, js, `{"a":`+jsonString(`{"pad":"`+strings.Repeat("x", 1<<20)+`"}`)+`,"command":"ls"}`),
			post(exec, js, `{"a":`+jsonString(`{"pad":"`+strings.Repeat("x", 1<<10)+`"}`)+`,"command":"ls"}`), "inspection-truncated",
		},
		{"duplicate keys", post(exec, js, dups(300)), post(exec, js, dups(10)), "inspection-truncated"},
		{
			"form bytes", post(exec, "application/x-www-form-urlencoded", "command=ls&pad="+strings.Repeat("x", 2<<20)),
			post(exec, "application/x-www-form-urlencoded", "command=ls&pad=x"), "inspection-truncated",
		},
		{"multipart parts", post(exec, mpManyCT, mpMany), post(exec, mpFewCT, mpFew), "inspection-truncated"},
		{"multipart bytes", post(exec, mpBigCT, mpBig), post(exec, mpFewCT, mpFew), "inspection-truncated"},
		{
			"tool calls per response", chatResponse(300, func(int) string { return `{"q":"x"}` }),
			chatResponse(10, func(int) string { return `{"q":"x"}` }), "inspection-truncated-response",
		},
		{
			"SQL bytes", post("https://db-gateway.internal/v1/query", js, `{"sql":`+jsonString("SELECT 1 "+strings.Repeat("-- pad\n", 200<<10))+`}`),
			post("https://db-gateway.internal/v1/query", js, `{"sql":"SELECT 1"}`), "unparsable-sql",
		},
		{
			"shell bytes", post(exec, js, `{"command":`+jsonString("ls "+strings.Repeat("a", 70<<10))+`}`),
			post(exec, js, benignCmd), "unparsable-shell",
		},
		{
			"shell commands", post(exec, js, `{"command":`+jsonString(strings.Repeat("true; ", 5000))+`}`),
			post(exec, js, `{"command":`+jsonString(strings.Repeat("true; ", 50))+`}`), "unparsable-shell",
		},
		{
			"strings read as SQL or commands", post(exec, js, `{"lines":["`+strings.Repeat(`ls -l","`, 2100)+`ls"]}`),
			post(exec, js, `{"lines":["`+strings.Repeat(`ls -l","`, 100)+`ls"]}`), "inspection-truncated",
		},
		{"streamed tool calls per response", chatSSE(300), chatSSE(10), "llm-unreadable-response"},
		{"HTTP requests described inside HTTP requests", post(exec, js, embedded(3)), post(exec, js, embedded(1)), "inspection-truncated"},
		{"declared JSON that does not parse", post(exec, js, `{"command": "ls"`), post(exec, js, benignCmd), "inspection-ambiguous"},
		{"body encoded as a JSON string", post(exec, js, encodeTimes(6, benignCmd)), post(exec, js, encodeTimes(2, benignCmd)), "inspection-truncated"},
		{
			"YAML documents", post(exec, "application/yaml", strings.Repeat("command: ls\n---\n", 70)),
			post(exec, "application/yaml", strings.Repeat("command: ls\n---\n", 5)), "inspection-truncated",
		},
		{
			"text bytes", post(exec, "text/plain", "ls /tmp\n"+strings.Repeat("# pad\n", 200<<10)+"rm -rf /srv\n"),
			post(exec, "text/plain", "ls -l /tmp\n"), "inspection-truncated",
		},
		{
			"body of a type warden does not read", post(exec, "application/octet-stream", "rm -rf /srv"),
			post(exec, "text/plain", "ls -l /tmp"), "inspection-ambiguous",
		},
		{"declared YAML that does not parse", post(exec, "application/yaml", "command: [ls\n"), post(exec, "application/yaml", "command: ls\n"), "inspection-ambiguous"},
		{
			"HTTP message that does not parse", post(exec, js, `{"request": "GET /status HTTP/1.1\r\nnot a header\r\n\r\n"}`),
			post(exec, js, `{"request": "GET /status HTTP/1.1\r\nHost: app.corp\r\n\r\n"}`), "inspection-ambiguous",
		},
		{
			"HTTP message bytes", post(exec, js, `{"request": `+jsonString("GET /status HTTP/1.1\r\nX-Pad: "+strings.Repeat("a", 1<<20)+"\r\n\r\n")+`}`),
			post(exec, js, `{"request": "GET /status HTTP/1.1\r\nHost: app.corp\r\n\r\n"}`), "inspection-truncated",
		},
		{
			"tool-call arguments that are not JSON", chatResponse(1, func(int) string { return `{"command": "ls"` }),
			chatResponse(1, func(int) string { return `{"command": "ls"}` }), "inspection-ambiguous-response",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o := checkOne(t, tc.over)
			if o.Action != "deny" && o.Action != "require_approval" || o.Rule != tc.rule {
				t.Errorf("past the limit: got %+v, want a block by %s", o, tc.rule)
			}
			if u := checkOne(t, tc.under); u.Action != "allow" {
				t.Errorf("under the limit: got %+v, want allow", u)
			}
		})
	}
}

// encodeTimes encodes a JSON document as a JSON string n times.
func encodeTimes(n int, doc string) string {
	for i := 0; i < n; i++ {
		doc = jsonString(doc)
	}
	return doc
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// chatSSE is a streamed Chat Completions response with n tool calls.
func chatSSE(n int) map[string]any {
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":%d,\"id\":\"c%d\",\"type\":\"function\",\"function\":{\"name\":\"lookup\",\"arguments\":\"{}\"}}]}}]}\n\n", i, i)
	}
	b.WriteString("data: [DONE]\n\n")
	in := post("https://api.openai.com/v1/chat/completions", "application/json",
		`{"model":"gpt-4o","stream":true,"messages":[{"role":"user","content":"go"}]}`)
	in["response"] = map[string]any{"status": 200, "headers": map[string]string{"content-type": "text/event-stream"}, "body": b.String()}
	return in
}

// embedded describes an HTTP request whose body describes another, n levels deep; the
// innermost is a read.
func embedded(n int) string {
	s := `{"method":"GET","url":"https://api.github.com/repos/acme/app"}`
	for i := 1; i < n; i++ {
		s = `{"method":"POST","url":"https://relay.internal/v1/forward","body":` + s + `}`
	}
	return s
}
