package extproc

import (
	"encoding/json"
	"testing"

	"github.com/warden-gw/warden/exchange"
	"github.com/warden-gw/warden/extproc/refusal"
)

// TestRefusalIsShapedForTheCallersAPIAndRecordedAsSent checks the hook between the stream and
// extproc/refusal: a refused MCP call gets its JSON-RPC answer with the request's id as an HTTP
// 200 local reply carrying the refusal headers, and the record keeps the status the client
// really got; a refused Kubernetes request gets a Status.
func TestRefusalIsShapedForTheCallersAPIAndRecordedAsSent(t *testing.T) {
	t.Run("mcp", func(t *testing.T) {
		h := newHarness(t, nil)
		h.send(reqHeaders(false, ":path", "/mcp"))
		ir := one(t, h.send(reqBody(`{"jsonrpc":"2.0","id":"call-9","method":"tools/call","params":{"name":"deny"}}`, true))).GetImmediateResponse()
		if ir == nil || ir.GetStatus().GetCode() != 200 {
			t.Fatalf("want a 200 local reply, got %v", ir)
		}
		var a struct {
			ID     string `json:"id"`
			Result struct {
				IsError bool `json:"isError"`
			} `json:"result"`
		}
		if err := json.Unmarshal(ir.GetBody(), &a); err != nil || a.ID != "call-9" || !a.Result.IsError {
			t.Fatalf("answer %s (%v)", ir.GetBody(), err)
		}
		hs := setHeaders(ir.GetHeaders())
		if hs[refusal.HeaderCode] != "policy_denied" || hs[refusal.HeaderRule] != "no-deny" || hs["content-type"] != "application/json" {
			t.Errorf("headers %v", hs)
		}
		if got := h.audit.requests[0].Status; got != 200 {
			t.Errorf("the record says status %d; the client got 200", got)
		}
	})
	t.Run("kubernetes", func(t *testing.T) {
		h := newHarness(t, nil)
		ir := one(t, h.send(reqHeaders(true, ":method", "DELETE", ":path", "/api/v1/namespaces/deny"))).GetImmediateResponse()
		var st struct{ Kind, Reason string }
		if err := json.Unmarshal(ir.GetBody(), &st); err != nil || ir.GetStatus().GetCode() != 403 || st.Kind != "Status" || st.Reason != "Forbidden" {
			t.Fatalf("%v %s (%v)", ir.GetStatus(), ir.GetBody(), err)
		}
		if got := h.audit.requests[0].Status; got != 403 {
			t.Errorf("the record says status %d; the client got 403", got)
		}
	})
	t.Run("mcp response phase", func(t *testing.T) {
		// A response rule refuses the tool's result: the request body is long gone, and the
		// JSON-RPC answer still carries the call's id.
		h := newHarness(t, func(_ *Options, p *Pipeline) { p.Inspect = noBlockedBody{} })
		h.send(reqHeaders(false, ":path", "/mcp"))
		h.send(reqBody(`{"jsonrpc":"2.0","id":41,"method":"tools/call","params":{"name":"query"}}`, true))
		h.send(respHeaders(false, "content-type", "application/json"))
		ir := one(t, h.send(respBody(`{"jsonrpc":"2.0","id":41,"result":{"content":[{"type":"text","text":"DROP"}]}}`, true))).GetImmediateResponse()
		var a struct {
			ID     int `json:"id"`
			Result struct {
				IsError bool `json:"isError"`
			} `json:"result"`
		}
		if err := json.Unmarshal(ir.GetBody(), &a); err != nil || ir.GetStatus().GetCode() != 200 || a.ID != 41 || !a.Result.IsError {
			t.Fatalf("%v %s (%v)", ir.GetStatus(), ir.GetBody(), err)
		}
	})
}

// noBlockedBody is an inspector with no provider-shaped body for blocked responses (as for
// every API but the LLM ones).
type noBlockedBody struct{ fakeInspector }

func (noBlockedBody) BlockedBody(*exchange.Exchange, string) (string, []byte) { return "", nil }
