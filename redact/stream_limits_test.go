package redact_test

import (
	"bytes"
	"fmt"
	"net/url"
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
	if got := redact.BoundsReached()["stream_fields_unlearned"]; got < 77 {
		t.Fatalf("BoundsReached stream_fields_unlearned = %d, want >= 77", got)
	}
	if got := s.Limits()["stream_fields_unlearned"]; got != 77 {
		t.Fatalf("limits %v, want stream_fields_unlearned 77 (1101 fields, 1024 open)", s.Limits())
	}
}

// TestLookThroughWindowGrows: a private key written with escaped dashes in a
// JSON log line, its body longer than the 640-byte window around the escapes,
// is redacted to its END line: the window grows while the key is still open
// at its edge, rather than cutting the body where the window ended.
func TestLookThroughWindowGrows(t *testing.T) {
	var body strings.Builder
	for i := 0; i < 40; i++ {
		fmt.Fprintf(&body, "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC%02dAmEwggJdAgEAAoGBAL\\n", i)
	}
	dash := strings.Repeat(`\u002d`, 5)
	line := `{"msg":"loaded ` + dash + `BEGIN PRIVATE KEY` + dash + `\n` + body.String() + dash + `END PRIVATE KEY` + dash + `","level":"info"}` + "\n"
	out, _ := engine(t).Redact([]byte(line), secretsOnly)
	if bytes.Contains(out, []byte("AmEwggJdAgEAAoGBAL")) {
		t.Fatalf("part of the key body survives:\n%s", out)
	}
	if !bytes.Contains(out, []byte(`"level":"info"}`)) {
		t.Fatalf("text after the key was lost:\n%s", out)
	}
}

// TestBoundsAreCounted: a base64 run too long to decode, a hex run cut
// around a keyword and an encoding nested deeper than the engine decodes
// are counted by BoundsReached (exported as a metric).
func TestBoundsAreCounted(t *testing.T) {
	eng := engine(t)
	before := redact.BoundsReached()
	b64 := "password: " + strings.Repeat("QUJD", 17<<10) + "\n"
	eng.Redact([]byte(b64), secretsOnly)
	hexRun := strings.Repeat("00", 1500) + "6768705f" + strings.Repeat("41", 1500) + "\n"
	eng.Redact([]byte(hexRun), secretsOnly)
	// A JSON token percent-encoded four times: the fourth encoding is not decoded.
	deep := `{"a":"ghp_` + strings.Repeat("x", 36) + `"}`
	for range 4 {
		deep = url.QueryEscape(deep)
	}
	eng.Redact([]byte("q="+deep), secretsOnly)
	after := redact.BoundsReached()
	for _, name := range []string{"base64_block_too_long", "hex_run_too_long", "lookthrough_layers"} {
		if after[name] <= before[name] {
			t.Errorf("%s: %d before, %d after", name, before[name], after[name])
		}
	}
}
