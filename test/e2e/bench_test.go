package e2e

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	extprocfilterv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/ext_proc/v3"
	extprocv3 "github.com/envoyproxy/go-control-plane/envoy/service/ext_proc/v3"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/warden-gw/warden/cmd/warden/mainlib"
	"github.com/warden-gw/warden/envoy"
	"github.com/warden-gw/warden/extproc"
	"github.com/warden-gw/warden/extproc/extproctest"
)

// BenchmarkPipelineOverhead measures what warden's pipeline costs per request against a null
// ext_proc server that always answers CONTINUE. Both are driven by the same emulator over
// loopback gRPC, alternating request by request so that machine noise hits both alike; the
// benchmark reports p50 and p99 of each and their ratio.
//
//	go test -run '^$' -bench PipelineOverhead -benchtime 3000x ./test/e2e/
func BenchmarkPipelineOverhead(b *testing.B) {
	body4k := `{"model":"gpt-4o","messages":[{"role":"user","content":"` + strings.Repeat("lorem ipsum dolor sit amet ", 150)[:4000] + `"}]}`
	cases := []struct {
		name string
		req  func() *extproctest.Request
	}{
		{"get", func() *extproctest.Request { return request("GET", "https://api.example/v1/models", nil) }},
		{"post4k", func() *extproctest.Request {
			return request("POST", "https://api.openai.com/v1/chat/completions", map[string]string{"content-type": "application/json"}, body4k)
		}},
	}
	shm := ""
	if st, err := os.Stat("/dev/shm"); err == nil && st.IsDir() {
		shm = "/dev/shm"
	}
	pipelines := []struct {
		name  string
		start func(b *testing.B) *extproctest.Envoy
	}{
		// The ext_proc server with pass-through stages: the cost of warden's state machine.
		{"passthrough", func(b *testing.B) *extproctest.Envoy {
			return newEnvoy(b, startServer(b, extproc.Pipeline{}))
		}},
		// The default pipeline (inspection, embedded policy pack, redaction both ways, durable
		// audit) with the spool on tmpfs: its CPU cost without the disk's fsync latency.
		{"default-tmpfs", func(b *testing.B) *extproctest.Envoy {
			if shm == "" {
				b.Skip("no /dev/shm")
			}
			dir, err := os.MkdirTemp(shm, "warden-bench-")
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { _ = os.RemoveAll(dir) })
			return startWarden(b, func(cfg *mainlib.Config) { cfg.Log.Level = "error"; cfg.DataDir = dir }).envoy
		}},
		// The same with the spool on the test's disk: every request waits for a group-committed
		// fsync before it may go upstream.
		{"default-disk", func(b *testing.B) *extproctest.Envoy {
			return startWarden(b, func(cfg *mainlib.Config) { cfg.Log.Level = "error" }).envoy
		}},
		// The same with audit.mode strict: the request waits for the fsync (docs/audit.md).
		{"strict-disk", func(b *testing.B) *extproctest.Envoy {
			return startWarden(b, func(cfg *mainlib.Config) { cfg.Log.Level = "error"; cfg.Audit.Mode = "strict" }).envoy
		}},
	}
	for _, pl := range pipelines {
		for _, c := range cases {
			b.Run(pl.name+"/"+c.name, func(b *testing.B) {
				w := pl.start(b)
				null := newEnvoy(b, extproctest.StartServer(b, extproctest.ContinueServer{}))
				up, _ := staticUpstream(200, extproctest.Headers{{Key: "content-type", Value: "application/json"}}, `{"ok":true}`)
				run := func(e *extproctest.Envoy) time.Duration {
					start := time.Now()
					res, err := e.Run(context.Background(), c.req(), up)
					d := time.Since(start)
					if err != nil || res.Status != 200 {
						b.Fatalf("status %v err %v", res, err)
					}
					return d
				}
				for range 50 { // warm both paths
					run(null)
					run(w)
				}
				nullT, wardenT := make([]time.Duration, 0, b.N), make([]time.Duration, 0, b.N)
				b.ResetTimer()
				for range b.N {
					nullT = append(nullT, run(null))
					wardenT = append(wardenT, run(w))
				}
				b.StopTimer()
				n50, n99 := percentiles(nullT)
				w50, w99 := percentiles(wardenT)
				b.ReportMetric(float64(n50.Microseconds()), "null-p50-µs")
				b.ReportMetric(float64(n99.Microseconds()), "null-p99-µs")
				b.ReportMetric(float64(w50.Microseconds()), "warden-p50-µs")
				b.ReportMetric(float64(w99.Microseconds()), "warden-p99-µs")
				b.ReportMetric(float64(w50)/float64(n50), "p50-ratio")
				b.ReportMetric(float64(w99)/float64(n99), "p99-ratio")
			})
		}
	}
}

func percentiles(ds []time.Duration) (p50, p99 time.Duration) {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)*50/100], s[min(len(s)-1, len(s)*99/100)]
}

