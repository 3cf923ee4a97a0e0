package policy

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/warden-gw/warden/exchange"
)

func TestGuardRecognition(t *testing.T) {
	env, err := NewEnv()
	if err != nil {
		t.Fatal(err)
	}
	for when, want := range map[string]bool{
		`actions.exists(a, a.kind == "sql" && a.sql.destructive)`:         true,
		`actions.exists(x, "k8s" == x.kind && x.k8s.verb == "delete")`:    true,
		`actions.exists(a, a.escalation)`:                                 true,
		`actions.exists(a, a.source.startsWith("llm.") && a.destructive)`: true,
		`actions.exists(a, size(a.text) > 3)`:                             true, // empty list only
		`inspection.truncated && inspection.executing`:                    true,
		`llm.api != "" && llm.response_error != ""`:                       true,
		`!inspection.truncated`:                                           true,
		`mcp.calls.exists(c, c.tool.matches("x"))`:                        true,
		`actions.exists(a, a.kind == "sql" || a.destructive)`:             true, // empty list only
		`actions.all(a, a.kind == "sql" && a.destructive)`:                false,
		`actions.exists_one(a, a.kind == "sql")`:                          false,
		`!actions.exists(a, a.kind == "sql")`:                             true,
		`size(actions) > 0 && inspection.truncated`:                       false,
		`has(inspection.truncated) && inspection.truncated`:               false,
		`inspection.truncated || inspection.ambiguous`:                    true,
		`actions.exists(a, a.k8s.resource in ["nodes", "secrets"])`:       true,
		`actions.exists(a, a.kind in ["sql", 1])`:                         true, // empty list only
		`size(mcp.calls) > 0 || inspection.ambiguous`:                     false,
		`request.method == "DELETE"`:                                      false,
		`[1].exists(actions, actions == 1)`:                               false,
		`actions.exists(a, a.kind.matches("s") && a.kind == "sql")`:       true, // empty list only
		`llm.tool_calls.exists(c, c.name == "x") && actions.size() > 0`:   true,
		`actions.exists(llm, llm.kind == "sql" && llm.api != "")`:         true,
	} {
		a, iss := env.Compile(when)
		if iss.Err() != nil {
			t.Fatal(iss.Err())
		}
		if got := guardOf(a) != nil; got != want {
			t.Errorf("guard of %s: %v, want %v", when, got, want)
		}
	}
}

// TestGuardSkipIsExact: a guarded rule is skipped only where CEL could not have matched nor
// failed: the rules below fail (a policy error) exactly when their guard passes, and a guard
// that cannot read its fact (missing, another type) lets the rule run.
func TestGuardSkipIsExact(t *testing.T) {
	ps := mustCompile(t, "p.yaml", policy("p", "",
		rule("kind", `actions.exists(a, a.kind == "sql" && a.nokey == 1)`, "allow"),
		rule("flag", `inspection.truncated && inspection.reasons[5] == "x"`, "allow"),
	))
	for i, tc := range []struct {
		facts   fakeFacts
		wantErr bool
	}{
		{fakeFacts{"actions": []any{map[string]any{"kind": "shell"}}}, false},
		{fakeFacts{"actions": []any{map[string]any{"kind": "sql"}}}, true},
		{fakeFacts{"actions": []any{map[string]any{"kind": "shell"}, map[string]any{"kind": "sql"}}}, true},
		{fakeFacts{"actions": []any{map[string]any{"kind": 7}}}, false},        // CEL: 7 == "sql" is false
		{fakeFacts{"actions": []any{map[string]any{"text": "no kind"}}}, true}, // no such key
		{fakeFacts{"actions": []any{}, "inspection": map[string]any{"truncated": false, "reasons": []any{}}}, false},
		{fakeFacts{"actions": []any{}, "inspection": map[string]any{"truncated": true, "reasons": []any{}}}, true},
		{fakeFacts{"actions": []any{}, "inspection": map[string]any{"reasons": []any{}}}, true}, // no such key
		{fakeFacts{"actions": []any{}, "inspection": map[string]any{"truncated": "no", "reasons": []any{}}}, true},
		{fakeFacts{"actions": []any{map[string]any{"kind": []any{}}}}, false}, // CEL: [] == "sql" is false
	} {
		x := req("GET", "https://h/", "")
		x.Facts = tc.facts
		if d := ps.Decide(context.Background(), x, exchange.PhaseRequest); (d.Code == exchange.CodePolicyError) != tc.wantErr {
			t.Errorf("case %d %v: %+v", i, tc.facts, d)
		}
	}
}

