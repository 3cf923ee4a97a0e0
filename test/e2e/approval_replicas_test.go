package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/warden-gw/warden/approval"
	"github.com/warden-gw/warden/cmd/warden/mainlib"
	"github.com/warden-gw/warden/extproc/extproctest"
	"github.com/warden-gw/warden/identity"
)

// Two warden replicas share the approvals topic (kfake through internal/kafkaconn). The issue:
// the same action arriving at both at the same instant opened two approval requests, 5 tries of
// 5, and after one was used the retry pointed at the other, so approving it let the action
// through a second time. Now both answer with one approval id, and one approval lets exactly one
// of two simultaneous retries through.
func TestTwoReplicasOneApprovalPerAction(t *testing.T) {
	approvals := sharedApprovalsKafka(t, 3)
	is := newTestIssuer(t)
	policy := namespaceDeleteNeedsApproval(t)
	configure := func(c *mainlib.Config) {
		c.Policy = policy
		c.Identity = &identity.Config{Modes: []string{identity.ModeJWT}, JWT: identity.JWTConfig{Issuer: is.url, Audiences: []string{"warden"}, JWKSURL: is.url}}
		c.Approval.Kafka = approvals
		c.Approval.ApproverGroups = []string{"sre"}
	}
	a, b := startWarden(t, configure), startWarden(t, configure)
	agent := is.token(t, map[string]any{"sub": "alice@example.com", "azp": "ops-bot"})
	approver := is.token(t, map[string]any{"sub": "bob@example.com", "groups": []string{"sre"}})
	up, _ := staticUpstream(200, extproctest.Headers{{Key: "content-type", Value: "application/json"}}, `{"kind":"Status","status":"Success"}`)

	// both sends the same request to both replicas at the same instant.
	both := func(ns, tag string) [2]*extproctest.Result {
		var out [2]*extproctest.Result
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i, w := range []*wardenProc{a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				res, err := w.envoy.Run(context.Background(), request("DELETE", "https://k8s.internal:6443/api/v1/namespaces/"+ns,
					map[string]string{"authorization": "Bearer " + agent, "x-request-id": fmt.Sprintf("%s-%d", tag, i)}), up)
				if err != nil {
					t.Errorf("replica %d: %v", i, err)
				}
				out[i] = res
			}()
		}
		close(start)
		wg.Wait()
		if t.Failed() {
			t.FailNow()
		}
		return out
	}
	approvalID := func(r *extproctest.Result) string {
		id := r.Headers.Value("x-warden-approval-id") // every refusal shape carries it
		if r.Status != 403 || id == "" {
			t.Fatalf("want 403 with an approval id, got %d %s", r.Status, r.Body())
		}
		return id
	}

	for try := range 5 {
		ns := fmt.Sprintf("team-%d", try)
		rs := both(ns, fmt.Sprintf("ask-%d", try))
		idA, idB := approvalID(rs[0]), approvalID(rs[1])
		if idA != idB {
			t.Fatalf("try %d: replicas opened two approval requests %s and %s for one action", try, idA, idB)
		}
		if try > 0 {
			continue
		}
		if code, body := adminDo(t, "POST", "http://"+b.addrs.Admin+"/approvals/"+idA+"/approve", approver, []byte(`{"note":"once"}`)); code != 200 {
			t.Fatalf("approve on B: %d %s", code, body)
		}
		// A sees the approval once it has read it from the topic; then one retry on each replica
		// at the same instant: exactly one goes upstream.
		waitUntil(t, 20*time.Second, func() bool {
			code, body := adminDo(t, "GET", "http://"+a.addrs.Admin+"/approvals/"+idA, approver, nil)
			var got approval.Approval
			return code == 200 && json.Unmarshal(body, &got) == nil && got.Status == approval.Approved
		})
		retry := both(ns, "retry")
		passed := 0
		for _, r := range retry {
			if r.Status == 200 && r.Upstream != nil {
				passed++
			} else if id := approvalID(r); id == idA {
				t.Fatalf("a refused retry points at the used approval %s", id)
			}
		}
		if passed != 1 {
			t.Fatalf("one approval let %d of 2 simultaneous retries through", passed)
		}
	}
}
