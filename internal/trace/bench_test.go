package trace

import (
	"context"
	"testing"
	"time"

	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"google.golang.org/grpc/metadata"

	"github.com/warden-gw/warden/exchange"
)

// BenchmarkTraceExchange is the cost tracing adds to one exchange: extracting the parent from
// the stream metadata, building the exchange span and its eight stage spans, and handing them to
// the batcher (exported in the background to a no-op exporter).
//
//	go test ./internal/trace/ -run '^$' -bench TraceExchange -benchmem
func BenchmarkTraceExchange(b *testing.B) {
	tr, err := NewWithExporter(tracetest.NewNoopExporter(), Config{})
	if err != nil {
		b.Fatal(err)
	}
	defer tr.Shutdown(context.Background())
	ctx := metadata.NewIncomingContext(context.Background(), metadata.Pairs("traceparent", envoyParent))
	now := time.Now()
	x := &exchange.Exchange{
		ID: "req-1", Start: now, End: now.Add(3 * time.Millisecond), Disposition: exchange.Allowed, Status: 200,
		Request:   exchange.Request{Method: "POST", Authority: "api.openai.com"},
		Decisions: []exchange.Decision{{Action: exchange.Allow, Rule: "default"}},
	}
	for _, s := range []string{"identity", "inspect", "policy", "approval", "creds", "redact", "audit", "request"} {
		x.Time(s, 100*time.Microsecond)
	}
	for b.Loop() {
		tr.TraceExchange(ctx, x)
	}
}
