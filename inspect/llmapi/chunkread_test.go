package llmapi

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
)

// chunkCases are Chat Completions stream chunks: the common ones (which the one-pass reader
// must read itself) and the ones it must hand to encoding/json.
var chunkCases = []struct {
	data string
	fast bool // read by the one-pass reader
}{
	{`{"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1733580000,"model":"gpt-4o-2024-08-06","choices":[{"index":0,"delta":{"content":"word "},"finish_reason":null}]}`, true},
	{`{"id":"c","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}`, true},
	{`{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"run_sql","arguments":""}}]}}]}`, true},
	{`{"choices":[{"index":1,"delta":{"tool_calls":[{"index":2,"function":{"arguments":"{\"query\": \"DROP"}}]}}]}`, true},
	{`{"choices":[{"index":0,"delta":{"function_call":{"name":"f","arguments":"{}"}}}]}`, true},
	{`{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"type":"custom","custom":{"name":"sh","input":"ls -l"}}]}}]}`, true},
	{`{"message":{"role":"assistant","tool_calls":[{"function":{"name":"f","arguments":{"a":[1,2.5e3,true,null]}}}]},"done":false}`, true},
	{`{"choices":[],"usage":{"prompt_tokens":1,"completion_tokens":2}}`, true},
	{`{"choices":null,"message":null}`, true},
	{` { "choices" : [ { "index" : -0 , "delta" : null , "message" : { "tool_calls" : null , "function_call" : null } } ] } `, true},
	{`{"choices":[{"delta":{"tool_calls":[{"id":"\u00e9\n","function":{"arguments":"caf\u00e9 \ud83d\ude00"}}]}}]}`, true},
	{`{"choices":[{"delta":{"tool_calls":[{"id":"é","function":{"name":null,"arguments":null}}]}}]}`, true},
	{`{"x":"\u0000","y":[[],{},"",0,-1.5E-3]}`, true},
	{`{"usage":{"caf\u00e9":1,"é":[{"Choices":2}]},"choices":[]}`, true}, // keys of a value skipped are any strings
	// handed to encoding/json
	{`{"Choices":[{"index":0,"delta":{"tool_calls":[{"index":0}]}}]}`, false},               // a key equal to a field without regard to case
	{`{"choices":[{"index":0}],"choices":[{"delta":{"tool_calls":[{"index":1}]}}]}`, false}, // a repeated key
	{`{"cho\u0069ces":[{"delta":{"tool_calls":[{"index":1}]}}]}`, false},                    // an escaped key
	{`{"choices":[{"index":1.0}]}`, false},                                                  // not a plain integer
	{`{"choices":[{"index":1e0}]}`, false},
	{`{"choices":[{"index":99999999999999999999}]}`, false}, // overflows
	{`{"choices":[{"index":"0"}]}`, false},                  // another type
	{`{"choices":[null]}`, false},                           // a null element
	{`{"choices":{"index":0}}`, false},
	{`{"choices":[{"delta":{"tool_calls":[{"id":5}]}}]}`, false},
	{`{"choices":[{"delta":{"tool_calls":[{"function":{"name":"\ud800"}}]}}]}`, true}, // a lone surrogate: decoded by encoding/json's string rules
	{`{"choices":[{"delta":{"tool_calls":[{"id":"a` + "\xff" + `"}]}}]}`, true},       // invalid UTF-8: decoded by encoding/json's string rules
	{`{"choices":[]}x`, false},                                                        // not JSON
	{`{"choices":[],}`, false},
	{`{"a":01}`, false},
	{`{"a":"\x"}`, false},
	{`{"a":tru}`, false},
	{`[]`, false},
	{`null`, false},
	{``, false},
}

func TestDecodeChatChunkMatchesUnmarshal(t *testing.T) {
	for _, tc := range chunkCases {
		var got, want chatChunk
		gotErr := decodeChatChunk([]byte(tc.data), &got)
		wantErr := json.Unmarshal([]byte(tc.data), &want)
		if (gotErr == nil) != (wantErr == nil) || !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\n got %+v, %v\nwant %+v, %v", tc.data, got, gotErr, want, wantErr)
		}
		var fast chatChunk
		r := chunkReader{b: []byte(tc.data)}
		if ok := r.chunk(&fast); ok != tc.fast {
			t.Errorf("%s: read in one pass %v, want %v", tc.data, ok, tc.fast)
		}
	}
}

