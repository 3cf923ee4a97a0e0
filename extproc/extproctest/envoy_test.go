package extproctest

import (
	"testing"

	extprocfilterv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/ext_proc/v3"
)

// Mirrors ext_proc.cc: with ContinueServer every mode delivers the exchange
// unchanged (modulo content-length rules).
func TestContinueServerAllModes(t *testing.T) {
	pm := extprocfilterv3.ProcessingMode_SEND
	tests := []struct {
		name string
		body extprocfilterv3.ProcessingMode_BodySendMode
	}{
		{"none", extprocfilterv3.ProcessingMode_NONE},
		{"buffered", extprocfilterv3.ProcessingMode_BUFFERED},
		{"streamed", extprocfilterv3.ProcessingMode_STREAMED},
		{"partial", extprocfilterv3.ProcessingMode_BUFFERED_PARTIAL},
		{"full_duplex", extprocfilterv3.ProcessingMode_FULL_DUPLEX_STREAMED},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := modes(tc.body, tc.body)
			m.RequestTrailerMode, m.ResponseTrailerMode = pm, pm
			e := newEnvoy(t, ContinueServer{}, filterCfg(m))
			res, err := e.Run(testCtx(t), post("hello ", "world"), chunkUpstream(H("x-up", "1"), "a", "b", "c"))
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			if res.LocalReply {
				t.Fatalf("unexpected local reply %d %q", res.Status, res.Details)
			}
			if got := res.Upstream.Body(); got != "hello world" {
				t.Errorf("upstream body = %q", got)
			}
			if res.Status != 200 || res.Body() != "abc" || res.Headers.Value("x-up") != "1" {
				t.Errorf("client saw %d %q %v", res.Status, res.Body(), res.Headers)
			}
		})
	}
}
