package redact

import "testing"

// TestNoShortKeywords: no keyword has two bytes, and the only one-byte
// keyword is the e-mail rule's '@' (found with a memchr). A two-byte keyword
// makes the prefilter look up a map at every byte of every body (a CLI rule's
// "az" cost 6x the throughput on benign text).
func TestNoShortKeywords(t *testing.T) {
	e, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	if e.ki.bigram != nil || string(e.ki.single) != "@" {
		t.Fatalf("short keywords in the prefilter: bigrams %v, single bytes %q", e.ki.bigram, e.ki.single)
	}
}