// BenchmarkResidentMemory1000Streams runs `warden serve` as its own process and holds 1000
// concurrent streams open, each with a 64 KiB request body, until all of them are inside warden;
// it reports warden's peak resident memory (VmHWM). Target: ≤ 256 MiB.
//
//	go test -run '^$' -bench ResidentMemory -benchtime 1x ./test/e2e/
func BenchmarkResidentMemory1000Streams(b *testing.B) {
	bin := buildWarden(b)
	dir := b.TempDir()
	// This benchmark measures memory, not latency: on a loaded machine 1000 simultaneous 64 KiB
	// bodies can take longer than the configured 2s per message, so the timeout is raised, for
	// the emulator and for warden (whose stages, the audit write among them, keep within it).
	bootstrap := filepath.Join(dir, "bootstrap.yaml")
	writeBootstrapWithTimeout(b, bootstrap, "60s")
	cfgPath := filepath.Join(dir, "warden.yaml")
	if err := os.WriteFile(cfgPath, []byte(fmt.Sprintf("listen: 127.0.0.1:0\nadmin: 127.0.0.1:0\ndata_dir: %s\nlog: {level: info, format: text}\nenvoy: {bootstrap: %s}\n", dir, bootstrap)), 0o600); err != nil {
		b.Fatal(err)
	}
	cmd := exec.Command(bin, "serve", "--config", cfgPath)
	if v := os.Getenv("WARDEN_BENCH_GOMEMLIMIT"); v != "" {
		cmd.Env = append(os.Environ(), "GOMEMLIMIT="+v)
	}
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	addr := waitListening(b, stderr)
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	filter := proto.Clone(envoy.DefaultExtProcFilter()).(*extprocfilterv3.ExternalProcessor)
	filter.MessageTimeout = durationpb.New(time.Minute)
	e, err := extproctest.New(extprocv3.NewExternalProcessorClient(conn), filter)
	if err != nil {
		b.Fatal(err)
	}
	body := `{"blob":"` + strings.Repeat("x", 64<<10-12) + `"}`
	n := 1000
	if v, err := strconv.Atoi(os.Getenv("WARDEN_BENCH_STREAMS")); err == nil {
		n = v
	}
	for range b.N {
		var arrived sync.WaitGroup
		arrived.Add(n)
		release := make(chan struct{})
		var done sync.WaitGroup
		var failed atomic.Int64
		for i := range n {
			done.Add(1)
			go func() {
				defer done.Done()
				var once sync.Once
				up := extproctest.UpstreamFunc(func(ctx context.Context, req *extproctest.UpstreamRequest) (*extproctest.Response, error) {
					once.Do(arrived.Done)
					<-release // every stream is now past warden's request phase and still open
					return &extproctest.Response{Status: 200, Headers: extproctest.Headers{{Key: "content-type", Value: "application/json"}}, Body: extproctest.Chunks(nil, `{"ok":true}`)}, nil
				})
				res, err := e.Run(context.Background(), request("POST", fmt.Sprintf("https://api.example/%d", i), map[string]string{"content-type": "application/json"}, body), up)
				once.Do(arrived.Done)
				if err != nil || res.Status != 200 {
					if failed.Add(1) == 1 {
						b.Errorf("stream %d: err %v, status %d %s %q", i, err, res.Status, res.Details, res.Body())
					}
				}
			}()
		}
		arrived.Wait()
		rss := procStatusKiB(b, cmd.Process.Pid, "VmRSS")
		close(release)
		done.Wait()
		if f := failed.Load(); f > 0 {
			b.Fatalf("%d of %d streams failed", f, n)
		}
		b.ReportMetric(float64(rss)/1024, "rss-MiB-at-1000-streams")
		b.ReportMetric(float64(procStatusKiB(b, cmd.Process.Pid, "VmHWM"))/1024, "peak-rss-MiB")
	}
}

// writeBootstrapWithTimeout writes warden's embedded Envoy bootstrap with the ext_proc filter's
// message_timeout set to timeout, for `warden serve`'s envoy.bootstrap (as the leak test in
// core_test.go does).
func writeBootstrapWithTimeout(b *testing.B, path, timeout string) {
	b.Helper()
	boot := strings.Replace(string(envoy.BootstrapYAML), "message_timeout: 2s", "message_timeout: "+timeout, 1)
	if boot == string(envoy.BootstrapYAML) {
		b.Fatal("envoy/bootstrap.yaml no longer says message_timeout: 2s; update this benchmark")
	}
	if err := os.WriteFile(path, []byte(boot), 0o600); err != nil {
		b.Fatal(err)
	}
}

func buildWarden(b *testing.B) string {
	b.Helper()
	bin := filepath.Join(b.TempDir(), "warden")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/warden-gw/warden/cmd/warden").CombinedOutput()
	if err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// waitListening reads warden's log until it says where ext_proc listens.
func waitListening(tb testing.TB, stderr interface{ Read([]byte) (int, error) }) string {
	tb.Helper()
	sc := bufio.NewScanner(stderr)
	found := make(chan string, 1)
	go func() {
		for sc.Scan() {
			line := sc.Text()
			if i := strings.Index(line, "ext_proc="); i >= 0 && strings.Contains(line, "warden serving") {
				f := strings.Fields(line[i+len("ext_proc="):])
				found <- f[0]
			}
		}
	}()
	select {
	case a := <-found:
		return a
	case <-time.After(60 * time.Second):
		tb.Fatal("warden serve did not log its address within 60s")
		return ""
	}
}

func procStatusKiB(tb testing.TB, pid int, field string) int {
	tb.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		tb.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, field+":") {
			f := strings.Fields(line)
			v, _ := strconv.Atoi(f[1])
			return v
		}
	}
	tb.Fatalf("%s not in /proc/%d/status", field, pid)
	return 0
}
