package spool

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// FuzzRecover writes arbitrary bytes as the last segment and checks that Open never panics,
// keeps a valid prefix, and leaves a spool that scans cleanly and accepts appends.
func FuzzRecover(f *testing.F) {
	good := append([]byte(magic), appendFrame(appendFrame(nil, []byte(`{"a":1}`)), []byte("second"))...)
	f.Add(good)
	f.Add(good[:len(good)-3])
	f.Add([]byte(magic))
	f.Add([]byte("WSPO"))
	f.Add(append([]byte(magic), 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0))
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, segName(0)), data, 0o600); err != nil {
			t.Fatal(err)
		}
		s, rec, err := Open(dir, Options{Logger: quiet()})
		if err != nil {
			t.Fatalf("Open failed on damaged segment: %v", err)
		}
		defer s.Close()
		if rec != nil && rec.Offset > int64(len(data)) {
			t.Fatalf("kept prefix %d longer than file %d", rec.Offset, len(data))
		}
		tk, _, err := s.Append([]byte("after"))
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Wait(context.Background(), tk); err != nil {
			t.Fatal(err)
		}
		n := 0
		if err := Scan(dir, func(Entry) error { n++; return nil }); err != nil {
			t.Fatalf("spool does not scan after recovery: %v", err)
		}
		if uint64(n) != tk.Index+1 {
			t.Fatalf("scan found %d entries, last index %d", n, tk.Index)
		}
	})
}