// TestGuardKeepsCostLimitFailures: under a cost limit below a rule's worst case, the rule is
// not guarded, so an input whose evaluation runs over the limit still fails closed.
func TestGuardKeepsCostLimitFailures(t *testing.T) {
	src := policy("p", "", rule("r", `actions.exists(a, a.kind == "sql" && a.destructive)`, "allow"))
	ps, err := Compile(Limits{CostLimit: 20}, Source{Name: "p.yaml", Data: []byte(src)})
	if err != nil {
		t.Fatal(err)
	}
	var acts []any
	for range 30 {
		acts = append(acts, map[string]any{"kind": "shell"})
	}
	x := req("GET", "https://h/", "")
	x.Facts = fakeFacts{"actions": acts}
	if d := ps.Decide(context.Background(), x, exchange.PhaseRequest); d.Code != exchange.CodePolicyError {
		t.Fatalf("30 actions under a cost limit of 20: %+v, want a policy error", d)
	}
}

// guardPolicy has rules of every guard shape, some whose later conjuncts fail, some shadowing a
// fact variable, nested exists() reading the outer element.
var guardPolicy = policy("g", "",
	rule("flag", `inspection.truncated && inspection.reasons[3] == "x"`, "deny"),
	rule("not-flag", `!inspection.ambiguous && inspection.executing == true && size(actions) > 2`, "require_approval"),
	rule("api", `llm.api != "" && llm.response_error.size() > 0`, "deny"),
	rule("kind", `actions.exists(a, a.kind == "sql" && (a.destructive || a.sql.destructive))`, "deny"),
	rule("bool-eq", `actions.exists(a, a.dry_run == true && a.kind == "k8s")`, "allow"),
	rule("prefix", `actions.exists(a, a.source.startsWith("llm.") && a.escalation)`, "deny"),
	rule("escalation", `actions.exists(a, a.escalation)`, "require_approval"),
	rule("nested", `actions.exists(a, a.kind == "shell" && a.shell.commands.exists(c, c.dynamic && a.tool != ""))`, "deny"),
	rule("shadow", `actions.exists(llm, llm.api == "rest" && llm.model == "x")`, "deny"),
	rule("calls", `mcp.calls.exists(c, c.tool.startsWith("drop"))`, "require_approval"),
	rule("regex", `mcp.calls.exists(c, c.tool.matches("(^|_)(?i:delete|drop)($|_)") && c.name != "x")`, "require_approval"),
	rule("in", `actions.exists(a, a.kind in ["k8s", "rest"] && !a.dry_run && (a.verb in ["delete"] || a.destructive))`, "deny"),
	rule("or-unknown", `inspection.ambiguous || size(actions) > 1 && actions[1].kind == "sql"`, "require_approval"),
	rule("deep", `actions.exists(a, a.kind == "sql" && a.sql.parse_error != "" && a.tool.startsWith("x"))`, "deny"),
	rule("tool-calls", `llm.tool_calls.exists(c, c.name == "delete_all")`, "deny", "phase: response"),
)

