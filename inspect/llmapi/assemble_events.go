package llmapi

import (
	"encoding/json"
	"strconv"
)

// Responses API output items that ask the client (or, for mcp_call, the platform) to act.
var responsesCallTypes = map[string]string{
	"function_call":    "",
	"custom_tool_call": "",
	"mcp_call":         "",
	"local_shell_call": "local_shell",
	"shell_call":       "shell",
	"computer_call":    "computer",
	"apply_patch_call": "apply_patch",
}

type respItem struct {
	Type      string          `json:"type"`
	ID        string          `json:"id"`
	CallID    string          `json:"call_id"`
	Name      string          `json:"name"`
	Arguments json.RawMessage `json:"arguments"`
	Input     json.RawMessage `json:"input"`
	Action    json.RawMessage `json:"action"`
	Operation json.RawMessage `json:"operation"`
}

type respEvent struct {
	Type        string          `json:"type"`
	OutputIndex int             `json:"output_index"`
	Delta       json.RawMessage `json:"delta"`
	Arguments   json.RawMessage `json:"arguments"`
	Input       json.RawMessage `json:"input"`
	Item        *respItem       `json:"item"`
	Response    *struct {
		Output []respItem `json:"output"`
	} `json:"response"`
}

// toolCall converts a Responses output item; ok is false for items that are not calls.
func (it respItem) toolCall() (ToolCall, bool) {
	name, ok := responsesCallTypes[it.Type]
	if !ok {
		return ToolCall{}, false
	}
	c := ToolCall{ID: it.CallID, Type: it.Type, Name: it.Name}
	if c.ID == "" {
		c.ID = it.ID
	}
	if name != "" {
		c.Name = name
	}
	switch it.Type {
	case "custom_tool_call":
		c.Arguments = rawText(it.Input)
	case "local_shell_call", "shell_call", "computer_call":
		c.Arguments = rawText(it.Action)
	case "apply_patch_call":
		c.Arguments = rawText(it.Operation)
	default:
		c.Arguments = rawText(it.Arguments)
	}
	return c, true
}

// rawText returns a JSON string's value, or the JSON text of any other value ("" for null).
func rawText(raw json.RawMessage) string {
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	if raw[0] == '"' {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s
		}
	}
	return string(raw)
}

func (a *assembler) responses(d []byte) (bool, error) {
	var ev respEvent
	if err := json.Unmarshal(d, &ev); err != nil {
		return false, err
	}
	key := "o" + strconv.Itoa(ev.OutputIndex)
	switch ev.Type {
	case "response.output_item.added", "response.output_item.done":
		if ev.Item == nil {
			return false, nil
		}
		tc, ok := ev.Item.toolCall()
		if !ok {
			return false, nil
		}
		c := a.call(key)
		args := c.Arguments
		*c = tc
		if tc.Arguments == "" {
			c.Arguments = args
		}
		return true, nil
	case "response.function_call_arguments.delta", "response.custom_tool_call_input.delta",
		"response.mcp_call_arguments.delta":
		a.appendArgs(a.call(key), rawText(ev.Delta))
		return true, nil
	case "response.function_call_arguments.done", "response.mcp_call_arguments.done":
		a.call(key).Arguments = rawText(ev.Arguments)
		return true, nil
	case "response.custom_tool_call_input.done":
		a.call(key).Arguments = rawText(ev.Input)
		return true, nil
	case "response.completed", "response.incomplete", "response.failed":
		if ev.Response == nil {
			return false, nil
		}
		tool := false
		for _, it := range ev.Response.Output {
			if tc, ok := it.toolCall(); ok && len(a.final) < maxCalls {
				a.final = append(a.final, tc)
				tool = true
			}
		}
		return tool, nil
	}
	return false, nil
}

type msgEvent struct {
	Type         string `json:"type"`
	Index        int    `json:"index"`
	ContentBlock *struct {
		Type  string          `json:"type"`
		ID    string          `json:"id"`
		Name  string          `json:"name"`
		Input json.RawMessage `json:"input"`
	} `json:"content_block"`
	Delta *struct {
		Type        string `json:"type"`
		PartialJSON string `json:"partial_json"`
	} `json:"delta"`
}

func isAnthropicToolBlock(t string) bool {
	return t == "tool_use" || t == "server_tool_use" || t == "mcp_tool_use"
}

func (a *assembler) messages(d []byte) (bool, error) {
	var ev msgEvent
	if err := json.Unmarshal(d, &ev); err != nil {
		return false, err
	}
	key := "b" + strconv.Itoa(ev.Index)
	switch ev.Type {
	case "content_block_start":
		if ev.ContentBlock == nil || !isAnthropicToolBlock(ev.ContentBlock.Type) {
			return false, nil
		}
		c := a.call(key)
		c.ID, c.Type, c.Name = ev.ContentBlock.ID, ev.ContentBlock.Type, ev.ContentBlock.Name
		c.Arguments = rawText(ev.ContentBlock.Input)
		return true, nil
	case "content_block_delta":
		c, ok := a.byKey[key]
		if !ok || ev.Delta == nil || ev.Delta.Type != "input_json_delta" {
			return ok, nil
		}
		if a.args[c] == nil {
			c.Arguments = "" // the streamed input replaces the placeholder {} of the start event
		}
		a.appendArgs(c, ev.Delta.PartialJSON)
		return true, nil
	case "content_block_stop":
		_, ok := a.byKey[key]
		return ok, nil
	}
	return false, nil
}
