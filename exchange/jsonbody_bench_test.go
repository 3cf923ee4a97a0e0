package exchange

import (
	"strings"
	"testing"
)

// BenchmarkParseJSONChat reads the data-plane benchmark's 4 KiB chat request (test/e2e).
func BenchmarkParseJSONChat(b *testing.B) {
	body := chatBody()
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := ParseJSON(body); !ok {
			b.Fatal("not read")
		}
	}
}

// BenchmarkParseJSONChatReleased is BenchmarkParseJSONChat with each reading given back
// (ReleaseJSON), as extproc does at the end of each phase.
func BenchmarkParseJSONChatReleased(b *testing.B) {
	body := chatBody()
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		j, ok := ParseJSON(body)
		if !ok {
			b.Fatal("not read")
		}
		ReleaseJSON(j)
	}
}

func chatBody() []byte {
	prose := "The deployment pipeline builds each service, runs its tests, and publishes an image when they pass. " +
		"Reviewers look at the change, the test results and the rollout plan before it goes to production. "
	head := `{"model":"gpt-4o","temperature":0.2,"messages":[{"role":"system","content":"You are a helpful assistant for the platform team."},{"role":"user","content":"`
	tail := `"}]}`
	fill := 4096 - len(head) - len(tail)
	return []byte(head + strings.Repeat(prose, fill/len(prose)+1)[:fill] + tail)
}
