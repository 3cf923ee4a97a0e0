package redact_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/warden-gw/warden/redact"
	"github.com/warden-gw/warden/redact/redacttest"
)

// BenchmarkSSEStreams measures a 300-delta SSE stream of each provider format, written one
// network chunk (512 bytes) at a time: MB/s of wire bytes.
func BenchmarkSSEStreams(b *testing.B) {
	eng := engine(b)
	words := strings.Fields("Sure, here is the deployment plan for the cluster. First we drain the node, then upgrade the kubelet and finally uncordon it; the api_key stays in the vault and nobody pastes it.")
	var deltas []string
	for i := 0; i < 300; i++ {
		deltas = append(deltas, " "+words[i%len(words)])
	}
	for _, f := range redacttest.StreamFormats {
		if f.ContentType != "text/event-stream" {
			continue
		}
		wire := f.Build(deltas)
		b.Run(f.Name, func(b *testing.B) {
			b.SetBytes(int64(len(wire)))
			for b.Loop() {
				s := eng.NewStream(redact.KindSSE, redact.StreamOptions{})
				var n int
				for i := 0; i < len(wire); i += 512 {
					o, _ := s.Write(wire[i:min(len(wire), i+512)])
					n += len(o)
				}
				o, _ := s.Close()
				if n+len(o) != len(wire) && !bytes.Contains(o, []byte("REDACTED")) {
					b.Fatalf("benign stream changed size: %d of %d", n+len(o), len(wire))
				}
			}
		})
	}
}
