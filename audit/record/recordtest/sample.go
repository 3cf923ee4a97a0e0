// Package recordtest holds test data shared by the audit packages' tests.
package recordtest

import (
	"fmt"
	"time"

	"github.com/warden-gw/warden/exchange"
)

// SampleExchange is a realistic exchange: an agent acting for a human calls an LLM, a tool call
// was seen, secrets sit in the query, the headers and the original path (for redaction tests),
// and a Vault credential was injected. i makes the id and start time distinct.
func SampleExchange(i int, session string) *exchange.Exchange {
	start := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Second)
	return &exchange.Exchange{
		ID: fmt.Sprintf("req-%04d", i), Start: start, End: start.Add(850 * time.Millisecond),
		Request: exchange.Request{
			Method: "POST", Scheme: "https", Authority: "api.openai.com:443",
			Path: "/v1/chat/completions?api_key=sk-live-QUERYSECRET&stream=true",
			Headers: exchange.Headers{
				{Key: ":method", Value: "POST"},
				{Key: "authorization", Value: "Bearer sk-live-HEADERSECRET"},
				{Key: "x-api-key", Value: "xk-APIKEYSECRET"},
				{Key: "cookie", Value: "sid=COOKIESECRET"},
				// Envoy keeps the path before a route rewrite here, query string included.
				{Key: "x-envoy-original-path", Value: "/v1/old?api_key=sk-live-ORIGPATHSECRET"},
				{Key: "content-type", Value: "application/json"},
				{Key: "user-agent", Value: "openai-go/1.0"},
				{Key: "x-forwarded-for", Value: "10.1.2.3, 172.16.0.1"},
			},
		},
		Response: exchange.Response{Status: 200, Headers: exchange.Headers{{Key: "content-type", Value: "text/event-stream"}}, Streamed: true},
		Identity: exchange.Identity{
			Subject: "svc-agent", Issuer: "https://idp.example", Agent: "spiffe://example.org/agent/coder",
			OnBehalfOf: "alice@example.com", Session: session, Method: "jwt", Groups: []string{"eng"},
		},
		Decisions: []exchange.Decision{{
			Action: exchange.Allow, Phase: exchange.PhaseRequest, Policy: "default",
			Rule: "llm-allow", PolicyVersion: "sha256:abc123",
		}},
		Redactions:  map[string]int{"secret": 2, "pii.email": 1},
		Credentials: []exchange.Credential{{Role: "db-readonly", LeaseID: "database/creds/ro/LEASE1", TTL: 5 * time.Minute}},
		ToolCalls:   []exchange.ToolCall{{Kind: "shell", Source: "llm.tool_calls[0]", Name: "bash", Text: "ls -la /tmp"}},
		Disposition: exchange.Allowed, Status: 200,
		Timings: map[string]time.Duration{"policy": 120 * time.Microsecond, "upstream": 800 * time.Millisecond},
	}
}
