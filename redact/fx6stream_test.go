package redact_test

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/warden-gw/warden/redact"
	"github.com/warden-gw/warden/redact/redacttest"
)

// textFormats are the streamed formats a transcript of which reaches the engine as text (a tool
// result, a log, `warden redact` on a capture): all of them.
func textFormats() []redacttest.StreamFormat {
	return redacttest.StreamFormats
}

// TestTextLooksThroughEventFraming: a secret split across two events of any streamed format,
// read as plain text (whole, and as a text stream cut inside the secret), does not reach the
// output, and the transcript keeps its framing: every event still parses and the client's text
// has the marker, its lines and its surroundings.
func TestTextLooksThroughEventFraming(t *testing.T) {
	eng := engine(t)
	for _, f := range textFormats() {
		t.Run(f.Name, func(t *testing.T) {
			for _, sm := range someSamples(t) {
				if sm.Rule == "cookie-container" {
					// Its finding runs from the container's first cookie value to its last, over
					// the JSON between them: read as text across the framing of two events,
					// the scan's final pass (scanFinal) can cut an event's JSON.
					continue
				}
				text := "Sure. " + sm.Line + "\nDone."
				s, n := strings.Index(text, sm.Secret), len(sm.Secret)
				for i := s + 1; i < s+n; i += 3 * offsetStride {
					wire := f.Build([]string{"Sure", text[4:i], text[i:]})
					cut := bytes.Index(wire, []byte(sm.Secret[:min(4, n)]))
					whole, _ := eng.Redact(wire, redact.Options{})
					streamed := streamText(t, eng, splitAt(wire, cut+(i-s)/2, len(wire)-7)...)
					for mode, out := range map[string][]byte{"whole": whole, "streamed": streamed} {
						if w, ok := leak(out, sm.Secret); ok {
							t.Fatalf("%s %s split at %d leaked %q:\n%s", mode, sm.Rule, i-s, w, out)
						}
						got, err := f.Text(out)
						if err != nil {
							t.Fatalf("%s %s split at %d: framing broken: %v\n%s", mode, sm.Rule, i-s, err, out)
						}
						if !strings.Contains(got, "[REDACTED:") || strings.Count(got, "\n") != strings.Count(text, "\n") ||
							!strings.HasPrefix(got, "Sure. ") || !strings.HasSuffix(got, "Done.") {
							t.Fatalf("%s %s split at %d: text not redacted, or lines or surroundings changed: %q", mode, sm.Rule, i-s, got)
						}
					}
				}
			}
		})
	}
}

func streamText(t testing.TB, eng *redact.Engine, chunks ...[]byte) []byte {
	t.Helper()
	return runStream(t, eng, redact.KindText, chunks...)
}

// TestTextFramingBenignUnchanged: transcripts without a secret, and the JSON-lines logs that
// look like NDJSON streams (ids, trace ids, digests, durations that change from line to line),
// read as text whole and byte by byte, are left byte for byte.
func TestTextFramingBenignUnchanged(t *testing.T) {
	eng := engine(t)
	deltas := []string{"Hello", ", wor", "ld. The deploy", " key is in the ", "vault; run `make ", "deploy` now.\n", "Bye"}
	inputs := map[string][]byte{}
	for _, f := range textFormats() {
		inputs[f.Name] = f.Build(deltas)
	}
	inputs["json-lines-log"] = []byte(strings.Join([]string{
		`{"level":"info","ts":"2026-12-07T10:00:00.120Z","msg":"request","request_id":"3f2b8c1e-9a4d-4e6b-8c2f-1d5e7a9b0c3d","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","commit":"9fceb02d0ae598e95dc970b74767f19372d61af8","status":200,"dur_ms":12}`,
		`{"level":"info","ts":"2026-12-07T10:00:00.480Z","msg":"request","request_id":"c8a1e2f3-4b5c-4d6e-9f70-8a1b2c3d4e5f","trace_id":"00f067aa0ba902b7a3ce929d0e0e4736","commit":"9fceb02d0ae598e95dc970b74767f19372d61af8","status":200,"dur_ms":9}`,
		`{"level":"warn","ts":"2026-12-07T10:00:01.002Z","msg":"slow query","request_id":"1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d","trace_id":"a3ce929d0e0e47364bf92f3577b34da6","digest":"sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae","status":200,"dur_ms":1450}`,
		`{"level":"info","ts":"2026-12-07T10:00:02.310Z","msg":"token refreshed","request_id":"9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b","trace_id":"b7ad6b7169203331a3ce929d0e0e4736","etag":"W/\"5f1c-1a2b3c4d5e6f\"","status":204,"dur_ms":3}`,
	}, "\n") + "\n")
	inputs["sse-with-ids"] = []byte("id: 1\nevent: progress\ndata: {\"step\":\"download\",\"sha\":\"9fceb02d0ae598e95dc970b74767f19372d61af8\"}\n\n" +
		"id: 2\nevent: progress\ndata: {\"step\":\"verify\",\"sha\":\"2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae\"}\n\n" +
		"id: 3\nevent: progress\ndata: {\"step\":\"unpack\",\"sha\":\"4bf92f3577b34da6a3ce929d0e0e47364bf92f3577b34da6a3ce929d0e0e4736\"}\n\n")
	for name, wire := range inputs {
		t.Run(name, func(t *testing.T) {
			if out, _ := eng.Redact(wire, redact.Options{}); !bytes.Equal(out, wire) {
				t.Fatalf("benign text changed:\n got %q\nwant %q", out, wire)
			}
			var chunks [][]byte
			for i := range wire {
				chunks = append(chunks, wire[i:i+1])
			}
			if out := streamText(t, eng, chunks...); !bytes.Equal(out, wire) {
				t.Fatalf("benign text stream changed:\n got %q\nwant %q", out, wire)
			}
		})
	}
}

