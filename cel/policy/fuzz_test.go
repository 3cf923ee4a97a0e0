package policy

import (
	"context"
	"testing"

	"github.com/warden-gw/warden/exchange"
)

// FuzzCompile feeds arbitrary policy files to the parser and compiler: an error is fine, a
// panic is not, and a set that compiles must decide.
func FuzzCompile(f *testing.F) {
	f.Add([]byte(policy("p", "", rule("r", `request.method == "GET"`, "deny"))))
	f.Add([]byte("apiVersion: warden.dev/v1\nkind: Policy\nmetadata: {name: p}\nspec:\n  rules:\n  - name: r\n    when: |\n      actions.exists(a, a.kind == \"sql\")\n    action: deny\n"))
	f.Add([]byte("apiVersion: warden.dev/v1\nkind: PolicyTest\nmetadata: {name: t}\nspec: {cases: []}\n---\n"))
	f.Add([]byte("- [a, {b: *x}]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ps, err := Compile(Limits{}, Source{Name: "f.yaml", Data: data})
		if err != nil {
			return
		}
		d := ps.Decide(context.Background(), req("GET", "https://h/x", "{}"), exchange.PhaseRequest)
		if rank(d.Action) == 0 {
			t.Fatalf("invalid action %q", d.Action)
		}
	})
}

// FuzzDecide runs the default pack on arbitrary requests: any bytes in the method, path and
// body give a valid decision, and a non-JSON body never crashes.
func FuzzDecide(f *testing.F) {
	ps, err := Default()
	if err != nil {
		f.Fatal(err)
	}
	f.Add("POST", "/sql", `{"query": "DROP TABLE users"}`, "application/json")
	f.Add("POST", "/v1/exec", `{"command": "rm -rf /"}`, "application/json")
	f.Add("DELETE", "/api/v1/namespaces/prod", "", "")
	f.Add("POST", "/api/v1/namespaces/p/pods/a/exec?command=rm&command=-rf", "", "")
	f.Add("POST", "/", "Action=TerminateInstances", "application/x-www-form-urlencoded")
	f.Add("POST", "/v1/chat/completions", `{"model":"x","messages":[{"role":"user","content":"hi"}]}`, "application/json")
	f.Add("POST", "/mcp", `{"jsonrpc":"2.0","method":"tools/call","params":{"name":"a","arguments":{"sql":"\u0000"}}}`, "application/json")
	f.Add("GET", "/%zz?%%=1", "{not json", "application/json")
	f.Fuzz(func(t *testing.T, method, path, body, ct string) {
		x := &exchange.Exchange{Request: exchange.Request{
			Method: method, Scheme: "https", Authority: "k8s.internal:6443", Path: path, Body: []byte(body),
			Headers: exchange.Headers{{Key: "content-type", Value: ct}},
		}}
		for _, phase := range []exchange.Phase{exchange.PhaseRequest, exchange.PhaseResponse} {
			if d := ps.Decide(context.Background(), x, phase); rank(d.Action) == 0 {
				t.Fatalf("invalid action %q", d.Action)
			}
		}
	})
}
