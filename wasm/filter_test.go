package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm/proxytest"
	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm/types"

	"github.com/warden-gw/warden/redact"
	"github.com/warden-gw/warden/redact/redacttest"
)

const ghMarker = "[REDACTED:github-pat]"

var getRequest = [][2]string{{":method", "POST"}, {":path", "/v1/chat/completions"}, {":authority", "api.example"}}

func jsonHeaders(body string) [][2]string {
	return [][2]string{{":status", "200"}, {"content-type", "application/json"}, {"content-length", strconv.Itoa(len(body))}}
}

// checkJSONResponse: a buffered JSON response arriving in two chunks comes
// out with the token replaced, still valid JSON, content-length fixed.
func checkJSONResponse(t *testing.T, host proxytest.HostEmulator) {
	t.Helper()
	tok := ghToken(1)
	body := `{"id":"chatcmpl-1","choices":[{"message":{"role":"assistant","content":"push with ` + tok + ` then run\nmake"}}]}`
	before := counter(t, host, metricFindings)
	id := host.InitializeHttpContext()
	if act := host.CallOnRequestHeaders(id, getRequest, false); act != types.ActionContinue {
		t.Fatalf("request headers with request redaction off: %v, want Continue", act)
	}
	if act := host.CallOnResponseHeaders(id, jsonHeaders(body), false); act != types.ActionPause {
		t.Fatalf("JSON response headers: %v, want Pause (held until the body is known)", act)
	}
	if act := host.CallOnResponseBody(id, []byte(body[:60]), false); act != types.ActionPause {
		t.Fatalf("first body chunk: %v, want Pause (buffering)", act)
	}
	if act := host.CallOnResponseBody(id, []byte(body[60:]), true); act != types.ActionContinue {
		t.Fatalf("last body chunk: %v, want Continue", act)
	}
	got := string(host.GetCurrentResponseBody(id))
	if strings.Contains(got, tok) || !strings.Contains(got, ghMarker) {
		t.Fatalf("response body not redacted: %q", got)
	}
	if !json.Valid([]byte(got)) || !strings.Contains(got, `then run\nmake`) {
		t.Fatalf("redacted body lost its shape: %q", got)
	}
	if cl, _ := header(host.GetCurrentResponseHeaders(id), "content-length"); cl != strconv.Itoa(len(got)) {
		t.Fatalf("content-length = %q, body is %d bytes", cl, len(got))
	}
	if n := counter(t, host, metricFindings) - before; n != 1 {
		t.Fatalf("%s grew by %d, want 1", metricFindings, n)
	}
	host.CompleteHttpContext(id)
	assertNoSecretInLogs(t, host, tok)
}

func sseEvent(content string) string {
	b, _ := json.Marshal(map[string]any{
		"object":  "chat.completion.chunk",
		"choices": []any{map[string]any{"index": 0, "delta": map[string]string{"content": content}}},
	})
	return "data: " + string(b) + "\n\n"
}

