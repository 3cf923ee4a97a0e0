package redact_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/warden-gw/warden/redact"
)

// TestFieldsLearnedPastTheBound: a JSON stream whose events keep bringing new
// fields (3000 of them) still learns the late ones, so a token split across
// two events in field 2500 is joined and redacted whole, and no bound is
// reported.
func TestFieldsLearnedPastTheBound(t *testing.T) {
	tok := planted(t)
	var b strings.Builder
	b.WriteString("[")
	for i := 0; i < 2500; i++ {
		fmt.Fprintf(&b, `{"f%d":"value %d."},`, i, i)
	}
	fmt.Fprintf(&b, `{"f2500":"push with %s"},{"f2500":"%s now"}]`, tok[:9], tok[9:])
	s := engine(t).NewStream(redact.KindJSON, redact.StreamOptions{})
	out, err := s.Write([]byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	tail, err := s.Close()
	if err != nil {
		t.Fatal(err)
	}
	out = append(out, tail...)
	if bytes.Contains(out, []byte(tok[:9])) || bytes.Contains(out, []byte(tok[9:])) {
		t.Fatalf("a part of the split token passed: %s", out[len(out)-160:])
	}
	if l := s.Limits(); l != nil {
		t.Fatalf("limits %v, want none", l)
	}
}

// TestOpenFieldsBoundIsReported: when more fields than the bound have text
// held at once, the values past it are scanned on their own and the stream
// says so (Limits), rather than dropping them silently; a whole secret in
// such a value is still redacted.
func TestOpenFieldsBoundIsReported(t *testing.T) {
	tok := planted(t)
	var b strings.Builder
	b.WriteString("[{")
	for i := 0; i < 1100; i++ {
		fmt.Fprintf(&b, `"f%d":"ab",`, i)
	}
	fmt.Fprintf(&b, `"last":"key %s"}]`, tok)
	s := engine(t).NewStream(redact.KindJSON, redact.StreamOptions{})
	out, err := s.Write([]byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	tail, err := s.Close()
	if err != nil {
		t.Fatal(err)
	}
	out = append(out, tail...)
	if bytes.Contains(out, []byte(tok[4:])) {
		t.Fatal("the token passed")
	}
	if got := s.Limits()["stream_fields_unlearned"]; got != 77 {
		t.Fatalf("limits %v, want stream_fields_unlearned 77 (1101 fields, 1024 open)", s.Limits())
	}
}
