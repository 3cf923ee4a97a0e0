package redact

import (
	"encoding/json"
	"reflect"
	"testing"
)

var headSeeds = []string{
	`{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{"role":"assistant","content":"Hi \"there\""},"logprobs":null,"finish_reason":null}]}`,
	`{"id":"c","choices":[{"index":1,"delta":{"tool_calls":[{"index":2,"id":"call_1","type":"function","function":{"name":"f","arguments":"{\"a\":1}"}}]},"finish_reason":null}]}`,
	`{"id":"c","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":[1.5e3,true,false,null]}}`,
	`{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"hello"}}`,
	`{"type":"response.output_text.delta","output_index":1,"content_index":0,"delta":"x","summary_index":null}`,
	`{"Type":"message_stop"}`,
	`{"type":"ping","type":"error"}`,
	`{"index":1.0}`,
	`{"index":99999999999999999999}`,
	`{"choices":[null]}`,
	`{"choices":{"index":0}}`,
	`{"choices":[{"Delta":{"tool_calls":[]}}]}`,
	`{"choices":[{"delta":{"tool_calls":[{"index":-3}],"tool_calls":null}}]}`,
	`{"type":"caf\u00e9","index":-0}`,
	` { "choices" : [ { "index" : 0 , "delta" : null , "finish_reason" : "" } ] } `,
	`[1,2]`,
}

// TestDecodeHeadMatchesUnmarshal: the event head read in one pass is the one encoding/json reads.
func TestDecodeHeadMatchesUnmarshal(t *testing.T) {
	for _, s := range headSeeds {
		checkHead(t, []byte(s))
	}
}

// FuzzDecodeHead: for every valid JSON event, decodeHead gives the same head (and the same
// success) as json.Unmarshal into eventHead.
func FuzzDecodeHead(f *testing.F) {
	for _, s := range headSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if !json.Valid(b) {
			return // jsonEvent is only called for events walkJSON validated
		}
		checkHead(t, b)
	})
}

func checkHead(t *testing.T, b []byte) {
	t.Helper()
	var want eventHead
	okWant := json.Unmarshal(b, &want) == nil
	if !okWant {
		want = eventHead{}
	}
	var got eventHead
	okGot := decodeHead(b, &got)
	if !okGot {
		got = eventHead{}
	}
	if okGot != okWant || !reflect.DeepEqual(normHead(got), normHead(want)) {
		t.Fatalf("%s:\n got %v %+v\nwant %v %+v", b, okGot, got, okWant, want)
	}
}

// normHead makes an empty choices / tool_calls list and a missing one compare equal (no code
// tells them apart: both have length 0).
func normHead(h eventHead) eventHead {
	if len(h.Choices) == 0 {
		h.Choices = nil
	}
	for i := range h.Choices {
		if d := h.Choices[i].Delta; d != nil && len(d.ToolCalls) == 0 {
			d.ToolCalls = nil
		}
	}
	return h
}