// checkSSESplitSecret: an SSE response is redacted chunk by chunk; a token
// split across two deltas and across three body calls never reaches the
// client, and text before it is not held back.
func checkSSESplitSecret(t *testing.T, host proxytest.HostEmulator) {
	t.Helper()
	tok := ghToken(2)
	stream := sseEvent("Here is the key. ") + sseEvent("It is "+tok[:14]) + sseEvent(tok[14:]+" and more.") +
		`data: {"object":"chat.completion.chunk","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}` + "\n\n" +
		"data: [DONE]\n\n"
	// Cut the bytes: after the first event, inside the token's first half,
	// and inside the second event holding the rest.
	first := len(sseEvent("Here is the key. "))
	cut1 := strings.Index(stream, tok[:10]) + 7
	cut2 := strings.Index(stream, tok[14:]) + 9
	chunks := []string{stream[:first], stream[first:cut1], stream[cut1:cut2], stream[cut2:]}

	id := host.InitializeHttpContext()
	host.CallOnRequestHeaders(id, getRequest, false)
	hdrs := [][2]string{{":status", "200"}, {"content-type", "text/event-stream; charset=utf-8"}, {"content-length", strconv.Itoa(len(stream))}}
	if act := host.CallOnResponseHeaders(id, hdrs, false); act != types.ActionContinue {
		t.Fatalf("SSE response headers: %v, want Continue (streamed)", act)
	}
	if _, ok := header(host.GetCurrentResponseHeaders(id), "content-length"); ok {
		t.Fatal("content-length kept on a body the filter rewrites chunk by chunk")
	}
	var out []string
	for i, c := range chunks {
		if act := host.CallOnResponseBody(id, []byte(c), i == len(chunks)-1); act != types.ActionContinue {
			t.Fatalf("chunk %d: %v, want Continue", i, act)
		}
		out = append(out, string(host.GetCurrentResponseBody(id)))
	}
	if !strings.Contains(out[0], "Here is the key. ") {
		t.Fatalf("first event held back instead of streamed: %q", out[0])
	}
	all := strings.Join(out, "")
	for i := 0; i+8 <= len(tok); i++ {
		if strings.Contains(all, tok[i:i+8]) {
			t.Fatalf("8 bytes of the token (offset %d) reached the client: %q", i, out)
		}
	}
	if !strings.HasSuffix(all, "data: [DONE]\n\n") {
		t.Fatalf("stream lost its end: %q", all)
	}
	if text := deltaText(t, all); text != "Here is the key. It is "+ghMarker+" and more." {
		t.Fatalf("the client reads %q", text)
	}
	host.CompleteHttpContext(id)
	assertNoSecretInLogs(t, host, tok, tok[:14], tok[14:])
}

// deltaText joins the delta contents of an SSE body, as a client shows them,
// and fails on an event whose data is not valid JSON.
func deltaText(t *testing.T, sse string) string {
	t.Helper()
	var sb strings.Builder
	for _, ev := range strings.Split(strings.TrimSuffix(sse, "\n\n"), "\n\n") {
		data := strings.TrimPrefix(ev, "data: ")
		if data == "[DONE]" {
			continue
		}
		var chunk struct {
			Choices []struct {
				Delta struct {
					Content string `json:"content"`
				} `json:"delta"`
			} `json:"choices"`
		}
		if err := json.Unmarshal([]byte(data), &chunk); err != nil {
			t.Fatalf("event data is not valid JSON (%v): %q", err, ev)
		}
		for _, c := range chunk.Choices {
			sb.WriteString(c.Delta.Content)
		}
	}
	return sb.String()
}

func TestJSONResponse(t *testing.T) {
	checkJSONResponse(t, startHost(t, &vmContext{}, ``))
}

func TestSSESplitSecret(t *testing.T) {
	host := startHost(t, &vmContext{}, ``)
	checkSSESplitSecret(t, host)
	if got := counter(t, host, classMetricName(redact.Secret)); got != 1 {
		t.Fatalf("secret findings = %d, want 1", got)
	}
}

// TestWasmBinary runs the same scenarios against the .wasm that `make wasm`
// builds, inside wazero: what Envoy loads is what is tested.
func TestWasmBinary(t *testing.T) {
	host := startHost(t, wasmVM(t), ``)
	t.Run("json response", func(t *testing.T) { checkJSONResponse(t, host) })
	t.Run("sse split secret", func(t *testing.T) { checkSSESplitSecret(t, host) })
	tok := ghToken(6)
	for _, f := range redacttest.StreamFormats {
		t.Run(f.Name, func(t *testing.T) { checkFormatSplit(t, host, f, tok, []int{3, len(tok) / 2, len(tok) - 2}) })
	}
}

