package spool

import (
	"context"
	"strings"
	"testing"
	"time"
)

// appendFrame appends the framed payload to dst (tests build segment bytes with it).
func appendFrame(dst, payload []byte) []byte {
	out, err := appendFrameWith(dst, len(payload), func(d []byte) []byte { return append(d, payload...) })
	if err != nil {
		panic(err)
	}
	return out
}

// TestAppendWithWrongLengthIsRefused: a payload builder that appends another length than it
// announced is refused, and the entries around it are intact.
func TestAppendWithWrongLengthIsRefused(t *testing.T) {
	dir := t.TempDir()
	s, _ := openT(t, dir, Options{})
	appendWait(t, s, "first")
	if _, _, err := s.AppendWith(5, func(d []byte) []byte { return append(d, "toolong"...) }); err == nil {
		t.Fatal("a payload of 7 bytes announced as 5 was accepted")
	}
	if tk := appendWait(t, s, "second"); tk.Index != 1 {
		t.Fatalf("next entry got index %d, want 1", tk.Index)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	var got []string
	if err := Scan(dir, func(e Entry) error { got = append(got, string(e.Payload)); return nil }); err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, ",") != "first,second" {
		t.Fatalf("entries %q", got)
	}
}

// TestWrittenModeWaitsForTheWriteNotTheFsync: with SyncEvery, WaitWritten returns once the
// entry is in the file (readable by a scan) before any fsync; Close fsyncs what is left.
func TestWrittenModeWaitsForTheWriteNotTheFsync(t *testing.T) {
	dir := t.TempDir()
	s, _ := openT(t, dir, Options{SyncEvery: time.Hour})
	tk, _, err := s.Append([]byte("written-not-synced"))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.WaitWritten(context.Background(), tk); err != nil {
		t.Fatal(err)
	}
	if st := s.Stats(); st.Durable != 0 {
		t.Fatalf("durable index %d without an fsync", st.Durable)
	}
	var got []string
	if err := Scan(dir, func(e Entry) error { got = append(got, string(e.Payload)); return nil }); err != nil || len(got) != 1 {
		t.Fatalf("entries in the file before the fsync: %q (%v)", got, err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if st := s.Stats(); st.Durable != 1 {
		t.Fatalf("durable index %d after Close, want 1", st.Durable)
	}
}
