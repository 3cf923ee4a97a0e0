package llmapi

import (
	"encoding/base64"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"strings"
	"testing"
)

// esFrame encodes one AWS event-stream message with string headers.
func esFrame(headers [][2]string, payload string) []byte {
	var h []byte
	for _, kv := range headers {
		h = append(h, byte(len(kv[0])))
		h = append(h, kv[0]...)
		h = append(h, 7)
		h = binary.BigEndian.AppendUint16(h, uint16(len(kv[1])))
		h = append(h, kv[1]...)
	}
	total := uint32(esPrelude + len(h) + len(payload) + 4)
	b := binary.BigEndian.AppendUint32(nil, total)
	b = binary.BigEndian.AppendUint32(b, uint32(len(h)))
	b = binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b))
	b = append(b, h...)
	b = append(b, payload...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b))
}

func esEvent(typ, payload string) []byte {
	return esFrame([][2]string{{":event-type", typ}, {":content-type", "application/json"}, {":message-type", "event"}}, payload)
}

// invokeChunk wraps an Anthropic stream event as InvokeModelWithResponseStream sends it.
func invokeChunk(ev string) []byte {
	return esEvent("chunk", `{"bytes":"`+base64.StdEncoding.EncodeToString([]byte(ev))+`"}`)
}

func bedrockInvokeStream() []byte {
	var b []byte
	for _, ev := range []string{
		`{"type":"message_start","message":{"id":"m","role":"assistant","content":[]}}`,
		`{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}`,
		`{"type":"content_block_stop","index":0}`,
		`{"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"t1","name":"bash","input":{}}}`,
		`{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"command\":\"r"}}`,
		`{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"m -rf /srv\"}"}}`,
		`{"type":"content_block_stop","index":1}`,
	} {
		b = append(b, invokeChunk(ev)...)
	}
	return b
}

func converseStream() []byte {
	var b []byte
	b = append(b, esEvent("messageStart", `{"role":"assistant"}`)...)
	b = append(b, esEvent("contentBlockDelta", `{"contentBlockIndex":0,"delta":{"text":"ok"}}`)...)
	b = append(b, esEvent("contentBlockStart", `{"contentBlockIndex":2,"start":{"toolUse":{"toolUseId":"tu1","name":"run_sql"}}}`)...)
	b = append(b, esEvent("contentBlockDelta", `{"contentBlockIndex":2,"delta":{"toolUse":{"input":"{\"sql\":\"DROP "}}}`)...)
	b = append(b, esEvent("contentBlockDelta", `{"contentBlockIndex":2,"delta":{"toolUse":{"input":"TABLE t\"}"}}}`)...)
	b = append(b, esEvent("contentBlockStop", `{"contentBlockIndex":2}`)...)
	b = append(b, esEvent("messageStop", `{"stopReason":"tool_use"}`)...)
	return b
}

func TestEventStreamResponses(t *testing.T) {
	calls, err := ParseResponse(APIMessages, bedrockInvokeStream())
	if err != nil || len(calls) != 1 || calls[0].Name != "bash" || calls[0].Arguments != `{"command":"rm -rf /srv"}` {
		t.Errorf("invoke stream: %+v, %v", calls, err)
	}
	calls, err = ParseResponse(APIConverse, converseStream())
	if err != nil || len(calls) != 1 || calls[0].Name != "run_sql" || calls[0].Arguments != `{"sql":"DROP TABLE t"}` {
		t.Errorf("converse stream: %+v, %v", calls, err)
	}
}

