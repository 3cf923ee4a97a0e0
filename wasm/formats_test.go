package main

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm/proxytest"
	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm/types"

	"github.com/warden-gw/warden/redact/redacttest"
)

var anyMarker = regexp.MustCompile(`\[REDACTED:[a-z0-9-]+\]`)

// geminiStreamRequest asks for Gemini's streamGenerateContent without alt=sse: the answer is one
// JSON array whose elements arrive over time.
var geminiStreamRequest = [][2]string{{":method", "POST"}, {":path", "/v1beta/models/gemini-2.0-flash:streamGenerateContent"}, {":authority", "api.example"}}

// runFormat sends one streamed response of format f, cut into 29-byte body calls, and returns
// what the client receives. SSE, NDJSON and the JSON array of a streaming method are streamed
// call by call; a JSON array answering an ordinary method is buffered.
func runFormat(t *testing.T, host proxytest.HostEmulator, f redacttest.StreamFormat, body string) string {
	return runFormatAt(t, host, f, body, getRequest)
}

func runFormatAt(t *testing.T, host proxytest.HostEmulator, f redacttest.StreamFormat, body string, req [][2]string) string {
	t.Helper()
	id := host.InitializeHttpContext()
	defer host.CompleteHttpContext(id)
	host.CallOnRequestHeaders(id, req, false)
	streamed := f.ContentType == "text/event-stream" || f.ContentType == "application/x-ndjson" ||
		strings.Contains(req[1][1], ":stream")
	hdrs := [][2]string{{":status", "200"}, {"content-type", f.ContentType}, {"content-length", strconv.Itoa(len(body))}}
	want := types.ActionPause
	if streamed {
		want = types.ActionContinue
	}
	if act := host.CallOnResponseHeaders(id, hdrs, false); act != want {
		t.Fatalf("response headers: %v, want %v", act, want)
	}
	var out strings.Builder
	for i := 0; i < len(body); i += 29 {
		last := i+29 >= len(body)
		act := host.CallOnResponseBody(id, []byte(body[i:min(len(body), i+29)]), last)
		if streamed || last {
			if act != types.ActionContinue {
				t.Fatalf("body call at %d: %v, want Continue", i, act)
			}
		}
		if streamed {
			out.WriteString(string(host.GetCurrentResponseBody(id)))
		}
	}
	if !streamed {
		out.WriteString(string(host.GetCurrentResponseBody(id)))
	}
	return out.String()
}

// checkFormatSplit splits a token across two events at each cut, in format f: no 8-byte window
// of it reaches the client, and the client parses the text with the marker in place.
func checkFormatSplit(t *testing.T, host proxytest.HostEmulator, f redacttest.StreamFormat, tok string, cuts []int) {
	t.Helper()
	for _, cut := range cuts {
		body := string(f.Build([]string{"Sure, the token is " + tok[:cut], tok[cut:] + " and that is all."}))
		got := runFormat(t, host, f, body)
		clean := anyMarker.ReplaceAllString(got, "")
		for i := 0; i+8 <= len(tok); i++ {
			if strings.Contains(clean, tok[i:i+8]) {
				t.Fatalf("cut %d: %q of the token reached the client:\n%s", cut, tok[i:i+8], got)
			}
		}
		text, err := f.Text([]byte(got))
		if err != nil {
			t.Fatalf("cut %d: the client cannot parse the stream: %v\n%s", cut, err, got)
		}
		if text != "Sure, the token is "+ghMarker+" and that is all." {
			t.Fatalf("cut %d: the client reads %q", cut, text)
		}
	}
	assertNoSecretInLogs(t, host, tok)
}

// TestStreamFormatsSplitSecret: the token split across two events at every offset, in every
// streamed format (OpenAI chat and legacy completions, Responses, Anthropic, Gemini SSE and
// JSON array, Cohere v2, TGI, plain-text data, Ollama NDJSON).
func TestStreamFormatsSplitSecret(t *testing.T) {
	host := startHost(t, &vmContext{}, ``)
	tok := ghToken(5)
	var cuts []int
	for c := 1; c < len(tok); c++ {
		cuts = append(cuts, c)
	}
	for _, f := range redacttest.StreamFormats {
		t.Run(f.Name, func(t *testing.T) { checkFormatSplit(t, host, f, tok, cuts) })
	}
}

// TestGeminiJSONArrayIsStreamed: the JSON array of streamGenerateContent reaches the client
// element by element (each body call answers at once, not after the last), and a token split
// across two elements at every offset still reaches it only as a marker.
func TestGeminiJSONArrayIsStreamed(t *testing.T) {
	host := startHost(t, &vmContext{}, ``)
	var f redacttest.StreamFormat
	for _, g := range redacttest.StreamFormats {
		if g.Name == "gemini-json-array" {
			f = g
		}
	}
	if f.Build == nil {
		t.Fatal("no gemini-json-array format")
	}
	tok := ghToken(9)
	for cut := 1; cut < len(tok); cut += 7 {
		body := string(f.Build([]string{"Sure, the token is " + tok[:cut], tok[cut:] + " and that is all."}))
		got := runFormatAt(t, host, f, body, geminiStreamRequest)
		clean := anyMarker.ReplaceAllString(got, "")
		for i := 0; i+8 <= len(tok); i++ {
			if strings.Contains(clean, tok[i:i+8]) {
				t.Fatalf("cut %d: %q of the token reached the client:\n%s", cut, tok[i:i+8], got)
			}
		}
		text, err := f.Text([]byte(got))
		if err != nil || text != "Sure, the token is "+ghMarker+" and that is all." {
			t.Fatalf("cut %d: the client reads %q (%v)", cut, text, err)
		}
	}
}

// TestUnlearnedFieldsAreCounted: a body read as a stream of events whose values come in more
// fields than are held at once (1024) is counted in warden_wasm_stream_fields_unlearned_total
// whether it was buffered (a JSON array answering an ordinary method) or streamed (NDJSON):
// 1101 fields, 77 scanned on their own.
func TestUnlearnedFieldsAreCounted(t *testing.T) {
	host := startHost(t, &vmContext{}, ``)
	var b strings.Builder
	b.WriteString("{")
	for i := range 1100 {
		fmt.Fprintf(&b, `"f%d":"ab",`, i)
	}
	b.WriteString(`"last":"x"}`)
	obj := b.String()
	for _, c := range []struct{ name, contentType, body string }{
		{"buffered JSON array", "application/json", "[" + obj + "]"},
		{"streamed NDJSON", "application/x-ndjson", obj + "\n"},
	} {
		before := counter(t, host, metricUnlearned)
		if got := runFormat(t, host, redacttest.StreamFormat{Name: c.name, ContentType: c.contentType}, c.body); got != c.body {
			t.Fatalf("%s: a body without secrets changed", c.name)
		}
		if got := counter(t, host, metricUnlearned) - before; got != 77 {
			t.Errorf("%s: %s went up by %d, want 77", c.name, metricUnlearned, got)
		}
	}
}
