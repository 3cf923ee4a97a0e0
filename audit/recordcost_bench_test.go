package audit

import (
	"testing"
	"time"

	"github.com/warden-gw/warden/audit/record"
	"github.com/warden-gw/warden/redact"
)

// BenchmarkRecordCost is the CPU a record costs before it reaches the sequencer: build, redact
// every string (as warden serve configures it: the redaction engine's Text), encode and hash.
// Sub-benchmarks split it: build alone, the walks with a no-op redactor, and the whole path
// before (redact.Fields) and after (MapStrings).
//
//	go test ./audit -run '^$' -bench BenchmarkRecordCost -benchmem
func BenchmarkRecordCost(b *testing.B) {
	eng, err := redact.New(redact.Config{})
	if err != nil {
		b.Fatal(err)
	}
	x := sampleExchange(1, "sess-1")
	now := time.Now()
	b.Run("build", func(b *testing.B) {
		b.ReportAllocs()
		defer cpuPerOp(b)()
		for b.Loop() {
			_ = BuildRecord(x, StageRequest, Product{Name: "warden"}, now)
		}
	})
	b.Run("build+walk", func(b *testing.B) {
		b.ReportAllocs()
		defer cpuPerOp(b)()
		for b.Loop() {
			BuildRecord(x, StageRequest, Product{Name: "warden"}, now).MapStrings(func(s string) string { return s })
		}
	})
	b.Run("build+walk/reflection", func(b *testing.B) {
		b.ReportAllocs()
		defer cpuPerOp(b)()
		for b.Loop() {
			redact.Fields(BuildRecord(x, StageRequest, Product{Name: "warden"}, now), func(s string) string { return s })
		}
	})
	b.Run("build+redact+encode/before", func(b *testing.B) { // the write path before MapStrings
		b.ReportAllocs()
		defer cpuPerOp(b)()
		for b.Loop() {
			r := BuildRecord(x, StageRequest, Product{Name: "warden"}, now)
			redact.Fields(r, eng.Text)
			if _, _, err := record.Encode(r); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, stage := range []Stage{StageRequest, StageCompletion} {
		b.Run("build+redact+encode/"+string(stage), func(b *testing.B) {
			l := &Log{cfg: Config{Product: Product{Name: "warden"}, Now: time.Now, Redact: eng.Text}}
			b.ReportAllocs()
			defer cpuPerOp(b)()
			for b.Loop() {
				if _, _, err := l.encode(nil, l.build(x, stage)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// cpuPerOp reports the process CPU time per iteration (cpu-ns/op): on a machine shared with
// other jobs, wall time per op varies with what else runs; CPU time much less.
func cpuPerOp(b *testing.B) func() {
	start := cpuTime()
	return func() { b.ReportMetric(float64((cpuTime()-start).Nanoseconds())/float64(b.N), "cpu-ns/op") }
}
