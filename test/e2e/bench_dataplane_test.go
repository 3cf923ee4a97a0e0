package e2e

import (
	"context"
	"fmt"
	"net"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	extprocv3 "github.com/envoyproxy/go-control-plane/envoy/service/ext_proc/v3"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/warden-gw/warden/audit"
	"github.com/warden-gw/warden/cmd/warden/mainlib"
	"github.com/warden-gw/warden/envoy"
	"github.com/warden-gw/warden/extproc/extproctest"
)

// BenchmarkDataPlane is issue #13's measure of what warden costs the requests it guards, as Envoy
// sees it: one ext_proc stream per exchange, timed from the stream's opening to the last reply,
// for request headers + a 4 KiB JSON chat request (BUFFERED) + response headers + a ~1.2 KiB JSON
// completion (BUFFERED). warden runs `warden serve`'s embedded defaults, built through mainlib
// exactly as the command builds them; the null server answers CONTINUE to everything. Both are
// driven by the same Envoy emulator (configured by envoy/bootstrap.yaml) over loopback gRPC with
// an in-process upstream, so no upstream time is mixed in.
//
//   - sequential: one exchange at a time, alternating null and warden exchange by exchange;
//     reports p50 and p99 of each and the two ratios.
//   - concurrent64: 64 streams at once over 4 gRPC connections (Envoy spreads streams over a
//     connection per worker), alternating null and warden phase by phase; reports exchanges/s
//     of each and the ratio.
//   - sse50: the same request with "stream": true answered by 50 SSE events (warden switches
//     the response to STREAMED; so does the null server, as any streaming-aware server must);
//     reports the time to the first and the last event and the worst p50 ratio over all 50.
//
// The spool is on the test's temporary folder (the machine's disk) in the rows named disk and
// on /dev/shm in the rows named tmpfs. WARDEN_BENCH_AUDIT_MODE sets audit.mode (empty: the default)
// to compare durability modes with the same exchange.
//
//	go test -run '^$' -bench DataPlane -benchtime 2000x -timeout 30m ./test/e2e/
func BenchmarkDataPlane(b *testing.B) {
	for _, spool := range []string{"disk", "tmpfs"} {
		b.Run("sequential/spool="+spool, func(b *testing.B) { benchSequential(b, startBenchPair(b, spool, 1)) })
		b.Run("concurrent64/spool="+spool, func(b *testing.B) { benchConcurrent(b, startBenchPair(b, spool, 4), 64) })
		b.Run("sse50/spool="+spool, func(b *testing.B) { benchSSE(b, startBenchPair(b, spool, 1), 50) })
	}
}

// benchPair is warden and the null server, each behind emulators on conns gRPC connections.
type benchPair struct {
	warden, null []*extproctest.Envoy
}

func startBenchPair(b *testing.B, spool string, conns int) benchPair {
	b.Helper()
	dir := b.TempDir()
	if spool == "tmpfs" {
		st, err := os.Stat("/dev/shm")
		if err != nil || !st.IsDir() {
			b.Skip("no /dev/shm")
		}
		if dir, err = os.MkdirTemp("/dev/shm", "warden-bench-"); err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { _ = os.RemoveAll(dir) })
	}
	defaults := mainlib.DefaultConfig()
	w := startWarden(b, func(cfg *mainlib.Config) {
		cfg.DataDir, cfg.Log = dir, defaults.Log
		if m := os.Getenv("WARDEN_BENCH_AUDIT_MODE"); m != "" {
			cfg.Audit.Mode = audit.Mode(m)
		}
	})
	nullAddr := startNullServer(b)
	var p benchPair
	for range conns {
		p.warden = append(p.warden, newEnvoy(b, dialBench(b, w.addrs.GRPC)))
		p.null = append(p.null, newEnvoy(b, dialBench(b, nullAddr)))
	}
	return p
}

func dialBench(b *testing.B, addr string) extprocv3.ExternalProcessorClient {
	b.Helper()
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = conn.Close() })
	return extprocv3.NewExternalProcessorClient(conn)
}

