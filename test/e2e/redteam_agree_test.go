package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/warden-gw/warden/cel/policycli"
	"github.com/warden-gw/warden/extproc/extproctest"
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
	var cases []fixture
	for _, line := range strings.Split(strings.TrimSpace(string(in)), "\n") {
		var fx fixture
		if err := json.Unmarshal([]byte(line), &fx); err != nil {
			t.Fatal(err)
		}
		cases = append(cases, fx)
	}
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
		var body []string
		if fx.Request.Body != "" {
			body = []string{fx.Request.Body}
		}
		status, respBody := 200, `{"ok":true}`
		respHeaders := extproctest.Headers{{Key: "content-type", Value: "application/json"}}
		if fx.Response != nil {
			status, respBody = fx.Response.Status, fx.Response.Body
			respHeaders = nil
			for k, v := range fx.Response.Headers {
				respHeaders = append(respHeaders, extproctest.Header{Key: k, Value: v})
			}
		}
		up, _ := staticUpstream(status, respHeaders, respBody)
		res, err := w.envoy.Run(context.Background(), request(fx.Request.Method, fx.Request.URL, fx.Request.Headers, body...), up)
		if err != nil {
			t.Fatalf("%s: %v", fx.ID, err)
		}
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
