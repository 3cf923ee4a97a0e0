package redact_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/warden-gw/warden/redact"
	"github.com/warden-gw/warden/redact/redacttest"
)

// someSamples is a spread of secret shapes (prefixed tokens, base64, PEM, assignments, PII)
// small enough to split at every offset in every format.
func someSamples(t testing.TB) []redacttest.Sample {
	var out []redacttest.Sample
	all := samples(t)
	for i, sm := range all {
		if i%23 == 0 || sm.Rule == "github-pat" || sm.Rule == "anthropic-apikey" || sm.Rule == "openai-apikey" ||
			sm.Rule == "aws-access-key-id" || sm.Rule == "slack-bot-token" {
			out = append(out, sm)
		}
	}
	return out
}

// TestStreamFormatsSplitEverySecretAtEveryOffset splits a secret across two events at every
// offset, in every streamed format, with the byte stream also cut inside the secret: no 8-byte
// window of it reaches the client, the client's text has the marker and as many lines.
func TestStreamFormatsSplitEverySecretAtEveryOffset(t *testing.T) {
	eng := engine(t)
	for _, f := range redacttest.StreamFormats {
		t.Run(f.Name, func(t *testing.T) {
			kind := redact.KindOf(f.ContentType)
			for _, sm := range someSamples(t) {
				text := "Sure. " + sm.Line + "\nDone."
				s, n := strings.Index(text, sm.Secret), len(sm.Secret)
				for i := s; i <= s+n; i += offsetStride {
					deltas := []string{"Sure", text[4:i], text[i:]}
					wire := f.Build(deltas)
					cut := bytes.Index(wire, []byte(sm.Secret[:min(4, n)]))
					out := runStream(t, eng, kind, splitAt(wire, cut+(i-s)/2, len(wire)-7)...)
					if w, ok := leak(out, sm.Secret); ok {
						t.Fatalf("%s split at %d leaked %q:\n%s", sm.Rule, i-s, w, out)
					}
					got, err := f.Text(out)
					if err != nil {
						t.Fatalf("%s split at %d: %v\n%s", sm.Rule, i-s, err, out)
					}
					if !strings.Contains(got, "[REDACTED:") || strings.Count(got, "\n") != strings.Count(text, "\n") ||
						!strings.HasPrefix(got, "Sure. ") || !strings.HasSuffix(got, "Done.") {
						t.Fatalf("%s split at %d: text not redacted, or lines or surroundings changed: %q", sm.Rule, i-s, got)
					}
				}
			}
		})
	}
}

// TestStreamFormatsBenignStreamsPassUnchanged: a stream without a secret reaches the client byte
// for byte, whatever the chunking, in every format.
func TestStreamFormatsBenignStreamsPassUnchanged(t *testing.T) {
	eng := engine(t)
	deltas := []string{"Hello", ", wor", "ld. The deploy", " key is in the ", "vault; run `make ", "deploy` now.\n", "Bye"}
	for _, f := range redacttest.StreamFormats {
		t.Run(f.Name, func(t *testing.T) {
			wire := f.Build(deltas)
			var chunks [][]byte
			for i := range wire {
				chunks = append(chunks, wire[i:i+1])
			}
			if out := runStream(t, eng, redact.KindOf(f.ContentType), chunks...); !bytes.Equal(out, wire) {
				t.Fatalf("benign stream changed:\n got %q\nwant %q", out, wire)
			}
		})
	}
}

// TestHeldTextKeepsItsPlace: text held back at the end of a content delta (a word that might
// still grow into a secret) reaches the client before the tool call that follows it, as soon as
// the tool call starts, and the tool call's own events are not held behind it.
func TestHeldTextKeepsItsPlace(t *testing.T) {
	eng := engine(t)
	t.Run("openai-chat", func(t *testing.T) {
		evs := []string{
			`data: {"id":"c1","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}` + "\n\n",
			`data: {"id":"c1","choices":[{"index":0,"delta":{"content":"I will count the rows of the customers tab"},"finish_reason":null}]}` + "\n\n",
			`data: {"id":"c1","choices":[{"index":0,"delta":{"content":"le"},"finish_reason":null}]}` + "\n\n",
			`data: {"id":"c1","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"run_sql","arguments":""}}]},"finish_reason":null}]}` + "\n\n",
			`data: {"id":"c1","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"q\":\"SELECT 1\"}"}}]},"finish_reason":null}]}` + "\n\n",
			`data: {"id":"c1","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}` + "\n\ndata: [DONE]\n\n",
		}
		s := eng.NewStream(redact.KindSSE, redact.StreamOptions{})
		var out []byte
		for i, ev := range evs {
			o, err := s.Write([]byte(ev))
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, o...)
			if i == 3 {
				// The tool call has started: the whole sentence is out, then the tool call's first event.
				if want := strings.Join(evs[:4], ""); string(out) != want {
					t.Fatalf("after the first tool-call event the client has\n%q\nwant\n%q", out, want)
				}
			}
		}
		o, err := s.Close()
		if err != nil {
			t.Fatal(err)
		}
		if out = append(out, o...); string(out) != strings.Join(evs, "") {
			t.Fatalf("stream changed or reordered:\n%q", out)
		}
	})
	// In every format, events leave in the order they came: a delta that ends inside a word waits,
	// and so does everything behind it, until the word is decided.
	for _, f := range redacttest.StreamFormats {
		t.Run(f.Name, func(t *testing.T) {
			wire := f.Build([]string{"Deploying with the to", "ken in the vault", "; done"})
			s := eng.NewStream(redact.KindOf(f.ContentType), redact.StreamOptions{})
			var out []byte
			next := bytes.Index(wire, []byte("ken in the vault")) + len("ken in the vault")
			for i := range wire {
				o, err := s.Write(wire[i : i+1])
				if err != nil {
					t.Fatal(err)
				}
				out = append(out, o...)
				if !bytes.HasPrefix(wire, out) {
					t.Fatalf("after %d bytes the client has bytes out of order:\n%q", i+1, out)
				}
				if i < next && bytes.Contains(out, []byte("the to")) {
					t.Fatalf("a cut word reached the client before the delta that completes it: %q", out)
				}
			}
		})
	}
}

