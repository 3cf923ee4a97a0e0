package redact_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/warden-gw/warden/redact"
)

// threeWayCuts picks second cut points for a first cut i inside a secret of
// length n starting at s: right after i, a few bytes later, mid-rest, and the
// secret's end.
func threeWayCuts(s, n, i int) []int {
	return []int{i + 1, i + 3, (i + s + n) / 2, s + n}
}

func TestStreamSplitEverySecretAtEveryOffset(t *testing.T) {
	eng := engine(t)
	for _, sm := range samples(t) {
		t.Run(sm.Rule, func(t *testing.T) {
			text := []byte("Here is the config you asked for:\n" + sm.Line + "\nLet me know if it works.\n")
			s := bytes.Index(text, []byte(sm.Secret))
			n := len(sm.Secret)
			whole := runStream(t, eng, redact.KindText, text)
			if _, ok := leak(whole, sm.Secret); ok || !bytes.Contains(whole, []byte("[REDACTED:")) {
				t.Fatalf("unsplit text not redacted:\n%s", whole)
			}
			if bytes.Count(whole, []byte("\n")) != bytes.Count(text, []byte("\n")) {
				t.Fatalf("line count changed:\n%s", whole)
			}
			for i := s; i <= s+n; i += offsetStride {
				out := runStream(t, eng, redact.KindText, splitAt(text, i)...)
				if w, ok := leak(out, sm.Secret); ok {
					t.Fatalf("2 chunks split at %d leaked %q:\n%s", i-s, w, out)
				}
				for _, j := range threeWayCuts(s, n, i) {
					out := runStream(t, eng, redact.KindText, splitAt(text, i, j)...)
					if w, ok := leak(out, sm.Secret); ok {
						t.Fatalf("3 chunks split at %d,%d leaked %q:\n%s", i-s, j-s, w, out)
					}
				}
			}
		})
	}
}

func TestStreamSplitOutputMatchesWholeRedaction(t *testing.T) {
	eng := engine(t)
	text := []byte("token ghp_" + strings.Repeat("x", 10) + " and mail bob@example.com, key=AKIAIOSFODNN7EXAMPL3 done.\n")
	want, _ := eng.Redact(text, redact.Options{})
	for i := 0; i <= len(text); i++ {
		got := runStream(t, eng, redact.KindText, splitAt(text, i)...)
		if !bytes.Equal(got, want) {
			t.Fatalf("split at %d:\n got %s\nwant %s", i, got, want)
		}
	}
}

func TestStreamEmitsBenignTextAtOnce(t *testing.T) {
	eng := engine(t)
	tests := []struct {
		name, chunk string
		maxHeld     int
	}{
		{"sentence ending in space", "The deployment finished without errors. ", 0},
		{"trailing word may still grow", "The deployment finished", len("finished")},
		{"keyword prefix held", "here it is: ghp", len("ghp")},
		{"digits may become a card", "order 4111 1111", len("4111 1111")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := eng.NewStream(redact.KindText, redact.StreamOptions{})
			out, err := s.Write([]byte(tt.chunk))
			if err != nil {
				t.Fatal(err)
			}
			if held := len(tt.chunk) - len(out); held > tt.maxHeld || s.Held() != held {
				t.Fatalf("held %d bytes (Held()=%d), want <= %d; emitted %q", held, s.Held(), tt.maxHeld, out)
			}
			rest, _ := s.Close()
			if got := string(out) + string(rest); got != tt.chunk {
				t.Fatalf("round trip changed benign text: %q", got)
			}
		})
	}
}

func TestStreamExactValuesAddedMidStream(t *testing.T) {
	eng := engine(t)
	secret := "vault-lease-Zq81xPm20"
	s := eng.NewStream(redact.KindText, redact.StreamOptions{})
	s.AddExact([]byte(secret))
	text := []byte("upstream echoed " + secret + " back\n")
	var out []byte
	for i := range text {
		o, _ := s.Write(text[i : i+1])
		out = append(out, o...)
	}
	o, _ := s.Close()
	out = append(out, o...)
	if !bytes.Contains(out, []byte("[REDACTED:exact-value]")) || bytes.Contains(out, []byte("Zq81")) {
		t.Fatalf("exact value not redacted byte by byte: %s", out)
	}
	byClass, byRule := s.Counts()
	if byClass["exact"] != 1 || byRule["exact-value"] != 1 {
		t.Fatalf("counts = %v %v", byClass, byRule)
	}
}

func TestStreamMemoryIsBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("100 MB stream")
	}
	eng := engine(t)
	chunk := bytes.Repeat([]byte("func main() { fmt.Println(\"hello, world\") } // ordinary source text\n"), 1024)
	s := eng.NewStream(redact.KindText, redact.StreamOptions{})
	total := 0
	for total < 100<<20 {
		out, err := s.Write(chunk)
		if err != nil {
			t.Fatal(err)
		}
		total += len(chunk)
		if held := s.Held(); held > 64<<10 {
			t.Fatalf("held %d bytes after %d MB", held, total>>20)
		}
		if len(out) < len(chunk)-64 {
			t.Fatalf("emitted only %d of %d bytes", len(out), len(chunk))
		}
	}
}

func TestStreamInvalidUTF8AndBinaryPassThrough(t *testing.T) {
	eng := engine(t)
	bin := []byte{0xff, 0xfe, 0x00, 0x01, 'g', 'h', 'p', '_', 0x80, 0xc3, 0x28, '\n'}
	out := runStream(t, eng, redact.KindText, bin[:5], bin[5:])
	if !bytes.Equal(out, bin) {
		t.Fatalf("binary body changed: %q", out)
	}
}

func TestStreamWriteAfterClose(t *testing.T) {
	s := engine(t).NewStream(redact.KindText, redact.StreamOptions{})
	if _, err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Write([]byte("x")); !errors.Is(err, redact.ErrClosed) {
		t.Fatalf("err = %v, want ErrClosed", err)
	}
}
