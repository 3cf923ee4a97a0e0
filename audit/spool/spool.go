package spool

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// ErrFull is returned by Append when the spool reached MaxBytes and OnFull is Fail.
var ErrFull = errors.New("audit spool full")

// ErrClosed is returned by Append after Close.
var ErrClosed = errors.New("audit spool closed")

// Options configures a spool.
type Options struct {
	// SegmentBytes is the size after which the active segment is sealed and a new one started.
	SegmentBytes int64
	// MaxBytes bounds the bytes on disk plus the bytes waiting to be written.
	MaxBytes int64
	// DropOldest deletes the oldest sealed segments instead of failing when MaxBytes is reached.
	DropOldest bool
	// SyncEvery, when > 0, makes fsync periodic instead of per batch (async mode).
	SyncEvery time.Duration
	// Logger receives recovery and drop reports. Defaults to slog.Default().
	Logger *slog.Logger
	// OnFsync, when set, is called with the duration of every fsync (for a histogram).
	OnFsync func(time.Duration)
}

// Dropped describes entries deleted by drop-oldest to make room.
type Dropped struct {
	First, Count uint64 // entry index range [First, First+Count)
	Bytes        int64
}

// Ticket identifies an appended entry; Wait blocks until it is on disk.
type Ticket struct{ Index uint64 }

type segment struct {
	base uint64 // index of the first entry
	size int64  // bytes on disk, header included
}

// Spool is an open spool directory. Append is safe for concurrent use; the caller that needs a
// global order (the hash chain) serialises its own Append calls.
type Spool struct {
	dir  string
	opts Options
	log  *slog.Logger
	lock *os.File

	mu       sync.Mutex
	segs     []segment // sorted by base; the last one is active
	active   *os.File
	next     uint64 // index the next Append gets
	pending  []byte
	spare    []byte
	pendingN uint64 // entries in pending
	inFlight int64  // bytes the flusher took from pending and has not yet counted in onDisk
	onDisk   int64
	written  uint64                        // entries written to the file (readable)
	durable  atomic.Uint64                 // entries below this index are fsynced
	flushed  atomic.Pointer[chan struct{}] // closed and replaced after every flush
	kick     chan struct{}
	err      error // sticky write/fsync failure
	failed   atomic.Bool
	closed   bool
	done     chan struct{}
	dropped  uint64 // entries dropped since open

	beforeWrite func() // tests: runs in the flusher while it holds a batch, before writing it
}

// Open opens or creates the spool in dir, recovering a torn tail left by a crash. The returned
// Recovery lists what was quarantined (nil when the spool was clean).
func Open(dir string, opts Options) (*Spool, *Recovery, error) {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.SegmentBytes <= 0 {
		opts.SegmentBytes = 64 << 20
	}
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = 1 << 30
	}
	if opts.MaxBytes < 2*opts.SegmentBytes {
		return nil, nil, fmt.Errorf("spool max_bytes %d must be at least twice segment_bytes %d: raise max_bytes or lower segment_bytes", opts.MaxBytes, opts.SegmentBytes)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, nil, fmt.Errorf("create spool dir %s: %w", dir, err)
	}
	lock, err := lockDir(dir)
	if err != nil {
		return nil, nil, err
	}
	s := &Spool{
		dir: dir, opts: opts, log: opts.Logger, lock: lock,
		kick: make(chan struct{}, 1), done: make(chan struct{}),
	}
	ch := make(chan struct{})
	s.flushed.Store(&ch)
	rec, err := s.recover()
	if err != nil {
		_ = lock.Close()
		return nil, nil, err
	}
	s.written = s.next
	s.durable.Store(s.next)
	go s.flusher()
	return s, rec, nil
}

func lockDir(dir string) (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(dir, "LOCK"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open spool lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("spool %s is in use by another process (flock: %w): give each warden replica its own audit dir", dir, err)
	}
	return f, nil
}

// Dir returns the spool directory.
func (s *Spool) Dir() string { return s.dir }

