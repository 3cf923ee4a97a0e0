package exchange

import (
	"testing"
	"time"
)

// A stage timed per chunk of a long stream keeps adding to Timings, but Stages stops at
// MaxStageRuns and counts the rest, so a trace of the exchange stays bounded and says so.
func TestStageRunsAreBounded(t *testing.T) {
	var x Exchange
	for range MaxStageRuns + 10 {
		x.Time("redact", time.Millisecond)
	}
	if len(x.Stages) != MaxStageRuns || x.StagesDropped != 10 {
		t.Fatalf("%d runs kept, %d dropped; want %d and 10", len(x.Stages), x.StagesDropped, MaxStageRuns)
	}
	if x.Timings["redact"] != time.Duration(MaxStageRuns+10)*time.Millisecond {
		t.Fatalf("timing %s lost the dropped runs", x.Timings["redact"])
	}
	if r := x.Stages[0]; r.Stage != "redact" || r.Dur != time.Millisecond || r.Start.IsZero() {
		t.Fatalf("first run %+v", r)
	}
}
