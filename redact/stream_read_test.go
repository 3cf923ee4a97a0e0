package redact

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
)

// oldJSONEvent is how both event readers read an event before readJSONEvent: walkJSON for
// the strings, decodeHead for the head, json.Unmarshal for the tree.
func oldJSONEvent(payload []byte) (jsonEvent, bool) {
	var ev jsonEvent
	if len(payload) == 0 || payload[0] != '{' && payload[0] != '[' {
		return ev, false
	}
	err := walkJSON(payload, func(path []pathElem, start, end int) {
		ev.strs = append(ev.strs, jsonString{path: slices.Clone(path), start: start, end: end})
	})
	if err != nil {
		return jsonEvent{}, false
	}
	if mayBeKnown(payload) && !decodeHead(payload, &ev.head) {
		ev.head = eventHead{}
	}
	ev.known = ev.head.known()
	if !ev.known {
		_ = json.Unmarshal(payload, &ev.tree)
	}
	return ev, true
}

func checkJSONEvent(t *testing.T, payload []byte, buf *eventBuf) {
	t.Helper()
	want, okWant := oldJSONEvent(payload)
	got, okGot := readJSONEvent(payload, buf)
	got.head, want.head = normHead(got.head), normHead(want.head)
	if len(got.strs) == 0 {
		got.strs = nil
	}
	if okGot != okWant || !reflect.DeepEqual(got, want) {
		t.Fatalf("%q:\n got %v %+v\nwant %v %+v", payload, okGot, got, okWant, want)
	}
}

// TestReadJSONEventMatches: the one-pass reading of an event (strings, paths, head, tree) is
// the one walkJSON, decodeHead and json.Unmarshal gave, on the head seeds and on every event
// of the stream formats, with one buffer reused from event to event as a stream does.
func TestReadJSONEventMatches(t *testing.T) {
	var buf eventBuf
	for _, s := range append(headSeeds, readEventSeeds...) {
		checkJSONEvent(t, []byte(s), &buf)
	}
	// Every event in the corpora's texts (SSE transcripts, JSON lines, streamed arrays).
	files, _ := filepath.Glob("testdata/*/*.jsonl")
	n := 0
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, rec := range bytes.Split(b, []byte("\n")) {
			var v any
			if json.Unmarshal(rec, &v) != nil {
				continue
			}
			for _, text := range stringsOf(v) {
				for _, line := range bytes.Split([]byte(text), []byte("\n")) {
					line = bytes.TrimPrefix(bytes.TrimSpace(line), []byte("data:"))
					line = bytes.Trim(bytes.TrimSpace(line), ",[]")
					if len(line) > 0 && line[0] == '{' {
						checkJSONEvent(t, line, &buf)
						n++
					}
				}
			}
		}
	}
	if n < 100 {
		t.Fatalf("only %d events in the corpora", n)
	}
}

func stringsOf(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, x := range v {
			out = append(out, stringsOf(x)...)
		}
		return out
	case map[string]any:
		var out []string
		for _, x := range v {
			out = append(out, stringsOf(x)...)
		}
		return out
	}
	return nil
}

var readEventSeeds = []string{
	`{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0},{"index":1,"function":{"arguments":"{}"}}]}},{"index":1,"delta":{"content":"x"}}]}`,
	`{"choices":[{"index":0,"delta":{"content":"a"}},{"delta":null,"finish_reason":"stop"}]}`,
	`{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"a\"b"},"t\u0079pe":"x"}`,
	`{"type":"response.output_text.delta","output_index":null,"content_index":2,"delta":"x"}`,
	`{"type":5,"delta":"x"}`,
	`{"choices":[{"index":"0","delta":{}}]}`,
	`{"choices":[{"finish_reason":5,"delta":{}}]}`,
	`{"choices":[{"delta":{"tool_calls":[null]}}]}`,
	`{"choices":[{"delta":{"tool_calls":{"index":0}}}]}`,
	`{"choices":[{"delta":[]}]}`,
	`{"choices":"x","delta":1}`,
	`{"choices":[{"delta":{"tool_calls":[{"index":1e3}]}}]}`,
	`{"candidates":[{"content":{"parts":[{"text":"hi"}],"role":"model"},"index":0}],"modelVersion":"g"}`,
	`[{"delta":"a"},{"type":"x"}]`,
	`{"é":{"delta":"x"},"type":"message_stop"}`,
	`{"delta":"x"} `,
	`{"delta":"x"}}`,
	`{"delta":"x",}`,
	`{"delta":"\x01"}`,
	`"delta"`,
	``,
}

// FuzzReadJSONEvent holds readJSONEvent to the readings it replaced on any bytes.
func FuzzReadJSONEvent(f *testing.F) {
	for _, s := range append(headSeeds, readEventSeeds...) {
		f.Add([]byte(s))
	}
	var buf eventBuf
	f.Fuzz(func(t *testing.T, b []byte) {
		checkJSONEvent(t, b, &buf)
	})
}