// FuzzGuards: on random fact sets, Decide with guards decides exactly as Decide running every
// rule in CEL, for the default pack and guardPolicy, in both phases.
func FuzzGuards(f *testing.F) {
	for _, s := range []string{"", "\x30\x50\xa0\xb0\x10\x20", "\xff\xfe\xfd\xfc\xfb\xb0\xb1\xb2\xb3\xb4\x00\x01\x02\x03"} {
		f.Add([]byte(s))
	}
	for i := range 32 {
		f.Add([]byte(fmt.Sprintf("%c%c%c%c%c%c%c%c%c%c", 40+i*5, 120+i, 200-i, i*7, i*13, 60+i, 150+i, 255-i, i*31, i*17)))
	}
	// Seeds from a fixed generator: without -fuzz, the test still meets a few hundred fact sets.
	rng := rand.New(rand.NewPCG(17, 1))
	for range 400 {
		b := make([]byte, 96)
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		f.Add(b)
	}
	def, err := Default()
	if err != nil {
		f.Fatal(err)
	}
	g, err := Compile(Limits{}, Source{Name: "g.yaml", Data: []byte(guardPolicy)})
	if err != nil {
		f.Fatal(err)
	}
	sets := []*Set{def, g}
	f.Fuzz(func(t *testing.T, b []byte) {
		facts := (&factGen{b: b}).facts()
		for _, ps := range sets {
			for _, phase := range []exchange.Phase{exchange.PhaseRequest, exchange.PhaseResponse} {
				x := req("POST", "https://h/", "")
				x.Facts = fakeFacts(facts)
				got := ps.Decide(context.Background(), x, phase)
				want := NoGuards(ps).Decide(context.Background(), x, phase)
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("%s phase, facts %v:\nguarded %+v\nfull    %+v", phase, facts, got, want)
				}
			}
		}
	})
}

// factGen builds a random fact set from fuzz bytes: keys and values drawn from what inspection
// writes and what rules test, with wrong types, missing members and empty lists.
type factGen struct {
	b []byte
	i int
}

func (g *factGen) next() int {
	if g.i >= len(g.b) {
		return 0
	}
	g.i++
	return int(g.b[g.i-1])
}

var (
	genKeys = []string{
		"kind", "destructive", "dry_run", "escalation", "source", "text", "tool", "sql", "shell", "k8s",
		"parse_error", "commands", "dynamic", "name", "verb", "api", "response_error", "tool_calls",
		"calls", "truncated", "model", "ambiguous", "executing", "reasons",
	}
	genStrings = []string{
		"sql", "shell", "k8s", "rest", "", "x", "llm.tool_calls[0]", "mcp.arguments", "delete_all",
		"drop_table", "chat_completions", "delete", "DROP", "x_Delete_y", "delete_",
	}
)

func (g *factGen) value(depth int) any {
	switch c := g.next(); {
	case depth > 3 || c < 50:
		return genStrings[g.next()%len(genStrings)]
	case c < 100:
		return c%2 == 0
	case c < 110:
		return int64(c)
	case c < 115:
		return nil
	case c < 190:
		m := map[string]any{}
		for n := g.next() % 6; n > 0; n-- {
			m[genKeys[g.next()%len(genKeys)]] = g.value(depth + 1)
		}
		return m
	default:
		l := []any{}
		for n := g.next() % 4; n > 0; n-- {
			l = append(l, g.value(depth+1))
		}
		return l
	}
}

func (g *factGen) facts() map[string]any {
	f := map[string]any{}
	for _, v := range []string{varActions, varLLM, varMCP, varInspection} {
		switch c := g.next(); {
		case c < 20: // absent
		case c < 35:
			f[v] = g.value(3)
		case v == varActions:
			l := []any{}
			for n := g.next() % 4; n > 0; n-- {
				l = append(l, g.value(0))
			}
			f[v] = l
		default:
			m := map[string]any{}
			for n := g.next() % 8; n > 0; n-- {
				m[genKeys[g.next()%len(genKeys)]] = g.value(1)
			}
			f[v] = m
		}
	}
	return f
}
