package audit

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/warden-gw/warden/audit/record"
	"github.com/warden-gw/warden/audit/spool"
	"github.com/warden-gw/warden/exchange"
)

func TestRecordIsDurableAndChainVerifies(t *testing.T) {
	dir := t.TempDir()
	l := openLog(t, testConfig(dir))
	writeRecords(t, l, 25, "s1")
	// Durable: what Record returned is already on disk, before Close.
	if got := len(recordIndexes(t, spoolEntries(t, dir))); got != 25 {
		t.Fatalf("spool holds %d records after 25 durable Record calls", got)
	}
	// Checkpoints are signed off the record path; those at seq 10 and 20 follow shortly. (At
	// Close, a snapshot still queued would be covered by the final checkpoint instead.)
	waitCheckpoints(t, l, 2)
	closeLog(t, l)
	pub, err := LoadPublicKey(filepath.Join(dir, "checkpoint.key.pub"))
	if err != nil {
		t.Fatal(err)
	}
	rep := Verify(spoolEntries(t, dir), VerifyOptions{PublicKey: pub, Strict: true})
	if !rep.OK() {
		t.Fatalf("fresh chain does not verify: %v", rep.Problems)
	}
	c := rep.Chains["test-chain"]
	if c.FirstSeq != 1 || c.LastSeq != 25 || c.Checkpoints != 3 || c.SignedUpTo != 25 {
		t.Fatalf("chain summary = %+v; want seq 1..25, 3 checkpoints (every 10 + final), signed to 25", *c)
	}
}

func TestChainContinuesAfterRestart(t *testing.T) {
	dir := t.TempDir()
	l := openLog(t, testConfig(dir))
	writeRecords(t, l, 7, "s1")
	closeLog(t, l)
	l = openLog(t, testConfig(dir))
	writeRecords(t, l, 8, "s2")
	closeLog(t, l)
	pub, _ := LoadPublicKey(filepath.Join(dir, "checkpoint.key"))
	rep := Verify(spoolEntries(t, dir), VerifyOptions{PublicKey: pub})
	if !rep.OK() || rep.Chains["test-chain"].LastSeq != 15 {
		t.Fatalf("restarted chain: %+v problems %v", rep.Chains["test-chain"], rep.Problems)
	}
}

// Entries that are not this chain's records follow its last record (here: an entry of unknown
// shape, as a newer warden might write): resuming must find the chain's head and checkpoint
// behind them, not give up at the newest entry.
func TestChainResumesBehindForeignEntries(t *testing.T) {
	dir := t.TempDir()
	l := openLog(t, testConfig(dir))
	writeRecords(t, l, 7, "s1")
	closeLog(t, l)
	sp, _, err := spool.Open(dir, spool.Options{SegmentBytes: 1 << 20, MaxBytes: 64 << 20})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range []string{`{"note":"not a record"}`, `{"checkpoint":{"chain_id":"elsewhere"}}`} {
		tk, _, err := sp.Append([]byte(e))
		if err != nil {
			t.Fatal(err)
		}
		if err := sp.Wait(context.Background(), tk); err != nil {
			t.Fatal(err)
		}
	}
	if err := sp.Close(); err != nil {
		t.Fatal(err)
	}
	l = openLog(t, testConfig(dir))
	if l.seq != 7 || l.ckptNum == 0 {
		t.Fatalf("resumed at seq %d, checkpoint #%d; want seq 7 and the last checkpoint", l.seq, l.ckptNum)
	}
	writeRecords(t, l, 3, "s3")
	closeLog(t, l)
	pub, _ := LoadPublicKey(filepath.Join(dir, "checkpoint.key"))
	rep := Verify(spoolEntries(t, dir), VerifyOptions{PublicKey: pub})
	if c := rep.Chains["test-chain"]; c == nil || c.LastSeq != 10 || c.SignedUpTo != 10 {
		t.Fatalf("chain after resuming behind foreign entries: %+v problems %v", c, rep.Problems)
	}
	for _, p := range rep.Problems { // the foreign entries themselves are reported, nothing else
		if p.ChainID == "test-chain" {
			t.Errorf("test-chain does not verify after resuming: %+v", p)
		}
	}
}

