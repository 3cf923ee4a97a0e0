package llmapi

import (
	"encoding/json"
	"strconv"
)

// ToolCall is a tool call a model proposed.
type ToolCall struct {
	ID string // call id: Chat tool_calls[].id, Responses call_id, Anthropic tool_use id
	// Type is the item type: function, custom, tool_use, server_tool_use, local_shell_call,
	// shell_call, mcp_call.
	Type string
	Name string // function or tool name; "local_shell" and "shell" for OpenAI's shell items
	// Arguments is the raw argument text: the JSON arguments string, Anthropic's input as JSON,
	// the action object of shell items, or a custom tool's free-form input.
	Arguments string
}

// Args decodes Arguments as a JSON object; anything else (free-form input, truncated JSON) gives
// an empty map, never nil.
func (c ToolCall) Args() map[string]any {
	var m map[string]any
	if c.Arguments != "" && json.Unmarshal([]byte(c.Arguments), &m) == nil && m != nil {
		return m
	}
	return map[string]any{}
}

// Map returns one element of the CEL "llm.tool_calls" list.
func (c ToolCall) Map() map[string]any {
	return map[string]any{
		"id": c.ID, "type": c.Type, "name": c.Name, "arguments": c.Arguments, "args": c.Args(),
	}
}

// Source names where the call was found for audit records: "llm.tool_calls[i]".
func Source(i int) string { return "llm.tool_calls[" + strconv.Itoa(i) + "]" }