func TestRequestBody(t *testing.T) {
	tok := ghToken(3)
	body := `{"messages":[{"role":"user","content":"my token is ` + tok + `"}]}`
	reqHeaders := append(append([][2]string{}, getRequest...), [2]string{"content-type", "application/json"},
		[2]string{"content-length", strconv.Itoa(len(body))})
	tests := []struct {
		name, config string
		redacted     bool
	}{
		{name: "on", config: `{"request": true}`, redacted: true},
		{name: "off by default", config: ``},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			host := startHost(t, &vmContext{}, tc.config)
			id := host.InitializeHttpContext()
			wantHdr := types.ActionContinue
			if tc.redacted {
				wantHdr = types.ActionPause
			}
			if act := host.CallOnRequestHeaders(id, reqHeaders, false); act != wantHdr {
				t.Fatalf("request headers: %v, want %v", act, wantHdr)
			}
			host.CallOnRequestBody(id, []byte(body), true)
			got := string(host.GetCurrentRequestBody(id))
			cl, _ := header(host.GetCurrentRequestHeaders(id), "content-length")
			if tc.redacted {
				if strings.Contains(got, tok) || !strings.Contains(got, ghMarker) || cl != strconv.Itoa(len(got)) {
					t.Fatalf("request not redacted: body %q, content-length %q", got, cl)
				}
				return
			}
			if got != body || cl != strconv.Itoa(len(body)) {
				t.Fatalf("request changed with request redaction off: %q", got)
			}
		})
	}
}

func TestPII(t *testing.T) {
	tok := ghToken(4)
	body := "contact jane.doe@example.org, key " + tok + "\n"
	tests := []struct {
		name, config string
		emailKept    bool
	}{
		{name: "pii on by default", config: ``},
		{name: "pii off", config: `{"pii": false}`, emailKept: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			host := startHost(t, &vmContext{}, tc.config)
			id := host.InitializeHttpContext()
			host.CallOnResponseHeaders(id, [][2]string{{":status", "200"}, {"content-type", "text/plain"}}, false)
			host.CallOnResponseBody(id, []byte(body), true)
			got := string(host.GetCurrentResponseBody(id))
			if strings.Contains(got, tok) {
				t.Fatalf("secret passed: %q", got)
			}
			if kept := strings.Contains(got, "jane.doe@example.org"); kept != tc.emailKept {
				t.Fatalf("e-mail kept = %v, want %v: %q", kept, tc.emailKept, got)
			}
			wantEmail := uint64(1)
			if tc.emailKept {
				wantEmail = 0
			}
			if n := counter(t, host, "warden_wasm_findings_email_total"); n != wantEmail {
				t.Fatalf("email findings = %d, want %d", n, wantEmail)
			}
			assertNoSecretInLogs(t, host, tok, "jane.doe@example.org")
		})
	}
}

func TestBodyOverBound(t *testing.T) {
	tests := []struct {
		name, config string
		request      bool
		size         int
		status       uint32
	}{
		{name: "response over the default 8 MiB", size: 8<<20 + 1, status: 502},
		{name: "request over the default 8 MiB", config: `{"request": true}`, request: true, size: 8<<20 + 1, status: 413},
		{name: "response over a configured bound", config: `{"max_body_bytes": 4096}`, size: 4097, status: 502},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			host := startHost(t, &vmContext{}, tc.config)
			id := host.InitializeHttpContext()
			chunk := bytes.Repeat([]byte("a"), tc.size/2+1)
			hdrs := [][2]string{{"content-type", "application/json"}}
			call := host.CallOnResponseBody
			if tc.request {
				host.CallOnRequestHeaders(id, append(hdrs, getRequest...), false)
				call = host.CallOnRequestBody
			} else {
				host.CallOnRequestHeaders(id, getRequest, true)
				host.CallOnResponseHeaders(id, append(hdrs, [2]string{":status", "200"}), false)
			}
			if act := call(id, chunk, false); act != types.ActionPause {
				t.Fatalf("first half: %v, want Pause", act)
			}
			if act := call(id, chunk, false); act != types.ActionPause {
				t.Fatalf("over the bound: %v, want Pause", act)
			}
			lr := host.GetSentLocalResponse(id)
			if lr == nil || lr.StatusCode != tc.status || !strings.Contains(string(lr.Data), "cannot be scanned") {
				t.Fatalf("local reply = %+v, want %d saying the body cannot be scanned", lr, tc.status)
			}
			if n := counter(t, host, metricRejected); n != 1 {
				t.Fatalf("%s = %d, want 1", metricRejected, n)
			}
			if act := call(id, chunk, true); act != types.ActionPause {
				t.Fatalf("after the local reply: %v, want Pause (nothing more passes)", act)
			}
		})
	}
}

