package main

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm/proxytest"
	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm/types"

	"github.com/warden-gw/warden/redact"
)

// FuzzParseConfig: any configuration bytes give a valid Config or an error,
// never a panic, and an accepted Config always does something within bounds.
func FuzzParseConfig(f *testing.F) {
	for _, s := range []string{
		``, `{}`, `{"request": true, "response": false, "pii": false}`,
		`{"max_body_bytes": 4096}`, `{"response": false}`, `[1]`, `{"pii": null}`, `{} x`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := parseConfig(data)
		if err != nil {
			return
		}
		if !cfg.Request && !cfg.Response {
			t.Fatalf("accepted a config that redacts nothing: %+v", cfg)
		}
		if cfg.MaxBodyBytes < minMaxBody || cfg.MaxBodyBytes > maxMaxBody {
			t.Fatalf("accepted an out-of-range bound: %+v", cfg)
		}
	})
}

// FuzzRedactWhole: any body under any content type is redacted without a
// panic; an error is only ever an oversized event (SSE event, NDJSON line,
// JSON array element); a body with no
// finding comes back byte for byte; the result never grows unboundedly.
func FuzzRedactWhole(f *testing.F) {
	eng, err := redact.New(redact.Config{})
	if err != nil {
		f.Fatal(err)
	}
	tok := ghToken(7)
	seeds := []struct {
		kind byte
		body string
	}{
		{0, "password=hunter2hunter2 " + tok},
		{1, `{"a":"` + tok + `","b":[1,2,{"c":"x@example.org"}]}`},
		{1, `{"broken": "` + tok},
		{2, "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + tok + "\"}}]}\n\ndata: [DONE]\n\n"},
		{2, "event: x\ndata: not json " + tok + "\n\n"},
		{2, "data: " + string(bytes.Repeat([]byte("y"), 5000))},
		{3, "{\"response\":\"a " + tok[:9] + "\",\"done\":false}\n{\"response\":\"" + tok[9:] + "\",\"done\":true}\n"},
		{1, `[{"candidates":[{"content":{"parts":[{"text":"` + tok[:20] + `"}]},"index":0}]},` + "\n" + `{"candidates":[{"content":{"parts":[{"text":"` + tok[20:] + `"}]},"index":0}]}]`},
	}
	for _, s := range seeds {
		f.Add(s.kind, []byte(s.body))
	}
	f.Fuzz(func(t *testing.T, k byte, body []byte) {
		kind := bodyKind(k % 4) // text, JSON, SSE, NDJSON
		n := 0
		out, found, err := redactWhole(eng, kind, body, redact.Options{}, 4096, func(redact.Class) { n++ }, func(int) {})
		if err != nil {
			if kind == kindText || !errors.Is(err, redact.ErrEventTooLarge) {
				t.Fatalf("kind %d: unexpected error %v", kind, err)
			}
			return
		}
		if found != n {
			t.Fatalf("reported %d findings, counted %d", found, n)
		}
		if found == 0 && !bytes.Equal(out, body) {
			t.Fatalf("kind %d: body changed without a finding", kind)
		}
		if len(out) > 2*len(body)+64*found+64 {
			t.Fatalf("kind %d: output %d bytes from %d", kind, len(out), len(body))
		}
	})
}

// FuzzSSEChunking drives the filter through the host emulator with an SSE
// response cut into body calls at arbitrary points and a token split across
// two deltas at an arbitrary point: no 8 bytes of the token may ever reach
// the client, and the client must read the text with the token replaced.
func FuzzSSEChunking(f *testing.F) {
	f.Add(uint8(14), []byte{40, 90, 120})
	f.Add(uint8(1), []byte{1, 1, 1, 1})
	f.Add(uint8(39), []byte{200})
	f.Add(uint8(20), []byte{})
	host, reset := proxytest.NewHostEmulator(proxytest.NewEmulatorOption().WithVMContext(&vmContext{}))
	f.Cleanup(reset)
	if host.StartPlugin() != types.OnPluginStartStatusOK {
		f.Fatal("plugin start failed")
	}
	tok := ghToken(10)
	f.Fuzz(func(t *testing.T, split uint8, cuts []byte) {
		at := 1 + int(split)%(len(tok)-1)
		stream := sseEvent("Key: "+tok[:at]) + sseEvent(tok[at:]+" done.") +
			`data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}` + "\n\ndata: [DONE]\n\n"
		var chunks []string
		rest := stream
		for _, c := range cuts {
			if n := int(c) % (len(rest) + 1); n > 0 && n < len(rest) {
				chunks = append(chunks, rest[:n])
				rest = rest[n:]
			}
		}
		chunks = append(chunks, rest)
		id := host.InitializeHttpContext()
		host.CallOnRequestHeaders(id, getRequest, true)
		host.CallOnResponseHeaders(id, [][2]string{{":status", "200"}, {"content-type", "text/event-stream"}}, false)
		var out strings.Builder
		for i, c := range chunks {
			if act := host.CallOnResponseBody(id, []byte(c), i == len(chunks)-1); act != types.ActionContinue {
				t.Fatalf("chunk %d: %v", i, act)
			}
			out.Write(host.GetCurrentResponseBody(id))
		}
		host.CompleteHttpContext(id)
		all := out.String()
		for i := 0; i+8 <= len(tok); i++ {
			if strings.Contains(all, tok[i:i+8]) {
				t.Fatalf("token bytes at %d reached the client (split %d, %d chunks)", i, at, len(chunks))
			}
		}
		if text := deltaText(t, all); text != "Key: "+ghMarker+" done." {
			t.Fatalf("client reads %q (split %d, chunks %q)", text, at, chunks)
		}
	})
}
