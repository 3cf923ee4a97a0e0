package audit

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/warden-gw/warden/audit/kafka"
	"github.com/warden-gw/warden/internal/kafkaconn"
)

// benchDir is where a benchmark puts its spool: $WARDEN_AUDIT_BENCH_DIR (e.g. /dev/shm, to take
// the disk's fsync out of the measurement) or the test's temp folder.
func benchDir(b *testing.B) string {
	b.Helper()
	base := os.Getenv("WARDEN_AUDIT_BENCH_DIR")
	if base == "" {
		return b.TempDir()
	}
	dir, err := os.MkdirTemp(base, "audit-bench-")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = os.RemoveAll(dir) })
	return dir
}

// benchConfig is a log in benchDir with room for any run: an 8 GiB bound, 256 MiB segments and a
// checkpoint every 1000 records (the default).
func benchConfig(b *testing.B) Config {
	b.Helper()
	cfg := testConfig(benchDir(b))
	cfg.MaxBytes, cfg.SegmentBytes, cfg.Checkpoint.Every = 8<<30, 256<<20, 1000
	return cfg
}

// concurrency is the number of goroutines calling Record at once (ext_proc streams in flight).
const concurrency = 1000

// loadRecords calls Record n times from `concurrency` goroutines and returns each call's latency.
func loadRecords(b *testing.B, l *Log, n int) []time.Duration {
	b.Helper()
	return loadRecordsFrom(b, l, n, concurrency)
}

// loadRecordsFrom calls Record n times from callers goroutines and returns each call's latency.
func loadRecordsFrom(b *testing.B, l *Log, n, callers int) []time.Duration {
	b.Helper()
	var next atomic.Int64
	lat := make([]time.Duration, n)
	var wg sync.WaitGroup
	for g := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if i >= int64(n) {
					return
				}
				x := sampleExchange(int(i), fmt.Sprintf("s%d", g%64))
				start := time.Now()
				if err := l.Record(context.Background(), x, StageRequest); err != nil {
					b.Error(err)
					return
				}
				lat[i] = time.Since(start)
			}
		}()
	}
	wg.Wait()
	return lat
}

// cpuTime is the process's user+system CPU time: with other jobs on the machine, CPU per record
// is the number that does not depend on how much of the CPU this process got.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func reportCPU(b *testing.B, before time.Duration) {
	b.Helper()
	b.ReportMetric(float64((cpuTime()-before).Microseconds())/float64(b.N), "cpu-µs/record")
}

func reportLatency(b *testing.B, lat []time.Duration) {
	b.Helper()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	pct := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) }
	b.ReportMetric(pct(0.50), "p50-µs")
	b.ReportMetric(pct(0.99), "p99-µs")
}

// BenchmarkRecordMode: records/s and the latency a request-record Record call adds, per
// durability mode, from 1 caller (one ext_proc stream at a time) and 64 concurrent callers.
// Run it twice, the spool on the real disk and on tmpfs:
//
//	go test ./audit -run '^$' -bench BenchmarkRecordMode -benchtime 3s
//	WARDEN_AUDIT_BENCH_DIR=/dev/shm go test ./audit -run '^$' -bench BenchmarkRecordMode -benchtime 3s
func BenchmarkRecordMode(b *testing.B) {
	for _, mode := range []Mode{ModeWritten, ModeStrict} {
		for _, callers := range []int{1, 64} {
			b.Run(fmt.Sprintf("%s/callers=%d", mode, callers), func(b *testing.B) {
				cfg := benchConfig(b)
				cfg.Mode = mode
				l, err := Open(context.Background(), cfg)
				if err != nil {
					b.Fatal(err)
				}
				b.ResetTimer()
				start, cpu := time.Now(), cpuTime()
				lat := loadRecordsFrom(b, l, b.N, callers)
				b.StopTimer()
				b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "records/s")
				reportCPU(b, cpu)
				reportLatency(b, lat)
				var m dto.Metric
				_ = l.m.fsync.Write(&m)
				b.ReportMetric(float64(b.N)/float64(max(1, m.GetHistogram().GetSampleCount())), "records/fsync")
				_ = l.Close(context.Background())
			})
		}
	}
}

// BenchmarkRecordDurable: records/s into the strict (fsync before return) spool and the latency a
// Record call adds (build + hash + group-committed fsync) with 1000 concurrent callers.
func BenchmarkRecordDurable(b *testing.B) {
	cfg := benchConfig(b)
	cfg.Mode = ModeStrict
	l, err := Open(context.Background(), cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	start, cpu := time.Now(), cpuTime()
	lat := loadRecords(b, l, b.N)
	b.StopTimer()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "records/s")
	reportCPU(b, cpu)
	reportLatency(b, lat)
	b.ReportMetric(float64(l.spool.Stats().Next)/float64(max(1, int(counterValue(l.m.checkpoints)))), "entries/ckpt")
	_ = l.Close(context.Background())
}

