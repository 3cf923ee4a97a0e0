package spool

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Entry is one payload read back with its position.
type Entry struct {
	Index   uint64
	Segment string // file name
	Offset  int64  // byte offset of the frame in the segment
	Payload []byte // valid until the next call of the iterator; copy to keep
}

// Pos renders the position for reports, e.g. "seg-00000000000000000000.wal@4096 (entry 12)".
func (e Entry) Pos() string { return fmt.Sprintf("%s@%d (entry %d)", e.Segment, e.Offset, e.Index) }

// ErrStop ends a scan early without error.
var ErrStop = errors.New("stop scan")

// Scan calls fn for every entry of every segment in dir, in order. It works on a live spool or a
// copied folder, and returns the first *CorruptError it meets (with its position).
func Scan(dir string, fn func(Entry) error) error {
	return ScanAll(dir, fn, nil)
}

// ScanAll is Scan that goes on with the next segment after a corrupt frame when onCorrupt is set;
// onCorrupt is called at the point of each corruption (for verification of damaged folders).
func ScanAll(dir string, fn func(Entry) error, onCorrupt func(*CorruptError)) error {
	bases, err := listSegments(dir)
	if err != nil {
		return err
	}
	if len(bases) == 0 {
		return fmt.Errorf("no spool segments (seg-*.wal) in %s: is this a warden audit dir?", dir)
	}
	for _, b := range bases {
		err := ScanSegment(dir, b, fn)
		var ce *CorruptError
		switch {
		case onCorrupt != nil && errors.As(err, &ce):
			onCorrupt(ce)
		case errors.Is(err, ErrStop):
			return nil
		case err != nil:
			return err
		}
	}
	return nil
}

// SegmentBases lists the segment bases of the spool (oldest first).
func (s *Spool) SegmentBases() []uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]uint64, len(s.segs))
	for i, sg := range s.segs {
		out[i] = sg.base
	}
	return out
}

// ScanSegment calls fn for every entry of one segment.
func ScanSegment(dir string, base uint64, fn func(Entry) error) error {
	name := segName(base)
	f, err := os.Open(filepath.Join(dir, name))
	if err != nil {
		return fmt.Errorf("open spool segment: %w", err)
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 1<<20)
	if err := checkHeader(r, name); err != nil {
		return err
	}
	fr := &frameReader{r: r, name: name, offset: headerSize}
	idx := base
	var buf []byte
	for {
		off := fr.offset
		p, err := fr.next(buf)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		buf = p
		if err := fn(Entry{Index: idx, Segment: name, Offset: off, Payload: p}); err != nil {
			return err
		}
		idx++
	}
}

// Reader follows the spool from an entry index, returning only fsynced entries.
type Reader struct {
	s      *Spool
	next   uint64
	base   uint64
	f      *os.File
	fr     *frameReader
	skipTo uint64
	buf    []byte
	// Skipped counts entries that vanished (drop-oldest) before they were read.
	Skipped uint64
}

// NewReader returns a reader positioned at entry index from.
func (s *Spool) NewReader(from uint64) *Reader {
	return &Reader{s: s, next: from, skipTo: from}
}

// Next returns the next durable entry, waiting for one until ctx ends.
func (r *Reader) Next(ctx context.Context) (Entry, error) {
	for {
		ch := r.s.flushed.Load()
		if r.next < r.s.durable.Load() {
			return r.read()
		}
		select {
		case <-*ch:
		case <-r.s.done:
			if r.next < r.s.durable.Load() {
				return r.read()
			}
			return Entry{}, ErrClosed
		case <-ctx.Done():
			return Entry{}, ctx.Err()
		}
	}
}

func (r *Reader) read() (Entry, error) {
	for {
		if r.f == nil {
			if err := r.open(); err != nil {
				return Entry{}, err
			}
		}
		off := r.fr.offset
		p, err := r.fr.next(r.buf)
		if errors.Is(err, io.EOF) {
			// End of this segment: move on to the next one.
			_ = r.f.Close()
			r.f = nil
			r.base = r.next
			continue
		}
		if err != nil {
			return Entry{}, err
		}
		r.buf = p
		idx := r.next
		r.next++
		if idx < r.skipTo {
			continue
		}
		return Entry{Index: idx, Segment: r.fr.name, Offset: off, Payload: p}, nil
	}
}

// open opens the segment holding r.next (the newest segment whose base <= r.next).
func (r *Reader) open() error {
	bases := r.s.SegmentBases()
	pick := -1
	for i, b := range bases {
		if b <= r.next {
			pick = i
		}
	}
	if pick < 0 { // what we wanted was dropped: continue at the oldest remaining entry
		pick = 0
		r.Skipped += bases[0] - r.next
		r.next, r.skipTo = bases[0], bases[0]
	}
	base := bases[pick]
	name := segName(base)
	f, err := os.Open(filepath.Join(r.s.dir, name))
	if err != nil {
		return fmt.Errorf("open spool segment: %w", err)
	}
	br := bufio.NewReaderSize(f, 256<<10)
	if err := checkHeader(br, name); err != nil {
		_ = f.Close()
		return err
	}
	r.f, r.fr, r.base = f, &frameReader{r: br, name: name, offset: headerSize}, base
	if r.skipTo < r.next {
		r.skipTo = r.next
	}
	r.next = base
	return nil
}

// SkipSegment abandons the current segment after a corrupt frame and continues at the next one
// (or at the newest durable entry when the corrupt segment is the active one). The skipped
// entries are counted in Skipped.
func (r *Reader) SkipSegment() {
	if r.f != nil {
		_ = r.f.Close()
		r.f = nil
	}
	target := uint64(0)
	found := false
	for _, b := range r.s.SegmentBases() {
		if b > r.base {
			target, found = b, true
			break
		}
	}
	if !found {
		target = r.s.durable.Load()
	}
	if target > r.next {
		r.Skipped += target - r.next
	}
	r.next, r.skipTo = target, target
}

// Close releases the open segment.
func (r *Reader) Close() error {
	if r.f != nil {
		err := r.f.Close()
		r.f = nil
		return err
	}
	return nil
}

// Trim deletes sealed segments whose entries are all below index before (they were shipped). It
// keeps the newest sealed segment so that the chain head survives a rotation into an empty
// segment.
func (s *Spool) Trim(before uint64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for len(s.segs) > 2 && s.segs[1].base <= before {
		old := s.segs[0]
		if err := os.Remove(filepath.Join(s.dir, segName(old.base))); err != nil && !os.IsNotExist(err) {
			return fmt.Errorf("delete shipped spool segment: %w", err)
		}
		s.onDisk -= old.size
		s.segs = s.segs[1:]
	}
	return nil
}