// Append queues payload as the next entry and returns its ticket. It never blocks on disk I/O.
// When the bound is hit it returns ErrFull, or, with DropOldest, deletes the oldest sealed
// segments and reports them in the returned *Dropped so that the caller can record a marker.
func (s *Spool) Append(payload []byte) (Ticket, *Dropped, error) {
	if len(payload) == 0 || len(payload) > MaxEntryBytes {
		return Ticket{}, nil, fmt.Errorf("spool entry of %d bytes is out of range 1..%d", len(payload), MaxEntryBytes)
	}
	size := FrameSize(len(payload))
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return Ticket{}, nil, ErrClosed
	}
	if s.err != nil {
		return Ticket{}, nil, s.err
	}
	var dropped *Dropped
	if s.usedLocked()+size > s.opts.MaxBytes {
		if !s.opts.DropOldest {
			return Ticket{}, nil, ErrFull
		}
		dropped = s.dropOldestLocked(size)
		if s.usedLocked()+size > s.opts.MaxBytes {
			return Ticket{}, dropped, ErrFull
		}
	}
	s.pending = appendFrame(s.pending, payload)
	s.pendingN++
	t := Ticket{Index: s.next}
	s.next++
	select {
	case s.kick <- struct{}{}:
	default:
	}
	return t, dropped, nil
}

// usedLocked is what counts against MaxBytes: bytes on disk, bytes queued, and the batch the
// flusher is writing (neither on disk nor queued while the write runs: without it, appends that
// arrive during a slow write or fsync slip past the bound).
func (s *Spool) usedLocked() int64 { return s.onDisk + s.inFlight + int64(len(s.pending)) }

// HasRoom reports whether an entry of n payload bytes would fit under MaxBytes now (without
// dropping anything). Readiness uses it to notice that space came back.
func (s *Spool) HasRoom(n int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.usedLocked()+FrameSize(n) <= s.opts.MaxBytes
}

// dropOldestLocked deletes sealed segments, oldest first, until size more bytes fit.
func (s *Spool) dropOldestLocked(size int64) *Dropped {
	var d *Dropped
	for len(s.segs) > 1 && s.usedLocked()+size > s.opts.MaxBytes {
		old := s.segs[0]
		count := s.segs[1].base - old.base
		if err := os.Remove(filepath.Join(s.dir, segName(old.base))); err != nil && !os.IsNotExist(err) {
			s.log.Error("audit spool: cannot delete oldest segment to make room", "segment", segName(old.base), "err", err)
			break
		}
		if d == nil {
			d = &Dropped{First: old.base}
		}
		d.Count += count
		d.Bytes += old.size
		s.onDisk -= old.size
		s.segs = s.segs[1:]
		s.dropped += count
	}
	if d != nil {
		s.log.Warn("audit spool full: dropped oldest entries (drop_oldest is configured)",
			"first_index", d.First, "count", d.Count, "bytes", d.Bytes)
	}
	return d
}

// Wait blocks until the entry of t is fsynced, the spool failed, or ctx ends. It takes no lock on
// the fast path so that a thousand waiters woken by one fsync do not queue on the spool mutex.
func (s *Spool) Wait(ctx context.Context, t Ticket) error {
	for {
		ch := s.flushed.Load() // load before checking: a flush after this closes *ch
		if s.durable.Load() > t.Index {
			return nil
		}
		if s.failed.Load() {
			return s.Err()
		}
		select {
		case <-*ch:
		case <-s.done:
			if s.durable.Load() > t.Index {
				return nil
			}
			return ErrClosed
		case <-ctx.Done():
			return fmt.Errorf("wait for audit fsync: %w", ctx.Err())
		}
	}
}

// flusher writes pending batches and fsyncs them: every batch in durable mode, at most every
// SyncEvery in async mode. Appenders that arrive while a write+fsync runs share the next one:
// that is the group commit.
func (s *Spool) flusher() {
	defer close(s.done)
	var tick <-chan time.Time
	if s.opts.SyncEvery > 0 {
		t := time.NewTicker(s.opts.SyncEvery)
		defer t.Stop()
		tick = t.C
	}
	lastSync := time.Now()
	for {
		s.mu.Lock()
		for len(s.pending) == 0 && !s.closed {
			unsynced := s.written > s.durable.Load()
			s.mu.Unlock()
			select {
			case <-s.kick:
			case <-tick:
				if unsynced {
					s.syncNow()
					lastSync = time.Now()
				}
			}
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
			syncNow := tick == nil || time.Since(lastSync) >= s.opts.SyncEvery
			s.writeBatch(f, buf, n, syncNow)
			if syncNow {
				lastSync = time.Now()
			}
		}
		s.mu.Lock()
		s.spare = buf[:0]
		s.inFlight = 0 // counted in onDisk by writeBatch, or lost with a failed write
		s.mu.Unlock()
	}
}

