package pipeline

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/warden-gw/warden/exchange"
	"github.com/warden-gw/warden/extproc"
)

func chatRequest() *exchange.Exchange {
	body := `{"model":"gpt-4o","stream":true,"messages":[{"role":"user","content":"clean up"}],"tools":[{"type":"function","function":{"name":"run_sql"}}]}`
	return &exchange.Exchange{Request: exchange.Request{
		Method: "POST", Scheme: "https", Authority: "api.openai.com", Path: "/v1/chat/completions",
		Headers: exchange.Headers{{Key: "content-type", Value: "application/json"}},
		Body:    []byte(body), BodySeen: true,
	}}
}

func TestInspectorFactsAndStreamGuard(t *testing.T) {
	x := chatRequest()
	in := Inspector{}
	in.InspectRequest(x)
	if x.Facts == nil {
		t.Fatal("no facts")
	}
	llm, _ := x.Facts.CEL()["llm"].(map[string]any)
	if llm["provider"] != "openai" || llm["model"] != "gpt-4o" {
		t.Fatalf("llm facts %v", llm)
	}
	g := in.NewGuard(x)
	if g == nil {
		t.Fatal("no guard for a streamed LLM response")
	}
	stream, err := os.ReadFile("../inspect/llmapi/testdata/chat_tool.sse")
	if err != nil {
		t.Fatal(err)
	}
	early, err := g.Write(stream)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(early, []byte("DROP TABLE")) {
		t.Fatal("the tool call reached the client before the policy saw it")
	}
	held, err := g.Finish(x)
	if err != nil || !bytes.Contains(held, []byte("tool_calls")) {
		t.Fatalf("held %q, %v", held, err)
	}
	var sql []string
	for _, c := range x.Facts.ToolCalls() {
		if c.Kind == "sql" {
			sql = append(sql, c.Text)
		}
	}
	if len(sql) != 1 || !strings.Contains(sql[0], "DROP TABLE customers") {
		t.Fatalf("tool calls %+v, want the streamed DROP TABLE", x.Facts.ToolCalls())
	}
	if blocked := g.Blocked("no"); !bytes.Contains(blocked, []byte("no")) {
		t.Fatalf("blocked event %q", blocked)
	}
	ct, body := in.BlockedBody(x, "denied by rule")
	if ct != "application/json" || !json.Valid(body) || !bytes.Contains(body, []byte("denied by rule")) {
		t.Fatalf("blocked body %s %q", ct, body)
	}
}

func TestInspectorBufferedResponseToolCalls(t *testing.T) {
	x := chatRequest()
	in := Inspector{}
	in.InspectRequest(x)
	x.Response = exchange.Response{
		Status: 200, Headers: exchange.Headers{{Key: "content-type", Value: "application/json"}},
		Body: []byte(`{"id":"c1","object":"chat.completion","model":"gpt-4o","choices":[{"index":0,"message":{"role":"assistant","tool_calls":[{"id":"call_1","type":"function","function":{"name":"run_shell","arguments":"{\"command\":\"rm -rf /srv\"}"}}]},"finish_reason":"tool_calls"}]}`),
	}
	in.InspectResponse(x)
	calls := x.Facts.ToolCalls()
	if len(calls) == 0 || !strings.Contains(calls[len(calls)-1].Text, "rm -rf /srv") {
		t.Fatalf("tool calls %+v", calls)
	}
}

func TestInspectorNonLLM(t *testing.T) {
	in := Inspector{}
	x := &exchange.Exchange{Request: exchange.Request{Method: "GET", Authority: "example.com", Path: "/"}}
	if in.NewGuard(x) != nil {
		t.Fatal("guard without facts")
	}
	in.InspectResponse(x) // no facts: nothing to add, no panic
	in.InspectRequest(x)
	if in.NewGuard(x) != nil {
		t.Fatal("guard for a non-LLM API")
	}
	if ct, body := in.BlockedBody(x, "m"); ct != "" || body != nil {
		t.Fatalf("blocked body for a non-LLM API: %s %q", ct, body)
	}
}

// TestSharedJSONIsBounded: a JSON body up to maxSharedJSON is read once for inspection and
// redaction (x.Request.JSON); a larger one, whose nodes could take fourteen times its bytes for
// the whole request phase, is not, and both stages still read it from its bytes: the facts and
// the redaction are those of the body.
func TestSharedJSONIsBounded(t *testing.T) {
	r := newTestRedactor(t)
	for _, n := range []int{16, maxSharedJSON} {
		x := chatRequest()
		fill := strings.Repeat(`0,`, n/2)
		x.Request.Body = []byte(`{"model":"gpt-4o","pad":[` + fill + `0],"messages":[{"role":"user","content":"key ` + awsKey + `"}]}`)
		Inspector{}.InspectRequest(x)
		if shared := x.Request.JSON != nil; shared != (len(x.Request.Body) <= maxSharedJSON) {
			t.Fatalf("%d-byte body: read once for every stage %v", len(x.Request.Body), shared)
		}
		if llm, _ := x.Facts.CEL()["llm"].(map[string]any); llm["model"] != "gpt-4o" {
			t.Fatalf("%d-byte body: llm facts %v", len(x.Request.Body), llm)
		}
		out, counts, err := r.Redact(x, x.Request.Body, extproc.RedactOptions{Phase: exchange.PhaseRequest, ContentType: "application/json"})
		if err != nil || bytes.Contains(out, []byte(awsKey)) || counts["secret"] == 0 || !json.Valid(out) {
			t.Fatalf("%d-byte body: redacted %d bytes, counts %v, %v", len(x.Request.Body), len(out), counts, err)
		}
	}
}
