package policydiff

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/warden-gw/warden/audit"
	"github.com/warden-gw/warden/cel/internal/celtest"
	"github.com/warden-gw/warden/cel/policy"
	"github.com/warden-gw/warden/cel/policycli"
	"github.com/warden-gw/warden/exchange"
)

// trickyPolicy reads facts in the ways the projection must follow: has() on a fact, a map
// iterated for its keys, an iteration variable that hides a fact variable, a fact passed to a
// function, nested comprehensions over lists of maps, and map()/filter() results.
const trickyPolicy = `apiVersion: warden.dev/v1
kind: Policy
metadata:
  name: tricky
spec:
  rules:
  - name: has-statement
    when: |
      actions.exists(a, has(a.sql) && has(a.sql.statements) && a.sql.statements.exists(s, s.kind == "drop"))
    action: deny
  - name: argument-keys
    when: |
      mcp.arguments.exists(k, k.startsWith("dang"))
    action: require_approval
  - name: shadowed-variable
    when: |
      llm.tools.exists(llm, llm == "rm_rf")
    action: deny
  - name: function-arg
    when: |
      actions.exists(a, glob(a.source, "llm.*") && a.destructive)
    action: deny
  - name: nested-lists
    when: |
      actions.exists(a, a.kind == "shell" && a.shell.commands.exists(c, c.argv.exists(x, x == "--force")))
    action: deny
  - name: mapped
    when: |
      actions.map(a, a.source).filter(s, s.startsWith("llm.")).size() > 2
    action: require_approval
  - name: tool-arguments
    phase: response
    when: |
      llm.tool_calls.exists(c, c.args.query.contains("DELETE") || size(c.args) > 3)
    action: deny
  - name: reasons
    when: |
      actions.exists(a, a.reasons.exists(r, r.contains("WHERE")) && size(a.sql.statements[0].tables) > 0)
    action: deny
`

// wholePolicy reads the facts whole: compared as a map, indexed, measured.
const wholePolicy = `apiVersion: warden.dev/v1
kind: Policy
metadata:
  name: whole
spec:
  rules:
  - name: whole-map
    when: |
      inspection == {"truncated": true, "ambiguous": true, "executing": true, "reasons": []}
    action: deny
  - name: indexed
    when: |
      size(actions) > 1 && actions[1].kind == "shell" && size(actions[0]) > 3
    action: require_approval
  - name: indexed-function-arg
    when: |
      size(actions) > 0 && shell(actions[0].text).destructive
    action: deny
`

// candidates are the policy sets the differential tests compare under: the default pack and
// one that reads facts in unusual ways.
func candidates(tb testing.TB) map[string]*policy.Set {
	tb.Helper()
	tricky, err := policy.Compile(policy.Limits{CostBudget: 1 << 40}, policy.Source{Name: "tricky.yaml", Data: []byte(trickyPolicy)})
	if err != nil {
		tb.Fatal(err)
	}
	whole, err := policy.Compile(policy.Limits{}, policy.Source{Name: "whole.yaml", Data: []byte(wholePolicy)})
	if err != nil {
		tb.Fatal(err)
	}
	return map[string]*policy.Set{"default": defaultPack(tb), "tricky": tricky, "whole": whole}
}

// decideBoth decides one phase of a record with its facts decoded whole and projected for ps,
// and fails when the decisions differ.
func decideBoth(tb testing.TB, ps *policy.Set, proj *factDecoder, r *recorded, phase exchange.Phase) exchange.Decision {
	tb.Helper()
	whole, err := decodeInput(r.Unmapped.Warden.Input)
	if err != nil {
		tb.Fatalf("decode the whole input: %v", err)
	}
	part, err := proj.input(r.Unmapped.Warden.Input)
	if err != nil {
		tb.Fatalf("decode the projected input: %v", err)
	}
	ctx := context.Background()
	dw := ps.Decide(ctx, r.exchange(whole), phase)
	dp := ps.Decide(ctx, r.exchange(part), phase)
	proj.release() // as Differ does: the next decision reuses the maps
	if !reflect.DeepEqual(dw, dp) {
		tb.Fatalf("%s phase: whole facts decide %+v, projected facts %+v\ninput %s", phase, dw, dp, r.Unmapped.Warden.Input)
	}
	return dw
}

// checkInputs are the `warden check` inputs of cel/testdata and the default pack's test cases.
func checkInputs(tb testing.TB) [][]byte {
	tb.Helper()
	lines, err := celtest.CheckInputs("../testdata")
	if err != nil {
		tb.Fatal(err)
	}
	return lines
}

