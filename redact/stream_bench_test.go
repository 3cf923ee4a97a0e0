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

// BenchmarkSSELargeEvent measures one 512 KiB data event (a long line, as a
// base64 image or a large tool result) arriving in 1 KiB network chunks: the
// cost of finding where an event ends must not grow with every chunk.
func BenchmarkSSELargeEvent(b *testing.B) {
	eng := engine(b)
	wire := []byte("data: {\"delta\":\"" + strings.Repeat("lorem ipsum dolor sit amet ", 512<<10/27) + "\"}\n\n")
	b.SetBytes(int64(len(wire)))
	for b.Loop() {
		s := eng.NewStream(redact.KindSSE, redact.StreamOptions{})
		n := 0
		for i := 0; i < len(wire); i += 1024 {
			o, err := s.Write(wire[i:min(len(wire), i+1024)])
			if err != nil {
				b.Fatal(err)
			}
			n += len(o)
		}
		o, _ := s.Close()
		if n+len(o) != len(wire) {
			b.Fatalf("benign event changed size: %d of %d", n+len(o), len(wire))
		}
	}
}
