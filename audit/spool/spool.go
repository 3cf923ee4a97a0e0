package spool

import (
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
	// SyncEvery selects how entries reach the disk. 0: every batch the flusher writes is
	// fsynced before its waiters are released (Wait returns after the fsync). > 0: the flusher
	// only writes (WaitWritten returns once the entry is in the kernel, which survives a kill -9
	// of the process) and a separate syncer fsyncs what was written every SyncEvery, so an entry
	// is fsynced at most SyncEvery plus one fsync after it was written.
	SyncEvery time.Duration
	// Logger receives recovery and drop reports. Defaults to slog.Default().
	Logger *slog.Logger
	// OnFsync, when set, is called with the duration of every fsync (for a histogram).
	OnFsync func(time.Duration)
	// WrapFile, when set, wraps every segment file the spool writes to (tests inject a disk
	// that blocks or fails).
	WrapFile func(File) File
}

// File is what the spool needs of the segment file it appends to.
type File interface {
	Write(p []byte) (int, error)
	Sync() error
	Close() error
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
	active   File
	next     uint64 // index the next Append gets
	pending  []byte
	spare    []byte
	pendingN uint64 // entries in pending
	inFlight int64  // bytes the flusher took from pending and has not yet counted in onDisk
	onDisk   int64
	written  uint64                        // entries written to the file (readable)
	wrote    atomic.Uint64                 // written, readable without the lock (WaitWritten)
	durable  atomic.Uint64                 // entries below this index are fsynced
	syncMu   sync.Mutex                    // held across an fsync; a rotation takes it before closing the file
	flushed  atomic.Pointer[chan struct{}] // closed and replaced after every flush
	kick     chan struct{}
	err      error // sticky write/fsync failure
	failed   atomic.Bool
	closed   bool
	done     chan struct{} // closed when the flusher has written and fsynced everything
	syncStop chan struct{} // stops the syncer (SyncEvery > 0)
	syncDone chan struct{}
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
	s.wrote.Store(s.next)
	s.durable.Store(s.next)
	go s.flusher()
	if opts.SyncEvery > 0 {
		s.syncStop, s.syncDone = make(chan struct{}), make(chan struct{})
		go s.syncer()
	}
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
	return s.AppendWith(len(payload), func(dst []byte) []byte { return append(dst, payload...) })
}

// AppendWith is Append for a payload of n bytes that build appends to dst: the payload is
// built in place, in the buffer the flusher writes, without a copy of its own. build runs under
// the spool's lock and must append exactly n bytes.
func (s *Spool) AppendWith(n int, build func(dst []byte) []byte) (Ticket, *Dropped, error) {
	if n <= 0 || n > MaxEntryBytes {
		return Ticket{}, nil, fmt.Errorf("spool entry of %d bytes is out of range 1..%d", n, MaxEntryBytes)
	}
	size := FrameSize(n)
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
	var err error
	if s.pending, err = appendFrameWith(s.pending, n, build); err != nil {
		return Ticket{}, dropped, err
	}
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
	Written uint64 // entries below this index are written to their segment file
	Durable uint64 // entries below this index are fsynced
	Dropped uint64 // entries deleted by drop-oldest since open
}

// Stats returns current counters.
func (s *Spool) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return Stats{
		Bytes: s.usedLocked(), Next: s.next, Written: s.written, Durable: s.durable.Load(),
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
	if s.syncStop != nil {
		close(s.syncStop)
		<-s.syncDone
	}
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
