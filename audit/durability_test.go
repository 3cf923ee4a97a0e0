package audit

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/warden-gw/warden/audit/spool"
	"github.com/warden-gw/warden/exchange"
)

// gatedFile is a segment file whose Write or Sync blocks until the test opens its gate: a disk
// that stalls, without timing in the test.
type gatedFile struct {
	spool.File
	gate    chan struct{} // closed: calls pass
	entered chan struct{} // receives once per call that blocks
	sync    bool          // gate Sync (else Write)
}

func (f *gatedFile) wait() {
	select {
	case <-f.gate:
		return
	default:
	}
	f.entered <- struct{}{}
	<-f.gate
}

func (f *gatedFile) Write(p []byte) (int, error) {
	if !f.sync {
		f.wait()
	}
	return f.File.Write(p)
}

func (f *gatedFile) Sync() error {
	if f.sync {
		f.wait()
	}
	return f.File.Sync()
}

// gate makes cfg's spool block on Write (or Sync) once armed is closed. It returns the channel
// that reports a blocked call and the function that opens the gate for good.
func gate(cfg *Config, onSync bool, armed <-chan struct{}) (entered chan struct{}, open func()) {
	g, entered := make(chan struct{}), make(chan struct{}, 64)
	var once sync.Once
	open = func() { once.Do(func() { close(g) }) }
	cfg.wrapFile = func(f spool.File) spool.File {
		return &armedFile{armed: armed, gated: &gatedFile{File: f, gate: g, entered: entered, sync: onSync}}
	}
	return entered, open
}

// armedFile passes calls straight to the file until armed is closed (opening the log writes and
// fsyncs as usual), then through the gate.
type armedFile struct {
	armed <-chan struct{}
	gated *gatedFile
}

func (a *armedFile) on() bool {
	select {
	case <-a.armed:
		return true
	default:
		return false
	}
}

func (a *armedFile) Write(p []byte) (int, error) {
	if a.on() {
		return a.gated.Write(p)
	}
	return a.gated.File.Write(p)
}

func (a *armedFile) Sync() error {
	if a.on() {
		return a.gated.Sync()
	}
	return a.gated.File.Sync()
}

func (a *armedFile) Close() error { return a.gated.Close() }

// TestWrittenModeDoesNotWaitForFsync: in mode written, Record returns while the fsync of its
// record is stalled (the record is already in the file), and the background fsync makes it
// durable once the disk answers.
func TestWrittenModeDoesNotWaitForFsync(t *testing.T) {
	dir := t.TempDir()
	cfg := testConfig(dir)
	cfg.Mode, cfg.SyncInterval = ModeWritten, 5*time.Millisecond
	armed := make(chan struct{})
	entered, open := gate(&cfg, true, armed)
	l := openLog(t, cfg)
	defer closeLog(t, l)
	defer open()
	close(armed)
	if err := l.Record(context.Background(), sampleExchange(1, "s"), StageRequest); err != nil {
		t.Fatal(err)
	}
	<-entered // the syncer is stuck in fsync; Record has returned all the same
	if got := len(recordIndexes(t, spoolEntries(t, dir))); got != 1 {
		t.Fatalf("%d records readable in the spool file before the fsync, want 1", got)
	}
	if st := l.spool.Stats(); st.Durable != 0 {
		t.Fatalf("durable index %d before the fsync returned", st.Durable)
	}
	if got := gaugeValue(t, l.m.unsynced); got != 1 {
		t.Fatalf("warden_audit_unsynced_entries = %v while the fsync is stalled, want 1", got)
	}
	open()
	waitFor(t, "the background fsync", func() bool { return l.spool.Stats().Durable >= 1 })
}

// TestStrictModeWaitsForFsync: in mode strict, Record is still waiting while the fsync is
// stalled: cancelling it then makes it fail instead of returning success.
func TestStrictModeWaitsForFsync(t *testing.T) {
	cfg := testConfig(t.TempDir())
	cfg.Mode = ModeStrict
	armed := make(chan struct{})
	entered, open := gate(&cfg, true, armed)
	l := openLog(t, cfg)
	defer closeLog(t, l)
	defer open()
	close(armed)
	ctx, cancel := context.WithCancel(context.Background())
	res := make(chan error, 1)
	go func() { res <- l.Record(ctx, sampleExchange(1, "s"), StageRequest) }()
	<-entered
	cancel()
	if err := <-res; !errors.Is(err, context.Canceled) {
		t.Fatalf("strict Record during a stalled fsync: err = %v, want context.Canceled", err)
	}
	open()
	if err := l.Record(context.Background(), sampleExchange(2, "s"), StageRequest); err != nil {
		t.Fatal(err)
	}
	if l.spool.Stats().Durable < 2 {
		t.Fatal("strict Record returned before its record was fsynced")
	}
}