// On drop_oldest, the final checkpoint's own append can find the spool full, drop the oldest
// segment and so write a drop-marker record after the checkpoint. The test fills the spool until
// a checkpoint no longer fits (the exact room is read from the spool), closes, and checks that
// the chain still ends signed: the head, marker included, is signed again.
func TestFinalCheckpointCoversItsOwnDropMarker(t *testing.T) {
	dir := t.TempDir()
	cfg := testConfig(dir)
	cfg.SegmentBytes, cfg.MaxBytes, cfg.OnFull = 8<<10, 16<<10, OnFullDropOldest
	cfg.Checkpoint.Every, cfg.Checkpoint.Interval = 1<<30, time.Hour // only the final checkpoint
	l := openLog(t, cfg)
	const checkpointAtLeast = 300 // bytes a checkpoint entry takes at the very least
	size := int64(0)              // bytes one plain record takes in the spool, measured
	found := false
	for i := range 100 {
		x := sampleExchange(1000+i, "s") // same number of digits in every id: same size
		room := cfg.MaxBytes - l.spool.Stats().Bytes
		if pad := room - checkpointAtLeast/2 - size; size > 0 && pad >= 0 && pad < size+checkpointAtLeast {
			// Pad this record so that it fits and leaves less room than any checkpoint needs.
			x.ToolCalls[0].Text += strings.Repeat("a", int(pad))
			found = true
		}
		before := l.spool.Stats().Bytes
		if err := l.Record(context.Background(), x, StageRequest); err != nil {
			t.Fatal(err)
		}
		if found {
			break
		}
		if d := l.spool.Stats().Bytes - before; d > 0 && size == 0 {
			size = d
		}
	}
	if !found {
		t.Fatal("the spool never got within a checkpoint's size of full: the test did not set up its case")
	}
	closeLog(t, l)
	var lastSeq, signed uint64
	markerLast := false
	for _, e := range spoolEntries(t, dir) {
		p, err := record.ParseProbe(e.Payload)
		if err != nil {
			continue
		}
		switch p.Kind() {
		case record.KindRecord:
			lastSeq, markerLast = p.Unmapped.Integrity.Seq, p.Unmapped.Warden.Marker != nil
		case record.KindCheckpoint:
			signed = max(signed, p.Checkpoint.Seq)
		}
	}
	if !markerLast {
		t.Fatal("the final checkpoint did not drop a segment: the test did not set up its case")
	}
	if signed != lastSeq {
		t.Fatalf("the last checkpoint signs seq %d but the chain ends at seq %d (the drop marker)", signed, lastSeq)
	}
}

func TestWrittenModeFsyncsInTheBackground(t *testing.T) {
	dir := t.TempDir()
	cfg := testConfig(dir)
	cfg.Mode, cfg.SyncInterval = ModeWritten, 10*time.Millisecond
	l := openLog(t, cfg)
	writeRecords(t, l, 5, "s")
	// The periodic sync, not Close, makes them durable.
	waitFor(t, "5 records fsynced without Close", func() bool { return l.spool.Stats().Durable >= 5 })
	closeLog(t, l)
	if got := len(recordIndexes(t, spoolEntries(t, dir))); got != 5 {
		t.Fatalf("written-mode log wrote %d of 5 records", got)
	}
}

func TestSpoolFullFailsClosed(t *testing.T) {
	dir := t.TempDir()
	cfg := testConfig(dir)
	cfg.SegmentBytes, cfg.MaxBytes = 8<<10, 16<<10
	l := openLog(t, cfg)
	defer closeLog(t, l)
	var err error
	for i := 0; i < 200 && err == nil; i++ {
		err = l.Record(context.Background(), sampleExchange(i, "s"), StageRequest)
	}
	if !errors.Is(err, ErrSpoolFull) {
		t.Fatalf("Record error = %v, want ErrSpoolFull", err)
	}
	if l.Ready() == nil {
		t.Error("Ready reports ok while the spool is full")
	}
	if strings.Contains(err.Error(), "SECRET") {
		t.Error("error leaks a secret")
	}
}

// TestDeadShipperShowsInReadiness: a shipper that stops on its own (not by Close) leaves records
// piling up unshipped; /readyz and warden_audit_shipper_up must say so.
func TestDeadShipperShowsInReadiness(t *testing.T) {
	l := openLog(t, testConfig(t.TempDir()))
	defer closeLog(t, l)
	if v := gaugeValue(t, l.m.shipperUp); v != 1 {
		t.Fatalf("warden_audit_shipper_up = %v before any failure, want 1", v)
	}
	l.runShipper(context.Background(), func(context.Context) error { return errors.New("read spool segment: input/output error") })
	<-l.shipDone
	err := l.Ready()
	if err == nil || !strings.Contains(err.Error(), "shipper stopped") {
		t.Fatalf("Ready after the shipper died = %v, want an error naming the shipper", err)
	}
	if v := gaugeValue(t, l.m.shipperUp); v != 0 {
		t.Fatalf("warden_audit_shipper_up = %v after the shipper died, want 0", v)
	}
	l.shipper, l.shipStop = nil, nil // nothing to stop at Close: the fake has returned
}

