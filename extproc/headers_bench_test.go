package extproc

import (
	"testing"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
)

// BenchmarkReadRequestHeaders reads the request headers of BenchmarkDataPlane's exchange (an
// OpenAI SDK's chat request as Envoy forwards it).
func BenchmarkReadRequestHeaders(b *testing.B) {
	kv := []string{
		":method", "POST", ":path", "/v1/chat/completions", ":authority", "api.openai.com", ":scheme", "https",
		"content-type", "application/json", "user-agent", "openai-python/1.54.0", "accept", "application/json",
		"x-request-id", "bench", "authorization", "Bearer agent-token-not-a-secret", "content-length", "4096",
		"x-forwarded-proto", "https", "x-envoy-expected-rq-timeout-ms", "15000",
	}
	hm := &corev3.HeaderMap{}
	for i := 0; i < len(kv); i += 2 {
		hm.Headers = append(hm.Headers, &corev3.HeaderValue{Key: kv[i], RawValue: []byte(kv[i+1])})
	}
	srv, err := NewServer(Pipeline{}, DefaultOptions())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		st := stream{srv: srv}
		if err := st.readRequestHeaders(hm); err != nil {
			b.Fatal(err)
		}
	}
}
