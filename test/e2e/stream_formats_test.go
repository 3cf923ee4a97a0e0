package e2e

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/warden-gw/warden/extproc/extproctest"
	"github.com/warden-gw/warden/redact/redacttest"
)

var redactedMarker = regexp.MustCompile(`\[REDACTED:[a-z0-9-]+(?::[0-9a-f]{8})?\]`)

// leakedWindow returns an 8-byte window of secret that body still carries.
func leakedWindow(body, secret string) (string, bool) {
	body = redactedMarker.ReplaceAllString(body, "")
	for i := 0; i+8 <= len(secret); i++ {
		if strings.Contains(body, secret[i:i+8]) {
			return secret[i : i+8], true
		}
	}
	return "", false
}

// TestStreamFormatsThroughExtProc sends a token split across two events, at every offset, in
// every streamed format warden reads (SSE ones streamed, NDJSON streamed, a Gemini JSON array
// buffered whole), through the server as Envoy drives it: no 8-byte window of the token reaches
// the agent, and what the agent's client parses is well-formed with the marker in the text.
func TestStreamFormatsThroughExtProc(t *testing.T) {
	w := startWarden(t, nil)
	tok := fakeGitHubToken(11)
	for _, f := range redacttest.StreamFormats {
		t.Run(f.Name, func(t *testing.T) {
			for cut := 1; cut < len(tok); cut++ {
				body := string(f.Build([]string{"Sure, the token is " + tok[:cut], tok[cut:] + " and that is all."}))
				up := extproctest.UpstreamFunc(func(context.Context, *extproctest.UpstreamRequest) (*extproctest.Response, error) {
					return &extproctest.Response{
						Status: 200, Headers: extproctest.Headers{{Key: "content-type", Value: f.ContentType}},
						Body: extproctest.Chunks(nil, splitEvery(body, 29)...),
					}, nil
				})
				res, err := w.envoy.Run(context.Background(), request("POST", "https://llm.example/v1/generate",
					map[string]string{"content-type": "application/json"}, `{"stream":true}`), up)
				if err != nil || res.Status != 200 {
					t.Fatalf("cut %d: %v %+v", cut, err, res)
				}
				got := res.Body()
				if win, ok := leakedWindow(got, tok); ok {
					t.Fatalf("cut %d: %q of the token reached the agent:\n%s", cut, win, got)
				}
				text, err := f.Text([]byte(got))
				if err != nil {
					t.Fatalf("cut %d: the agent's client cannot parse the stream: %v\n%s", cut, err, got)
				}
				if !strings.HasPrefix(text, "Sure, the token is [REDACTED:") || !strings.HasSuffix(text, " and that is all.") {
					t.Fatalf("cut %d: the agent assembled %q", cut, text)
				}
			}
		})
	}
	if strings.Contains(w.logs.String(), tok) {
		t.Fatal("a secret reached the log")
	}
}

// TestHeldTextComesBeforeABlockedToolCall: the end of a sentence the redactor held back (it
// ended inside a word) reaches the agent before the tool call that follows it, so it is neither
// shown after the call nor lost when the call is blocked.
func TestHeldTextComesBeforeABlockedToolCall(t *testing.T) {
	w := startWarden(t, nil)
	for _, tc := range []struct {
		name, query string
		blocked     bool
	}{{"blocked", "DROP TABLE customers", true}, {"allowed", "SELECT count(*) FROM customers", false}} {
		t.Run(tc.name, func(t *testing.T) {
			events := openAIToolCallStream(tc.query)
			events[0] = `data: {"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant","content":"I will count the rows of the customers tab"}}]}` + "\n\n"
			events = append(events[:1], append([]string{`data: {"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"le"}}]}` + "\n\n"}, events[1:]...)...)
			up := extproctest.UpstreamFunc(func(context.Context, *extproctest.UpstreamRequest) (*extproctest.Response, error) {
				return &extproctest.Response{
					Status: 200, Headers: extproctest.Headers{{Key: "content-type", Value: "text/event-stream"}},
					Body: extproctest.Chunks(nil, splitEvery(strings.Join(events, ""), 37)...),
				}, nil
			})
			res, err := w.envoy.Run(context.Background(), request("POST", "https://api.openai.com/v1/chat/completions",
				map[string]string{"content-type": "application/json"}, `{"model":"gpt-4o","stream":true,"messages":[{"role":"user","content":"count"}]}`), up)
			if err != nil {
				t.Fatal(err)
			}
			got := res.Body()
			text, _ := assembleChat(t, got)
			if text != "I will count the rows of the customers table" {
				t.Fatalf("the agent assembled %q:\n%s", text, got)
			}
			firstCall := strings.Index(got, "tool_calls")
			if tc.blocked {
				if firstCall >= 0 || !strings.Contains(got, `"error"`) {
					t.Fatalf("the blocked call must not reach the agent, an error must: %s", got)
				}
				return
			}
			if firstCall < 0 || strings.LastIndex(got, `"content":"`) > firstCall {
				t.Fatalf("text arrived after the tool call: %s", got)
			}
		})
	}
}
