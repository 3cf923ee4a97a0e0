package redact_test

import (
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/warden-gw/warden/audit"
	"github.com/warden-gw/warden/exchange"
	"github.com/warden-gw/warden/redact"
)

// BenchmarkFieldsAuditRecord is the audit log's per-record pass: every string of a typical
// request record through Engine.Text (what warden serve wires as audit.Config.Redact).
//
//	go test -run '^$' -bench FieldsAuditRecord -benchmem ./redact/
func BenchmarkFieldsAuditRecord(b *testing.B) {
	eng := engine(b)
	start := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	x := &exchange.Exchange{
		ID: "req-0001", Start: start, End: start.Add(850 * time.Microsecond),
		Request: exchange.Request{
			Method: "POST", Scheme: "https", Authority: "api.openai.com", Path: "/v1/chat/completions",
			Headers: exchange.Headers{
				{Key: ":method", Value: "POST"},
				{Key: "content-type", Value: "application/json"},
				{Key: "user-agent", Value: "openai-python/1.54.0"},
				{Key: "accept", Value: "application/json"},
				{Key: "x-request-id", Value: "0f6c1e0e-8a4b-4d0e-9a43-1c2f3b4a5d6e"},
			},
		},
		Response: exchange.Response{Status: 200, Headers: exchange.Headers{{Key: "content-type", Value: "application/json"}}},
		Decisions: []exchange.Decision{{
			Action: exchange.Allow, Phase: exchange.PhaseRequest, Policy: "default", Rule: "llm-allow", PolicyVersion: "sha256:abc123",
		}},
		Redactions:  map[string]int{"secret": 0},
		Disposition: exchange.Allowed, Status: 200,
		Timings: map[string]time.Duration{"inspect": 40 * time.Microsecond, "policy": 30 * time.Microsecond, "redact": 50 * time.Microsecond},
	}
	b.ReportAllocs()
	cpu0 := processCPU(b)
	for b.Loop() {
		rec := audit.BuildRecord(x, audit.StageCompletion, audit.Product{Name: "warden"}, start)
		redact.Fields(rec, eng.Text)
	}
	// Wall time per op swings with the load of the shared machine; the CPU the process spent
	// (GC included) per op swings much less.
	b.ReportMetric(float64(processCPU(b)-cpu0)/float64(b.N), "cpu-ns/op")
}

// processCPU is the user+system CPU time the process has used so far.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkRedactJSONChat is a body's redaction pass as warden serve runs it on the data-plane
// benchmark's 4 KiB chat request: nothing to find, every string decoded; the same body every
// call, as a conversation's earlier messages come back with each call, so from the third call
// on the rules' scan of its strings is remembered clean (cleanTexts). BenchmarkRedactJSONChatFresh
// is the same with a new user message every call.
//
//	go test -run '^$' -bench RedactJSONChat -benchmem ./redact/
func BenchmarkRedactJSONChat(b *testing.B) {
	eng := engine(b)
	prose := "The deployment pipeline builds each service, runs its tests, and publishes an image when they pass. " +
		"Reviewers look at the change, the test results and the rollout plan before it goes to production. "
	head := `{"model":"gpt-4o","temperature":0.2,"messages":[{"role":"system","content":"You are a helpful assistant for the platform team."},{"role":"user","content":"`
	tail := `"}]}`
	fill := 4096 - len(head) - len(tail)
	body := []byte(head + strings.Repeat(prose, fill/len(prose)+1)[:fill] + tail)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	cpu0 := processCPU(b)
	for b.Loop() {
		out, fs, err := eng.RedactJSON(body, redact.Options{})
		if err != nil || len(fs) != 0 || len(out) != len(body) {
			b.Fatalf("RedactJSON: %v, %d findings", err, len(fs))
		}
	}
	b.ReportMetric(float64(processCPU(b)-cpu0)/float64(b.N), "cpu-ns/op")
}
