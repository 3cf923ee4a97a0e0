package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/warden-gw/warden/approval"
	auditkafka "github.com/warden-gw/warden/audit/kafka"
	"github.com/warden-gw/warden/cmd/warden/mainlib"
	"github.com/warden-gw/warden/extproc/extproctest"
	"github.com/warden-gw/warden/identity"
	"github.com/warden-gw/warden/internal/kafkaconn"
)

// TestCanaryInEveryFieldNeverReachesSpoolKafkaOrLogs sends a distinct secret-shaped canary
// (a checksummed GitHub token) through every field of an exchange warden writes down - the
// User-Agent and another header, the request id, a URL path segment, a query value, the request
// body, the tool-call text of the model's response, and an approver's note - through the whole
// server with its audit spool shipped to Kafka (kfake) and approvals shared over Kafka, logging
// at debug. None of the canaries may appear in the spool files, in any Kafka message of either
// topic, or in the logs; the records do show the fields, redacted.
func TestCanaryInEveryFieldNeverReachesSpoolKafkaOrLogs(t *testing.T) {
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, "warden.audit", "warden.approvals"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cluster.Close)
	brokers := cluster.ListenAddrs()
	is := newTestIssuer(t)
	policy := namespaceDeleteNeedsApproval(t)
	w := startWarden(t, func(c *mainlib.Config) {
		c.Policy = policy
		c.Log.Level = "debug"
		c.Identity = &identity.Config{Modes: []string{identity.ModeJWT}, JWT: identity.JWTConfig{Issuer: is.url, Audiences: []string{"warden"}, JWKSURL: is.url}}
		c.Audit.Kafka = &auditkafka.Config{Settings: kafkaconn.Settings{Brokers: brokers}, Topic: "warden.audit"}
		c.Approval.Kafka = &approval.KafkaConfig{Settings: kafkaconn.Settings{Brokers: brokers}, Topic: "warden.approvals"}
		c.Approval.ApproverGroups = []string{"sre"}
		c.Approval.Hold = 60 * time.Second
	})
	canary := map[string]string{}
	for i, field := range []string{"user-agent", "header", "request-id", "path", "query", "body", "tool-call", "approval-note", "approval-path", "abandoned-request-id"} {
		canary[field] = fakeGitHubToken(uint64(100 + i))
	}
	agent := is.token(t, map[string]any{"sub": "alice@example.com", "azp": "ops-bot"})

	// 1. An LLM call: every header and URL field carries a canary, the response holds a tool call.
	toolResp := `{"id":"c1","object":"chat.completion","choices":[{"index":0,"finish_reason":"tool_calls","message":{"role":"assistant","content":null,` +
		`"tool_calls":[{"id":"t1","type":"function","function":{"name":"shell","arguments":` + jsonQuote(`{"cmd":"git push https://x:`+canary["tool-call"]+`@github.com/acme/app"}`) + `}}]}}]}`
	up, seen := staticUpstream(200, extproctest.Headers{{Key: "content-type", Value: "application/json"}}, toolResp)
	res, err := w.envoy.Run(context.Background(), request("POST",
		"https://api.openai.com/v1/chat/completions/"+canary["path"]+"?q="+canary["query"],
		map[string]string{
			"authorization": "Bearer " + agent, "content-type": "application/json",
			"user-agent": "agent-sdk/1.2 (token " + canary["user-agent"] + ")", "x-debug": canary["header"],
			"x-request-id": "canary-" + canary["request-id"],
		}, `{"model":"gpt-4o","messages":[{"role":"user","content":"use `+canary["body"]+`"}]}`), up)
	if err != nil || res.Status != 200 {
		t.Fatalf("LLM call: %v %+v\n%s", err, res, w.logs.String())
	}
	if strings.Contains(seen(), canary["body"]) {
		t.Errorf("the request body went upstream unredacted: %s", seen())
	}

	// 2. An action that needs approval; the approver's note carries a canary.
	done := make(chan error, 1)
	go func() {
		_, err := w.envoy.Run(context.Background(), request("DELETE", "https://k8s.internal:6443/api/v1/namespaces/"+canary["approval-path"],
			map[string]string{"authorization": "Bearer " + agent, "x-request-id": "canary-approval"}), up)
		done <- err
	}()
	approver := is.token(t, map[string]any{"sub": "bob@example.com", "groups": []string{"sre"}})
	var id string
	waitUntil(t, 20*time.Second, func() bool {
		code, body := adminDo(t, "GET", "http://"+w.addrs.Admin+"/approvals", approver, nil)
		var list struct{ Approvals []approval.Approval }
		if code != 200 || json.Unmarshal(body, &list) != nil {
			t.Fatalf("GET /approvals: %d %s", code, body)
		}
		if len(list.Approvals) == 1 {
			id = list.Approvals[0].ID
		}
		return id != ""
	})
	note, _ := json.Marshal(map[string]string{"note": "use " + canary["approval-note"] + " for the rollback"})
	if code, body := adminDo(t, "POST", "http://"+w.addrs.Admin+"/approvals/"+id+"/approve", approver, note); code != 200 {
		t.Fatalf("approve: %d %s", code, body)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the approved request was not released")
	}

	// 2b. An exchange the client abandons mid-stream: warden logs its end (at debug) with the
	// request id, so the logs, too, have a line a canary could reach.
	events := newChanBody()
	sse := extproctest.UpstreamFunc(func(context.Context, *extproctest.UpstreamRequest) (*extproctest.Response, error) {
		return &extproctest.Response{Status: 200, Headers: extproctest.Headers{{Key: "content-type", Value: "text/event-stream"}}, Body: events}, nil
	})
	down := newNotifyDown()
	ctx, cancel := context.WithCancel(context.Background())
	abandoned := make(chan struct{})
	go func() {
		defer close(abandoned)
		_, _ = w.envoy.Do(ctx, request("GET", "https://api.example/stream",
			map[string]string{"authorization": "Bearer " + agent, "x-request-id": "canary-" + canary["abandoned-request-id"]}), sse, down)
	}()
	events.ch <- []byte("data: {\"n\":1}\n\n")
	waitFor(t, down.got, 10*time.Second)
	cancel()
	<-abandoned
	waitUntil(t, 10*time.Second, func() bool { return strings.Contains(w.logs.String(), "stream ended early") })

	// 3. The records show every field, redacted.
	recs := w.records(t)
	var ua, path, query, tools, notes bool
	for _, r := range recs {
		ua = ua || strings.Contains(r.HTTPRequest.UserAgent, "[REDACTED:")
		path = path || strings.Contains(r.HTTPRequest.URL.Path, "[REDACTED:")
		query = query || strings.Contains(r.HTTPRequest.URL.QueryString, "[REDACTED:")
		for _, tc := range r.Unmapped.Warden.ToolCalls {
			tools = tools || strings.Contains(tc.Text, "[REDACTED:")
		}
		b, _ := json.Marshal(r)
		notes = notes || strings.Contains(string(b), "for the rollback")
	}
	if !ua || !path || !query || !tools || !notes {
		t.Errorf("records lack a redacted field: user-agent %v path %v query %v tool calls %v approval note %v", ua, path, query, tools, notes)
	}

	// 4. No canary anywhere: spool files, both Kafka topics (once the shipper caught up), logs.
	var spoolBytes []byte
	if err := filepath.WalkDir(filepath.Join(w.cfg.DataDir, "audit"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if errors.Is(err, fs.ErrNotExist) && strings.HasSuffix(p, ".tmp") {
			return nil // a position file being replaced by rename while we walk; its successor is read
		}
		spoolBytes = append(spoolBytes, b...)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	var auditMsgs, approvalMsgs []string
	waitUntil(t, 30*time.Second, func() bool {
		auditMsgs = topicMessages(t, brokers, "warden.audit")
		return len(auditMsgs) >= len(recs)
	})
	approvalMsgs = topicMessages(t, brokers, "warden.approvals")
	if len(approvalMsgs) == 0 {
		t.Fatal("no approval message on Kafka")
	}
	outputs := map[string]string{
		"spool": string(spoolBytes), "kafka warden.audit": strings.Join(auditMsgs, "\n"),
		"kafka warden.approvals": strings.Join(approvalMsgs, "\n"), "logs": w.logs.String(),
	}
	// The search below can find what these outputs carry: each holds the exchanges and the
	// approval step the canaries rode in (a check on what was read, not on redaction).
	for where, shown := range map[string][]string{
		"spool":                  {"canary-approval", "for the rollback", "/api/v1/namespaces/[REDACTED:"},
		"kafka warden.audit":     {"canary-approval", "for the rollback", "/api/v1/namespaces/[REDACTED:"},
		"kafka warden.approvals": {"/api/v1/namespaces/[REDACTED:", "for the rollback"},
		"logs":                   {"stream ended early", "canary-[REDACTED:"},
	} {
		for _, s := range shown {
			if !strings.Contains(outputs[where], s) {
				t.Errorf("the %s lacks %q: the canary search there would prove nothing", where, s)
			}
		}
	}
	for where, out := range outputs {
		for field, c := range canary {
			if strings.Contains(out, c) || strings.Contains(out, c[4:20]) {
				t.Errorf("the %s canary reached the %s", field, where)
			}
		}
	}
}

func jsonQuote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// topicMessages reads every message of partition 0 of topic, one string per message: its key,
// value and headers.
func topicMessages(t *testing.T, brokers []string, topic string) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := kafka.DialLeader(ctx, "tcp", brokers[0], topic, 0)
	if err != nil {
		t.Fatalf("dial %s: %v", topic, err)
	}
	defer conn.Close()
	last, err := conn.ReadLastOffset()
	if err != nil {
		t.Fatal(err)
	}
	r := kafka.NewReader(kafka.ReaderConfig{Brokers: brokers, Topic: topic, Partition: 0, MaxBytes: 16 << 20})
	defer r.Close()
	var out []string
	for int64(len(out)) < last {
		m, err := r.ReadMessage(ctx)
		if err != nil {
			t.Fatalf("read %s: %v (after %d of %d)", topic, err, len(out), last)
		}
		msg := fmt.Sprintf("%s %s", m.Key, m.Value)
		for _, h := range m.Headers {
			msg += "\n" + h.Key + "=" + string(h.Value)
		}
		out = append(out, msg)
		if m.Offset >= last-1 {
			break
		}
	}
	return out
}