// startNullServer serves streamingNull on 127.0.0.1 and returns its address.
func startNullServer(b *testing.B) string {
	b.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	gs := grpc.NewServer()
	extprocv3.RegisterExternalProcessorServer(gs, streamingNull{})
	go func() { _ = gs.Serve(lis) }()
	b.Cleanup(gs.Stop)
	return lis.Addr().String()
}

// streamingNull is the do-nothing server: CONTINUE to everything, and, like any server that lets
// SSE through event by event, a mode_override to STREAMED on a text/event-stream response.
type streamingNull struct {
	extprocv3.UnimplementedExternalProcessorServer
}

func (streamingNull) Process(s extprocv3.ExternalProcessor_ProcessServer) error {
	override := envoy.DefaultExtProcFilter().GetAllowedOverrideModes()[0]
	var pc *extprocv3.ProtocolConfiguration
	for {
		req, err := s.Recv()
		if err != nil {
			return nil // EOF or Envoy's reset after the last reply: the normal end
		}
		if req.GetProtocolConfig() != nil {
			pc = req.GetProtocolConfig()
		}
		resp, err := extproctest.ContinueResponse(req, pc)
		if err != nil {
			return err
		}
		if rh := req.GetResponseHeaders(); rh != nil {
			for _, h := range rh.GetHeaders().GetHeaders() {
				if h.GetKey() == "content-type" && strings.HasPrefix(string(h.GetRawValue()), "text/event-stream") {
					resp.ModeOverride = override
				}
			}
		}
		if err := s.Send(resp); err != nil {
			return err
		}
	}
}

// exchangeRunner runs one exchange on e and returns its duration, or an error when the client did
// not get the upstream's answer unchanged.
func exchangeRunner(streamed bool) func(e *extproctest.Envoy) (time.Duration, error) {
	req, resp := chatRequest(streamed), chatCompletion
	up := upstreamOf(200, "application/json", resp)
	return func(e *extproctest.Envoy) (time.Duration, error) {
		start := time.Now()
		res, err := e.Run(context.Background(), req(), up)
		d := time.Since(start)
		if err != nil {
			return d, fmt.Errorf("exchange: %w", err)
		}
		if res.Status != 200 || res.Body() != resp {
			return d, fmt.Errorf("exchange: status %d %s, body %.200q", res.Status, res.Details, res.Body())
		}
		return d, nil
	}
}

func benchSequential(b *testing.B, p benchPair) {
	runner := exchangeRunner(false)
	run := func(e *extproctest.Envoy) time.Duration {
		d, err := runner(e)
		if err != nil {
			b.Fatal(err)
		}
		return d
	}
	for range 50 { // warm both paths
		run(p.null[0])
		run(p.warden[0])
	}
	nullT, wardenT := make([]time.Duration, 0, b.N), make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		nullT = append(nullT, run(p.null[0]))
		wardenT = append(wardenT, run(p.warden[0]))
	}
	b.StopTimer()
	n50, n99 := percentileOf(nullT, 50), percentileOf(nullT, 99)
	w50, w99 := percentileOf(wardenT, 50), percentileOf(wardenT, 99)
	reportMicros(b, "null-p50", n50)
	reportMicros(b, "null-p99", n99)
	reportMicros(b, "warden-p50", w50)
	reportMicros(b, "warden-p99", w99)
	b.ReportMetric(float64(w50)/float64(n50), "p50-ratio")
	b.ReportMetric(float64(w99)/float64(n99), "p99-ratio")
}

