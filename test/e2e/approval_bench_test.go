package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/warden-gw/warden/approval"
	"github.com/warden-gw/warden/cmd/warden/mainlib"
	"github.com/warden-gw/warden/extproc/extproctest"
)

// BenchmarkHeldReleaseAcrossReplicas measures the whole path the issue names: a request held on
// warden replica A (approval.hold) is released after an approver approves it on replica B's admin
// API. ns/op runs from the approve call on B to A's answer reaching the client (B's HTTP handler,
// the Kafka write and read-back on kfake, A's wake-up, consume, the upstream call and A's reply).
// Approvals use the dev approver so no OIDC issuer is needed.
//
//	go test ./test/e2e/ -run '^$' -bench HeldReleaseAcrossReplicas -benchtime 20x -count 3
func BenchmarkHeldReleaseAcrossReplicas(b *testing.B) {
	approvals := sharedApprovalsKafka(b, 3)
	policy := namespaceDeleteNeedsApproval(b)
	token := approval.NewDevApproverToken()
	configure := func(c *mainlib.Config) {
		c.Policy = policy
		c.Approval.Kafka = approvals
		c.Approval.Hold = 60 * time.Second
		c.Approval.DevApprover, c.Approval.DevApproverToken = true, token
	}
	a, bb := startWarden(b, configure), startWarden(b, configure)
	up, _ := staticUpstream(200, extproctest.Headers{{Key: "content-type", Value: "application/json"}}, `{}`)
	call := func(method, url string) (int, []byte) { return adminDo(b, method, url, token, nil) }
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		ns := fmt.Sprintf("ns-%d", i)
		done := make(chan *extproctest.Result, 1)
		go func() {
			res, err := a.envoy.Run(context.Background(), request("DELETE", "https://k8s.internal:6443/api/v1/namespaces/"+ns, nil), up)
			if err != nil {
				b.Error(err)
			}
			done <- res
		}()
		id := ""
		for deadline := time.Now().Add(20 * time.Second); id == ""; { // setup, outside the timer
			if time.Now().After(deadline) {
				b.Fatal("the held request never showed on replica B")
			}
			_, body := call("GET", "http://"+bb.addrs.Admin+"/approvals")
			var list struct{ Approvals []approval.Approval }
			_ = json.Unmarshal(body, &list)
			for _, ap := range list.Approvals {
				if strings.HasSuffix(ap.Action.Path, "/"+ns) {
					id = ap.ID
				}
			}
			time.Sleep(2 * time.Millisecond)
		}
		b.StartTimer()
		if code, body := call("POST", "http://"+bb.addrs.Admin+"/approvals/"+id+"/approve"); code != 200 {
			b.Fatalf("approve on B: %d %s", code, body)
		}
		res := <-done
		b.StopTimer()
		if res == nil || res.Status != 200 {
			b.Fatalf("held request on A: %+v", res)
		}
		b.StartTimer()
	}
}
