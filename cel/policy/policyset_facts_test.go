package policy

import (
	"context"
	"testing"

	"github.com/warden-gw/warden/exchange"
	"github.com/warden-gw/warden/inspect"
)

func TestDecideInspectsWhenFactsAreMissing(t *testing.T) {
	ps, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	x := req("POST", "https://runner.internal/v1/exec", `{"command": "rm -rf /"}`, "content-type", "application/json")
	if d := ps.Decide(context.Background(), x, exchange.PhaseRequest); d.Rule != "destructive-shell" || d.Code != exchange.CodeRuleDenied {
		t.Fatalf("got %+v, want the pack to see the command without a prior inspection stage", d)
	}
}

func TestKindFilter(t *testing.T) {
	env, err := NewEnv()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ when, kind string }{
		{`actions.exists(a, a.kind == "sql" && a.sql.destructive)`, "sql"},
		{`actions.exists(x, "k8s" == x.kind && x.k8s.verb == "delete" && true)`, "k8s"},
		{`actions.exists(a, a.kind == "sql")`, "sql"},
		{`actions.exists(a, a.kind == "sql" || a.destructive)`, ""},
		{`actions.all(a, a.kind == "sql" && a.destructive)`, ""},
		{`actions.exists_one(a, a.kind == "sql")`, ""},
		{`!actions.exists(a, a.kind == "sql")`, ""},
		{`actions.exists(a, a.destructive && a.kind == "sql")`, ""},
		{`llm.tool_calls.exists(a, a.kind == "sql")`, ""},
	}
	for _, tc := range tests {
		a, iss := env.Compile(tc.when)
		if iss.Err() != nil {
			t.Fatal(iss.Err())
		}
		if got := kindFilter(a); got != tc.kind {
			t.Errorf("kindFilter(%s) = %q, want %q", tc.when, got, tc.kind)
		}
	}
	// Skipping is exact: the rule below fails only when a sql action exists.
	ps := mustCompile(t, "p.yaml", policy("p", "", rule("r", `actions.exists(a, a.kind == "sql" && a.nokey == 1)`, "allow")))
	for kind, wantErr := range map[string]bool{"shell": false, "sql": true} {
		x := req("GET", "https://h/", "")
		x.Facts = fakeFacts{"actions": []any{map[string]any{"kind": kind}}}
		if d := ps.Decide(context.Background(), x, exchange.PhaseRequest); (d.Code == exchange.CodePolicyError) != wantErr {
			t.Errorf("%s action: %+v", kind, d)
		}
	}
}

// A rule reading request.body.json sees the body inspection already decoded (no second parse)
// and decides exactly as it does when it decodes the body itself (no facts).
func TestBodyJSONFromFactsDecidesAsParsing(t *testing.T) {
	ps := mustCompile(t, "j.yaml", policy("j", "",
		rule("big-temperature", `has(request.body.json.temperature) && request.body.json.temperature > 1.5`, "deny"),
		rule("model", `has(request.body.json.model) && request.body.json.model == "gpt-\u00e9"`, "deny"),
		rule("nested", `has(request.body.json.a) && request.body.json.a.b[1] == 2`, "deny"),
	))
	for _, body := range []string{
		`{"temperature":1.7}`, `{"temperature":1}`, `{"model":"gpt-\u00e9"}`, `{"model":"gpt-\\u00e9"}`,
		`{"a":{"b":[1,2]}}`, `{"a":{"b":[1,3]}}`, `not json`, `[1,2]`, ``,
	} {
		plain := req("POST", "https://api.openai.com/v1/chat/completions", body, "content-type", "application/json")
		withFacts := req("POST", "https://api.openai.com/v1/chat/completions", body, "content-type", "application/json")
		withFacts.Facts = inspect.Analyze(&withFacts.Request)
		a := ps.Decide(context.Background(), plain, exchange.PhaseRequest)
		b := ps.Decide(context.Background(), withFacts, exchange.PhaseRequest)
		if a.Action != b.Action || a.Rule != b.Rule {
			t.Errorf("body %q: without facts %s/%s, with facts %s/%s", body, a.Action, a.Rule, b.Action, b.Rule)
		}
	}
}
