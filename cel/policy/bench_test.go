package policy

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/warden-gw/warden/exchange"
	"github.com/warden-gw/warden/inspect"
)

func typicalRequest() *exchange.Exchange {
	body := `{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"execute_sql","arguments":{"query":"SELECT id, email FROM users WHERE id = 42"}}}`
	return &exchange.Exchange{
		Request: exchange.Request{
			Method: "POST", Scheme: "https", Authority: "mcp.internal", Path: "/mcp",
			Headers: exchange.Headers{
				{Key: ":method", Value: "POST"},
				{Key: ":path", Value: "/mcp"},
				{Key: ":authority", Value: "mcp.internal"},
				{Key: "content-type", Value: "application/json"},
				{Key: "accept", Value: "application/json, text/event-stream"},
				{Key: "user-agent", Value: "mcp-client/1.0"},
				{Key: "x-request-id", Value: "0f9a6c1e"},
			},
			Body: []byte(body), BodySeen: true,
		},
		Identity: exchange.Identity{Subject: "alice@example.com", Agent: "spiffe://acme/agent/coder", Groups: []string{"eng"}},
	}
}

// sqlBody10K is a 10 KiB JSON body holding one multi-row INSERT.
func sqlBody10K() []byte {
	var b strings.Builder
	b.WriteString(`{"query": "INSERT INTO events (id, kind, payload, created_at) VALUES `)
	for i := 0; b.Len() < 10<<10-64; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "(%d, 'page_view', 'path=/docs/%d', now())", i, i)
	}
	b.WriteString(`", "params": []}`)
	return []byte(b.String())
}

// threadCPU is the CPU time the calling OS thread has used. On a shared, overloaded machine it
// measures the work of one operation without the time spent waiting for a core.
func threadCPU() time.Duration {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts); err != nil {
		return 0
	}
	return time.Duration(ts.Nano())
}

// benchDecide measures inspection plus Decide per operation and reports percentiles of the
// wall time (p50-ns, p99-ns) and of the thread CPU time (cpu-p50-ns, cpu-p99-ns).
func benchDecide(b *testing.B, x *exchange.Exchange, want exchange.Action, inspectToo bool) {
	ps, err := Default()
	if err != nil {
		b.Fatal(err)
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	ctx := context.Background()
	if !inspectToo {
		x.Facts = inspect.Analyze(&x.Request)
	}
	wall := make([]time.Duration, 0, b.N)
	cpu := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		start, startCPU := time.Now(), threadCPU()
		if inspectToo {
			x.Facts = inspect.Analyze(&x.Request)
		}
		d := ps.Decide(ctx, x, exchange.PhaseRequest)
		cpu = append(cpu, threadCPU()-startCPU)
		wall = append(wall, time.Since(start))
		if d.Action != want {
			b.Fatalf("decision %+v, want %s", d, want)
		}
	}
	b.StopTimer()
	report := func(lat []time.Duration, prefix string) {
		slices.Sort(lat)
		if len(lat) > 0 {
			b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds()), prefix+"p50-ns")
			b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds()), prefix+"p99-ns")
		}
	}
	report(wall, "")
	report(cpu, "cpu-")
}

func sql10KiBRequest() *exchange.Exchange {
	x := typicalRequest()
	x.Request.Authority, x.Request.Path = "sql.neon.example", "/sql"
	x.Request.Body = sqlBody10K()
	return x
}

// BenchmarkDecideTypical is inspection plus Decide with the default pack on an MCP tools/call
// carrying a SELECT.
func BenchmarkDecideTypical(b *testing.B) {
	benchDecide(b, typicalRequest(), exchange.Allow, true)
}

// BenchmarkDecideSQL10KiB is inspection plus Decide on a 10 KiB INSERT in a query field.
func BenchmarkDecideSQL10KiB(b *testing.B) {
	benchDecide(b, sql10KiBRequest(), exchange.Allow, true)
}

// BenchmarkDecideOnly is Decide alone on facts inspected once: the policy's own share.
func BenchmarkDecideOnly(b *testing.B) {
	b.Run("typical", func(b *testing.B) { benchDecide(b, typicalRequest(), exchange.Allow, false) })
	b.Run("sql10KiB", func(b *testing.B) { benchDecide(b, sql10KiBRequest(), exchange.Allow, false) })
}
