package audit

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/warden-gw/warden/audit/record/recordtest"
	"github.com/warden-gw/warden/audit/spool"
	"github.com/warden-gw/warden/exchange"
)

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// testConfig is a small, fast configuration in dir.
func testConfig(dir string) Config {
	return Config{
		Dir: dir, ChainID: "test-chain", SegmentBytes: 1 << 20, MaxBytes: 64 << 20,
		Checkpoint: CheckpointConfig{Every: 10, Interval: time.Hour}, Logger: quietLogger(),
	}
}

func openLog(t *testing.T, cfg Config) *Log {
	t.Helper()
	l, err := Open(context.Background(), cfg)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return l
}

func closeLog(t *testing.T, l *Log) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := l.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}
}

func sampleExchange(i int, session string) *exchange.Exchange {
	return recordtest.SampleExchange(i, session)
}

// writeRecords records n exchanges (request + completion for even i) and returns request ids.
func writeRecords(t *testing.T, l *Log, n int, session string) {
	t.Helper()
	for i := range n {
		x := sampleExchange(i, session)
		stage := StageRequest
		if i%2 == 1 {
			stage = StageCompletion
		}
		if err := l.Record(context.Background(), x, stage); err != nil {
			t.Fatalf("Record %d: %v", i, err)
		}
	}
}

// spoolEntries reads every entry of a spool folder.
func spoolEntries(t *testing.T, dir string) []Entry {
	t.Helper()
	var out []Entry
	if err := spool.Scan(dir, func(e spool.Entry) error {
		out = append(out, Entry{Pos: e.Pos(), Payload: append([]byte(nil), e.Payload...)})
		return nil
	}); err != nil {
		t.Fatalf("scan spool: %v", err)
	}
	return out
}

// recordIndexes returns the indexes of the record entries (not checkpoints).
func recordIndexes(t *testing.T, es []Entry) []int {
	t.Helper()
	var out []int
	for i, e := range es {
		if !strings.Contains(string(e.Payload), `"checkpoint":{`) {
			out = append(out, i)
		}
	}
	return out
}

// waitFor polls cond (every few ms, for at most 10 s) until it holds; what names the condition
// in the failure. For states with no event to wait on: counters, the durable index, a signer's
// call count.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within 10s: %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// waitCheckpoints waits until the log's checkpointer has written n checkpoints (it signs off the
// record path, so Record returning does not mean its checkpoint exists yet).
func waitCheckpoints(t *testing.T, l *Log, n float64) {
	t.Helper()
	waitFor(t, fmt.Sprintf("%v checkpoints written", n), func() bool { return counterValue(l.m.checkpoints) >= n })
}

// waitCheckpointErrors waits until n checkpoints failed to be signed or written.
func waitCheckpointErrors(t *testing.T, l *Log, n float64) {
	t.Helper()
	waitFor(t, fmt.Sprintf("%v checkpoint errors", n), func() bool { return counterValue(l.m.ckptErrors) >= n })
}
