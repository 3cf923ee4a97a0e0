// Package spool is warden's local write-ahead log for audit entries: append-only segment files of
// length-framed, CRC32C-checksummed entries, written by one flusher goroutine that fsyncs whole
// batches (group commit), bounded in size, and recovered after a crash by keeping the longest
// valid prefix and quarantining a torn tail.
//
// The spool stores opaque byte payloads; the audit package decides what they mean.
//
// On-disk layout of one segment file (seg-<first entry index, 20 digits>.wal):
//
//	header  8 bytes  "WSPOOL1\n"
//	frame   4 bytes  payload length, little endian (1 .. MaxEntryBytes)
//	        4 bytes  CRC32C (Castagnoli) of the payload, little endian
//	        n bytes  payload
//	frame   ...
package spool

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
)

// MaxEntryBytes bounds one payload; a larger length field is treated as corruption.
const MaxEntryBytes = 16 << 20

const (
	headerSize = 8
	frameHead  = 8
	magic      = "WSPOOL1\n"
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// CorruptError reports a frame that failed its length or checksum check.
type CorruptError struct {
	Segment string // file name
	Offset  int64  // byte offset of the bad frame in the segment
	Reason  string
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("spool segment %s is corrupt at byte %d: %s", e.Segment, e.Offset, e.Reason)
}

// ErrCorrupt matches every *CorruptError with errors.Is.
var ErrCorrupt = errors.New("spool corrupt")

// Is makes errors.Is(err, ErrCorrupt) true.
func (e *CorruptError) Is(target error) bool { return target == ErrCorrupt }

// appendFrameWith appends the frame of an n-byte payload that build appends in place. Callers
// keep n <= MaxEntryBytes. A build that appends another length leaves dst as it was.
func appendFrameWith(dst []byte, n int, build func([]byte) []byte) ([]byte, error) {
	start := len(dst)
	var h [frameHead]byte
	dst = append(dst, h[:]...)
	dst = build(dst)
	if len(dst)-start-frameHead != n {
		return dst[:start], fmt.Errorf("spool entry: built %d bytes, announced %d", len(dst)-start-frameHead, n)
	}
	payload := dst[start+frameHead:]
	binary.LittleEndian.PutUint32(dst[start:start+4], uint32(n)) //nolint:gosec // <= MaxEntryBytes (16 MiB): AppendWith checks it
	binary.LittleEndian.PutUint32(dst[start+4:start+8], crc32.Checksum(payload, castagnoli))
	return dst, nil
}

// FrameSize is the number of bytes a payload of n bytes takes on disk.
func FrameSize(n int) int64 { return int64(frameHead + n) }

// frameReader reads frames from a segment body sequentially.
type frameReader struct {
	r      io.Reader
	name   string
	offset int64 // offset of the next frame
	head   [frameHead]byte
}

// next returns the next payload. io.EOF means a clean end exactly at a frame boundary; a
// *CorruptError means the bytes from offset on are not a valid frame (torn write or damage).
func (f *frameReader) next(buf []byte) ([]byte, error) {
	n, err := io.ReadFull(f.r, f.head[:])
	if err == io.EOF {
		return nil, io.EOF
	}
	if err != nil {
		return nil, f.corrupt(fmt.Sprintf("frame header cut short after %d of %d bytes", n, frameHead))
	}
	size := binary.LittleEndian.Uint32(f.head[0:4])
	sum := binary.LittleEndian.Uint32(f.head[4:8])
	if size == 0 || size > MaxEntryBytes {
		return nil, f.corrupt(fmt.Sprintf("frame length %d out of range 1..%d", size, MaxEntryBytes))
	}
	if cap(buf) < int(size) {
		buf = make([]byte, size)
	}
	buf = buf[:size]
	if n, err := io.ReadFull(f.r, buf); err != nil {
		return nil, f.corrupt(fmt.Sprintf("payload cut short after %d of %d bytes", n, size))
	}
	if got := crc32.Checksum(buf, castagnoli); got != sum {
		return nil, f.corrupt(fmt.Sprintf("checksum mismatch (stored %08x, computed %08x)", sum, got))
	}
	f.offset += FrameSize(int(size))
	return buf, nil
}

func (f *frameReader) corrupt(reason string) error {
	return &CorruptError{Segment: f.name, Offset: f.offset, Reason: reason}
}

// checkHeader reads and checks the segment header.
func checkHeader(r io.Reader, name string) error {
	var h [headerSize]byte
	if n, err := io.ReadFull(r, h[:]); err != nil {
		return &CorruptError{Segment: name, Offset: 0, Reason: fmt.Sprintf("header cut short after %d bytes", n)}
	}
	if string(h[:]) != magic {
		return &CorruptError{Segment: name, Offset: 0, Reason: "not a warden spool segment (bad magic)"}
	}
	return nil
}