// TestInterleavedChoicesKeepTheirText: with n=2, Chat Completions and legacy completions
// interleave the choices' events; a token split across two events of choice 0 with an event of
// choice 1 between them is still seen whole, and every event leaves in order.
func TestInterleavedChoicesKeepTheirText(t *testing.T) {
	eng := engine(t)
	tok := planted(t)
	chat := func(i int, s string) string {
		return `data: {"choices":[{"index":` + string(rune('0'+i)) + `,"delta":{"content":` + jsonStr(s) + `},"finish_reason":null}]}` + "\n\n"
	}
	legacy := func(i int, s string) string {
		return `data: {"id":"cmpl-1","object":"text_completion","model":"m","choices":[{"text":` + jsonStr(s) + `,"index":` + string(rune('0'+i)) + `,"finish_reason":null}]}` + "\n\n"
	}
	for name, ev := range map[string]func(int, string) string{"openai-chat": chat, "openai-completions": legacy} {
		t.Run(name, func(t *testing.T) {
			for cut := 1; cut < len(tok); cut += 3 {
				wire := ev(0, "Hi ") + ev(1, "Hello ") + ev(0, "the key is "+tok[:cut]) + ev(1, "there, friend ") +
					ev(0, tok[cut:]+" ok") + ev(1, "bye") + "data: [DONE]\n\n"
				out := runStream(t, eng, redact.KindSSE, []byte(wire))
				if w, ok := leak(out, tok); ok {
					t.Fatalf("cut %d leaked %q:\n%s", cut, w, out)
				}
				if !bytes.Contains(out, []byte("[REDACTED:github-pat]")) || !bytes.Contains(out, []byte("there, friend ")) {
					t.Fatalf("cut %d: %s", cut, out)
				}
			}
		})
	}
}

// TestDeltasEndingAtAWordLeaveWithTheirEvent: a delta that ends at a word boundary reaches the
// client before the next delta arrives, in every format, the first one included (metadata such
// as ids and model names does not make the first event wait): the hold-back adds no latency
// to text that cannot be part of a secret.
func TestDeltasEndingAtAWordLeaveWithTheirEvent(t *testing.T) {
	eng := engine(t)
	deltas := []string{"One ", "two ", "three ", "four ", "five ", "six "}
	for _, f := range redacttest.StreamFormats {
		t.Run(f.Name, func(t *testing.T) {
			wire := f.Build(deltas)
			s := eng.NewStream(redact.KindOf(f.ContentType), redact.StreamOptions{})
			var out []byte
			fed := 0
			for k := range deltas[:len(deltas)-1] {
				next := bytes.Index(wire, []byte(deltas[k+1]))
				o, err := s.Write(wire[fed:next])
				fed = next
				if err != nil {
					t.Fatal(err)
				}
				if out = append(out, o...); !bytes.Contains(out, []byte(deltas[k])) {
					t.Fatalf("delta %q was still held when the next one arrived; the client has %q", deltas[k], out)
				}
			}
		})
	}
}

// TestManyFieldsAreStillScanned: a JSON array with more distinct fields than a stream learns by
// shape still has every value scanned, and stays valid JSON.
func TestManyFieldsAreStillScanned(t *testing.T) {
	tok := planted(t)
	var b strings.Builder
	b.WriteString("[")
	for i := 0; i < 3000; i++ {
		fmt.Fprintf(&b, `{"f%d":"value %d"},`, i, i)
	}
	b.WriteString(`{"f3000":"push with ` + tok + `"}]`)
	out := runStream(t, engine(t), redact.KindJSON, []byte(b.String()))
	if bytes.Contains(out, []byte(tok[4:])) || !json.Valid(out) {
		t.Fatalf("token passed or JSON broke: %s", out[len(out)-120:])
	}
}

// TestRecordsKeepAMarkerEach: a JSON array of records (a list API's response, read like a
// stream) redacts each record's secret in place, as RedactJSON does, rather than one marker for
// two values joined.
func TestRecordsKeepAMarkerEach(t *testing.T) {
	eng := engine(t)
	for _, in := range []string{
		`[{"name":"alice","email":"alice@example.com","note":"ok"},{"name":"bob","email":"bob@example.com","note":"fine"}]`,
		`[{"user":"a","password":"Xk9#mQ2$vL7pR4"},{"user":"b","password":"Zt8!nW3%bH6yJ1"}]`,
		"{\"user\":\"a\",\"password\":\"Xk9#mQ2$vL7pR4\"}\n{\"user\":\"b\",\"password\":\"Zt8!nW3%bH6yJ1\"}\n",
	} {
		kind := redact.KindJSON
		if in[0] != '[' {
			kind = redact.KindNDJSON
		}
		got := runStream(t, eng, kind, []byte(in))
		var want []byte
		if kind == redact.KindJSON {
			want, _, _ = eng.RedactJSON([]byte(in), redact.Options{})
		} else {
			for _, line := range strings.SplitAfter(in, "\n") {
				if line == "" {
					continue
				}
				o, _, _ := eng.RedactJSON([]byte(strings.TrimSuffix(line, "\n")), redact.Options{})
				want = append(append(want, o...), '\n')
			}
		}
		if !bytes.Equal(got, want) {
			t.Errorf("got  %s\nwant %s", got, want)
		}
	}
}
