package spool

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncFails is a segment file whose fsync fails.
type syncFails struct{ File }

func (syncFails) Sync() error { return errors.New("EIO") }

// lockedBuf is a log destination safe for the spool's goroutines.
type lockedBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestFailedRotationIsLogged: when sealing a full segment fails (its fsync fails), the spool
// fails closed and says so in the log, like a failed write or fsync; before, it only set the
// error that readiness reports, and the log said nothing about why requests were refused.
func TestFailedRotationIsLogged(t *testing.T) {
	var logged lockedBuf
	s, _ := openT(t, t.TempDir(), Options{
		SegmentBytes: 1024, SyncEvery: time.Hour, // no fsync before the rotation's own
		WrapFile: func(f File) File { return syncFails{f} },
		Logger:   slog.New(slog.NewTextHandler(&logged, nil)),
	})
	defer s.Close()
	tk, _, err := s.Append(bytes.Repeat([]byte("a"), 2000)) // fills the first segment
	if err != nil {
		t.Fatal(err)
	}
	if err := s.WaitWritten(context.Background(), tk); err != nil {
		t.Fatal(err)
	}
	if err := s.Wait(context.Background(), tk); err == nil || s.Err() == nil {
		t.Fatalf("fsync wait = %v, spool error = %v: want the failed rotation", err, s.Err())
	}
	if out := logged.String(); !strings.Contains(out, "level=ERROR") || !strings.Contains(out, "fsync sealed segment") {
		t.Fatalf("log = %q: want the failed rotation reported", out)
	}
}
