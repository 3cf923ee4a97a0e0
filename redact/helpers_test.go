package redact_test

import (
	"bytes"
	"encoding/json"
	"regexp"
	"sync"
	"testing"

	"github.com/warden-gw/warden/redact"
	"github.com/warden-gw/warden/redact/redacttest"
)

var markerRe = regexp.MustCompile(`\[REDACTED:[a-z0-9-]+(?::[0-9a-f]{8})?\]`)

var (
	engOnce    sync.Once
	sharedEng  *redact.Engine
	sharedSamp []redacttest.Sample
	sampErr    error
)

func engine(t testing.TB) *redact.Engine {
	t.Helper()
	engOnce.Do(func() {
		sharedEng, sampErr = redact.New(redact.Config{})
		if sampErr == nil {
			sharedSamp, sampErr = redacttest.Samples(sharedEng, 7)
		}
	})
	if sampErr != nil {
		t.Fatal(sampErr)
	}
	return sharedEng
}

func samples(t testing.TB) []redacttest.Sample {
	t.Helper()
	engine(t)
	return sharedSamp
}

// leak reports the first 8-byte window of secret (or all of a shorter secret)
// found in out.
func leak(out []byte, secret string) (string, bool) {
	out = markerRe.ReplaceAll(out, nil)
	w := min(8, len(secret))
	for i := 0; i+w <= len(secret); i++ {
		if bytes.Contains(out, []byte(secret[i:i+w])) {
			return secret[i : i+w], true
		}
	}
	return "", false
}

// runStream feeds chunks to a new stream and returns all output.
func runStream(t testing.TB, eng *redact.Engine, kind redact.Kind, chunks ...[]byte) []byte {
	t.Helper()
	s := eng.NewStream(kind, redact.StreamOptions{})
	var out []byte
	for _, c := range chunks {
		o, err := s.Write(c)
		if err != nil {
			t.Fatalf("write: %v", err)
		}
		out = append(out, o...)
	}
	o, err := s.Close()
	if err != nil {
		t.Fatalf("close: %v", err)
	}
	return append(out, o...)
}

func splitAt(b []byte, cuts ...int) [][]byte {
	var out [][]byte
	prev := 0
	for _, c := range cuts {
		c = max(prev, min(c, len(b)))
		out = append(out, b[prev:c])
		prev = c
	}
	return append(out, b[prev:])
}

func jsonStr(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// sseFormats are the SSE formats the SSE tests split every sample in (the
// full set, with the other wire formats, is redacttest.StreamFormats).
var sseFormats = func() []redacttest.StreamFormat {
	var out []redacttest.StreamFormat
	for _, f := range redacttest.StreamFormats {
		switch f.Name {
		case "openai-chat", "openai-responses", "anthropic-messages":
			out = append(out, f)
		}
	}
	if len(out) != 3 {
		panic("redacttest.StreamFormats lost an SSE format the SSE tests split secrets in")
	}
	return out
}()

func mustJSON(t testing.TB, data string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(data), v); err != nil {
		t.Fatalf("event data is not valid JSON: %v\n%s", err, data)
	}
}

// parseSSE checks that out is a sequence of complete events and returns them.
func parseSSE(t testing.TB, out []byte) []redacttest.SSEEvent {
	t.Helper()
	evs, err := redacttest.ParseSSE(out)
	if err != nil {
		t.Fatal(err)
	}
	return evs
}
