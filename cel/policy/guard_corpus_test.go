package policy_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/warden-gw/warden/cel/internal/celtest"
	"github.com/warden-gw/warden/cel/policy"
	"github.com/warden-gw/warden/cel/policycli"
	"github.com/warden-gw/warden/exchange"
)

// corpus returns the `warden check` inputs of cel/testdata/*.jsonl and of the default pack's
// test cases.
func corpus(t *testing.T) [][]byte {
	t.Helper()
	lines, err := celtest.CheckInputs("../testdata")
	if err != nil {
		t.Fatal(err)
	}
	return lines
}

// TestGuardsDecideAsFullEvaluation: on every input of cel/testdata and every case of the
// default pack, Decide with rule guards gives exactly the decisions (action, rule, reason,
// shadowed rules, both phases) of Decide running every rule in CEL.
func TestGuardsDecideAsFullEvaluation(t *testing.T) {
	ps, err := policy.Default()
	if err != nil {
		t.Fatal(err)
	}
	full := policy.NoGuards(ps)
	lines := corpus(t)
	if len(lines) < 500 {
		t.Fatalf("only %d inputs: the corpus of cel/testdata is missing", len(lines))
	}
	compared, blocked := 0, 0
	for _, line := range lines {
		a, err := policycli.ParseInput(line)
		if err != nil {
			continue
		}
		b, _ := policycli.ParseInput(line)
		withResp := a.Response.Status != 0
		da := policycli.Decide(context.Background(), ps, a, withResp)
		policycli.Decide(context.Background(), full, b, withResp)
		if !reflect.DeepEqual(a.Decisions, b.Decisions) {
			t.Fatalf("%s\nguarded %+v\nfull    %+v", line, a.Decisions, b.Decisions)
		}
		compared += len(a.Decisions)
		if da.Action != exchange.Allow {
			blocked++
		}
	}
	if compared < 1000 || blocked < 100 {
		t.Fatalf("compared %d decisions (%d blocking): the corpus did not exercise the rules", compared, blocked)
	}
}
