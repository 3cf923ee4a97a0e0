package pipeline

import (
	"strings"
	"testing"

	"github.com/warden-gw/warden/exchange"
	"github.com/warden-gw/warden/extproc"
)

// benchProse is ordinary English without anything a redaction rule or a policy acts on.
const benchProse = "The deployment pipeline builds each service, runs its tests, and publishes an image when they pass. " +
	"Reviewers look at the change, the test results and the rollout plan before it goes to production. "

// benchChat is test/e2e's BenchmarkDataPlane exchange: a 4096-byte chat request and a ~1.2 KiB
// chat.completion.
func benchChat() (req, resp []byte) {
	head := `{"model":"gpt-4o","temperature":0.2,"messages":[{"role":"system","content":"You are a helpful assistant for the platform team."},{"role":"user","content":"`
	tail := `"}]}`
	fill := 4096 - len(head) - len(tail)
	req = []byte(head + strings.Repeat(benchProse, fill/len(benchProse)+1)[:fill] + tail)
	resp = []byte(`{"id":"chatcmpl-bench","object":"chat.completion","created":1733580000,"model":"gpt-4o-2024-08-06",` +
		`"choices":[{"index":0,"message":{"role":"assistant","content":"` + strings.Repeat(benchProse, 5)[:980] +
		`","refusal":null},"logprobs":null,"finish_reason":"stop"}],` +
		`"usage":{"prompt_tokens":812,"completion_tokens":204,"total_tokens":1016},"system_fingerprint":"fp_bench"}`)
	return req, resp
}

// BenchmarkInspectRedactChat: the inspection and redaction stages on both bodies of the
// data-plane benchmark's exchange, in the order extproc runs them (inspect the request, redact
// it; inspect the response, redact it), and the facts' CEL variables the policy reads.
func BenchmarkInspectRedactChat(b *testing.B) {
	reqBody, respBody := benchChat()
	r, err := NewRedactor(RedactConfig{})
	if err != nil {
		b.Fatal(err)
	}
	ct := exchange.Headers{{Key: "content-type", Value: "application/json"}}
	b.ReportAllocs()
	for b.Loop() {
		x := &exchange.Exchange{Request: exchange.Request{
			Method: "POST", Scheme: "https", Authority: "api.openai.com", Path: "/v1/chat/completions",
			Headers: append(exchange.Headers{{Key: ":method", Value: "POST"}}, ct...), Body: reqBody, BodySeen: true,
		}}
		Inspector{}.InspectRequest(x)
		_ = x.Facts.CEL()
		if _, _, err := r.Redact(x, reqBody, extproc.RedactOptions{Phase: exchange.PhaseRequest, ContentType: "application/json"}); err != nil {
			b.Fatal(err)
		}
		x.Response = exchange.Response{Status: 200, Headers: ct, Body: respBody}
		Inspector{}.InspectResponse(x)
		_ = x.Facts.CEL()
		if _, _, err := r.Redact(x, respBody, extproc.RedactOptions{Phase: exchange.PhaseResponse, ContentType: "application/json"}); err != nil {
			b.Fatal(err)
		}
	}
}
