package redactlog_test

import (
	"bytes"
	"errors"
	"log/slog"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/warden-gw/warden/redact"
	"github.com/warden-gw/warden/redact/redactlog"
	"github.com/warden-gw/warden/redact/redacttest"
)

// TestEveryPartOfALogLineIsRedacted: message, string, error, group and
// WithAttrs attributes carrying a token are all redacted in the output.
func TestEveryPartOfALogLineIsRedacted(t *testing.T) {
	eng, err := redact.New(redact.Config{})
	if err != nil {
		t.Fatal(err)
	}
	tok := redacttest.GitHubToken(rand.New(rand.NewPCG(1, 2)), "ghp_")
	for _, format := range []string{"text", "json"} {
		var buf bytes.Buffer
		var h slog.Handler = slog.NewTextHandler(&buf, nil)
		if format == "json" {
			h = slog.NewJSONHandler(&buf, nil)
		}
		log := slog.New(redactlog.New(h, eng.Text)).With("path", "/bot/"+tok)
		log.WithGroup("g").Error("refused "+tok, "error", errors.New("bad header "+tok),
			"s", tok, slog.Group("grp", "inner", tok), "n", 3)
		out := buf.String()
		if strings.Contains(out, tok) || strings.Count(out, "[REDACTED:github-pat]") != 5 || !strings.Contains(out, "3") {
			t.Errorf("%s: %s", format, out)
		}
	}
}

// TestAttributeKeyIsContext: a string attribute that is a secret only by its
// key (an API-key header logged as x-api-key=<hex>) is redacted; the same
// value under a harmless key stays.
func TestAttributeKeyIsContext(t *testing.T) {
	eng, err := redact.New(redact.Config{})
	if err != nil {
		t.Fatal(err)
	}
	const hex32 = "1ef56e66f4dbf722a36d750baddf6d0d"
	var buf bytes.Buffer
	slog.New(redactlog.New(slog.NewTextHandler(&buf, nil), eng.Text)).Info("upstream", "x-api-key", hex32, "request_id", hex32)
	out := buf.String()
	if !strings.Contains(out, "x-api-key=[REDACTED:") || !strings.Contains(out, "request_id="+hex32) {
		t.Fatalf("log line: %s", out)
	}
}

// TestBytesAndKeysAreRedacted: a body logged as []byte is written as its text
// and redacted (fmt would print its bytes as decimal numbers, a form no rule
// reads but anyone can decode), and a token written where a key goes
// (log.Info("msg", tok, v)) is redacted too.
func TestBytesAndKeysAreRedacted(t *testing.T) {
	eng, err := redact.New(redact.Config{})
	if err != nil {
		t.Fatal(err)
	}
	tok := redacttest.GitHubToken(rand.New(rand.NewPCG(3, 4)), "ghp_")
	for _, format := range []string{"text", "json"} {
		var buf bytes.Buffer
		var h slog.Handler = slog.NewTextHandler(&buf, nil)
		if format == "json" {
			h = slog.NewJSONHandler(&buf, nil)
		}
		log := slog.New(redactlog.New(h, eng.Text))
		log.Info("upstream", "body", []byte("token="+tok), tok, 1, slog.Group(tok, "n", 2))
		out := buf.String()
		if strings.Contains(out, tok) || strings.Count(out, "[REDACTED:github-pat]") != 3 || !strings.Contains(out, "token=") {
			t.Errorf("%s: %s", format, out)
		}
	}
}
