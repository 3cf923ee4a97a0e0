package redact

import (
	"regexp"
	"strings"
	"testing"
)

// tokenStarts returns the literal starts of every token format (at least 8
// bytes long): the bytes every secret of that format begins with.
func tokenStarts(t *testing.T) []string {
	t.Helper()
	rs, err := allRules()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range rs {
		if r.kind != kindPrefix || r.group != 0 || r.before != 0 {
			continue // the literal is context before the secret, not part of it
		}
		lit, _ := regexp.MustCompile(r.source).LiteralPrefix()
		if lit == "" {
			lit = strings.Join(r.keywords, "\x00") // keywords start the token (case-folded)
		}
		for _, p := range strings.Split(lit, "\x00") {
			if len(p) >= 8 {
				out = append(out, p)
			}
		}
	}
	return out
}

// A marker stands where the secret stood. If a rule's name repeated 8 bytes
// of a token's public prefix (`[REDACTED:aws-amazon-bedrock-api-key-…]` over
// a `bedrock-api-key-…` token), the redacted text would still carry a window
// of a secret: a canary check or a DLP scanner downstream would see a leak,
// and a reader could not tell the marker from a truncated token.
func TestMarkersRepeatNoTokenPrefix(t *testing.T) {
	prefixes := tokenStarts(t)
	if len(prefixes) < 20 {
		t.Fatalf("only %d token prefixes found: the test would not look at anything", len(prefixes))
	}
	e, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	names := []string{exactRuleID}
	for _, ri := range e.Rules() {
		names = append(names, ri.ID)
	}
	for _, name := range names {
		for _, p := range prefixes {
			for i := 0; i+8 <= len(p); i++ {
				if strings.Contains(name, p[i:i+8]) {
					t.Errorf("rule %s: its marker repeats %q of the token prefix %q", name, p[i:i+8], p)
					break
				}
			}
		}
	}
}

func TestBedrockMarkerCarriesNoTokenBytes(t *testing.T) {
	e, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	tok := "bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29tLz9BY3Rpb249Q2FsbFdpdGhCZWFyZXJUb2tlbiZYLUFtei1BbGdvcml0aG09QVdTNC1ITUFDLVNIQTI1NiZYLUFtei1DcmVkZW50aWFsPUFTSUFWMlhITko1NFNGSUJVSkpG"
	red, _ := e.Redact([]byte("export AWS_BEARER_TOKEN_BEDROCK="+tok+"\n"), Options{})
	out := string(red)
	for i := 0; i+8 <= len(tok); i++ {
		if strings.Contains(out, tok[i:i+8]) {
			t.Fatalf("output %q still holds %q of the token", out, tok[i:i+8])
		}
	}
}