// BenchmarkRecordAsync is the same load in written mode (written before return, fsync in the
// background every sync_interval).
func BenchmarkRecordAsync(b *testing.B) {
	cfg := benchConfig(b)
	cfg.Mode = ModeWritten
	l, err := Open(context.Background(), cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	start, cpu := time.Now(), cpuTime()
	lat := loadRecords(b, l, b.N)
	b.StopTimer()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "records/s")
	reportCPU(b, cpu)
	reportLatency(b, lat)
	_ = l.Close(context.Background())
}

// BenchmarkShipToKfake: records/s from Record (durable, 1000 callers) until every record is
// acknowledged (acks=all) by a 3-broker in-process Kafka. batch_bytes keeps its default (1 MB:
// about 380 records of this size per produce call; kfake refuses larger batches).
func BenchmarkShipToKfake(b *testing.B) {
	c := kfakeCluster(b, 3, 12)
	cfg := benchConfig(b)
	cfg.Kafka = &kafka.Config{Settings: kafkaconn.Settings{Brokers: c.ListenAddrs()}, Topic: topic, BatchSize: 2000, BatchTimeout: 2 * time.Millisecond}
	l, err := Open(context.Background(), cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	start, cpu := time.Now(), cpuTime()
	loadRecords(b, l, b.N)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if err := l.shipper.WaitFor(ctx, l.spool.Stats().Next); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "shipped-records/s")
	reportCPU(b, cpu) // includes the in-process brokers' CPU
	_ = l.Close(context.Background())
}

