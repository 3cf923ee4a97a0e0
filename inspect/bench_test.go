package inspect

import (
	"strings"
	"testing"

	"github.com/warden-gw/warden/exchange"
)

const typicalChat = `{"model":"gpt-4o","temperature":0.2,"messages":[` +
	`{"role":"system","content":"You are a helpful coding assistant working in the acme/payments repository."},` +
	`{"role":"user","content":"Why does the billing job fail on the first day of the month? Here is the log: ERROR 2026-11-01 cron billing: division by zero in prorate()"}],` +
	`"tools":[{"type":"function","function":{"name":"read_file","description":"Read a file","parameters":{"type":"object","properties":{"path":{"type":"string"}},"required":["path"]}}},` +
	`{"type":"function","function":{"name":"run_sql","description":"Run a read-only SQL query","parameters":{"type":"object","properties":{"query":{"type":"string"}}}}}]}`

func BenchmarkAnalyzeTypicalChat(b *testing.B) {
	req := jsonReq("POST", "api.openai.com", "/v1/chat/completions", typicalChat)
	b.ReportAllocs()
	for b.Loop() {
		f := Analyze(req)
		_ = f.CEL()
	}
}

func BenchmarkAnalyzeFixtures(b *testing.B) {
	for _, name := range []string{"sql-001", "shell-038", "k8s-068", "api-074", "llm-079"} {
		var fx fixture
		for _, f := range loadFixtures(b, "actions.jsonl") {
			if f.ID == name {
				fx = f
			}
		}
		req, resp := fx.exchange(b)
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				f := Analyze(req)
				if resp != nil {
					f.AddResponse(resp)
				}
				_ = f.CEL()
			}
		})
	}
}

// BenchmarkAnalyzeGrantBody: a write to a role-granting path (a GitLab members list) whose
// body is walked for an administrator role under a role key.
func BenchmarkAnalyzeGrantBody(b *testing.B) {
	var body strings.Builder
	body.WriteString(`{"members": [`)
	for i := range 200 {
		if i > 0 {
			body.WriteString(",")
		}
		body.WriteString(`{"user_name": "u", "access-level": 30, "display_name": "x", "team_id": 4}`)
	}
	body.WriteString(`]}`)
	req := jsonReq("POST", "gitlab.corp", "/api/v4/projects/1/members", body.String())
	b.ReportAllocs()
	for b.Loop() {
		_ = Analyze(req)
	}
}

// BenchmarkFactsBothPhases is what a chat exchange asks of inspection for its two policy phases:
// the request's facts and variables, then the answer (no tool calls) and the variables again.
func BenchmarkFactsBothPhases(b *testing.B) {
	req := jsonReq("POST", "api.openai.com", "/v1/chat/completions", typicalChat)
	resp := &exchange.Response{
		Status: 200, Headers: exchange.Headers{{Key: "content-type", Value: "application/json"}},
		Body: []byte(`{"id":"c","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"The prorate() divisor is the month's billing days."},"finish_reason":"stop"}]}`),
	}
	b.ReportAllocs()
	for b.Loop() {
		f := Analyze(req)
		_ = f.CEL()
		f.AddResponse(resp)
		_ = f.CEL()
	}
}