// TestRequestRecordDeadline (#14): a request record whose write outlives the caller's deadline
// fails (the server answers 503 audit_unavailable); when the write lands, a failed completion
// record with error_code audit_timeout and status 503 follows it, and the chain verifies.
func TestRequestRecordDeadline(t *testing.T) {
	for _, mode := range []Mode{ModeWritten, ModeStrict} {
		t.Run(string(mode), func(t *testing.T) {
			dir := t.TempDir()
			cfg := testConfig(dir)
			cfg.Mode = mode
			armed := make(chan struct{})
			entered, open := gate(&cfg, false, armed)
			l := openLog(t, cfg)
			close(armed)
			ctx, cancel := context.WithCancel(context.Background())
			res := make(chan error, 1)
			x := sampleExchange(1, "s")
			go func() { res <- l.Record(ctx, x, StageRequest) }()
			<-entered // the flusher is stuck writing the record
			cancel()  // the message deadline passes
			if err := <-res; !errors.Is(err, context.Canceled) {
				t.Fatalf("Record past its deadline: err = %v", err)
			}
			x.Disposition = exchange.Allowed // the caller changing x afterwards changes nothing
			open()
			waitFor(t, "the audit_timeout completion record", func() bool {
				return counterValue(l.m.records.WithLabelValues(string(StageCompletion))) == 1
			})
			closeLog(t, l)
			es := spoolEntries(t, dir)
			if rep := Verify(es, VerifyOptions{}); !rep.OK() {
				t.Fatalf("chain: %v", rep.Problems)
			}
			stages := map[Stage]Record{}
			for _, i := range recordIndexes(t, es) {
				var r Record
				if err := json.Unmarshal(es[i].Payload, &r); err != nil {
					t.Fatal(err)
				}
				stages[r.Unmapped.Warden.Stage] = r
			}
			c, ok := stages[StageCompletion]
			if _, req := stages[StageRequest]; !req || !ok || len(stages) != 2 {
				t.Fatalf("records by stage: %v", stages)
			}
			w := c.Unmapped.Warden
			if w.ErrorCode != ErrorCodeAuditTimeout || w.Disposition != string(exchange.Failed) || c.HTTPResponse == nil || c.HTTPResponse.Code != 503 {
				t.Fatalf("completion record: error_code %q disposition %q response %+v", w.ErrorCode, w.Disposition, c.HTTPResponse)
			}
			if got := counterValue(l.m.recordErrors.WithLabelValues("timeout")); got != 1 {
				t.Errorf("record_errors{reason=timeout} = %v, want 1", got)
			}
		})
	}
}

// TestCompletionRecordNeverWaits (#13 item 3): the completion record returns while the disk is
// stalled, in both modes; one that cannot be written is counted and reported, and the request
// records after it are what readiness and 503s are about.
func TestCompletionRecordNeverWaits(t *testing.T) {
	for _, mode := range []Mode{ModeWritten, ModeStrict} {
		t.Run(string(mode), func(t *testing.T) {
			cfg := testConfig(t.TempDir())
			cfg.Mode = mode
			armed := make(chan struct{})
			entered, open := gate(&cfg, mode == ModeStrict, armed)
			l := openLog(t, cfg)
			defer closeLog(t, l)
			defer open()
			x := sampleExchange(1, "s")
			if err := l.Record(context.Background(), x, StageRequest); err != nil {
				t.Fatal(err)
			}
			close(armed)
			// A stalled disk: the completion record is queued and Record returns. (Were it to
			// wait, this call would not return until open() below.)
			if err := l.Record(context.Background(), x, StageCompletion); err != nil {
				t.Fatal(err)
			}
			<-entered // the flusher (or the fsync) is stuck on that record right now
			open()
		})
	}
	t.Run("lost", func(t *testing.T) {
		cfg := testConfig(t.TempDir())
		cfg.SegmentBytes, cfg.MaxBytes = 8<<10, 16<<10
		l := openLog(t, cfg)
		defer closeLog(t, l)
		var err error
		for i := 0; err == nil; i++ {
			err = l.Record(context.Background(), sampleExchange(i, "s"), StageCompletion)
		}
		if !errors.Is(err, ErrSpoolFull) {
			t.Fatalf("err = %v, want ErrSpoolFull", err)
		}
		if got := counterValue(l.m.completionLost.WithLabelValues("spool_full")); got != 1 {
			t.Fatalf("completion_lost{spool_full} = %v, want 1", got)
		}
		if l.Ready() == nil {
			t.Fatal("ready while the spool refuses records")
		}
	})
}