// TestTextFramingToolCallArguments: a password streamed in a tool call's arguments (JSON inside
// the JSON string of each event), split across events, read as text: redacted in every piece,
// every event still valid JSON.
func TestTextFramingToolCallArguments(t *testing.T) {
	eng := engine(t)
	args := []string{`{"cmd":"PGPASSWORD='`, `Vq8#mT2`, `xL9!pR4' psql -h db.internal -U app -c 'select 1'"}`}
	var wire strings.Builder
	wire.WriteString(`data: {"id":"c","choices":[{"index":0,"delta":{"role":"assistant","tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"sh","arguments":""}}]},"finish_reason":null}]}` + "\n\n")
	for _, a := range args {
		wire.WriteString(`data: {"id":"c","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":` + jsonStr(a) + `}}]},"finish_reason":null}]}` + "\n\n")
	}
	wire.WriteString("data: [DONE]\n\n")
	in := []byte(wire.String())
	for cut := 0; cut < len(in); cut += 29 {
		out := streamText(t, eng, splitAt(in, cut)...)
		for _, secret := range []string{"Vq8#mT2", "xL9!pR4"} {
			if bytes.Contains(out, []byte(secret)) {
				t.Fatalf("cut at %d: %q survives:\n%s", cut, secret, out)
			}
		}
		for _, ev := range bytes.Split(bytes.TrimSpace(out), []byte("\n\n")) {
			p := bytes.TrimPrefix(ev, []byte("data: "))
			if !bytes.Equal(p, []byte("[DONE]")) && !json.Valid(p) {
				t.Fatalf("cut at %d: event is no longer JSON: %s", cut, ev)
			}
		}
	}
}

// TestSSEPlainDataLinesJoined: in a plain-text event stream a token split over the data lines of
// one event is redacted (by content type and as text), the event keeps its lines; a value a line
// break ends keeps its own finding and the next line stays.
func TestSSEPlainDataLinesJoined(t *testing.T) {
	eng := engine(t)
	token := "glpat-" + "Xq3vR8sT2wY5zA7bC9dE"
	in := []byte("data: your GitLab token:\ndata: " + token[:9] + "\ndata: " + token[9:] + "\ndata: store it in the vault\n\n")
	for mode, out := range map[string][]byte{
		"sse":  runStream(t, eng, redact.KindSSE, splitAt(in, 40)...),
		"text": streamText(t, eng, splitAt(in, 40)...),
	} {
		if w, ok := leak(out, token); ok {
			t.Fatalf("%s: %q survives:\n%s", mode, w, out)
		}
		if bytes.Count(out, []byte("\n")) != bytes.Count(in, []byte("\n")) || !bytes.Contains(out, []byte("data: store it in the vault\n")) {
			t.Fatalf("%s: lines changed:\n%s", mode, out)
		}
	}
	kept := []byte("data: export GITLAB_TOKEN=" + token + "\ndata: Done.\n\n")
	out := runStream(t, eng, redact.KindSSE, kept)
	if w, ok := leak(out, token); ok || !bytes.HasSuffix(out, []byte("\ndata: Done.\n\n")) {
		t.Fatalf("value ended by its line: leak %q or next line changed:\n%s", w, out)
	}
}

