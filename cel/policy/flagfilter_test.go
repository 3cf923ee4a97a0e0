package policy

import (
	"context"
	"testing"

	"github.com/warden-gw/warden/exchange"
)

// TestFlagFilter: a rule guarded by an inspection flag is recognised, and skipping it while the
// flag is false changes no decision.
func TestFlagFilter(t *testing.T) {
	env, err := NewEnv()
	if err != nil {
		t.Fatal(err)
	}
	for when, flag := range map[string]string{
		`inspection.truncated && inspection.executing`:      "truncated",
		`inspection.ambiguous`:                              "ambiguous",
		`inspection.executing && size(actions) > 0 && true`: "executing",
		`inspection.truncated || inspection.ambiguous`:      "",
		`!inspection.truncated`:                             "",
		`size(actions) > 0 && inspection.truncated`:         "",
		`has(inspection.truncated) && inspection.truncated`: "",
	} {
		a, iss := env.Compile(when)
		if iss.Err() != nil {
			t.Fatal(iss.Err())
		}
		if got := flagFilter(a); got != flag {
			t.Errorf("flagFilter(%s) = %q, want %q", when, got, flag)
		}
	}
	// Skipping is exact: the rule below fails (a policy error) only when the flag is set.
	ps := mustCompile(t, "p.yaml", policy("p", "", rule("r", `inspection.truncated && inspection.reasons[5] == "x"`, "allow")))
	for truncated, wantErr := range map[bool]bool{false: false, true: true} {
		x := req("GET", "https://h/", "")
		x.Facts = fakeFacts{"actions": []any{}, "inspection": map[string]any{"truncated": truncated, "reasons": []any{}}}
		if d := ps.Decide(context.Background(), x, exchange.PhaseRequest); (d.Code == exchange.CodePolicyError) != wantErr {
			t.Errorf("truncated=%v: %+v", truncated, d)
		}
	}
}