// TestProjectedFactsDecideAsWholeFacts: every input of cel/testdata and every case of the
// default pack, recorded as warden records it, decides the same (action, rule, reason,
// shadowed rules) whether its facts are decoded whole or only the part the policy reads.
func TestProjectedFactsDecideAsWholeFacts(t *testing.T) {
	lines := checkInputs(t)
	if len(lines) < 500 {
		t.Fatalf("only %d inputs found: the corpus of cel/testdata is missing", len(lines))
	}
	base := defaultPack(t)
	for name, ps := range candidates(t) {
		t.Run(name, func(t *testing.T) {
			proj := newFactDecoder(ps.FactProjection())
			compared, blocked := 0, 0
			for n, line := range lines {
				x, err := policycli.ParseInput(line)
				if err != nil {
					continue
				}
				x.ID = fmt.Sprintf("line-%d", n)
				withResp := x.Response.Status != 0
				policycli.Decide(context.Background(), base, x, withResp)
				if x.Facts == nil {
					continue
				}
				for _, stage := range []audit.Stage{audit.StageRequest, audit.StageCompletion} {
					r, ok, err := parseRecord(encode(t, x, stage))
					if err != nil || !ok || len(r.Unmapped.Warden.Input) == 0 {
						t.Fatalf("record of %s: ok %v, err %v", line, ok, err)
					}
					phase := exchange.PhaseRequest
					if stage == audit.StageCompletion && withResp {
						phase = exchange.PhaseResponse
					}
					if decideBoth(t, ps, proj, r, phase).Blocks() {
						blocked++
					}
					compared++
				}
			}
			if compared < 1000 || blocked == 0 {
				t.Fatalf("compared %d decisions (%d blocking): the corpus did not exercise the rules", compared, blocked)
			}
		})
	}
}

// factGen builds a random fact set from fuzz bytes: keys and values drawn from what inspection
// writes and what the rules read, with the wrong types, missing members and repeated keys
// that a record written by another version (or edited) could hold.
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
		"kind", "destructive", "dry_run", "escalation", "source", "text", "reasons", "tool", "sql", "shell",
		"k8s", "aws", "github", "graphql", "statements", "tables", "parse_error", "commands", "argv", "name",
		"dynamic", "script_analysed", "verb", "resource", "cluster_scoped", "subresource", "exec_command",
		"category", "operation", "api", "response_error", "tool_calls", "tools", "args", "query", "calls",
		"arguments", "method", "truncated", "ambiguous", "executing", "dangerous",
	}
	genStrings = []string{
		"sql", "shell", "k8s", "aws", "github", "graphql", "rest", "", "drop", "delete", "destroy",
		"llm.tool_calls[0].arguments.query", "mcp.arguments.query", "DELETE FROM t", "rm -rf /", "eval",
		"sh", "--force", "namespaces", "exec", "access", "delete_repo", "chat_completions", "rm_rf",
		"x without a real WHERE", "delete_user", "tools/call",
	}
)

func (g *factGen) value(depth int) any {
	switch c := g.next(); {
	case depth > 4 || c < 40:
		return genStrings[g.next()%len(genStrings)]
	case c < 80:
		return c%2 == 0
	case c < 100:
		return int64(g.next()) - 100
	case c < 105:
		return 1.5
	case c < 110:
		return nil
	case c < 180:
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

// facts returns a fact set: each variable usually of its right shape, sometimes not.
func (g *factGen) facts() map[string]any {
	f := map[string]any{}
	for _, v := range []string{"actions", "llm", "mcp", "inspection"} {
		switch c := g.next(); {
		case c < 20: // absent
		case c < 40:
			f[v] = g.value(3)
		case v == "actions":
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

// FuzzProjectedFacts: on random fact sets, facts decoded whole and projected decide the same
// under the default pack and the tricky policy, in both phases.
func FuzzProjectedFacts(f *testing.F) {
	for _, s := range []string{"", "\x30\x50\xa0\xb0\x10\x20", "\xff\xfe\xfd\xfc\xfb\xb0\xb1\xb2\xb3\xb4\x00\x01\x02\x03"} {
		f.Add([]byte(s))
	}
	for i := range 32 {
		f.Add([]byte(fmt.Sprintf("%c%c%c%c%c%c%c%c", 40+i*5, 120+i, 200-i, i*7, i*13, 60+i, 150+i, 255-i)))
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
	sets := candidates(f)
	projs := map[string]*factDecoder{}
	for name, ps := range sets {
		projs[name] = newFactDecoder(ps.FactProjection())
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		g := &factGen{b: b}
		facts, err := json.Marshal(map[string]any{"v": 1, "facts": g.facts()})
		if err != nil {
			t.Fatal(err)
		}
		rec := fmt.Sprintf(`{"class_uid":6003,"metadata":{"correlation_uid":"r"},"http_request":{"http_method":"POST","url":{"hostname":"h","path":"/"}},"unmapped":{"warden":{"stage":"completion","input":%s,"response":{"status":200}}}}`, facts)
		r, ok, err := parseRecord([]byte(rec))
		if err != nil || !ok {
			t.Fatalf("record: ok %v err %v\n%s", ok, err, rec)
		}
		for name, ps := range sets {
			decideBoth(t, ps, projs[name], r, exchange.PhaseRequest)
			decideBoth(t, ps, projs[name], r, exchange.PhaseResponse)
		}
	})
}