// TestGuardCallsUnchangedByChunkReader feeds the chat fixtures to the guard one byte at a time
// and checks the calls against the ones encoding/json's decode of every event assembles.
func TestGuardCallsUnchangedByChunkReader(t *testing.T) {
	for _, file := range []string{"chat_tool.sse", "chat_text.sse"} {
		stream := readFixture(t, file)
		g := NewGuard(ProviderOpenAI, APIChatCompletions, 0)
		for i := range stream {
			if _, err := g.Write(stream[i : i+1]); err != nil {
				t.Fatal(err)
			}
		}
		calls, _, err := g.Finish()
		want, wantErr := oldChatCalls(t, stream)
		if !reflect.DeepEqual(calls, want) || (err == nil) != (wantErr == nil) {
			t.Errorf("%s: calls %+v, %v; encoding/json %+v, %v", file, calls, err, want, wantErr)
		}
	}
}

// oldChatCalls assembles a chat stream's calls with encoding/json decoding every event.
func oldChatCalls(t *testing.T, stream []byte) ([]ToolCall, error) {
	t.Helper()
	a := newAssembler(APIChatCompletions)
	for len(stream) > 0 {
		n, ok := nextEvent(stream, true)
		if !ok {
			break
		}
		ev := parseEvent(stream[:n])
		stream = stream[n:]
		d := bytes.TrimSpace(ev.data)
		if len(d) == 0 || string(d) == "[DONE]" {
			continue
		}
		var ch chatChunk
		if err := json.Unmarshal(d, &ch); err != nil {
			a.malformed++
			continue
		}
		if _, err := a.chatFrom(ch); err != nil {
			t.Fatal(err)
		}
	}
	return a.result()
}

// FuzzDecodeChatChunk holds decodeChatChunk to json.Unmarshal on any bytes: the same chunk and
// the same success.
func FuzzDecodeChatChunk(f *testing.F) {
	for _, tc := range chunkCases {
		f.Add([]byte(tc.data))
	}
	for _, file := range []string{"chat_tool.sse", "chat_text.sse"} {
		for _, line := range bytes.Split(readFixture(f, file), []byte("\n")) {
			if d, ok := bytes.CutPrefix(line, []byte("data: ")); ok {
				f.Add(d)
			}
		}
	}
	f.Fuzz(func(t *testing.T, d []byte) {
		var got, want chatChunk
		gotErr := decodeChatChunk(d, &got)
		wantErr := json.Unmarshal(d, &want)
		if (gotErr == nil) != (wantErr == nil) || !reflect.DeepEqual(got, want) {
			t.Fatalf("%q:\n got %+v, %v\nwant %+v, %v", d, got, gotErr, want, wantErr)
		}
	})
}

// BenchmarkGuardChat measures the guard on a 50-event Chat Completions text stream, one event
// per Write, as the data plane's SSE benchmark sends it.
func BenchmarkGuardChat(b *testing.B) {
	var events [][]byte
	for i := range 48 {
		events = append(events, []byte(`data: {"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1733580000,"model":"gpt-4o-2024-08-06","choices":[{"index":0,"delta":{"content":"word`+string(rune('a'+i%26))+` "},"finish_reason":null}]}`+"\n\n"))
	}
	events = append(events, []byte(`data: {"id":"chatcmpl-bench","object":"chat.completion.chunk","created":1733580000,"model":"gpt-4o-2024-08-06","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}`+"\n\n"),
		[]byte("data: [DONE]\n\n"))
	for b.Loop() {
		g := NewGuard(ProviderOpenAI, APIChatCompletions, 0)
		for _, ev := range events {
			out, err := g.Write(ev)
			if err != nil || len(out) != len(ev) {
				b.Fatalf("event held or failed: %v", err)
			}
		}
		if calls, _, err := g.Finish(); err != nil || len(calls) != 0 {
			b.Fatalf("calls %v, %v", calls, err)
		}
	}
}
