package extproctest

import (
	"context"
	"testing"

	extprocfilterv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/ext_proc/v3"
)

// BenchmarkExchange measures the emulator plus a real gRPC round trip per
// message against the null ContinueServer: the floor under any warden
// benchmark that uses this package.
func BenchmarkExchange(b *testing.B) {
	cases := []struct {
		name string
		mode *extprocfilterv3.ProcessingMode
	}{
		{"headers_only", nil},
		{"buffered", modes(modeBuffered, modeBuffered)},
		{"streamed", modes(modeStreamed, modeStreamed)},
		{"full_duplex", &extprocfilterv3.ProcessingMode{
			RequestBodyMode: modeDuplex, ResponseBodyMode: modeDuplex,
			RequestTrailerMode: extprocfilterv3.ProcessingMode_SEND, ResponseTrailerMode: extprocfilterv3.ProcessingMode_SEND,
		}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			e, err := New(StartServer(b, ContinueServer{}), filterCfg(c.mode))
			if err != nil {
				b.Fatal(err)
			}
			up := chunkUpstream(H("content-type", "text/event-stream"), "data: 1\n\n", "data: 2\n\n", "data: [DONE]\n\n")
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				res, err := e.Run(ctx, post(`{"model":"m",`, `"messages":[]}`), up)
				if err != nil || res.LocalReply {
					b.Fatalf("Run: %v %q", err, res.Details)
				}
			}
		})
	}
}
