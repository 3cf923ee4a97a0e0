package redact

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestKeywordScanFindsEveryOccurrence checks the prefilter against the plain
// answer, a trie walk from every position: a keyword the filter skips is a
// secret the engine never looks at.
func TestKeywordScanFindsEveryOccurrence(t *testing.T) {
	e, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	rules, err := allRules()
	if err != nil {
		t.Fatal(err)
	}
	var kws []string
	for _, r := range rules {
		kws = append(kws, r.keywords...)
	}
	rng := rand.New(rand.NewPCG(7, 12))
	noise := []byte(" \t\n=:\"'_-.abcXYZ019")
	for round := range 300 {
		var b []byte
		for len(b) < 200+round*7 {
			if rng.IntN(3) == 0 {
				k := []byte(kws[rng.IntN(len(kws))])
				if rng.IntN(2) == 0 {
					for i, c := range k {
						if c >= 'a' && c <= 'z' {
							k[i] = c - 'a' + 'A'
						}
					}
				}
				b = append(b, k...)
			} else {
				b = append(b, noise[rng.IntN(len(noise))])
			}
		}
		b = b[:len(b)-rng.IntN(4)] // keywords cut by the end of the text, too
		var want []kwHit
		for i := range b {
			want = e.ki.walk(b, i, 1, e.ki.maxLen, want)
		}
		got := e.ki.scan(b, nil)
		cmp := func(x, y kwHit) int {
			if x.end != y.end {
				return x.end - y.end
			}
			return int(x.kw - y.kw)
		}
		slices.SortFunc(want, cmp)
		slices.SortFunc(got, cmp)
		if !slices.Equal(got, want) {
			for i := range min(len(got), len(want)) {
				if got[i] != want[i] {
					t.Logf("first difference: got %q want %q", b[got[i].end-e.ki.kwLen[got[i].kw]:got[i].end], b[want[i].end-e.ki.kwLen[want[i].kw]:want[i].end])
					break
				}
			}
			t.Fatalf("round %d: scan found %d keyword occurrences, a walk from every position %d", round, len(got), len(want))
		}
	}
}