func gz(t *testing.T, s string) []byte {
	t.Helper()
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	if _, err := w.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestEncodedResponse(t *testing.T) {
	tok := ghToken(5)
	secret := `{"token":"` + tok + `"}`
	clean := `{"status":"ok"}`
	tests := []struct {
		name, encoding string
		body           []byte
		wantBody       string // "" = unchanged
		wantStatus     uint32 // local reply
	}{
		{name: "gzip with a secret is decoded and redacted", encoding: "gzip", body: gz(t, secret), wantBody: `{"token":"` + ghMarker + `"}`},
		{name: "gzip without findings is left compressed", encoding: "gzip", body: gz(t, clean)},
		{name: "unknown encoding is refused", encoding: "compress", body: []byte(secret), wantStatus: 502},
		{name: "corrupt gzip is refused", encoding: "gzip", body: []byte("not gzip " + tok), wantStatus: 502},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			host := startHost(t, &vmContext{}, ``)
			id := host.InitializeHttpContext()
			host.CallOnRequestHeaders(id, getRequest, true)
			hdrs := append(jsonHeaders(string(tc.body)), [2]string{"content-encoding", tc.encoding})
			host.CallOnResponseHeaders(id, hdrs, false)
			act := host.CallOnResponseBody(id, tc.body, true)
			if tc.wantStatus != 0 {
				lr := host.GetSentLocalResponse(id)
				if act != types.ActionPause || lr == nil || lr.StatusCode != tc.wantStatus {
					t.Fatalf("action %v, local reply %+v; want Pause and %d", act, lr, tc.wantStatus)
				}
				if strings.Contains(string(lr.Data), tok) {
					t.Fatalf("local reply carries the secret: %q", lr.Data)
				}
				assertNoSecretInLogs(t, host, tok)
				return
			}
			got := host.GetCurrentResponseBody(id)
			rh := host.GetCurrentResponseHeaders(id)
			enc, hasEnc := header(rh, "content-encoding")
			cl, _ := header(rh, "content-length")
			if tc.wantBody == "" {
				if !bytes.Equal(got, tc.body) || enc != tc.encoding {
					t.Fatalf("clean encoded body changed: encoding %q, %q", enc, got)
				}
				return
			}
			if string(got) != tc.wantBody || hasEnc || cl != strconv.Itoa(len(got)) {
				t.Fatalf("body %q, content-encoding %q (present %v), content-length %q", got, enc, hasEnc, cl)
			}
		})
	}
}

func TestTrailersEndBufferedBody(t *testing.T) {
	tok := ghToken(6)
	body := "token=" + tok + "\n"
	host := startHost(t, &vmContext{}, ``)
	id := host.InitializeHttpContext()
	host.CallOnRequestHeaders(id, getRequest, true)
	host.CallOnResponseHeaders(id, [][2]string{{":status", "200"}, {"content-type", "text/plain"}}, false)
	if act := host.CallOnResponseBody(id, []byte(body), false); act != types.ActionPause {
		t.Fatalf("body: %v, want Pause", act)
	}
	if act := host.CallOnResponseTrailers(id, [][2]string{{"grpc-status", "0"}}); act != types.ActionContinue {
		t.Fatalf("trailers: %v, want Continue", act)
	}
	if got := string(host.GetCurrentResponseBody(id)); strings.Contains(got, tok) || !strings.Contains(got, "[REDACTED:") {
		t.Fatalf("body ended by trailers not redacted: %q", got)
	}
}

