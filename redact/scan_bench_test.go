package redact_test

import (
	"strings"
	"testing"

	"github.com/warden-gw/warden/redact"
)

// chatBody returns the data-plane benchmark's 4 KiB chat request (as BenchmarkRedactJSONChat)
// and the offset of its user message's first byte.
func chatBody() ([]byte, int) {
	prose := "The deployment pipeline builds each service, runs its tests, and publishes an image when they pass. " +
		"Reviewers look at the change, the test results and the rollout plan before it goes to production. "
	head := `{"model":"gpt-4o","temperature":0.2,"messages":[{"role":"system","content":"You are a helpful assistant for the platform team."},{"role":"user","content":"`
	tail := `"}]}`
	fill := 4096 - len(head) - len(tail)
	return []byte(head + strings.Repeat(prose, fill/len(prose)+1)[:fill] + tail), len(head)
}

// BenchmarkRedactJSONChatFresh is BenchmarkRedactJSONChat with a user message no earlier call
// has seen (its first eight letters count the calls), so every string but the system prompt is
// scanned in full: what a new message or a completion costs, as against a conversation's
// earlier messages sent again.
//
//	go test -run '^$' -bench 'RedactJSONChat' -benchmem ./redact/
func BenchmarkRedactJSONChatFresh(b *testing.B) {
	eng := engine(b)
	body, at := chatBody()
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	cpu0 := processCPU(b)
	n := 0
	for b.Loop() {
		n++
		for i, k := 0, n; i < 8; i, k = i+1, k/26 {
			body[at+i] = byte('a' + k%26)
		}
		out, fs, err := eng.RedactJSON(body, redact.Options{})
		if err != nil || len(fs) != 0 || len(out) != len(body) {
			b.Fatalf("RedactJSON: %v, %d findings", err, len(fs))
		}
	}
	b.ReportMetric(float64(processCPU(b)-cpu0)/float64(b.N), "cpu-ns/op")
}
