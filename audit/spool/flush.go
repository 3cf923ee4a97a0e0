package spool

import (
	"context"
	"fmt"
	"os"
	"sync/atomic"
	"time"
)

// wrap applies Options.WrapFile to a segment file.
func (s *Spool) wrap(f *os.File) File {
	if s.opts.WrapFile != nil {
		return s.opts.WrapFile(f)
	}
	return f
}

// Wait blocks until the entry of t is fsynced, the spool failed, or ctx ends. It takes no lock on
// the fast path so that a thousand waiters woken by one fsync do not queue on the spool mutex.
func (s *Spool) Wait(ctx context.Context, t Ticket) error {
	return s.waitFor(ctx, t, &s.durable, "fsync")
}

// WaitWritten blocks until the entry of t is written to its segment file (in the kernel: a
// kill -9 of the process no longer loses it; a power loss before the next fsync still may), the
// spool failed, or ctx ends.
func (s *Spool) WaitWritten(ctx context.Context, t Ticket) error {
	return s.waitFor(ctx, t, &s.wrote, "write")
}

func (s *Spool) waitFor(ctx context.Context, t Ticket, mark *atomic.Uint64, what string) error {
	for {
		ch := s.flushed.Load() // load before checking: a flush after this closes *ch
		if mark.Load() > t.Index {
			return nil
		}
		if s.failed.Load() {
			return s.Err()
		}
		select {
		case <-*ch:
		case <-s.done:
			if mark.Load() > t.Index {
				return nil
			}
			return ErrClosed
		case <-ctx.Done():
			return fmt.Errorf("wait for audit %s: %w", what, ctx.Err())
		}
	}
}

// flusher writes pending batches. Without SyncEvery it fsyncs every batch before taking the
// next, and appenders that arrive while a write+fsync runs share the next one: that is the group
// commit. With SyncEvery it only writes; the syncer fsyncs.
func (s *Spool) flusher() {
	defer close(s.done)
	inline := s.opts.SyncEvery <= 0
	for {
		s.mu.Lock()
		for len(s.pending) == 0 && !s.closed {
			s.mu.Unlock()
			<-s.kick
			s.mu.Lock()
		}
		if len(s.pending) == 0 { // closed and drained
			unsynced := s.written > s.durable.Load()
			s.mu.Unlock()
			if unsynced {
				s.syncNow()
			}
			return
		}
		buf, n := s.pending, s.pendingN
		s.pending, s.spare, s.pendingN = s.spare[:0], nil, 0
		s.inFlight = int64(len(buf))
		f, failed := s.active, s.err != nil
		s.mu.Unlock()
		if s.beforeWrite != nil {
			s.beforeWrite()
		}
		if !failed {
			s.writeBatch(f, buf, n, inline)
		}
		s.mu.Lock()
		s.spare = buf[:0]
		s.inFlight = 0 // counted in onDisk by writeBatch, or lost with a failed write
		s.mu.Unlock()
	}
}

// syncer fsyncs what the flusher wrote, every SyncEvery (SyncEvery > 0 only). It runs beside
// the flusher, so writes go on while an fsync runs.
func (s *Spool) syncer() {
	defer close(s.syncDone)
	t := time.NewTicker(s.opts.SyncEvery)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			if s.wrote.Load() > s.durable.Load() && !s.failed.Load() {
				s.syncNow()
			}
		case <-s.syncStop:
			return
		}
	}
}

func (s *Spool) writeBatch(f File, buf []byte, n uint64, sync bool) {
	if _, err := f.Write(buf); err != nil {
		s.fail(fmt.Errorf("write audit spool: %w", err))
		return
	}
	s.mu.Lock()
	s.written += n
	s.wrote.Store(s.written)
	s.onDisk += int64(len(buf))
	s.inFlight = 0
	s.segs[len(s.segs)-1].size += int64(len(buf))
	full := s.segs[len(s.segs)-1].size >= s.opts.SegmentBytes
	s.mu.Unlock()
	if sync {
		s.syncNow()
	} else {
		s.notify()
	}
	if full {
		s.rotate()
	}
}

// syncNow fsyncs the active segment and publishes the new durable index.
func (s *Spool) syncNow() {
	s.syncMu.Lock()
	defer s.syncMu.Unlock()
	s.mu.Lock()
	f, upto := s.active, s.written
	s.mu.Unlock()
	start := time.Now()
	if err := f.Sync(); err != nil {
		// After a failed fsync the page cache state is unknown; retrying could report data durable
		// that is not. Fail closed until restart.
		s.fail(fmt.Errorf("fsync audit spool: %w (restart warden; check the disk)", err))
		return
	}
	took := time.Since(start)
	if s.opts.OnFsync != nil {
		s.opts.OnFsync(took)
	}
	s.mu.Lock()
	if upto > s.durable.Load() {
		s.durable.Store(upto)
	}
	s.mu.Unlock()
	s.notify()
}

func (s *Spool) notify() {
	ch := make(chan struct{})
	close(*s.flushed.Swap(&ch))
}

func (s *Spool) fail(err error) {
	s.log.Error("audit spool failed; audited requests will be refused", "err", err)
	s.mu.Lock()
	if s.err == nil {
		s.err = err
	}
	s.mu.Unlock()
	s.failed.Store(true)
	s.notify()
}

// rotate seals the active segment and starts a new one. It runs on the flusher, the only writer
// of the active segment and of s.written, and holds syncMu (an fsync the syncer is running on
// the old file finishes first). Its disk I/O — the fsync of the sealed segment, the new file,
// its header, the directory — is done without s.mu: appenders only queue under s.mu, and a slow
// disk must not hold them (and every Log.Record behind the sequencer) past their deadlines.
func (s *Spool) rotate() {
	s.syncMu.Lock()
	defer s.syncMu.Unlock()
	s.mu.Lock()
	old, base := s.active, s.written
	s.mu.Unlock()
	if err := old.Sync(); err != nil {
		s.fail(fmt.Errorf("fsync sealed segment: %w", err))
		return
	}
	f, err := createSegment(s.dir, base)
	if err != nil {
		s.fail(err)
		return
	}
	s.mu.Lock()
	s.durable.Store(max(s.durable.Load(), base))
	s.active = s.wrap(f)
	s.segs = append(s.segs, segment{base: base, size: headerSize})
	s.onDisk += headerSize
	s.mu.Unlock()
	_ = old.Close()
	s.notify()
}
