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
