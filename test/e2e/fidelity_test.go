package e2e

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/warden-gw/warden/extproc/extproctest"
)

// checkLength fails when the client was given a content-length that does not match the body it
// got: behind a real Envoy that is a hung or cut HTTP/1 response or an HTTP/2 protocol error.
func checkLength(t *testing.T, res *extproctest.Result) {
	t.Helper()
	v, ok := res.Headers.Get("content-length")
	if !ok {
		return
	}
	if n, err := strconv.Atoi(v); err != nil || n != len(res.Body()) {
		t.Fatalf("client got content-length %q with a %d-byte body", v, len(res.Body()))
	}
}

// Envoy keeps content-length when it sends response headers in BUFFERED mode
// (Filter::encodeHeaders, shouldRemoveContentLength) and does not revisit it after warden's
// mode_override to STREAMED. An SSE response with a content-length whose secret warden redacts
// must reach the agent without the stale length.
func TestSSEWithContentLengthIsRedactedWithoutStaleLength(t *testing.T) {
	w := startWarden(t, nil)
	tok := fakeGitHubToken(11)
	b, _ := json.Marshal("token " + tok)
	stream := `data: {"choices":[{"index":0,"delta":{"content":` + string(b) + `}}]}` + "\n\n" + "data: [DONE]\n\n"
	up := extproctest.UpstreamFunc(func(context.Context, *extproctest.UpstreamRequest) (*extproctest.Response, error) {
		return &extproctest.Response{
			Status: 200,
			Headers: extproctest.Headers{
				{Key: "content-type", Value: "text/event-stream"},
				{Key: "content-length", Value: strconv.Itoa(len(stream))},
			},
			Body: extproctest.Chunks(nil, splitEvery(stream, 40)...),
		}, nil
	})
	res, err := w.envoy.Run(context.Background(), request("POST", "https://api.openai.com/v1/chat/completions",
		map[string]string{"content-type": "application/json"}, `{"model":"gpt-4o","stream":true,"messages":[]}`), up)
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != 200 || strings.Contains(res.Body(), tok) || !strings.Contains(res.Body(), "[REDACTED:") {
		t.Fatalf("status %d %q body %q", res.Status, res.Details, res.Body())
	}
	checkLength(t, res)
}
