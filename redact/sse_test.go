package redact_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/warden-gw/warden/redact"
)

// TestSSESplitEverySecretAcrossDeltasAndChunks splits each secret across two
// deltas at every offset (and across three deltas at chosen second cuts), and
// also cuts the SSE byte stream inside the secret, for each SSE format.
func TestSSESplitEverySecretAcrossDeltasAndChunks(t *testing.T) {
	eng := engine(t)
	for _, f := range sseFormats {
		t.Run(f.Name, func(t *testing.T) {
			for _, sm := range samples(t) {
				text := "Sure. " + sm.Line + "\nDone."
				s := strings.Index(text, sm.Secret)
				n := len(sm.Secret)
				check := func(desc string, deltas []string, wireCuts func([]byte) []int) {
					t.Helper()
					wire := f.Build(deltas)
					out := runStream(t, eng, redact.KindSSE, splitAt(wire, wireCuts(wire)...)...)
					got, err := f.Text(out)
					if err != nil {
						t.Fatalf("%s %s: %v\n%s", sm.Rule, desc, err, out)
					}
					if w, ok := leak(out, sm.Secret); ok {
						t.Fatalf("%s %s leaked %q:\n%s", sm.Rule, desc, w, out)
					}
					if !strings.Contains(got, "[REDACTED:") || strings.Count(got, "\n") != strings.Count(text, "\n") {
						t.Fatalf("%s %s: delta text not redacted or lines changed: %q", sm.Rule, desc, got)
					}
				}
				for i := s; i <= s+n; i += offsetStride {
					inSecret := func(wire []byte) []int {
						// cut the wire right after the first half of the secret
						k := bytes.Index(wire, []byte(jsonStr(text[:i])[1:len(jsonStr(text[:i]))-1]))
						return []int{max(0, k+len(jsonStr(text[:i]))-2)}
					}
					check("2 deltas", []string{text[:i], text[i:]}, inSecret)
					if i%4 == 0 {
						j := min(len(text), i+1+(s+n-i)/2)
						check("3 deltas", []string{text[:i], text[i:j], text[j:]}, func(w []byte) []int { return []int{len(w) / 3, 2 * len(w) / 3} })
					}
				}
			}
		})
	}
}

func TestSSEKeepsEventsWellFormed(t *testing.T) {
	eng := engine(t)
	for _, f := range sseFormats {
		t.Run(f.Name, func(t *testing.T) {
			wire := f.Build([]string{"Hello", ", wor", "ld. Here is sk-", "ant-api03-", "nothing secret."})
			// Byte-at-a-time delivery is the worst case for event reassembly.
			var chunks [][]byte
			for i := range wire {
				chunks = append(chunks, wire[i:i+1])
			}
			out := runStream(t, eng, redact.KindSSE, chunks...)
			got, err := f.Text(out)
			if err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			if got != "Hello, world. Here is sk-ant-api03-nothing secret." {
				t.Fatalf("benign text changed: %q", got)
			}
		})
	}
}

func TestSSECRLFAndCommentsPassThrough(t *testing.T) {
	eng := engine(t)
	in := []byte(": keep-alive\r\n\r\nevent: ping\r\ndata: {\"type\":\"ping\"}\r\n\r\nretry: 100\n\n")
	out := runStream(t, eng, redact.KindSSE, in[:7], in[7:20], in[20:])
	if !bytes.Equal(out, in) {
		t.Fatalf("unchanged events were rewritten:\n%q", out)
	}
}

// A secret outside a data line (a comment, id, event or retry line, or a data line behind the
// stream's byte order mark) is redacted too: clients read, show or log those lines as well.
func TestSSESecretsOutsideDataLinesAreRedacted(t *testing.T) {
	eng := engine(t)
	tok := ""
	for _, sm := range samples(t) {
		if sm.Rule == "github-pat" {
			tok = sm.Secret
		}
	}
	for _, in := range []string{
		"\xEF\xBB\xBFdata: {\"x\":\"" + tok + "\"}\n\n",
		": " + tok + "\n\n",
		"id: " + tok + "\ndata: {\"type\":\"ping\"}\n\n",
		"event: " + tok + "\ndata: {}\n\n",
		"retry: " + tok + "\r\n\r\n",
	} {
		out := runStream(t, eng, redact.KindSSE, []byte(in))
		if bytes.Contains(out, []byte(tok)) {
			t.Errorf("%q: secret passed: %q", in, out)
		}
		if !bytes.HasSuffix(out, []byte(in[len(in)-2:])) {
			t.Errorf("%q: event end changed: %q", in, out)
		}
	}
	bom := runStream(t, eng, redact.KindSSE, []byte("\xEF\xBB\xBFdata: {\"x\":\""+tok+"\"}\n\n"))
	if !bytes.HasPrefix(bom, []byte("\xEF\xBB\xBFdata: ")) {
		t.Errorf("the byte order mark or the data field was lost: %q", bom)
	}
}

func TestSSENonJSONDataIsStillScanned(t *testing.T) {
	eng := engine(t)
	in := []byte("data: password=Sup3r$ecret99 here\n\n")
	out := runStream(t, eng, redact.KindSSE, in)
	if bytes.Contains(out, []byte("Sup3r")) || !bytes.HasSuffix(out, []byte("\n\n")) {
		t.Fatalf("plain data event not redacted: %q", out)
	}
}

func TestSSEToolCallArgumentsSplitAcrossDeltas(t *testing.T) {
	eng := engine(t)
	tok := samples(t)[0].Secret
	for _, sm := range samples(t) {
		if sm.Rule == "github-pat" {
			tok = sm.Secret
		}
	}
	args := `{"cmd":"git push https://x:` + tok + `@github.com/o/r"}`
	var b strings.Builder
	b.WriteString(`data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"shell","arguments":""}}]},"finish_reason":null}]}` + "\n\n")
	for i := 0; i < len(args); i += 7 {
		part := args[i:min(len(args), i+7)]
		b.WriteString(`data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":` + jsonStr(part) + `}}]},"finish_reason":null}]}` + "\n\n")
	}
	b.WriteString(`data: {"choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}` + "\n\ndata: [DONE]\n\n")
	out := runStream(t, eng, redact.KindSSE, []byte(b.String()))
	if w, ok := leak(out, tok); ok {
		t.Fatalf("tool-call arguments leaked %q:\n%s", w, out)
	}
	parseSSE(t, out)
}

func TestSSEEventLimit(t *testing.T) {
	s := engine(t).NewStream(redact.KindSSE, redact.StreamOptions{MaxEvent: 1024})
	_, err := s.Write(append([]byte("data: "), bytes.Repeat([]byte("a"), 2048)...))
	if !errors.Is(err, redact.ErrEventTooLarge) {
		t.Fatalf("err = %v, want ErrEventTooLarge", err)
	}
}

func TestSSEUnexpectedFieldTypesStillValidJSON(t *testing.T) {
	in := []byte(`data: {"type":"content_block_delta","index":"zero","delta":{"text":"mail \"ops@example.com\""}}` + "\n\n")
	out := runStream(t, engine(t), redact.KindSSE, in)
	evs := parseSSE(t, out)
	var v map[string]any
	mustJSON(t, evs[0].Data, &v)
	if strings.Contains(evs[0].Data, "ops@example.com") {
		t.Fatalf("not redacted: %s", out)
	}
}
