package redact

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
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
		want = inScanOrder(e.ki, want)
		got := e.ki.scan(b, nil)
		if !slices.Equal(got, want) { // the same hits in the same order
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

// inScanOrder returns the hits of a walk from every position in the order scan reports them:
// the keywords of three bytes or more by start, end and id, then the one-byte keyword's ('@')
// by position.
func inScanOrder(ki *keywordIndex, hits []kwHit) []kwHit {
	var long, short []kwHit
	for _, h := range hits {
		if ki.kwLen[h.kw] >= 3 {
			long = append(long, h)
		} else {
			short = append(short, h)
		}
	}
	return append(long, short...)
}

// FuzzKeywordScan checks the prefilter (and the stopword index, built the same way) against a
// walk of the trie from every position on arbitrary bytes: every keyword occurrence, in the
// same order, whatever anchor finds it.
func FuzzKeywordScan(f *testing.F) {
	e, err := New(Config{})
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{
		"", "key", "KEY=", "name=\"x\"", "https://hooks.slack.com/services/T0", "confluence_token: abc",
		"sk-proj-abc", "%2F%3A", "\\u00", "-----BEGIN", "a@b.c", "password=hunter2\nsecret: x",
		"NewStaticCredentials(\"AKIA", "\\/\\/", "intercom vercel new-relic", "pk_live_", "s.abcdef",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, ki := range []*keywordIndex{e.ki, stopwordIndex} {
			var want []kwHit
			for i := range b {
				want = ki.walk(b, i, 1, ki.maxLen, want)
			}
			want = inScanOrder(ki, want)
			if got := ki.scan(b, nil); !slices.Equal(got, want) {
				t.Fatalf("scan %v, a walk from every position %v", got, want)
			}
		}
	})
}

// BenchmarkKeywordPrefilter is the keyword prefilter alone (the engine's hot path on benign
// text) over the Go sources of net/http, encoding/json, crypto/tls, strings and fmt.
//
//	go test -run '^$' -bench KeywordPrefilter ./redact/
func BenchmarkKeywordPrefilter(b *testing.B) {
	e, err := New(Config{})
	if err != nil {
		b.Fatal(err)
	}
	var files [][]byte
	n := 0
	for _, d := range []string{"net/http", "encoding/json", "crypto/tls", "strings", "fmt"} {
		paths, _ := filepath.Glob(filepath.Join(runtime.GOROOT(), "src", d, "*.go")) //nolint:staticcheck // a benchmark's corpus: the toolchain's own sources
		for _, p := range paths {
			data, err := os.ReadFile(p)
			if err != nil {
				b.Fatal(err)
			}
			files = append(files, data)
			n += len(data)
		}
	}
	if n == 0 {
		b.Skip("GOROOT sources not available")
	}
	b.SetBytes(int64(n))
	var hits []kwHit
	for b.Loop() {
		for _, f := range files {
			hits = e.ki.scan(f, hits[:0])
		}
	}
}
