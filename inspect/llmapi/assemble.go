package llmapi

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ErrMalformedEvent reports an SSE data field that is not JSON. A client's parser might still
// read a tool call from it, so callers should fail closed.
var ErrMalformedEvent = errors.New("llmapi: SSE event data is not JSON")

// maxCalls bounds the tool calls tracked for one response.
const maxCalls = 256

// assembler rebuilds tool calls from a response's SSE events.
type assembler struct {
	api       string
	calls     []*ToolCall
	byKey     map[string]*ToolCall
	args      map[*ToolCall]*strings.Builder // argument pieces, for calls streamed in deltas
	final     []ToolCall                     // Responses: calls as repeated by response.completed
	malformed int
	dropped   int // calls past maxCalls
}

// ErrTooManyCalls reports a response with more tool calls than are tracked: the rest could not
// be judged, so callers fail closed.
var ErrTooManyCalls = errors.New("llmapi: more tool calls than inspection tracks")

func newAssembler(api string) *assembler {
	return &assembler{api: api} // byKey and args are made at the first tool call
}

// feed reads one event and reports whether it belongs to a tool call.
func (a *assembler) feed(ev event) bool {
	d := bytes.TrimSpace(ev.data)
	if len(d) == 0 || bytes.Equal(d, []byte("[DONE]")) {
		return false
	}
	var tool bool
	var err error
	switch a.api {
	case APIChatCompletions:
		tool, err = a.chat(d)
	case APIResponses:
		tool, err = a.responses(d)
	case APIMessages:
		tool, err = a.messages(d)
	case APIConverse:
		tool, err = a.converseEvent(ev.name, d)
	case APIGenerateContent:
		tool, err = a.gemini(d)
	}
	if err != nil {
		a.malformed++
		return true // unreadable: treat as a possible tool call, hold it
	}
	return tool
}

// call returns the call stored under key, creating it (in order of appearance) when new.
func (a *assembler) call(key string) *ToolCall {
	if c, ok := a.byKey[key]; ok {
		return c
	}
	if len(a.calls) >= maxCalls {
		a.dropped++
		return &ToolCall{} // bounds memory on hostile streams; result reports it
	}
	c := &ToolCall{}
	if a.byKey == nil {
		a.byKey = map[string]*ToolCall{}
	}
	a.byKey[key] = c
	a.calls = append(a.calls, c)
	return c
}

func (a *assembler) appendArgs(c *ToolCall, piece string) {
	b := a.args[c]
	if b == nil {
		b = &strings.Builder{}
		if a.args == nil {
			a.args = map[*ToolCall]*strings.Builder{}
		}
		a.args[c] = b
	}
	b.WriteString(piece)
}

// result returns the assembled calls, plus any call response.completed reported differently.
func (a *assembler) result() ([]ToolCall, error) {
	var out []ToolCall
	for _, c := range a.calls {
		cc := *c
		if b := a.args[c]; b != nil && cc.Arguments == "" {
			cc.Arguments = b.String()
		}
		if cc.Type == "tool_use" || cc.Type == "server_tool_use" {
			if strings.TrimSpace(cc.Arguments) == "" {
				cc.Arguments = "{}"
			}
		}
		out = append(out, cc)
	}
	for _, f := range a.final {
		if !containsCall(out, f) {
			out = append(out, f)
		}
	}
	if a.malformed > 0 {
		return out, ErrMalformedEvent
	}
	if a.dropped > 0 {
		return out, fmt.Errorf("%w (%d)", ErrTooManyCalls, maxCalls)
	}
	return out, nil
}

func containsCall(list []ToolCall, c ToolCall) bool {
	for _, x := range list {
		if x == c {
			return true
		}
	}
	return false
}

type chatChunk struct {
	Choices []chatChoice `json:"choices"`
	// Message is Ollama's native /api/chat shape: one message at the top level, whose tool
	// calls carry their arguments as a JSON object.
	Message *chatMsg `json:"message"`
}

type chatChoice struct {
	Index int      `json:"index"`
	Delta chatMsg  `json:"delta"`
	Msg   *chatMsg `json:"message"`
}

// argText is a tool call's arguments: a JSON string (OpenAI's wire format) or any other JSON
// value (Ollama sends an object), kept as its JSON text.
type argText string

// UnmarshalJSON accepts a string or any other JSON value.
func (a *argText) UnmarshalJSON(b []byte) error {
	*a = argText(rawText(b))
	return nil
}

type chatMsg struct {
	ToolCalls    []chatToolCall `json:"tool_calls"`
	FunctionCall *chatFunction  `json:"function_call"`
}

type chatToolCall struct {
	Index    int          `json:"index"`
	ID       string       `json:"id"`
	Type     string       `json:"type"`
	Function chatFunction `json:"function"`
	Custom   chatCustom   `json:"custom"`
}

type chatFunction struct {
	Name      string  `json:"name"`
	Arguments argText `json:"arguments"`
}

type chatCustom struct {
	Name  string `json:"name"`
	Input string `json:"input"`
}

func (a *assembler) chat(d []byte) (bool, error) {
	var ch chatChunk
	if err := decodeChatChunk(d, &ch); err != nil {
		return false, err
	}
	return a.chatFrom(ch)
}

// chatFrom assembles the tool-call deltas of a decoded chunk.
func (a *assembler) chatFrom(ch chatChunk) (bool, error) {
	tool := false
	for _, choice := range ch.Choices {
		prefix := strconv.Itoa(choice.Index) + ":"
		for _, tc := range choice.Delta.ToolCalls {
			tool = true
			c := a.call(prefix + strconv.Itoa(tc.Index))
			setIf(&c.ID, tc.ID)
			setIf(&c.Type, tc.Type)
			if c.Type == "" {
				c.Type = "function"
			}
			setIf(&c.Name, tc.Function.Name)
			setIf(&c.Name, tc.Custom.Name)
			a.appendArgs(c, string(tc.Function.Arguments)+tc.Custom.Input)
		}
		if fc := choice.Delta.FunctionCall; fc != nil {
			tool = true
			c := a.call(prefix + "legacy")
			c.Type = "function"
			setIf(&c.Name, fc.Name)
			a.appendArgs(c, string(fc.Arguments))
		}
	}
	return tool, nil
}

func setIf(dst *string, v string) {
	if v != "" {
		*dst = v
	}
}