// benchConcurrent runs b.N exchanges on each server with streams exchanges in flight, in
// alternating phases of b.N/phases exchanges so that machine noise hits both alike.
func benchConcurrent(b *testing.B, p benchPair, streams int) {
	run := exchangeRunner(false)
	const phases = 4
	phase := func(es []*extproctest.Envoy, n int) time.Duration {
		var next atomic.Int64
		var failed atomic.Pointer[error]
		var wg sync.WaitGroup
		start := time.Now()
		for i := range streams {
			wg.Add(1)
			go func() {
				defer wg.Done()
				e := es[i%len(es)]
				for failed.Load() == nil && next.Add(1) <= int64(n) {
					if _, err := run(e); err != nil {
						failed.CompareAndSwap(nil, &err)
					}
				}
			}()
		}
		wg.Wait()
		if err := failed.Load(); err != nil {
			b.Fatal(*err)
		}
		return time.Since(start)
	}
	phase(p.null, 4*streams) // warm both paths
	phase(p.warden, 4*streams)
	var nullD, wardenD, nullCPU, wardenCPU time.Duration
	per := max(1, b.N/phases)
	b.ResetTimer()
	for range phases {
		c0 := processCPU(b)
		nullD += phase(p.null, per)
		c1 := processCPU(b)
		wardenD += phase(p.warden, per)
		nullCPU, wardenCPU = nullCPU+c1-c0, wardenCPU+processCPU(b)-c1
	}
	b.StopTimer()
	n := float64(per * phases)
	nullX, wardenX := n/nullD.Seconds(), n/wardenD.Seconds()
	b.ReportMetric(nullX, "null-exch/s")
	b.ReportMetric(wardenX, "warden-exch/s")
	b.ReportMetric(wardenX/nullX, "exch/s-ratio")
	// The process's CPU time (emulator + server + GC) per exchange in each server's phases: the
	// emulator's share is the same in both, so the difference is what warden's work costs, a
	// figure that the load of the shared machine moves far less than wall time.
	b.ReportMetric(float64(nullCPU.Microseconds())/n, "null-cpu-µs/exch")
	b.ReportMetric(float64(wardenCPU.Microseconds())/n, "warden-cpu-µs/exch")
	b.ReportMetric(float64((wardenCPU-nullCPU).Microseconds())/n, "added-cpu-µs/exch")
}

// processCPU is the user+system CPU time the test process has used so far.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func reportMicros(b *testing.B, name string, d time.Duration) {
	b.ReportMetric(float64(d.Nanoseconds())/1e3, name+"-µs")
}

// chatRequest returns a builder of the benchmark's request: a 4096-byte OpenAI chat completion
// request (with "stream": true for SSE).
func chatRequest(streamed bool) func() *extproctest.Request {
	body := chatBody(streamed)
	return func() *extproctest.Request {
		return request("POST", "https://api.openai.com/v1/chat/completions", map[string]string{
			"content-type": "application/json", "user-agent": "openai-python/1.54.0", "accept": "application/json",
			"x-request-id": "bench", "authorization": "Bearer agent-token-not-a-secret",
		}, body)
	}
}

// prose is ordinary English without anything a redaction rule or a policy would act on.
const prose = "The deployment pipeline builds each service, runs its tests, and publishes an image when they pass. " +
	"Reviewers look at the change, the test results and the rollout plan before it goes to production. "

func chatBody(streamed bool) string {
	head := `{"model":"gpt-4o","temperature":0.2,`
	if streamed {
		head += `"stream":true,`
	}
	head += `"messages":[{"role":"system","content":"You are a helpful assistant for the platform team."},{"role":"user","content":"`
	tail := `"}]}`
	fill := 4096 - len(head) - len(tail)
	return head + strings.Repeat(prose, fill/len(prose)+1)[:fill] + tail
}

// chatCompletion is a ~1.2 KiB OpenAI chat.completion answer.
var chatCompletion = `{"id":"chatcmpl-bench","object":"chat.completion","created":1733580000,"model":"gpt-4o-2024-08-06",` +
	`"choices":[{"index":0,"message":{"role":"assistant","content":"` + strings.Repeat(prose, 5)[:980] +
	`","refusal":null},"logprobs":null,"finish_reason":"stop"}],` +
	`"usage":{"prompt_tokens":812,"completion_tokens":204,"total_tokens":1016},"system_fingerprint":"fp_bench"}`

// upstreamOf answers every request with status, content type and body, having read the request.
func upstreamOf(status int, contentType string, chunks ...string) extproctest.Upstream {
	return extproctest.UpstreamFunc(func(ctx context.Context, req *extproctest.UpstreamRequest) (*extproctest.Response, error) {
		if req.Body != nil {
			if _, err := extproctest.ReadAll(ctx, req.Body); err != nil {
				return nil, err
			}
		}
		return &extproctest.Response{Status: status, Headers: extproctest.Headers{{Key: "content-type", Value: contentType}}, Body: extproctest.Chunks(nil, chunks...)}, nil
	})
}

func percentileOf(ds []time.Duration, q int) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[min(len(s)-1, len(s)*q/100)]
}
