package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/warden-gw/warden/approval"
	"github.com/warden-gw/warden/audit"
	"github.com/warden-gw/warden/cmd/warden/mainlib"
	"github.com/warden-gw/warden/extproc/extproctest"
	"github.com/warden-gw/warden/identity"
	"github.com/warden-gw/warden/internal/kafkaconn"
)

// testIssuer is an OIDC-style issuer: an RSA key and its JWKS served on loopback.
type testIssuer struct {
	url string
	key *rsa.PrivateKey
}

func newTestIssuer(t *testing.T) *testIssuer {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &key.PublicKey, KeyID: "k1", Algorithm: "RS256", Use: "sig"}}}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_ = json.NewEncoder(w).Encode(set)
	}), ReadHeaderTimeout: time.Second}
	go func() { _ = srv.Serve(lis) }()
	t.Cleanup(func() { _ = srv.Close() })
	return &testIssuer{url: "http://" + lis.Addr().String(), key: key}
}

func (is *testIssuer) token(t *testing.T, claims map[string]any) string {
	t.Helper()
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: is.key, KeyID: "k1"}}, (&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		t.Fatal(err)
	}
	c := map[string]any{"iss": is.url, "aud": "warden", "iat": time.Now().Unix(), "exp": time.Now().Add(time.Hour).Unix()}
	for k, v := range claims {
		c[k] = v
	}
	b, _ := json.Marshal(c)
	jws, err := s.Sign(b)
	if err != nil {
		t.Fatal(err)
	}
	out, err := jws.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func adminDo(t testing.TB, method, url, token string, body []byte) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, url, bytes.NewReader(body))
	req.Header.Set("authorization", "Bearer "+token)
	req.Header.Set("content-type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// sharedApprovalsKafka starts an in-process Kafka (kfake, closed when tb ends) holding the
// approvals topic with the given partitions, and returns the approval store config through which
// warden replicas share approval state. mainlib copies the config, so replicas may share it.
func sharedApprovalsKafka(tb testing.TB, partitions int32) *approval.KafkaConfig {
	tb.Helper()
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(partitions, "warden.approvals"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(cluster.Close)
	return &approval.KafkaConfig{Settings: kafkaconn.Settings{Brokers: cluster.ListenAddrs()}, Topic: "warden.approvals"}
}

// TestApprovalHeldOnOneReplicaIsReleasedByAnother runs two warden replicas that share approval
// state through a Kafka topic (kfake). An agent's DELETE of a namespace needs approval: replica A
// holds the request in flight; an outsider cannot release it; an approver approves through
// replica B's admin API; A lets the request through, and its audit record names the agent and
// the approval.
func TestApprovalHeldOnOneReplicaIsReleasedByAnother(t *testing.T) {
	approvals := sharedApprovalsKafka(t, 1)
	is := newTestIssuer(t)
	policy := namespaceDeleteNeedsApproval(t)
	configure := func(c *mainlib.Config) {
		c.Policy = policy
		c.Identity = &identity.Config{Modes: []string{identity.ModeJWT}, JWT: identity.JWTConfig{Issuer: is.url, Audiences: []string{"warden"}, JWKSURL: is.url}}
		c.Approval.Kafka = approvals
		c.Approval.ApproverGroups = []string{"sre"}
		c.Approval.Hold = 60 * time.Second
	}
	a := startWarden(t, configure)
	b := startWarden(t, configure)

	agent := is.token(t, map[string]any{"sub": "alice@example.com", "azp": "ops-bot"})
	// A token in the URL: approvers (API, Kafka topic, webhook) must see it redacted.
	urlToken := fakeGitHubToken(7)
	up, _ := staticUpstream(200, extproctest.Headers{{Key: "content-type", Value: "application/json"}}, `{"kind":"Status","status":"Success"}`)
	type result struct {
		res *extproctest.Result
		err error
	}
	done := make(chan result, 1)
	go func() {
		res, err := a.envoy.Run(context.Background(), request("DELETE", "https://k8s.internal:6443/api/v1/namespaces/prod?note="+urlToken,
			map[string]string{"authorization": "Bearer " + agent, "x-request-id": "approve-1"}), up)
		done <- result{res, err}
	}()

	approver := is.token(t, map[string]any{"sub": "bob@example.com", "groups": []string{"sre"}})
	outsider := is.token(t, map[string]any{"sub": "mallory@example.com", "groups": []string{"dev"}})
	var pending []approval.Approval
	waitUntil(t, 20*time.Second, func() bool {
		code, body := adminDo(t, "GET", "http://"+b.addrs.Admin+"/approvals", approver, nil)
		if code != 200 {
			t.Fatalf("GET /approvals on B: %d %s", code, body)
		}
		var list struct{ Approvals []approval.Approval }
		if err := json.Unmarshal(body, &list); err != nil {
			t.Fatalf("GET /approvals: %v: %s", err, body)
		}
		pending = list.Approvals
		select {
		case r := <-done:
			t.Fatalf("the request was answered before anyone approved it: %+v %v\nA logs: %s", r.res, r.err, a.logs.String())
		default:
		}
		return len(pending) == 1
	})
	id := pending[0].ID
	if p := pending[0].Action.Path; strings.Contains(p, urlToken) || !strings.HasPrefix(p, "/api/v1/namespaces/prod?note=") {
		t.Fatalf("approvers see path %q; want it with the URL token redacted", p)
	}
	select {
	case r := <-done:
		t.Fatalf("the request was answered before anyone approved it: %+v %v", r.res, r.err)
	default:
	}
	if code, body := adminDo(t, "POST", "http://"+b.addrs.Admin+"/approvals/"+id+"/approve", outsider, []byte(`{"note":"lgtm"}`)); code != 403 {
		t.Fatalf("an approver outside the group got %d %s", code, body)
	}
	if code, body := adminDo(t, "POST", "http://"+b.addrs.Admin+"/approvals/"+id+"/approve", approver, []byte(`{"note":"change ticket 42"}`)); code != 200 {
		t.Fatalf("approve on B: %d %s", code, body)
	}
	var r result
	select {
	case r = <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("replica A did not release the held request after the approval on B")
	}
	if r.err != nil || r.res.Status != 200 || r.res.Upstream == nil {
		t.Fatalf("released request: %v %+v", r.err, r.res)
	}
	if got := r.res.Upstream.Headers.Value("authorization"); got != "" {
		t.Errorf("the agent's identity token went upstream: %q", got)
	}
	// Every step of the approval is in the audit chain of the replica where it happened.
	steps := map[string]string{}
	for _, w := range []*wardenProc{a, b} {
		for _, r := range w.records(t) {
			if r.Metadata.CorrelationUID == id {
				steps[r.Unmapped.Warden.Event] = r.Unmapped.Warden.Subject
			}
		}
	}
	for step, who := range map[string]string{
		"approval.requested": "alice@example.com", "approval.refused": "mallory@example.com",
		"approval.approved": "bob@example.com", "approval.used": "",
	} {
		got, ok := steps[step]
		if !ok || (who != "" && got != who) {
			t.Errorf("audit step %s: recorded=%v by %q, want by %q (all steps: %v)", step, ok, got, who, steps)
		}
	}
	rec := byRequest(a.records(t))["approve-1"][audit.StageRequest]
	d := rec.Unmapped.Warden.Decision
	if rec.Unmapped.Warden.Subject != "alice@example.com" || rec.Unmapped.Warden.Agent != "ops-bot" || d == nil || d.ApprovalID != id || d.Action != "allow" {
		t.Fatalf("audit record: subject %q agent %q decision %+v", rec.Unmapped.Warden.Subject, rec.Unmapped.Warden.Agent, d)
	}
}

func TestMissingIdentityIsRefusedWith401(t *testing.T) {
	is := newTestIssuer(t)
	w := startWarden(t, func(c *mainlib.Config) {
		c.Identity = &identity.Config{
			Modes: []string{identity.ModeJWT}, JWT: identity.JWTConfig{Issuer: is.url, Audiences: []string{"warden"}, JWKSURL: is.url},
			Required: identity.RequiredConfig{All: true},
		}
	})
	up, _ := staticUpstream(200, nil, "ok")
	for name, hdr := range map[string]map[string]string{
		"no token":     {"x-request-id": "noid-1"},
		"wrong issuer": {"x-request-id": "noid-2", "authorization": "Bearer " + newTestIssuer(t).token(t, map[string]any{"sub": "x"})},
	} {
		res, err := w.envoy.Run(context.Background(), request("GET", "https://api.example/x", hdr), up)
		if err != nil || res.Status != 401 || res.Upstream != nil {
			t.Fatalf("%s: %v status %d", name, err, res.Status)
		}
	}
	if n := len(w.records(t)); n != 2 {
		t.Fatalf("refusals must be audited: %d records", n)
	}
}

// namespaceDeleteNeedsApproval writes a policy file whose one rule asks for approval before a
// Kubernetes namespace is deleted, and returns its path.
func namespaceDeleteNeedsApproval(t testing.TB) string {
	t.Helper()
	policy := filepath.Join(t.TempDir(), "approve.yaml")
	if err := os.WriteFile(policy, []byte(`apiVersion: warden.dev/v1
kind: Policy
metadata: {name: approvals}
spec:
  rules:
  - name: namespace-delete-needs-a-human
    when: request.method == "DELETE" && request.path.startsWith("/api/v1/namespaces/")
    action: require_approval
    message: deleting a namespace needs an approver
`), 0o600); err != nil {
		t.Fatal(err)
	}
	return policy
}