// TestReadyReturnsWhenSpaceReturns: after a refusal for space, readiness must come back as soon
// as the space does — with readiness-based load balancing no request arrives to clear it.
func TestReadyReturnsWhenSpaceReturns(t *testing.T) {
	dir := t.TempDir()
	cfg := testConfig(dir)
	cfg.SegmentBytes, cfg.MaxBytes = 4<<10, 32<<10
	l := openLog(t, cfg)
	defer closeLog(t, l)
	var err error
	for i := 0; i < 200 && err == nil; i++ {
		err = l.Record(context.Background(), sampleExchange(i, "s"), StageRequest)
	}
	if !errors.Is(err, ErrSpoolFull) {
		t.Fatalf("Record error = %v, want ErrSpoolFull", err)
	}
	if l.Ready() == nil {
		t.Fatal("Ready reports ok while the spool is full")
	}
	// What the shipper does once Kafka took the records: trim the sealed segments.
	if err := l.spool.Trim(l.spool.Stats().Next); err != nil {
		t.Fatal(err)
	}
	if err := l.Ready(); err != nil {
		t.Fatalf("Ready after the spool drained, before any new request: %v", err)
	}
}

func TestDropOldestLeavesMarker(t *testing.T) {
	dir := t.TempDir()
	cfg := testConfig(dir)
	cfg.SegmentBytes, cfg.MaxBytes, cfg.OnFull = 8<<10, 16<<10, OnFullDropOldest
	l := openLog(t, cfg)
	for i := range 200 {
		if err := l.Record(context.Background(), sampleExchange(i, "s"), StageRequest); err != nil {
			t.Fatalf("Record %d with drop_oldest: %v", i, err)
		}
	}
	closeLog(t, l)
	entries := spoolEntries(t, dir)
	var markers int
	for _, e := range entries {
		if strings.Contains(string(e.Payload), `"kind":"spool_dropped"`) {
			markers++
		}
	}
	if markers == 0 {
		t.Fatal("entries were dropped without a marker record")
	}
	rep := Verify(entries, VerifyOptions{})
	if !rep.OK() {
		t.Fatalf("chain with drop markers does not verify: %v", rep.Problems)
	}
	if rep.Chains["test-chain"].FirstSeq == 1 {
		t.Error("expected the oldest records to be gone")
	}
}

func TestOpenRejectsForeignChain(t *testing.T) {
	dir := t.TempDir()
	l := openLog(t, testConfig(dir))
	writeRecords(t, l, 2, "s")
	closeLog(t, l)
	cfg := testConfig(dir)
	cfg.ChainID = "other"
	if _, err := Open(context.Background(), cfg); err == nil || !strings.Contains(err.Error(), "chain_id") {
		t.Fatalf("Open with a different chain id over an existing spool: %v", err)
	}
}

func TestDefaultChainIDIsPersisted(t *testing.T) {
	dir := t.TempDir()
	cfg := testConfig(dir)
	cfg.ChainID = ""
	l := openLog(t, cfg)
	id := l.ChainID()
	closeLog(t, l)
	host, _ := os.Hostname()
	if !strings.HasPrefix(id, strings.ReplaceAll(host, ":", "-")+"-") {
		t.Errorf("chain id %q does not start with the hostname", id)
	}
	l = openLog(t, cfg)
	defer closeLog(t, l)
	if l.ChainID() != id {
		t.Errorf("chain id changed across restarts: %q then %q", id, l.ChainID())
	}
}

func TestCancelledContextStillRecords(t *testing.T) {
	dir := t.TempDir()
	l := openLog(t, testConfig(dir))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	x := sampleExchange(1, "s")
	x.Disposition = exchange.Cancelled
	if err := l.Record(context.WithoutCancel(ctx), x, StageRequest); err != nil {
		t.Fatalf("record of a cancelled request: %v", err)
	}
	closeLog(t, l)
	if len(recordIndexes(t, spoolEntries(t, dir))) != 1 {
		t.Fatal("cancelled request left no record")
	}
}

func TestConfigErrorsSayWhatToDo(t *testing.T) {
	cases := []struct {
		name string
		mod  func(*Config)
		want string
	}{
		{"bad mode", func(c *Config) { c.Mode = "fast" }, "use written"},
		{"bad sync_interval", func(c *Config) { c.SyncInterval = time.Minute }, "audit.sync_interval"},
		{"bad on_full", func(c *Config) { c.OnFull = "ignore" }, "fail or drop_oldest"},
		{"segments too large", func(c *Config) { c.SegmentBytes, c.MaxBytes = 10<<20, 12<<20 }, "twice"},
		{"missing key file", func(c *Config) { c.Checkpoint.KeyFile = filepath.Join(c.Dir, "nope.key") }, "key_file"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig(t.TempDir())
			tc.mod(&cfg)
			_, err := Open(context.Background(), cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error = %v, want it to mention %q", err, tc.want)
			}
		})
	}
}
