package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/warden-gw/warden/extproc/extproctest"
	"github.com/warden-gw/warden/redact/redacttest"
)

// TestGeminiJSONArrayStreamRedactsSplitTokens: Gemini's streamGenerateContent without alt=sse
// answers with one JSON array whose elements arrive over time; the server now asks Envoy to
// stream it (redact.StreamedJSON). A token split across two elements at every offset reaches the
// agent only as a marker, in an array that still parses. (Element-by-element delivery on an LLM
// route also needs inspect/llmapi's tool-call guard to frame JSON arrays: today it frames SSE
// only and holds the array to its end.)
func TestGeminiJSONArrayStreamRedactsSplitTokens(t *testing.T) {
	w := startWarden(t, nil)
	const url = "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.0-flash:streamGenerateContent"
	t.Run("split token", func(t *testing.T) {
		tok := fakeGitHubToken(12)
		var f redacttest.StreamFormat
		for _, g := range redacttest.StreamFormats {
			if g.Name == "gemini-json-array" {
				f = g
			}
		}
		for cut := 1; cut < len(tok); cut += 3 {
			body := string(f.Build([]string{"Sure, the token is " + tok[:cut], tok[cut:] + " and that is all."}))
			up := extproctest.UpstreamFunc(func(context.Context, *extproctest.UpstreamRequest) (*extproctest.Response, error) {
				return &extproctest.Response{
					Status: 200, Headers: extproctest.Headers{{Key: "content-type", Value: f.ContentType}},
					Body: extproctest.Chunks(nil, splitEvery(body, 29)...),
				}, nil
			})
			res, err := w.envoy.Run(context.Background(), request("POST", url, map[string]string{"content-type": "application/json"}, `{"contents":[]}`), up)
			if err != nil || res.Status != 200 {
				t.Fatalf("cut %d: %v %+v", cut, err, res)
			}
			got := res.Body()
			if win, ok := leakedWindow(got, tok); ok {
				t.Fatalf("cut %d: %q of the token reached the agent:\n%s", cut, win, got)
			}
			text, err := f.Text([]byte(got))
			if err != nil || !strings.HasPrefix(text, "Sure, the token is [REDACTED:") || !strings.HasSuffix(text, " and that is all.") {
				t.Fatalf("cut %d: the agent assembled %q (%v)", cut, text, err)
			}
		}
	})
}
