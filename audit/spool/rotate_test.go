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

// gatedSync is a segment file whose fsync blocks until release is closed, and says when one has
// started.
type gatedSync struct {
	File
	started chan struct{}
	release chan struct{}
}

func (g gatedSync) Sync() error {
	select {
	case g.started <- struct{}{}:
	default:
	}
	<-g.release
	return g.File.Sync()
}

// TestRotationDoesNotBlockAppends: while the sealing fsync of a full segment hangs on a slow
// disk, appends still queue at once. They used to wait for the rotation's disk I/O under the
// spool's lock, and with them the audit sequencer and every Log.Record, whose deadline (the
// 503 audit_unavailable refusal) did not apply to that wait.
func TestRotationDoesNotBlockAppends(t *testing.T) {
	started, release := make(chan struct{}, 1), make(chan struct{})
	var once sync.Once
	unblock := func() { once.Do(func() { close(release) }) }
	defer unblock()
	s, _ := openT(t, t.TempDir(), Options{
		SegmentBytes: 1024, SyncEvery: time.Hour,
		WrapFile: func(f File) File { return gatedSync{File: f, started: started, release: release} },
	})
	defer s.Close()
	defer unblock() // runs before Close: the flusher must finish the rotation
	// One entry fills the first segment.
	if _, _, err := s.Append(bytes.Repeat([]byte("a"), 2000)); err != nil {
		t.Fatal(err)
	}
	<-started // the rotation's fsync of the full segment is hanging
	appended := make(chan error, 1)
	go func() {
		_, _, err := s.Append([]byte("next"))
		appended <- err
	}()
	select {
	case err := <-appended:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Append waited for the rotation's fsync")
	}
	unblock()
	tk, _, err := s.Append([]byte("after"))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.WaitWritten(context.Background(), tk); err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, s.dir); len(got) != 3 || got[2] != "after" {
		t.Fatalf("%d entries: want the three appended, %q last", len(got), "after")
	}
}
