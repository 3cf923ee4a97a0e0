package audit

import (
	"strings"
	"testing"
	"time"

	"github.com/warden-gw/warden/audit/spool"
	"github.com/warden-gw/warden/exchange"
	"github.com/warden-gw/warden/inspect"
	"github.com/warden-gw/warden/redact"
)

// BenchmarkRecordCostChat is what the two records of BenchmarkDataPlane's exchange cost before
// they reach the sequencer, as Log.Record makes them (build with the decision input inspection
// produced, encode with every string through the engine warden serve uses, hash; the completion
// record reusing the request record's unchanged parts): a 4 KiB OpenAI chat request, allowed.
//
//	go test ./audit -run '^$' -bench RecordCostChat -benchmem -count 5
func BenchmarkRecordCostChat(b *testing.B) {
	eng, err := redact.New(redact.Config{})
	if err != nil {
		b.Fatal(err)
	}
	x := chatExchange()
	l := &Log{cfg: Config{Product: Product{Name: "warden"}, Now: time.Now, Redact: eng.Text}}
	queued := func([]byte, string) (spool.Ticket, error) { return spool.Ticket{}, nil }
	b.ReportAllocs()
	defer cpuPerOp(b)()
	for b.Loop() {
		for _, stage := range []Stage{StageRequest, StageCompletion} {
			if _, err := l.queueExchange(x, stage, queued); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// chatExchange is the exchange of BenchmarkDataPlane after inspection and an allowing decision.
func chatExchange() *exchange.Exchange {
	const prose = "The deployment pipeline builds each service, runs its tests, and publishes an image when they pass. " +
		"Reviewers look at the change, the test results and the rollout plan before it goes to production. "
	body := `{"model":"gpt-4o","temperature":0.2,"messages":[{"role":"system","content":"You are a helpful assistant for the platform team."},{"role":"user","content":"` +
		strings.Repeat(prose, 40)[:3900] + `"}]}`
	x := &exchange.Exchange{
		ID: "bench-1", Start: time.Now(), End: time.Now(),
		Request: exchange.Request{
			Method: "POST", Scheme: "https", Authority: "api.openai.com", Path: "/v1/chat/completions",
			Headers: exchange.Headers{
				{Key: "content-type", Value: "application/json"},
				{Key: "user-agent", Value: "openai-python/1.54.0"},
				{Key: "accept", Value: "application/json"},
				{Key: "x-request-id", Value: "bench"},
			},
			Body: []byte(body),
		},
		Response:    exchange.Response{Status: 200, Headers: exchange.Headers{{Key: "content-type", Value: "application/json"}}},
		Disposition: exchange.Allowed,
	}
	x.Facts = inspect.Analyze(&x.Request)
	x.Decisions = []exchange.Decision{{Action: exchange.Allow, Rule: "default-allow", Reason: "no rule matched", Phase: exchange.PhaseRequest}}
	x.Request.Body = nil
	return x
}
