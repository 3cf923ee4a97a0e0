package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/warden-gw/warden/cel/policycli"
	"github.com/warden-gw/warden/inspect/llmapi"
)

// TestRedTeamCheckAgreesWithServer sends every case of the red-team corpus
// (cel/testdata/redteam.jsonl) through the emulated Envoy and the whole warden runtime, and
// through `warden check`, and fails on any case where the two disagree on whether it is
// blocked: there is one decision path. (Whether each decision is right is
// cel/pack's TestRedTeamThroughCheck.)
func TestRedTeamCheckAgreesWithServer(t *testing.T) {
	in, err := os.ReadFile("../../cel/testdata/redteam.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	if err := policycli.Check(context.Background(), nil, bytes.NewReader(in), &out, &errOut); err != nil {
		t.Fatalf("check: %v\n%s", err, errOut.String())
	}
	decisions := strings.Split(strings.TrimSpace(out.String()), "\n")
	cases := loadFixtures(t, "../../cel/testdata/redteam.jsonl")
	if len(cases) != len(decisions) {
		t.Fatalf("%d cases, %d decisions", len(cases), len(decisions))
	}
	w := startWarden(t, nil)
	for i, fx := range cases {
		var o policycli.Output
		if err := json.Unmarshal([]byte(decisions[i]), &o); err != nil {
			t.Fatal(err)
		}
		checkBlocks := !o.Shadow && (o.Action == "deny" || o.Action == "require_approval")
		res, _, respBody := runFixture(t, w, fx)
		// A streamed response denied after its headers went out ends in the provider's error
		// event (llmapi.StreamError) instead of a 403.
		streamDenied := res.Body() != respBody &&
			(strings.Contains(res.Body(), llmapi.ErrorCode) || strings.Contains(res.Body(), `"permission_error"`))
		serverBlocks := res.Status == 403 || res.Upstream == nil || streamDenied
		if serverBlocks != checkBlocks {
			t.Errorf("%s: warden check %s, server blocked=%v (status %d)", fx.ID, decisions[i], serverBlocks, res.Status)
		}
	}
}