// BenchmarkRecordDurableOpenLoop measures the latency a durable Record adds to a request when
// 1000 streams each record at a steady rate (2000 records/s in total, below saturation), as
// ext_proc streams do, instead of back-to-back (which measures queueing: Little's law).
func BenchmarkRecordDurableOpenLoop(b *testing.B) {
	cfg := benchConfig(b)
	l, err := Open(context.Background(), cfg)
	if err != nil {
		b.Fatal(err)
	}
	const perStream = 2 * time.Second / 2000 * concurrency / 2 // each stream: one record every 500ms
	// At least 4000 samples, so that `make bench` (-benchtime 1s, which starts with b.N = 1 and
	// stops when one run takes a second) still reports a meaningful p99.
	n := max(b.N, 4000)
	lat := make([]time.Duration, 0, n)
	var mu sync.Mutex
	var next atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	for g := range concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Spread the streams: start each ticker after its offset (a ticker started before the
			// sleep would make all 1000 streams fire at the same instants, in bursts).
			time.Sleep(time.Duration(g) * perStream / concurrency)
			t := time.NewTicker(perStream)
			defer t.Stop()
			for range t.C {
				i := next.Add(1) - 1
				if i >= int64(n) {
					return
				}
				start := time.Now()
				if err := l.Record(context.Background(), sampleExchange(int(i), "s"), StageRequest); err != nil {
					b.Error(err)
					return
				}
				d := time.Since(start)
				mu.Lock()
				lat = append(lat, d)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	b.StopTimer()
	reportLatency(b, lat)
	_ = l.Close(context.Background())
}

// BenchmarkShipBacklog: how fast the shipper drains a backlog (what it does after a Kafka outage
// or a restart): b.N records are written first with no Kafka configured, then the log is reopened
// with a 3-broker in-process Kafka and timed until every record is acknowledged.
func BenchmarkShipBacklog(b *testing.B) {
	shipBacklog(b, 0, 0, "")
}

// BenchmarkShipBacklogCompressed is the same drain with each compression codec: the CPU it
// costs per record (the brokers store compressed batches as they are).
func BenchmarkShipBacklogCompressed(b *testing.B) {
	for _, codec := range []string{"none", "snappy", "lz4", "zstd", "gzip"} {
		b.Run(codec, func(b *testing.B) { shipBacklog(b, 0, 0, codec) })
	}
}

// BenchmarkShipBacklogBrokerLatency is the same drain with every produce request held 3 ms in
// the broker (acks=all across zones takes a few ms), with one batch outstanding at a time and
// with the default window: how much of the broker's latency the in-flight window hides.
func BenchmarkShipBacklogBrokerLatency(b *testing.B) {
	for _, inFlight := range []int{1, 8} {
		b.Run(fmt.Sprintf("max_in_flight=%d", inFlight), func(b *testing.B) {
			shipBacklog(b, 3*time.Millisecond, inFlight, "")
		})
	}
}

func shipBacklog(b *testing.B, latency time.Duration, inFlight int, codec string) {
	c := kfakeCluster(b, 3, 12)
	if latency > 0 {
		c.ControlKey(int16(kmsg.Produce), func(kmsg.Request) (kmsg.Response, error, bool) {
			c.KeepControl()
			c.SleepControl(func() { time.Sleep(latency) }) // other connections run meanwhile
			return nil, nil, false
		})
	}
	cfg := benchConfig(b)
	l, err := Open(context.Background(), cfg)
	if err != nil {
		b.Fatal(err)
	}
	loadRecords(b, l, b.N)
	if err := l.Close(context.Background()); err != nil {
		b.Fatal(err)
	}
	cfg.Kafka = &kafka.Config{Settings: kafkaconn.Settings{Brokers: c.ListenAddrs()}, Topic: topic, MaxInFlight: inFlight, Compression: codec}
	b.ResetTimer()
	start, cpu := time.Now(), cpuTime()
	l, err = Open(context.Background(), cfg)
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if err := l.shipper.WaitFor(ctx, l.spool.Stats().Next); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "shipped-records/s")
	reportCPU(b, cpu) // includes the in-process brokers' CPU
	_ = l.Close(context.Background())
}

// BenchmarkOpenResume: how long Open takes to resume the chain from a spool whose newest segment
// holds 40 000 records (about 100 MB: a full segment of this benchmark's size).
func BenchmarkOpenResume(b *testing.B) {
	cfg := benchConfig(b)
	l, err := Open(context.Background(), cfg)
	if err != nil {
		b.Fatal(err)
	}
	loadRecords(b, l, 40000)
	if err := l.Close(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		l, err := Open(context.Background(), cfg)
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		_ = l.Close(context.Background())
		b.StartTimer()
	}
}

// BenchmarkMemoryWhileKafkaDown: b.N records (at least 40 000) while every produce fails. It
// reports the heap in use after a quarter, after half and at the end, and how much the spool
// grew over the second half: the backlog lives on disk, so once the shipper holds its bounded
// window of batches (about (max_in_flight + 4) × batch_bytes) the heap stays flat while the
// spool keeps growing.
func BenchmarkMemoryWhileKafkaDown(b *testing.B) {
	c := kfakeCluster(b, 3, 12)
	// Every produce is answered NOT_ENOUGH_REPLICAS, as a cluster that lost its in-sync replicas
	// answers acks=all. (Failing the request at the connection instead makes the in-process
	// broker itself pile up read buffers, which would be counted here as warden's heap.)
	c.ControlKey(int16(kmsg.Produce), func(kr kmsg.Request) (kmsg.Response, error, bool) {
		c.KeepControl()
		return refuseProduce(kr.(*kmsg.ProduceRequest)), nil, true
	})
	cfg := benchConfig(b)
	cfg.SegmentBytes = 64 << 20
	cfg.Kafka = &kafka.Config{Settings: kafkaconn.Settings{Brokers: c.ListenAddrs()}, Topic: topic, RetryMin: 10 * time.Millisecond, RetryMax: 100 * time.Millisecond}
	l, err := Open(context.Background(), cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_ = l.Close(ctx) // Kafka stays down: the backlog stays in the spool
	}()
	heap := func() float64 {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return float64(ms.HeapInuse) / (1 << 20)
	}
	spool := func() float64 { return float64(l.spool.Stats().Bytes) / (1 << 20) }
	n := max(b.N, 40000)
	loadRecords(b, l, n/4)
	quarter := heap()
	loadRecords(b, l, n/4)
	half, spoolHalf := heap(), spool()
	loadRecords(b, l, n-n/2)
	end, spoolEnd := heap(), spool()
	if l.shipper.Position() != 0 {
		b.Fatal("records were shipped although every produce failed")
	}
	b.ReportMetric(quarter, "heap-MiB-at-25%")
	b.ReportMetric(half, "heap-MiB-at-50%")
	b.ReportMetric(end, "heap-MiB-at-end")
	b.ReportMetric(spoolEnd-spoolHalf, "spool-MiB-2nd-half")
}

// refuseProduce answers every partition of req with NOT_ENOUGH_REPLICAS.
func refuseProduce(req *kmsg.ProduceRequest) *kmsg.ProduceResponse {
	resp := req.ResponseKind().(*kmsg.ProduceResponse)
	for _, t := range req.Topics {
		rt := kmsg.NewProduceResponseTopic()
		rt.Topic = t.Topic
		for _, p := range t.Partitions {
			rp := kmsg.NewProduceResponseTopicPartition()
			rp.Partition, rp.ErrorCode = p.Partition, kerr.NotEnoughReplicas.Code
			rt.Partitions = append(rt.Partitions, rp)
		}
		resp.Topics = append(resp.Topics, rt)
	}
	return resp
}