func (s *Spool) writeBatch(f *os.File, buf []byte, n uint64, sync bool) {
	if _, err := f.Write(buf); err != nil {
		s.fail(fmt.Errorf("write audit spool: %w", err))
		return
	}
	s.mu.Lock()
	s.written += n
	s.onDisk += int64(len(buf))
	s.inFlight = 0
	s.segs[len(s.segs)-1].size += int64(len(buf))
	s.mu.Unlock()
	if sync {
		s.syncNow()
	} else {
		s.notify()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.segs[len(s.segs)-1].size >= s.opts.SegmentBytes {
		if err := s.rotateLocked(); err != nil {
			s.err = err
			s.failed.Store(true)
		}
	}
}

// syncNow fsyncs the active segment and publishes the new durable index.
func (s *Spool) syncNow() {
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

// rotateLocked seals the active segment and starts a new one at index s.written.
func (s *Spool) rotateLocked() error {
	if err := s.active.Sync(); err != nil {
		return fmt.Errorf("fsync sealed segment: %w", err)
	}
	s.durable.Store(max(s.durable.Load(), s.written))
	f, err := createSegment(s.dir, s.written)
	if err != nil {
		return err
	}
	_ = s.active.Close()
	s.active = f
	s.segs = append(s.segs, segment{base: s.written, size: headerSize})
	s.onDisk += headerSize
	return nil
}

func createSegment(dir string, base uint64) (*os.File, error) {
	path := filepath.Join(dir, segName(base))
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, fmt.Errorf("create spool segment: %w", err)
	}
	if _, err := f.Write([]byte(magic)); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("write spool segment header: %w", err)
	}
	if err := f.Sync(); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("fsync spool segment: %w", err)
	}
	if err := syncDir(dir); err != nil {
		_ = f.Close()
		return nil, err
	}
	if _, err := f.Seek(0, 2); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("seek spool segment: %w", err)
	}
	return f, nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("open spool dir: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("fsync spool dir: %w", err)
	}
	return nil
}

func segName(base uint64) string { return fmt.Sprintf("seg-%020d.wal", base) }

// listSegments returns the bases of the segment files in dir, sorted.
func listSegments(dir string) ([]uint64, error) {
	names, err := filepath.Glob(filepath.Join(dir, "seg-*.wal"))
	if err != nil {
		return nil, fmt.Errorf("list spool segments: %w", err)
	}
	var bases []uint64
	for _, n := range names {
		var b uint64
		if _, err := fmt.Sscanf(filepath.Base(n), "seg-%020d.wal", &b); err == nil {
			bases = append(bases, b)
		}
	}
	sort.Slice(bases, func(i, j int) bool { return bases[i] < bases[j] })
	return bases, nil
}

// Stats is a snapshot for metrics.
type Stats struct {
	Bytes   int64  // on disk plus pending
	Next    uint64 // index of the next entry
	Durable uint64 // entries below this index are fsynced
	Dropped uint64 // entries deleted by drop-oldest since open
}

// Stats returns current counters.
func (s *Spool) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return Stats{
		Bytes: s.usedLocked(), Next: s.next, Durable: s.durable.Load(),
		Dropped: s.dropped,
	}
}

// Err returns the sticky failure, if any (for readiness).
func (s *Spool) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	return s.err
}

// Close writes and fsyncs what is pending and closes the files.
func (s *Spool) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.mu.Unlock()
	select {
	case s.kick <- struct{}{}:
	default:
	}
	<-s.done
	s.mu.Lock()
	err := s.err
	s.mu.Unlock()
	s.notify()
	if cerr := s.active.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("close spool segment: %w", cerr)
	}
	_ = s.lock.Close()
	return err
}