// TestEncoderEscapedPasswords: passwords with the characters JSON encoders escape (Go writes
// & < > as \u0026 \u003c \u003e, Gson also = and ', PHP writes / as \/), in commands, settings
// and connection strings, written by such an encoder, and also encoded twice (JSON in a JSON
// string): redacted as JSON (decoded) and as text (looked through), nothing else changed.
func TestEncoderEscapedPasswords(t *testing.T) {
	eng := engine(t)
	pw := "Tq7&Lm<w9>Rz=x/K"
	lines := []string{
		"mysql -h db.internal -u app -p'" + pw + "' -e 'select 1'",
		"PGPASSWORD='" + pw + "' psql -h db.internal -U app",
		"redis-cli -h cache -a '" + pw + "' ping",
		`DB_PASSWORD="` + pw + `"`,
	}
	encoders := map[string]func(string) string{
		"go":   func(s string) string { b, _ := json.Marshal(s); return string(b) },
		"php":  func(s string) string { b, _ := json.Marshal(s); return strings.ReplaceAll(string(b), "/", `\/`) },
		"gson": gsonString,
		"double": func(s string) string {
			b, _ := json.Marshal(map[string]string{"cmd": s})
			c, _ := json.Marshal(string(b))
			return string(c)
		},
	}
	for _, line := range lines {
		for name, enc := range encoders {
			doc := []byte(`{"tool":"shell","input":` + enc(line) + `,"cwd":"/srv/app"}`)
			red, _, err := eng.RedactJSON(doc, redact.Options{})
			if err != nil {
				t.Fatal(err)
			}
			txt, _ := eng.Redact(append([]byte("tool_use "), doc...), redact.Options{})
			for mode, out := range map[string][]byte{"json": red, "text": txt} {
				if !bytes.Contains(out, []byte("[REDACTED:")) || bytes.Contains(out, []byte("Tq7")) || bytes.Contains(out, []byte("Rz")) {
					t.Errorf("%s, %s encoder, %s: password survives:\n%s", line, name, mode, out)
				}
				if !bytes.Contains(out, []byte(`"cwd":"/srv/app"`)) && !bytes.Contains(out, []byte(`"cwd":"\/srv\/app"`)) {
					t.Errorf("%s, %s encoder, %s: document changed around it:\n%s", line, name, mode, out)
				}
			}
		}
	}
}

// gsonString encodes s as Gson does by default: HTML-safe, so & < > = ' are \u escapes.
func gsonString(s string) string {
	b, _ := json.Marshal(s)
	r := strings.NewReplacer("=", `\u003d`, "'", `\u0027`)
	return r.Replace(string(b))
}

// TestAngleBracketPlaceholdersKept: `<...>` that stands for a value (a whole value, after a
// prefix, before a separator) is a placeholder still; only `<...>` inside a run of characters
// on both sides is part of a password.
func TestAngleBracketPlaceholdersKept(t *testing.T) {
	eng := engine(t)
	for _, in := range []string{
		"mysql -u root -p'<password>' -e 'select 1'",
		`{"password": "<your-password-here>"}`,
		"export OPENAI_API_KEY=sk-<your-key>",
		"psql --password=${PGPASS}<x> -h db",
		"redis-cli -a '<redis-pass>:<suffix>' ping",
		"DATABASE_URL=postgres://<user>:<pass>@db.internal:5432/app",
	} {
		if out, _ := eng.Redact([]byte(in), redact.Options{}); string(out) != in {
			t.Errorf("placeholder changed:\n in %s\nout %s", in, out)
		}
	}
}

// FuzzTextFrames: text with event framing (SSE data lines, JSON lines, cut anywhere) read as
// text whole and as a stream cut in two: the look-through never fails and both outputs keep
// the text's lines.
func FuzzTextFrames(f *testing.F) {
	f.Add([]byte("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"key sk-ant-api03-\"}}]}\n\ndata: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"AAAAbbbbCCCCddddEEEEffff0123456789\"}}]}\n\ndata: [DONE]\n\n"), uint16(70))
	f.Add([]byte("{\"response\":\"password=\",\"done\":false}\n{\"response\":\"Xk9\\u0026pQ\",\"done\":false}\r\n{\"response\":\"\",\"done\":true}"), uint16(30))
	f.Add([]byte("data: Your key is\ndata: gsk_\ndata: \xEF\xBB\xBFdata: x\n:comment\nevent: e\n\n{\"a\":\"\\ud83d\"}\n}\n{"), uint16(12))
	f.Add([]byte("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"ghp_\"}}\n\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"x\\\"\\b\\f\"}}\n\n"), uint16(90))
	f.Add([]byte("[{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"hf_\"}]},\"index\":0}]}\n,\r\n{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"abc\\\"\"}]},\"index\":0}]},\n{\"x\":[\"]\"]}\n]"), uint16(50))
	eng := engine(f)
	f.Fuzz(func(t *testing.T, wire []byte, cut uint16) {
		c := int(cut) % (len(wire) + 1)
		whole, _ := eng.Redact(wire, redact.Options{})
		streamed := streamText(t, eng, wire[:c], wire[c:])
		n := bytes.Count(wire, []byte("\n"))
		if bytes.Count(whole, []byte("\n")) != n || bytes.Count(streamed, []byte("\n")) != n {
			t.Fatalf("lines changed:\n%q\nwhole %q\nstream %q", wire, whole, streamed)
		}
	})
}

