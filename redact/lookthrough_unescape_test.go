package redact

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"testing"
)

// unescapeByteByByte is unescape as it was before copyPlain: every byte through the escape
// switch. The tests below hold the two to the same view, offsets and cut.
func (v *view) unescapeByteByByte(b []byte) (changed bool, cut int) {
	v.reset()
	// The view is never longer than b: size it once rather than grow it byte by byte.
	v.buf = slices.Grow(v.buf, len(b))
	v.off = slices.Grow(v.off, len(b)+1)
	cut = len(b)
	for i := 0; i < len(b); {
		c := b[i]
		n := 0
		start := len(v.buf)
		switch c {
		case '\\':
			v.buf, n = jsonEscape(b, i, v.buf)
			if n == 0 && len(b)-i < 12 && bytes.IndexByte(b[i+1:], '\\') < 0 && (i+1 == len(b) || b[i+1] == 'u') {
				cut = i
			}
		case '%':
			if d, ok := pctByte(b, i); ok {
				v.buf, n = append(v.buf, d), 3
			} else if len(b)-i < 3 {
				cut = i
			}
		}
		if cut < len(b) {
			break // an escape cut by the end of b: the view stops before it
		}
		if n == 0 {
			v.buf = append(v.buf, c)
			v.off = append(v.off, int32(i)) //nolint:gosec // bodies are far below 2 GiB
			i++
			continue
		}
		changed = true
		for range len(v.buf) - start {
			v.off = append(v.off, int32(i)) //nolint:gosec // bodies are far below 2 GiB
		}
		i += n
	}
	v.off = append(v.off, int32(cut)) //nolint:gosec // bodies are far below 2 GiB
	return changed, cut
}

func checkUnescape(t *testing.T, b []byte) {
	t.Helper()
	var got, want view
	gc, gcut := got.unescape(b)
	wc, wcut := want.unescapeByteByByte(b)
	if gc != wc || gcut != wcut || !bytes.Equal(got.buf, want.buf) || !slices.Equal(got.off, want.off) {
		t.Fatalf("unescape(%q): changed %v cut %d view %q off %v; byte by byte: %v %d %q %v",
			b, gc, gcut, got.buf, got.off, wc, wcut, want.buf, want.off)
	}
}

// TestUnescapeBulkCopy: copying plain runs in bulk gives the same view as the byte loop, on
// text mixing JSON escapes, percent-encoding and escapes cut by the end.
func TestUnescapeBulkCopy(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 17))
	parts := []string{"abc", " ", "\\n", "\\u0041", "\\u00", "\\", "%41", "%2", "%", "%zz", "\\/", "\\\"", "é", "x\\u12"}
	for range 3000 {
		var b []byte
		for n := rng.IntN(12); n > 0; n-- {
			b = append(b, parts[rng.IntN(len(parts))]...)
		}
		checkUnescape(t, b)
	}
}

// FuzzUnescapeBulkCopy is TestUnescapeBulkCopy on arbitrary bytes.
func FuzzUnescapeBulkCopy(f *testing.F) {
	for _, s := range []string{"", "a", "\\u0041bc", "%41%4", "x\\", "\\/\\n%2F"} {
		f.Add([]byte(s))
	}
	f.Fuzz(checkUnescape)
}
