package e2e

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/warden-gw/warden/audit"
	"github.com/warden-gw/warden/extproc/extproctest"
	"github.com/warden-gw/warden/redact/redacttest"
)

// A format-valid GitHub token (checksummed), built at run time so no literal key sits in the
// repository.
func fakeGitHubToken(seed uint64) string {
	return redacttest.GitHubToken(rand.New(rand.NewPCG(seed, seed+1)), "ghp_")
}

func TestRedactionInRequestsResponsesAndSSE(t *testing.T) {
	w := startWarden(t, nil)
	tok := fakeGitHubToken(7)

	t.Run("request body, JSON-escaped", func(t *testing.T) {
		// The slash escape hides the token from a byte scan: warden must decode JSON strings.
		escaped := strings.Replace(tok, "_", `\u005f`, 1)
		body := `{"model":"gpt-4o","messages":[{"role":"user","content":"deploy with token ` + escaped + ` please"}]}`
		up, seen := staticUpstream(200, extproctest.Headers{{Key: "content-type", Value: "application/json"}}, `{"ok":true}`)
		res, err := w.envoy.Run(context.Background(), request("POST", "https://api.openai.com/v1/chat/completions",
			map[string]string{"content-type": "application/json", "x-request-id": "redact-req"}, body), up)
		if err != nil || res.Status != 200 {
			t.Fatalf("%v %+v", err, res)
		}
		got := seen()
		if strings.Contains(got, tok) || strings.Contains(got, escaped) || !strings.Contains(got, "[REDACTED:") {
			t.Fatalf("upstream saw %s", got)
		}
		if !json.Valid([]byte(got)) {
			t.Fatalf("redacted body is not valid JSON: %s", got)
		}
	})

	t.Run("response body", func(t *testing.T) {
		up, _ := staticUpstream(200, extproctest.Headers{{Key: "content-type", Value: "application/json"}}, `{"config":"GITHUB_TOKEN=`+tok+`"}`)
		res, err := w.envoy.Run(context.Background(), request("GET", "https://api.example/config", map[string]string{"x-request-id": "redact-resp"}), up)
		if err != nil || res.Status != 200 {
			t.Fatalf("%v %+v", err, res)
		}
		if strings.Contains(res.Body(), tok) || !strings.Contains(res.Body(), "[REDACTED:") {
			t.Fatalf("client saw %s", res.Body())
		}
	})

	t.Run("SSE split inside the token at every offset", func(t *testing.T) {
		for cut := 1; cut < len(tok); cut++ {
			ev := func(s string) string {
				b, _ := json.Marshal(s)
				return `data: {"choices":[{"index":0,"delta":{"content":` + string(b) + `}}]}` + "\n\n"
			}
			// The model emits the token across two deltas, and the network cuts the events too.
			stream := ev("your token is "+tok[:cut]) + ev(tok[cut:]+" ok") + "data: [DONE]\n\n"
			up := extproctest.UpstreamFunc(func(context.Context, *extproctest.UpstreamRequest) (*extproctest.Response, error) {
				return &extproctest.Response{
					Status: 200, Headers: extproctest.Headers{{Key: "content-type", Value: "text/event-stream"}},
					Body: extproctest.Chunks(nil, splitEvery(stream, 29)...),
				}, nil
			})
			res, err := w.envoy.Run(context.Background(), request("POST", "https://api.openai.com/v1/chat/completions",
				map[string]string{"content-type": "application/json"}, `{"model":"gpt-4o","stream":true,"messages":[]}`), up)
			if err != nil {
				t.Fatal(err)
			}
			text, _ := assembleChat(t, res.Body())
			if strings.Contains(text, tok[4:]) || strings.Contains(res.Body(), tok[4:]) || !strings.Contains(text, "[REDACTED:") {
				t.Fatalf("cut %d: the agent assembled %q", cut, text)
			}
		}
	})

	t.Run("token in the URL stays out of the audit record", func(t *testing.T) {
		up, _ := staticUpstream(200, nil, "ok")
		res, err := w.envoy.Run(context.Background(), request("GET", "https://hooks.example/deliver/"+tok+"?q="+tok, map[string]string{"x-request-id": "redact-url"}), up)
		if err != nil || res.Status != 200 {
			t.Fatalf("%v %+v", err, res)
		}
		if got := res.Upstream.Headers.Value(":path"); !strings.Contains(got, tok) {
			t.Fatalf("the upstream must still get the real path, got %q", got)
		}
	})

	recs := byRequest(w.records(t))
	if _, ok := recs["redact-url"][audit.StageRequest]; !ok {
		t.Fatal("no record for the request with a token in its URL")
	}
	if n := recs["redact-req"][audit.StageRequest].Unmapped.Warden.Redactions; len(n) == 0 {
		t.Errorf("the request record has no redaction counts")
	}
	for _, r := range w.records(t) {
		b, _ := json.Marshal(r)
		if strings.Contains(string(b), tok) {
			t.Fatal("a secret reached an audit record")
		}
	}
	if strings.Contains(w.logs.String(), tok) {
		t.Fatal("a secret reached the log")
	}
}
