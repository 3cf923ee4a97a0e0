package llmapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

type streamCase struct {
	file, api string
	want      []ToolCall
	// firstTool is the text that starts the first tool-call event; nothing from there on may
	// reach the client before Finish.
	firstTool string
}

var streamCases = []streamCase{
	{"chat_tool.sse", APIChatCompletions, []ToolCall{
		{ID: "call_1", Type: "function", Name: "run_sql", Arguments: `{"query": "DROP TABLE customers"}`},
		{ID: "call_2", Type: "function", Name: "run_shell", Arguments: `{"command":"ls"}`},
	}, `data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{"tool_calls"`},
	{"responses_tool.sse", APIResponses, []ToolCall{
		{ID: "call_9", Type: "function_call", Name: "run_sql", Arguments: `{"query":"TRUNCATE orders"}`},
	}, "event: response.output_item.added\ndata: {\"type\":\"response.output_item.added\",\"sequence_number\":3"},
	{"messages_tool.sse", APIMessages, []ToolCall{
		{ID: "toolu_1", Type: "tool_use", Name: "bash", Arguments: `{"command": "rm -rf /var/lib/postgresql"}`},
	}, "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":1"},
	{"responses_shell.sse", APIResponses, []ToolCall{
		{ID: "call_ls", Type: "local_shell_call", Name: "local_shell", Arguments: `{"type":"exec","command":["rm","-rf","/srv"],"env":{}}`},
		{ID: "call_sh", Type: "shell_call", Name: "shell", Arguments: `{"commands":["git push --force origin main"],"timeout_ms":1000}`},
	}, "event: response.output_item.added\ndata: {\"type\":\"response.output_item.added\",\"output_index\":0"},
	{"chat_text.sse", APIChatCompletions, nil, ""},
}

func providerOf(api string) string {
	if api == APIMessages {
		return ProviderAnthropic
	}
	return ProviderOpenAI
}

// runGuard feeds the stream split at the given offsets and returns what was released early, the
// calls, and the held bytes.
func runGuard(t *testing.T, api string, stream []byte, cuts ...int) (released []byte, calls []ToolCall, held []byte) {
	t.Helper()
	g := NewGuard(providerOf(api), api, 0)
	prev := 0
	for _, c := range append(cuts, len(stream)) {
		out, err := g.Write(stream[prev:c])
		if err != nil {
			t.Fatalf("Write: %v", err)
		}
		released = append(released, out...)
		prev = c
	}
	calls, held, err := g.Finish()
	if err != nil {
		t.Fatalf("Finish: %v", err)
	}
	return released, calls, held
}

func TestGuardEveryByteOffset(t *testing.T) {
	for _, tc := range streamCases {
		for _, crlf := range []bool{false, true} {
			name := tc.file
			stream := readFixture(t, tc.file)
			if crlf {
				name += "/crlf"
				stream = bytes.ReplaceAll(stream, []byte("\n"), []byte("\r\n"))
			}
			t.Run(name, func(t *testing.T) {
				first := len(stream)
				if tc.firstTool != "" {
					marker := tc.firstTool
					if crlf {
						marker = strings.ReplaceAll(marker, "\n", "\r\n")
					}
					first = bytes.Index(stream, []byte(marker))
					if first < 0 {
						t.Fatal("fixture lacks its first tool event")
					}
				}
				for cut := 0; cut <= len(stream); cut++ {
					variants := [][]int{{cut}}
					if cut%5 == 0 { // and a sample of three-piece splits
						variants = append(variants, []int{cut / 3, cut})
					}
					for _, cuts := range variants {
						released, calls, held := runGuard(t, tc.api, stream, cuts...)
						if !bytes.Equal(append(released, held...), stream) {
							t.Fatalf("cuts %v: released+held differs from the stream", cuts)
						}
						if len(released) > first {
							t.Fatalf("cuts %v: released %d bytes, past the first tool event at %d", cuts, len(released), first)
						}
						if tc.firstTool != "" && len(released) != first && cut == len(stream) {
							t.Fatalf("whole stream: released %d bytes, want all %d before the tool event", len(released), first)
						}
						if !reflect.DeepEqual(calls, tc.want) {
							t.Fatalf("cuts %v: calls\n got %+v\nwant %+v", cuts, calls, tc.want)
						}
					}
				}
			})
		}
	}
}

func TestGuardTextFlowsThrough(t *testing.T) {
	stream := readFixture(t, "chat_text.sse")
	g := NewGuard(ProviderOpenAI, APIChatCompletions, 0)
	first := bytes.Index(stream, []byte("\n\n")) + 2
	out, err := g.Write(stream[:first])
	if err != nil || !bytes.Equal(out, stream[:first]) {
		t.Fatalf("a complete text event was not released at once: %q, %v", out, err)
	}
	if g.Holding() {
		t.Fatal("holding a text-only stream")
	}
}

func TestGuardLimit(t *testing.T) {
	stream := readFixture(t, "messages_tool.sse")
	g := NewGuard(ProviderAnthropic, APIMessages, 700)
	var err error
	for i := 0; i < len(stream) && err == nil; i += 64 {
		_, err = g.Write(stream[i:min(i+64, len(stream))])
	}
	if !errors.Is(err, ErrHeldTooLarge) {
		t.Fatalf("err = %v, want ErrHeldTooLarge", err)
	}
	if _, _, err := g.Finish(); !errors.Is(err, ErrHeldTooLarge) {
		t.Fatalf("Finish after overflow: %v", err)
	}
	// An endless event without a blank line is bounded too.
	g = NewGuard(ProviderOpenAI, APIChatCompletions, 100)
	if _, err := g.Write(bytes.Repeat([]byte("x"), 101)); !errors.Is(err, ErrHeldTooLarge) {
		t.Fatalf("unterminated event: %v", err)
	}
}

func TestGuardMalformedEventFailsClosed(t *testing.T) {
	stream := []byte("data: {\"choices\":[{\"delta\":{\"content\":\"hi\"}}]}\n\ndata: {not json\n\ndata: [DONE]\n\n")
	g := NewGuard(ProviderOpenAI, APIChatCompletions, 0)
	out, _ := g.Write(stream)
	if bytes.Contains(out, []byte("not json")) {
		t.Fatal("an unreadable event was released before judgement")
	}
	if _, _, err := g.Finish(); !errors.Is(err, ErrMalformedEvent) {
		t.Fatalf("Finish err = %v, want ErrMalformedEvent", err)
	}
}

func TestGuardUnterminatedLastEvent(t *testing.T) {
	stream := []byte("event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"tool_use\",\"id\":\"t\",\"name\":\"bash\",\"input\":{\"command\":\"reboot\"}}}")
	g := NewGuard(ProviderAnthropic, APIMessages, 0)
	out, _ := g.Write(stream)
	calls, held, err := g.Finish()
	if err != nil || len(out) != 0 || !bytes.Equal(held, stream) {
		t.Fatalf("out=%q held=%q err=%v", out, held, err)
	}
	if len(calls) != 1 || calls[0].Arguments != `{"command":"reboot"}` {
		t.Fatalf("calls = %+v", calls)
	}
}

func TestGuardBOM(t *testing.T) {
	stream := []byte("\xEF\xBB\xBFdata: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"c\",\"function\":{\"name\":\"sh\",\"arguments\":\"{}\"}}]}}]}\n\n")
	g := NewGuard(ProviderOpenAI, APIChatCompletions, 0)
	if out, _ := g.Write(stream); len(out) != 0 {
		t.Fatalf("a tool call after a BOM was released: %q", out)
	}
	if calls, _, _ := g.Finish(); len(calls) != 1 || calls[0].Name != "sh" {
		t.Fatalf("calls = %+v", calls)
	}
}

func TestStreamErrorParsesAsProviderError(t *testing.T) {
	for _, tc := range []struct{ provider, api, event string }{
		{ProviderOpenAI, APIChatCompletions, ""},
		{ProviderOpenAI, APIResponses, ""},
		{ProviderAnthropic, APIMessages, "error"},
	} {
		t.Run(tc.api, func(t *testing.T) {
			b := StreamError(tc.provider, tc.api, `denied: "rm -rf /"`)
			n, ok := nextEvent(b, false)
			if !ok || n != len(b) {
				t.Fatalf("not exactly one complete SSE event: %q", b)
			}
			ev := parseEvent(b)
			if ev.name != tc.event {
				t.Errorf("event name %q, want %q", ev.name, tc.event)
			}
			var payload struct {
				Type  string `json:"type"`
				Error struct {
					Type, Message string
				} `json:"error"`
			}
			if err := json.Unmarshal(ev.data, &payload); err != nil {
				t.Fatal(err)
			}
			if payload.Error.Message != `denied: "rm -rf /"` || payload.Error.Type != "permission_error" {
				t.Errorf("error object %+v", payload.Error)
			}
			if tc.provider == ProviderAnthropic && payload.Type != "error" {
				t.Errorf("anthropic type %q", payload.Type)
			}
		})
	}
}

func TestErrorBody(t *testing.T) {
	ct, b := ErrorBody(ProviderOpenAI, APIChatCompletions, "no")
	var o struct {
		Error struct{ Message, Type, Code string }
	}
	if ct != "application/json" || json.Unmarshal(b, &o) != nil || o.Error.Message != "no" || o.Error.Code != ErrorCode {
		t.Errorf("openai body %s %s", ct, b)
	}
	_, b = ErrorBody(ProviderAnthropic, APIMessages, "no")
	var a struct {
		Type  string
		Error struct{ Type, Message string }
	}
	if json.Unmarshal(b, &a) != nil || a.Type != "error" || a.Error.Type != "permission_error" || a.Error.Message != "no" {
		t.Errorf("anthropic body %s", b)
	}
}

func FuzzGuard(f *testing.F) {
	for _, tc := range streamCases {
		f.Add(readFixture(f, tc.file), uint16(7), uint8(0))
	}
	f.Add([]byte("data: x\r\r\n\ndata: {}\r"), uint16(3), uint8(1))
	f.Fuzz(func(t *testing.T, stream []byte, step uint16, apiSel uint8) {
		api := []string{APIChatCompletions, APIResponses, APIMessages}[int(apiSel)%3]
		g := NewGuard(providerOf(api), api, 1<<20)
		s := int(step)%257 + 1
		var released []byte
		for i := 0; i < len(stream); i += s {
			out, err := g.Write(stream[i:min(i+s, len(stream))])
			if err != nil {
				return
			}
			released = append(released, out...)
		}
		_, held, err := g.Finish()
		if errors.Is(err, ErrHeldTooLarge) {
			return
		}
		if !bytes.Equal(append(released, held...), stream) {
			t.Fatalf("bytes lost or changed")
		}
	})
}
