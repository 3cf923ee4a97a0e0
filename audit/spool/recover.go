package spool

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Recovery reports a torn or corrupt tail found at Open.
type Recovery struct {
	Segment        string // segment file name
	Offset         int64  // first bad byte; the file now ends here
	Bytes          int64  // bytes moved to the quarantine file
	QuarantineFile string // where the bad bytes are kept for inspection
	Reason         string
	KeptEntries    uint64 // valid entries kept in that segment
}

// recover scans the last segment, truncates it to its valid prefix and moves the rest to
// quarantine/. Sealed segments were fsynced before the next one was created, so only the active
// (last) segment can hold a torn write; readers still check every frame of every segment.
func (s *Spool) recover() (*Recovery, error) {
	bases, err := listSegments(s.dir)
	if err != nil {
		return nil, err
	}
	if len(bases) == 0 {
		f, err := createSegment(s.dir, 0)
		if err != nil {
			return nil, err
		}
		s.active, s.segs, s.onDisk = s.wrap(f), []segment{{base: 0, size: headerSize}}, headerSize
		return nil, nil
	}
	for _, b := range bases[:len(bases)-1] {
		fi, err := os.Stat(filepath.Join(s.dir, segName(b)))
		if err != nil {
			return nil, fmt.Errorf("stat spool segment: %w", err)
		}
		s.segs = append(s.segs, segment{base: b, size: fi.Size()})
		s.onDisk += fi.Size()
	}
	last := bases[len(bases)-1]
	good, count, cerr := scanValidPrefix(filepath.Join(s.dir, segName(last)))
	if cerr != nil && !errors.Is(cerr, ErrCorrupt) {
		return nil, cerr
	}
	var rec *Recovery
	if cerr != nil {
		rec, err = s.quarantine(last, good, count, cerr)
		if err != nil {
			return nil, err
		}
	}
	path := filepath.Join(s.dir, segName(last))
	f, err := os.OpenFile(path, os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open spool segment: %w", err)
	}
	if good < headerSize { // header itself was torn: rewrite it
		err := f.Truncate(0)
		if err == nil {
			_, err = f.WriteAt([]byte(magic), 0)
		}
		if err != nil {
			_ = f.Close()
			return nil, fmt.Errorf("rewrite spool segment header: %w", err)
		}
		good = headerSize
	}
	if err := f.Sync(); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("fsync spool segment: %w", err)
	}
	if _, err := f.Seek(good, 0); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("seek spool segment: %w", err)
	}
	s.active = s.wrap(f)
	s.segs = append(s.segs, segment{base: last, size: good})
	s.onDisk += good
	s.next = last + count
	return rec, nil
}

// scanValidPrefix returns the length of the valid prefix of a segment and its entry count. A
// *CorruptError says where the valid prefix ends and why.
func scanValidPrefix(path string) (int64, uint64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, 0, fmt.Errorf("open spool segment: %w", err)
	}
	defer f.Close()
	name := filepath.Base(path)
	r := bufio.NewReaderSize(f, 1<<20)
	if err := checkHeader(r, name); err != nil {
		return 0, 0, err
	}
	fr := &frameReader{r: r, name: name, offset: headerSize}
	var n uint64
	var buf []byte
	for {
		p, err := fr.next(buf)
		if errors.Is(err, io.EOF) {
			return fr.offset, n, nil
		}
		if err != nil {
			return fr.offset, n, err
		}
		buf = p
		n++
	}
}

// quarantine copies the bytes from good on into quarantine/ and truncates the segment there.
func (s *Spool) quarantine(base uint64, good int64, kept uint64, cause error) (*Recovery, error) {
	path := filepath.Join(s.dir, segName(base))
	src, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open torn segment: %w", err)
	}
	defer src.Close()
	fi, err := src.Stat()
	if err != nil {
		return nil, fmt.Errorf("stat torn segment: %w", err)
	}
	qdir := filepath.Join(s.dir, "quarantine")
	if err := os.MkdirAll(qdir, 0o700); err != nil {
		return nil, fmt.Errorf("create quarantine dir: %w", err)
	}
	qpath := filepath.Join(qdir, fmt.Sprintf("%s.at-%d.torn", segName(base), good))
	dst, err := os.OpenFile(qpath, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, fmt.Errorf("create quarantine file: %w", err)
	}
	n, err := io.Copy(dst, io.NewSectionReader(src, good, fi.Size()-good))
	if err == nil {
		err = dst.Sync()
	}
	if cerr := dst.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("write quarantine file %s: %w", qpath, err)
	}
	if err := syncDir(qdir); err != nil {
		return nil, err
	}
	if err := os.Truncate(path, good); err != nil {
		return nil, fmt.Errorf("truncate torn segment: %w", err)
	}
	var ce *CorruptError
	errors.As(cause, &ce)
	rec := &Recovery{
		Segment: segName(base), Offset: good, Bytes: n, QuarantineFile: qpath,
		Reason: ce.Reason, KeptEntries: kept,
	}
	s.log.Error("audit spool: torn or corrupt tail found at startup; good prefix kept, bad tail quarantined",
		"segment", rec.Segment, "offset", rec.Offset, "bytes", rec.Bytes, "reason", rec.Reason,
		"quarantine_file", qpath, "kept_entries", kept)
	return rec, nil
}
