package policydiff

import (
	"crypto/sha256"
	"syscall"
	"testing"
	"time"
)

// processCPU is the CPU time of the whole process (every thread, so the garbage collector's
// work counts too). On this shared machine wall time mostly measures waiting for a core.
func processCPU(tb testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// calibrate returns the CPU time of SHA-256 over 1 KiB on this machine right now (about 600 ns
// on an idle core of this CPU class): how inflated the run's figures are.
func calibrate(tb testing.TB) float64 {
	buf := make([]byte, 1024)
	const n = 20000
	start := processCPU(tb)
	for range n {
		sum := sha256.Sum256(buf)
		buf[0] = sum[0]
	}
	return float64((processCPU(tb) - start).Nanoseconds()) / n
}

// BenchmarkDiff re-decides recorded exchanges (request and completion records, as the spool
// holds them) with the default pack, one exchange per iteration on one goroutine, and reports
// exchanges/s. "repeated" is traffic whose inputs repeat (the same statements and calls, as an
// agent's traffic does), with the decision cache; "unique" gives every exchange its own input
// and disables the cache, so every exchange is decoded and decided: the worst case. Run it with
// GOMAXPROCS=1 (one core); exchanges/cpu-s divides by the process's CPU time, garbage
// collection included.
func BenchmarkDiff(b *testing.B) {
	ps := defaultPack(b)
	for _, c := range []struct {
		name   string
		unique bool
		cache  int
	}{{"repeated", false, 0}, {"unique", true, -1}} {
		b.Run(c.name, func(b *testing.B) {
			const n = 6000
			recs := recordTraffic(b, ps, n, c.unique)
			d := New(b.Context(), ps, Options{CacheEntries: c.cache})
			var bytes int64
			for _, r := range recs {
				bytes += int64(len(r))
			}
			b.SetBytes(bytes / n)
			b.ReportAllocs()
			b.ResetTimer()
			cpu0 := processCPU(b)
			done := 0
			for done < b.N {
				for _, r := range recs {
					d.Add(r)
				}
				done += n
			}
			res := d.Result()
			cpu := processCPU(b) - cpu0
			b.StopTimer()
			if res.Exchanges != done {
				b.Fatalf("re-decided %d exchanges of %d (skipped %v)", res.Exchanges, done, res.Skipped)
			}
			b.ReportMetric(float64(done)/b.Elapsed().Seconds(), "exchanges/s")
			b.ReportMetric(float64(done)/cpu.Seconds(), "exchanges/cpu-s")
			b.ReportMetric(calibrate(b), "sha256-1KiB-ns")
		})
	}
}
