package redact

import (
	"math/rand/v2"
	"testing"
)

// checkReject fails when a rule's pattern matches at b[0] where cannotMatchAt said it could
// not: a secret the reject would let through.
func checkReject(t *testing.T, b []byte) {
	t.Helper()
	rs, err := allRules()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		if r.re == nil || !r.cannotMatchAt(b, 0) {
			continue
		}
		if loc := r.re.FindIndex(b[:min(len(b), r.maxLen+1)]); loc != nil {
			t.Fatalf("rule %s: cannotMatchAt(%q) but the pattern matches %q", r.id, b, b[loc[0]:loc[1]])
		}
	}
}

// TestRejectBeforeRegexp checks the reject against every rule's pattern on values of the
// rules' own alphabets, cut at every length, with and without the bytes around them.
func TestRejectBeforeRegexp(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 9))
	alphabets := []string{
		"abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", "0123456789abcdef",
		"abcXYZ019_-.=+/~:@", "\"' \t\n;,)(}{", "\u212a\u017fkKsS\xff\xe2\x80",
	}
	for range 400 {
		var b []byte
		for n := rng.IntN(80); len(b) < n; {
			a := alphabets[rng.IntN(len(alphabets))]
			for k := rng.IntN(24); k > 0; k-- {
				b = append(b, a[rng.IntN(len(a))])
			}
		}
		for i := range len(b) + 1 {
			checkReject(t, b[:i])
		}
	}
}

// FuzzRejectBeforeRegexp is TestRejectBeforeRegexp on arbitrary bytes.
func FuzzRejectBeforeRegexp(f *testing.F) {
	for _, s := range []string{"", "x", "hunter2", "AKIAIOSFODNN7EXAMPLE", "\u212aey", "'abc\"", "ghp_0123456789abcdefghij0123456789abcdef"} {
		f.Add([]byte(s))
	}
	f.Fuzz(checkReject)
}
