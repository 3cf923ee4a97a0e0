package e2e

import (
	"context"
	"encoding/json"
	"sync/atomic"
	"testing"

	"google.golang.org/protobuf/types/known/structpb"

	"github.com/warden-gw/warden/approval"
	"github.com/warden-gw/warden/cmd/warden/mainlib"
	"github.com/warden-gw/warden/extproc/extproctest"
)

// TestAnonymousApprovalReleasesOnlyTheRequester: on warden's defaults (no agent identity) an
// approval granted to one client's request is that client's: another client sending the same
// DELETE, from another address or with another user agent, does not get through on it, and the
// requester's retry does. Approvals use the dev approver.
func TestAnonymousApprovalReleasesOnlyTheRequester(t *testing.T) {
	token := approval.NewDevApproverToken()
	policy := namespaceDeleteNeedsApproval(t)
	w := startWarden(t, func(c *mainlib.Config) {
		c.Policy = policy
		c.Approval.DevApprover, c.Approval.DevApproverToken = true, token
	})
	up, _ := staticUpstream(200, extproctest.Headers{{Key: "content-type", Value: "application/json"}}, `{"kind":"Status","status":"Success"}`)
	var calls atomic.Int32
	counted := extproctest.UpstreamFunc(func(ctx context.Context, req *extproctest.UpstreamRequest) (*extproctest.Response, error) {
		calls.Add(1)
		return up.RoundTrip(ctx, req)
	})
	send := func(id, addr, ua string) *extproctest.Result {
		t.Helper()
		req := request("DELETE", "https://k8s.internal:6443/api/v1/namespaces/prod",
			map[string]string{"x-request-id": id, "user-agent": ua})
		req.Attributes = map[string]*structpb.Value{"source.address": structpb.NewStringValue(addr)}
		res, err := w.envoy.Run(context.Background(), req, counted)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}

	if res := send("ask", "10.0.0.7:40001", "agent-a/1.0"); res.Status != 403 {
		t.Fatalf("the first DELETE got %d, want 403 pending approval", res.Status)
	}
	code, body := adminDo(t, "GET", "http://"+w.addrs.Admin+"/approvals", token, nil)
	var list struct{ Approvals []approval.Approval }
	if err := json.Unmarshal(body, &list); code != 200 || err != nil || len(list.Approvals) != 1 {
		t.Fatalf("GET /approvals: %d %v %s", code, err, body)
	}
	id := list.Approvals[0].ID
	if code, body := adminDo(t, "POST", "http://"+w.addrs.Admin+"/approvals/"+id+"/approve", token, nil); code != 200 {
		t.Fatalf("approve: %d %s", code, body)
	}

	for _, other := range []struct{ name, addr, ua string }{
		{"another address", "10.0.0.8:40001", "agent-a/1.0"},
		{"another user agent", "10.0.0.7:40002", "curl/8.5"},
	} {
		if res := send("other-"+other.addr, other.addr, other.ua); res.Status != 403 || calls.Load() != 0 {
			t.Fatalf("%s: the same DELETE got %d (upstream called %d times) on approval %s granted to another client",
				other.name, res.Status, calls.Load(), id)
		}
	}
	res := send("retry", "10.0.0.7:40003", "agent-a/1.0")
	if res.Status != 200 || calls.Load() != 1 {
		t.Fatalf("the requester's retry got %d (upstream called %d times), want 200 through approval %s", res.Status, calls.Load(), id)
	}
}