func TestSSEEventTooLarge(t *testing.T) {
	host := startHost(t, &vmContext{}, `{"max_body_bytes": 4096}`)
	id := host.InitializeHttpContext()
	host.CallOnRequestHeaders(id, getRequest, true)
	host.CallOnResponseHeaders(id, [][2]string{{":status", "200"}, {"content-type", "text/event-stream"}}, false)
	huge := "data: " + strings.Repeat("x", 5000) // one event, never terminated
	if act := host.CallOnResponseBody(id, []byte(huge), false); act != types.ActionPause {
		t.Fatalf("oversized event: %v, want Pause", act)
	}
	if got := host.GetCurrentResponseBody(id); len(got) != 0 {
		t.Fatalf("%d bytes of an unscannable event passed", len(got))
	}
	if lr := host.GetSentLocalResponse(id); lr == nil || lr.StatusCode != 502 {
		t.Fatalf("local reply = %+v, want 502 (Envoy resets a started response)", lr)
	}
}

func TestNoBody(t *testing.T) {
	host := startHost(t, &vmContext{}, `{"request": true}`)
	id := host.InitializeHttpContext()
	if act := host.CallOnRequestHeaders(id, getRequest, true); act != types.ActionContinue {
		t.Fatalf("bodiless request: %v, want Continue", act)
	}
	if act := host.CallOnResponseHeaders(id, [][2]string{{":status", "204"}}, true); act != types.ActionContinue {
		t.Fatalf("bodiless response: %v, want Continue", act)
	}
	id = host.InitializeHttpContext()
	host.CallOnRequestHeaders(id, getRequest, true)
	host.CallOnResponseHeaders(id, [][2]string{{":status", "200"}, {"content-type", "application/json"}}, false)
	if act := host.CallOnResponseBody(id, nil, true); act != types.ActionContinue {
		t.Fatalf("empty body: %v, want Continue", act)
	}
}

func TestPassedUntouched(t *testing.T) {
	tok := ghToken(8)
	tests := []struct {
		name          string
		req, respHdrs [][2]string
		reqEOS        bool
	}{
		{
			name:     "websocket upgrade",
			req:      append([][2]string{{"upgrade", "websocket"}, {"connection", "upgrade"}}, getRequest...),
			respHdrs: [][2]string{{":status", "101"}, {"upgrade", "websocket"}},
		},
		{
			name: "grpc response (framed: replacing bytes would corrupt it)", req: getRequest, reqEOS: true,
			respHdrs: [][2]string{{":status", "200"}, {"content-type", "application/grpc+proto"}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			host := startHost(t, &vmContext{}, `{"request": true}`)
			id := host.InitializeHttpContext()
			if act := host.CallOnRequestHeaders(id, tc.req, tc.reqEOS); act != types.ActionContinue {
				t.Fatalf("request headers: %v, want Continue", act)
			}
			if !tc.reqEOS {
				if act := host.CallOnRequestBody(id, []byte("frame "+tok), false); act != types.ActionContinue {
					t.Fatalf("request data: %v, want Continue", act)
				}
			}
			if act := host.CallOnResponseHeaders(id, tc.respHdrs, false); act != types.ActionContinue {
				t.Fatalf("response headers: %v, want Continue", act)
			}
			data := []byte("\x00\x00\x00\x00\x2bframe " + tok)
			if act := host.CallOnResponseBody(id, data, false); act != types.ActionContinue {
				t.Fatalf("response data: %v, want Continue", act)
			}
			if got := host.GetCurrentResponseBody(id); !bytes.Equal(got, data) {
				t.Fatalf("opaque data changed: %q", got)
			}
		})
	}
}
