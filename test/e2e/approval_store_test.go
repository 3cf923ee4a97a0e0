package e2e

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/warden-gw/warden/approval"
	"github.com/warden-gw/warden/audit"
	"github.com/warden-gw/warden/cmd/warden/mainlib"
	"github.com/warden-gw/warden/extproc/extproctest"
	"github.com/warden-gw/warden/extproc/refusal"
	"github.com/warden-gw/warden/identity"
	"github.com/warden-gw/warden/internal/kafkaconn"
)

// With the approval store (Kafka) unreachable: a new approval request is refused with warden's
// 503 approval_store_unavailable within Envoy's message timeout (not Envoy's 504, not a 403
// without an approval id), approve/deny answer 503 without the client's internals, the audit
// says "store unavailable" rather than that the approver was refused, and /readyz reports
// approvals as degraded.
func TestApprovalStoreDownIsAnsweredWithinTheBudget(t *testing.T) {
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, "warden.approvals"))
	if err != nil {
		t.Fatal(err)
	}
	brokers := cluster.ListenAddrs()
	is := newTestIssuer(t)
	policy := namespaceDeleteNeedsApproval(t)
	w := startWarden(t, func(c *mainlib.Config) {
		c.Policy = policy
		c.Identity = &identity.Config{Modes: []string{identity.ModeJWT}, JWT: identity.JWTConfig{Issuer: is.url, Audiences: []string{"warden"}, JWKSURL: is.url}}
		c.Approval.Kafka = &approval.KafkaConfig{Settings: kafkaconn.Settings{Brokers: brokers}, Topic: "warden.approvals", WriteTimeout: 3 * time.Second}
		c.Approval.ApproverGroups = []string{"sre"}
	})
	agent := is.token(t, map[string]any{"sub": "alice@example.com", "azp": "ops-bot"})
	approver := is.token(t, map[string]any{"sub": "bob@example.com", "groups": []string{"sre"}})
	up, _ := staticUpstream(200, extproctest.Headers{{Key: "content-type", Value: "application/json"}}, `{}`)
	del := func(ns, id string) *extproctest.Result {
		res, err := w.envoy.Run(context.Background(), request("DELETE", "https://k8s.internal:6443/api/v1/namespaces/"+ns,
			map[string]string{"authorization": "Bearer " + agent, "x-request-id": id}), up)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	// With the store up, the request gets 403 and the id of its pending approval.
	first := del("staging", "store-up")
	// (A Kubernetes path: the body is a Kubernetes Status; the refusal headers say the same.)
	var body struct{ ApprovalID string }
	body.ApprovalID = first.Headers.Value(refusal.HeaderApprovalID)
	if first.Status != 403 || body.ApprovalID == "" || !strings.Contains(first.Body(), body.ApprovalID) {
		t.Fatalf("store up: %d %v %s", first.Status, first.Headers, first.Body())
	}
	cluster.Close()

	noInternals := func(what, s string) {
		t.Helper()
		for _, b := range brokers {
			if strings.Contains(s, b) {
				t.Fatalf("%s exposes the broker address %s: %s", what, b, s)
			}
		}
		if strings.Contains(strings.ToLower(s), "kafka") {
			t.Fatalf("%s exposes the store's internals: %s", what, s)
		}
	}
	t.Run("new approval request", func(t *testing.T) {
		refusedWithin(t, w, request("DELETE", "https://k8s.internal:6443/api/v1/namespaces/prod",
			map[string]string{"authorization": "Bearer " + agent, "x-request-id": "store-down"}), "store-down", 503, "approval_store_unavailable")
		rec := byRequest(w.records(t))["store-down"][audit.StageRequest]
		raw, _ := json.Marshal(rec)
		noInternals("the audit record", string(raw))
	})
	t.Run("approve", func(t *testing.T) {
		code, resp := adminDo(t, "POST", "http://"+w.addrs.Admin+"/approvals/"+body.ApprovalID+"/approve", approver, []byte(`{"note":"ok"}`))
		if code != 503 || !strings.Contains(string(resp), `"store_unavailable"`) {
			t.Fatalf("approve with the store down: %d %s", code, resp)
		}
		noInternals("the approve answer", string(resp))
		steps := map[string]string{}
		for _, r := range w.records(t) {
			if r.Metadata.CorrelationUID == body.ApprovalID {
				steps[r.Unmapped.Warden.Event] = r.Unmapped.Warden.Subject
				raw, _ := json.Marshal(r)
				noInternals("the approval step record", string(raw))
			}
		}
		if _, refused := steps["approval.refused"]; refused {
			t.Fatalf("the record says the approver was refused: %v", steps)
		}
		if who, ok := steps["approval.store_unavailable"]; !ok || who != "bob@example.com" {
			t.Fatalf("approval steps %v: want approval.store_unavailable by bob@example.com", steps)
		}
	})
	t.Run("readiness", func(t *testing.T) {
		code, text := w.adminGet(t, "/readyz")
		if code != 200 || !strings.Contains(text, "degraded: approvals") {
			t.Fatalf("/readyz %d %q: want ready with approvals degraded", code, text)
		}
	})
}