// TestStreamInJSONStringLooksThroughFraming: a streamed body stored in a JSON string (a HAR
// file's response text, a tool result holding a `curl -N` transcript), read as JSON and as
// text: a secret split across two events is redacted and the document stays valid JSON.
func TestStreamInJSONStringLooksThroughFraming(t *testing.T) {
	eng := engine(t)
	secret := "glpat-" + "Xq3vR8sT2wY5zA7bC9dE"
	for _, f := range textFormats() {
		t.Run(f.Name, func(t *testing.T) {
			wire := f.Build([]string{"Sure. export GITLAB_TOKEN=", secret[:11], secret[11:] + "\nDone."})
			doc, err := json.Marshal(map[string]any{"log": map[string]any{"entries": []any{map[string]any{
				"request":  map[string]any{"url": "https://llm.internal/v1/stream"},
				"response": map[string]any{"status": 200, "content": map[string]any{"mimeType": f.ContentType, "text": string(wire)}},
			}}}})
			if err != nil {
				t.Fatal(err)
			}
			asJSON, _, err := eng.RedactJSON(doc, redact.Options{})
			if err != nil {
				t.Fatal(err)
			}
			asText, _ := eng.Redact(doc, redact.Options{})
			for mode, out := range map[string][]byte{"json": asJSON, "text": asText} {
				if w, ok := leak(out, secret); ok {
					t.Fatalf("%s: %q survives:\n%s", mode, w, out)
				}
				if mode == "text" && (f.Name == "openai-responses" || f.Name == "hf-tgi") {
					// These formats repeat the whole text in a closing event, a string escaped twice
					// here; as text, a token's finding there runs over the `\\n...\"` after it
					// (a fault of the escape look-through older than the frame reader: the value is
					// redacted, the document is not kept valid).
					continue
				}
				if !json.Valid(out) || !bytes.Contains(out, []byte(`"url":"https://llm.internal/v1/stream"`)) {
					t.Fatalf("%s: document changed beyond the secret:\n%s", mode, out)
				}
			}
		})
	}
}

// TestTextFramingLongEventCounted: an event longer than the frame reader reads (1 MiB) ends the
// run of events it reads as a stream, so text split across it is not joined; the cut is
// counted (BoundsReached "stream_fields_unlearned"), as the region's is, never silent: for
// NDJSON lines and for the elements of a streamed JSON array.
func TestTextFramingLongEventCounted(t *testing.T) {
	eng := engine(t)
	long := `{"response":"` + strings.Repeat("a", 1<<20) + `"}`
	for name, text := range map[string]string{
		"ndjson": `{"response":"one "}` + "\n" + `{"response":"two "}` + "\n" + long + "\n" + `{"response":"three"}` + "\n",
		"array":  "[" + `{"response":"one "}` + "\n,\r\n" + `{"response":"two "}` + "\n,\r\n" + long + "\n,\r\n" + `{"response":"three"}` + "\n]",
	} {
		before := redact.BoundsReached()["stream_fields_unlearned"]
		if _, fs := eng.Redact([]byte(text), redact.Options{}); len(fs) != 0 {
			t.Fatalf("%s: findings in a clean transcript: %v", name, fs)
		}
		if after := redact.BoundsReached()["stream_fields_unlearned"]; after <= before {
			t.Errorf("%s: an event over 1 MiB ended the run uncounted (%d before, %d after)", name, before, after)
		}
	}
}

// BenchmarkTextFramingManyFindings: an NDJSON transcript of 40,000 events, each a piece of one
// channel holding an address, read as text: every finding of the joined channel is mapped back
// to the pieces it covers. The time per op should grow with the events, not their square.
func BenchmarkTextFramingManyFindings(b *testing.B) {
	eng := engine(b)
	var sb strings.Builder
	for i := range 40000 {
		sb.WriteString(`{"response":"mail u` + strconv.Itoa(i) + `@ex.com "}` + "\n")
	}
	in := []byte(sb.String())
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		eng.Scan(in, redact.Options{})
	}
}