func TestEventStreamFailsClosed(t *testing.T) {
	good := converseStream()
	flipped := append([]byte(nil), good...)
	flipped[len(flipped)/2] ^= 0x01 // somewhere in a payload: a message CRC mismatch
	cut := good[:len(good)-3]
	exception := append(append([]byte(nil), good...), esFrame([][2]string{
		{":message-type", "exception"}, {":exception-type", "throttlingException"},
	}, `{"message":"slow down"}`)...)
	for name, body := range map[string][]byte{"crc": flipped, "cut": cut, "exception": exception} {
		if _, err := ParseResponse(APIConverse, body); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := ParseResponse(APIConverse, flipped); !errors.Is(err, ErrEventStream) {
		t.Errorf("crc: error %v is not ErrEventStream", err)
	}
}

// TestGuardEventStream: a Bedrock stream cut at every byte is held from the tool call on, the
// held bytes are released byte-identical, and the call is assembled.
func TestGuardEventStream(t *testing.T) {
	stream := bedrockInvokeStream()
	for cut := 1; cut < len(stream); cut += 7 {
		g := NewGuard(ProviderBedrock, APIMessages, 0)
		out1, err1 := g.Write(stream[:cut])
		out2, err2 := g.Write(stream[cut:])
		calls, held, err := g.Finish()
		if err1 != nil || err2 != nil || err != nil {
			t.Fatalf("cut %d: %v %v %v", cut, err1, err2, err)
		}
		got := string(out1) + string(out2) + string(held)
		if got != string(stream) || len(calls) != 1 || !strings.Contains(calls[0].Arguments, "rm -rf") {
			t.Fatalf("cut %d: %d bytes back of %d, calls %+v", cut, len(got), len(stream), calls)
		}
		if !g.Holding() || len(held) == 0 {
			t.Fatalf("cut %d: the tool call was not held", cut)
		}
	}
}

func TestConverseAndGeminiJSON(t *testing.T) {
	calls, err := ParseResponse(APIConverse, []byte(`{"output":{"message":{"role":"assistant","content":[{"text":"x"},{"toolUse":{"toolUseId":"a","name":"sh","input":{"command":"ls"}}}]}},"stopReason":"tool_use"}`))
	if err != nil || len(calls) != 1 || calls[0].Name != "sh" || calls[0].Arguments != `{"command":"ls"}` {
		t.Errorf("converse: %+v %v", calls, err)
	}
	calls, err = ParseResponse(APIGenerateContent, []byte(`[{"candidates":[{"content":{"parts":[{"text":"x"}]}}]},{"candidates":[{"content":{"parts":[{"functionCall":{"name":"run","args":{"cmd":"ls"}}}]}}]}]`))
	if err != nil || len(calls) != 1 || calls[0].Name != "run" {
		t.Errorf("gemini array: %+v %v", calls, err)
	}
}

func TestDetectProviders(t *testing.T) {
	for path, want := range map[string][2]string{
		"/model/anthropic.claude-3-5-sonnet-20240620-v1:0/invoke":                                 {ProviderBedrock, APIMessages},
		"/model/anthropic.claude-3-5-sonnet-20240620-v1:0/invoke-with-response-stream":            {ProviderBedrock, APIMessages},
		"/model/openai.gpt-oss-120b-1:0/invoke":                                                   {ProviderBedrock, APIChatCompletions},
		"/model/anthropic.claude-3-haiku/converse-stream":                                         {ProviderBedrock, APIConverse},
		"/v1/projects/p/locations/us-east5/publishers/anthropic/models/claude@1:rawPredict":       {ProviderVertex, APIMessages},
		"/v1/projects/p/locations/us-east5/publishers/anthropic/models/claude@1:streamRawPredict": {ProviderVertex, APIMessages},
		"/openai/deployments/gpt4o/chat/completions":                                              {ProviderOpenAI, APIChatCompletions},
		"/openai/deployments/gpt4o/responses":                                                     {ProviderOpenAI, APIResponses},
		"/v1beta/models/gemini-2.0-flash:streamGenerateContent":                                   {ProviderGoogle, APIGenerateContent},
	} {
		p, a, ok := Detect(path)
		if !ok || p != want[0] || a != want[1] {
			t.Errorf("Detect(%s) = %s %s %v, want %v", path, p, a, ok, want)
		}
	}
	for name, tc := range map[string]struct {
		body any
		api  string
	}{
		"chat on any host": {map[string]any{"model": "m", "messages": []any{map[string]any{"role": "user", "content": "hi"}}}, APIChatCompletions},
		"anthropic shape": {map[string]any{
			"max_tokens": 10.0, "anthropic_version": "vertex-2023-10-16",
			"messages": []any{map[string]any{"role": "user", "content": "hi"}},
		}, APIMessages},
		"converse shape": {map[string]any{
			"toolConfig": map[string]any{},
			"messages":   []any{map[string]any{"role": "user", "content": []any{map[string]any{"text": "hi"}}}},
		}, APIConverse},
		"not an LLM": {map[string]any{"model": "sedan", "messages": []any{"hello"}}, ""},
	} {
		_, api, _ := DetectBody(tc.body)
		if api != tc.api {
			t.Errorf("%s: DetectBody = %q, want %q", name, api, tc.api)
		}
	}
}

func FuzzParseEventStream(f *testing.F) {
	f.Add(bedrockInvokeStream())
	f.Add(converseStream())
	f.Add(esFrame(nil, ""))
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, api := range []string{APIMessages, APIConverse} {
			calls, err := ParseEventStream(api, b)
			if len(calls) > maxCalls {
				t.Fatalf("%d calls", len(calls))
			}
			_ = err
			g := NewGuard(ProviderBedrock, api, 1<<20)
			out, werr := g.Write(b)
			_, held, ferr := g.Finish()
			if werr == nil && ferr == nil && string(out)+string(held) != string(b) {
				t.Fatalf("guard lost bytes: %d+%d of %d", len(out), len(held), len(b))
			}
		}
	})
}
