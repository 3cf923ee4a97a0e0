package audit

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/warden-gw/warden/audit/record"
)

// blockingSigner signs with a key file once release is closed; until then Sign blocks, like a
// Vault that hangs.
type blockingSigner struct {
	*Ed25519KeySigner
	release chan struct{}
	entered chan struct{} // one value per Sign call, sent before it blocks
	calls   atomic.Int32
}

func newBlockingSigner() (*blockingSigner, ed25519.PrivateKey) {
	_, priv, _ := ed25519.GenerateKey(nil)
	return &blockingSigner{Ed25519KeySigner: NewEd25519Signer(priv), release: make(chan struct{}), entered: make(chan struct{}, 1024)}, priv
}

func (s *blockingSigner) Sign(msg []byte) ([]byte, error) {
	s.calls.Add(1)
	s.entered <- struct{}{}
	<-s.release
	return s.Ed25519KeySigner.Sign(msg)
}

// Records never wait for the signer: with Sign blocked, 50 durable records still complete, and
// once Sign returns the checkpoints cover them and the chain verifies.
func TestRecordsDoNotWaitForTheSigner(t *testing.T) {
	dir := t.TempDir()
	s, priv := newBlockingSigner()
	cfg := testConfig(dir)
	cfg.Signer = s
	l := openLog(t, cfg)
	for i := range 10 { // checkpoint.every is 10: the 10th record hands a snapshot to the signer
		if err := l.Record(context.Background(), sampleExchange(i, "s"), StageRequest); err != nil {
			t.Fatal(err)
		}
	}
	<-s.entered // the signer is now blocked inside Sign
	done := make(chan error, 1)
	go func() {
		for i := 10; i < 50; i++ {
			if err := l.Record(context.Background(), sampleExchange(i, "s"), StageRequest); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("records are blocked behind a checkpoint signature")
	}
	close(s.release)
	closeLog(t, l)
	rep := Verify(spoolEntries(t, dir), VerifyOptions{PublicKey: priv.Public().(ed25519.PublicKey), Strict: true})
	if c := rep.Chains["test-chain"]; !rep.OK() || c.SignedUpTo != 50 || c.Checkpoints < 2 {
		t.Fatalf("after the signer answered: problems %v, chain %+v", rep.Problems, c)
	}
}

// flakySigner fails the calls whose numbers (1-based) are in fail, like a Vault that is briefly
// unreachable.
type flakySigner struct {
	*Ed25519KeySigner
	calls atomic.Int32
	fail  map[int32]bool
}

func (s *flakySigner) Sign(msg []byte) ([]byte, error) {
	if s.fail[s.calls.Add(1)] {
		return nil, errors.New("signer unavailable (test)")
	}
	return s.Ed25519KeySigner.Sign(msg)
}

func newFlakySigner(fail ...int32) (*flakySigner, ed25519.PublicKey) {
	pub, priv, _ := ed25519.GenerateKey(nil)
	s := &flakySigner{Ed25519KeySigner: NewEd25519Signer(priv), fail: map[int32]bool{}}
	for _, n := range fail {
		s.fail[n] = true
	}
	return s, pub
}

// Two checkpoints in the middle of a run cannot be signed: the next written checkpoint links to
// the last written one (no number is skipped), the failures are counted, and the final
// checkpoint covers the last record.
func TestCheckpointChainSurvivesFailedSignatures(t *testing.T) {
	dir := t.TempDir()
	s, pub := newFlakySigner(2, 3)
	cfg := testConfig(dir)
	cfg.Signer = s
	l := openLog(t, cfg)
	for i := range 50 { // snapshots at 10 (signed), 20 and 30 (fail), 40, 50, then the final one
		writeRecords(t, l, 1, "s")
		if (i+1)%10 == 0 {
			waitSignCalls(t, s, int32((i+1)/10))
		}
	}
	closeLog(t, l)
	rep := Verify(spoolEntries(t, dir), VerifyOptions{PublicKey: pub, Strict: true})
	if c := rep.Chains["test-chain"]; !rep.OK() || c.SignedUpTo != 50 || c.Checkpoints != 4 {
		t.Fatalf("problems %v, chain %+v; want 4 checkpoints (10, 40, 50, final) signing up to 50", rep.Problems, c)
	}
	if n := counterValue(l.m.ckptErrors); n != 2 {
		t.Fatalf("checkpoint errors counted: %v, want 2", n)
	}
}

func waitSignCalls(t *testing.T, s *flakySigner, n int32) {
	t.Helper()
	waitFor(t, fmt.Sprintf("%d sign calls", n), func() bool { return s.calls.Load() >= n })
}

// A checkpoint taken at the interval fails and no more records come: the next interval tries
// again, so the records do not stay unsigned until the next record or Close.
func TestFailedIntervalCheckpointIsRetried(t *testing.T) {
	dir := t.TempDir()
	s, _ := newFlakySigner(1)
	cfg := testConfig(dir)
	cfg.Signer, cfg.Checkpoint.Interval = s, 20*time.Millisecond
	l := openLog(t, cfg)
	defer closeLog(t, l)
	writeRecords(t, l, 5, "s") // fewer than every: only the interval takes a snapshot
	waitCheckpoints(t, l, 1)   // after the failed one
	if s.calls.Load() < 2 {
		t.Fatal("the first signature did not fail: the test did not exercise the retry")
	}
}

// Close while many snapshots wait behind a blocked signer: the last checkpoint in the spool is
// the final one and it signs the last record; the queued ones are not all signed at shutdown.
func TestCloseSignsTheFinalHeadLast(t *testing.T) {
	dir := t.TempDir()
	s, priv := newBlockingSigner()
	cfg := testConfig(dir)
	cfg.Signer = s
	l := openLog(t, cfg)
	writeRecords(t, l, 300, "s") // 30 snapshots: 1 being signed, 16 queued, the rest skipped
	closed := make(chan error, 1)
	go func() { closed <- l.Close(context.Background()) }()
	// Release the signer only once Close has stopped the log: the checkpointer then sees the
	// stop before it takes the next queued snapshot (released earlier, it signs them one by one).
	waitFor(t, "Close to stop the log", func() bool {
		select {
		case <-l.stop:
			return true
		default:
			return false
		}
	})
	close(s.release)
	if err := <-closed; err != nil {
		t.Fatal(err)
	}
	var last *Checkpoint
	for _, e := range spoolEntries(t, dir) {
		if p, err := record.ParseProbe(e.Payload); err == nil && p.Kind() == record.KindCheckpoint {
			last = p.Checkpoint
		}
	}
	if last == nil || !last.Final || last.Seq != 300 {
		t.Fatalf("last checkpoint %+v; want the final one at seq 300", last)
	}
	if n := s.calls.Load(); n > 3 {
		t.Fatalf("%d signatures at shutdown: the queued snapshots were signed one by one", n)
	}
	rep := Verify(spoolEntries(t, dir), VerifyOptions{PublicKey: priv.Public().(ed25519.PublicKey), Strict: true})
	if !rep.OK() || rep.Chains["test-chain"].SignedUpTo != 300 {
		t.Fatalf("problems %v, chain %+v", rep.Problems, rep.Chains["test-chain"])
	}
}

// A second Close waits for the first and returns its result, instead of returning at once while
// the spool is still open.
func TestSecondCloseWaitsForTheFirst(t *testing.T) {
	dir := t.TempDir()
	s, _ := newBlockingSigner()
	cfg := testConfig(dir)
	cfg.Signer = s
	l := openLog(t, cfg)
	writeRecords(t, l, 3, "s")
	first := make(chan error, 1)
	go func() { first <- l.Close(context.Background()) }()
	waitFor(t, "the first Close signing the final checkpoint", func() bool { return s.calls.Load() > 0 })
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := l.Close(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("second Close returned %v while the first was still running", err)
	}
	close(s.release)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if err := l.Close(context.Background()); err != nil {
		t.Fatalf("Close after Close: %v", err)
	}
}
