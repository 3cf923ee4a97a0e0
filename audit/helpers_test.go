package audit

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/warden-gw/warden/audit/spool"
	"github.com/warden-gw/warden/exchange"
)

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// testConfig is a small, fast configuration in dir.
func testConfig(dir string) Config {
	return Config{
		Dir: dir, ChainID: "test-chain", SegmentBytes: 1 << 20, MaxBytes: 64 << 20,
		Checkpoint: CheckpointConfig{Every: 10, Interval: time.Hour}, Logger: quietLogger(),
	}
}

func openLog(t *testing.T, cfg Config) *Log {
	t.Helper()
	l, err := Open(context.Background(), cfg)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return l
}

func closeLog(t *testing.T, l *Log) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := l.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}
}

// sampleExchange is a realistic exchange: an agent acting for a human calls an LLM, a tool call
// was seen, a secret was redacted and a Vault credential injected.
func sampleExchange(i int, session string) *exchange.Exchange {
	start := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Second)
	return &exchange.Exchange{
		ID: fmt.Sprintf("req-%04d", i), Start: start, End: start.Add(850 * time.Millisecond),
		Request: exchange.Request{
			Method: "POST", Scheme: "https", Authority: "api.openai.com:443",
			Path: "/v1/chat/completions?api_key=sk-live-QUERYSECRET&stream=true",
			Headers: exchange.Headers{
				{Key: ":method", Value: "POST"},
				{Key: "authorization", Value: "Bearer sk-live-HEADERSECRET"},
				{Key: "x-api-key", Value: "xk-APIKEYSECRET"},
				{Key: "cookie", Value: "sid=COOKIESECRET"},
				// Envoy keeps the path before a route rewrite here, query string included.
				{Key: "x-envoy-original-path", Value: "/v1/old?api_key=sk-live-ORIGPATHSECRET"},
				{Key: "content-type", Value: "application/json"},
				{Key: "user-agent", Value: "openai-go/1.0"},
				{Key: "x-forwarded-for", Value: "10.1.2.3, 172.16.0.1"},
			},
		},
		Response: exchange.Response{Status: 200, Headers: exchange.Headers{{Key: "content-type", Value: "text/event-stream"}}, Streamed: true},
		Identity: exchange.Identity{
			Subject: "svc-agent", Issuer: "https://idp.example", Agent: "spiffe://example.org/agent/coder",
			OnBehalfOf: "alice@example.com", Session: session, Method: "jwt", Groups: []string{"eng"},
		},
		Decisions: []exchange.Decision{{
			Action: exchange.Allow, Phase: exchange.PhaseRequest, Policy: "default",
			Rule: "llm-allow", PolicyVersion: "sha256:abc123",
		}},
		Redactions:  map[string]int{"secret": 2, "pii.email": 1},
		Credentials: []exchange.Credential{{Role: "db-readonly", LeaseID: "database/creds/ro/LEASE1", TTL: 5 * time.Minute}},
		ToolCalls:   []exchange.ToolCall{{Kind: "shell", Source: "llm.tool_calls[0]", Name: "bash", Text: "ls -la /tmp"}},
		Disposition: exchange.Allowed, Status: 200,
		Timings: map[string]time.Duration{"policy": 120 * time.Microsecond, "upstream": 800 * time.Millisecond},
	}
}

// writeRecords records n exchanges (request + completion for even i) and returns request ids.
func writeRecords(t *testing.T, l *Log, n int, session string) {
	t.Helper()
	for i := range n {
		x := sampleExchange(i, session)
		stage := StageRequest
		if i%2 == 1 {
			stage = StageCompletion
		}
		if err := l.Record(context.Background(), x, stage); err != nil {
			t.Fatalf("Record %d: %v", i, err)
		}
	}
}

// spoolEntries reads every entry of a spool folder.
func spoolEntries(t *testing.T, dir string) []Entry {
	t.Helper()
	var out []Entry
	if err := spool.Scan(dir, func(e spool.Entry) error {
		out = append(out, Entry{Pos: e.Pos(), Payload: append([]byte(nil), e.Payload...)})
		return nil
	}); err != nil {
		t.Fatalf("scan spool: %v", err)
	}
	return out
}

// recordIndexes returns the indexes of the record entries (not checkpoints).
func recordIndexes(t *testing.T, es []Entry) []int {
	t.Helper()
	var out []int
	for i, e := range es {
		if !strings.Contains(string(e.Payload), `"checkpoint":{`) {
			out = append(out, i)
		}
	}
	return out
}

// waitFor polls cond (every few ms, for at most 10 s) until it holds; what names the condition
// in the failure. For states with no event to wait on: counters, the durable index, a signer's
// call count.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within 10s: %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// waitCheckpoints waits until the log's checkpointer has written n checkpoints (it signs off the
// record path, so Record returning does not mean its checkpoint exists yet).
func waitCheckpoints(t *testing.T, l *Log, n float64) {
	t.Helper()
	waitFor(t, fmt.Sprintf("%v checkpoints written", n), func() bool { return counterValue(l.m.checkpoints) >= n })
}

// waitCheckpointErrors waits until n checkpoints failed to be signed or written.
func waitCheckpointErrors(t *testing.T, l *Log, n float64) {
	t.Helper()
	waitFor(t, fmt.Sprintf("%v checkpoint errors", n), func() bool { return counterValue(l.m.ckptErrors) >= n })
}
