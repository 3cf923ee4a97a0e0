package policydiff

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/warden-gw/warden/audit"
	"github.com/warden-gw/warden/cel/policy"
	"github.com/warden-gw/warden/exchange"
	"github.com/warden-gw/warden/inspect"
)

// traffic is one kind of recorded exchange: a request and, when it went upstream, a response.
type traffic struct {
	method, authority, path, body string
	status                        int
	respBody                      string
}

// mix is a day's traffic in miniature: LLM calls, SQL reads, a destructive statement, a shell
// command, Kubernetes reads. unique makes every SQL statement differ (no two inputs alike).
func mix(i int, unique bool) traffic {
	id := 42
	if unique {
		id = i
	}
	switch i % 6 {
	case 0:
		return traffic{
			"POST", "api.openai.com", "/v1/chat/completions",
			`{"model":"gpt-4o","messages":[{"role":"user","content":"list the tables"}],"tools":[{"type":"function","function":{"name":"execute_sql","parameters":{}}}]}`,
			200, `{"id":"c1","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","tool_calls":[{"id":"t1","type":"function","function":{"name":"execute_sql","arguments":"{\"query\":\"SELECT name FROM tables\"}"}}]},"finish_reason":"tool_calls"}]}`,
		}
	case 1, 4:
		return traffic{
			"POST", "mcp.internal", "/mcp",
			fmt.Sprintf(`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"execute_sql","arguments":{"query":"SELECT id, email FROM users WHERE id = %d"}}}`, id),
			200, `{"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"text","text":"1 row"}]}}`,
		}
	case 2:
		return traffic{"POST", "db.internal", "/query", fmt.Sprintf(`{"query":"DELETE FROM scratch.t%d"}`, id%1000), 0, ""}
	case 3:
		return traffic{
			"POST", "mcp.internal", "/mcp",
			`{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"run","arguments":{"command":"kubectl get pods -n prod"}}}`,
			200, `{"jsonrpc":"2.0","id":2,"result":{"content":[]}}`,
		}
	}
	return traffic{"GET", "k8s.internal:6443", fmt.Sprintf("/api/v1/namespaces/prod/pods/web-%d", id), "", 200, `{"kind":"Pod"}`}
}

// recordTraffic decides each exchange with ps as the server does and returns its records as
// the spool holds them: the request record, then the completion record when it went upstream.
func recordTraffic(tb testing.TB, ps *policy.Set, n int, unique bool) [][]byte {
	tb.Helper()
	start := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	var out [][]byte
	for i := range n {
		tr := mix(i, unique)
		x := &exchange.Exchange{
			ID: fmt.Sprintf("req-%d", i), Start: start.Add(time.Duration(i) * time.Millisecond),
			Request: exchange.Request{
				Method: tr.method, Scheme: "https", Authority: tr.authority, Path: tr.path,
				Headers: exchange.Headers{{Key: "content-type", Value: "application/json"}, {Key: "user-agent", Value: "agent/1"}},
				Body:    []byte(tr.body),
			},
			Identity: exchange.Identity{Session: fmt.Sprintf("sess-%d", i%50), Agent: "coder"},
		}
		f := inspect.Analyze(&x.Request)
		x.Facts = f
		d := ps.Decide(tb.Context(), x, exchange.PhaseRequest)
		x.Decisions = append(x.Decisions, d)
		if d.Blocks() {
			x.Disposition = exchange.Denied
			out = append(out, encode(tb, x, audit.StageRequest))
			continue
		}
		x.Disposition = exchange.Allowed
		out = append(out, encode(tb, x, audit.StageRequest))
		x.Response = exchange.Response{Status: tr.status, Headers: exchange.Headers{{Key: "content-type", Value: "application/json"}}, Body: []byte(tr.respBody)}
		f.AddResponse(&x.Response)
		if ps.HasPhase(exchange.PhaseResponse) {
			x.Decisions = append(x.Decisions, ps.Decide(tb.Context(), x, exchange.PhaseResponse))
		}
		x.End = x.Start.Add(30 * time.Millisecond)
		out = append(out, encode(tb, x, audit.StageCompletion))
	}
	return out
}

func encode(tb testing.TB, x *exchange.Exchange, stage audit.Stage) []byte {
	tb.Helper()
	r := audit.BuildRecord(x, stage, audit.Product{Name: "warden", VendorName: "warden-gw", Version: "test"}, x.Start)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r); err != nil {
		tb.Fatal(err)
	}
	return bytes.TrimSpace(buf.Bytes())
}

func defaultPack(tb testing.TB) *policy.Set {
	tb.Helper()
	ps, err := policy.Default()
	if err != nil {
		tb.Fatal(err)
	}
	return ps
}
