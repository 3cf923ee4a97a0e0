// Package mcpapi understands Model Context Protocol messages: JSON-RPC 2.0 requests,
// notifications and responses, single or batched, and in particular the tools/call request that
// makes an MCP server act.
package mcpapi

import (
	"encoding/json"
	"errors"
	"fmt"
)

// ErrNotJSONRPC is returned for a body that is not a JSON-RPC 2.0 message or batch.
var ErrNotJSONRPC = errors.New("not a JSON-RPC 2.0 message")

// MethodToolsCall is the MCP method that invokes a tool.
const MethodToolsCall = "tools/call"

// Message is one JSON-RPC message.
type Message struct {
	Method   string // "" for responses
	ID       any    // string, float64, or nil for notifications
	Response bool   // a result or error from the server
	// Tool and Arguments are set for tools/call requests.
	Tool      string
	Arguments map[string]any
}

// Map returns the CEL view: {"method", "tool", "arguments"} with arguments never nil.
func (m Message) Map() map[string]any {
	args := m.Arguments
	if args == nil {
		args = map[string]any{}
	}
	return map[string]any{"method": m.Method, "tool": m.Tool, "arguments": args}
}

// maxBatch bounds the number of messages accepted in one batch.
const maxBatch = 1024

// Parse decodes body as one JSON-RPC 2.0 message or a batch of them.
func Parse(body []byte) ([]Message, error) {
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotJSONRPC, err)
	}
	return FromJSON(v)
}

// FromJSON interprets an already decoded JSON value (as produced by encoding/json into any), so
// that a caller that decoded the body once does not decode it again. Every member of a batch must
// be valid; otherwise the whole body is rejected.
func FromJSON(v any) ([]Message, error) {
	switch t := v.(type) {
	case map[string]any:
		m, err := message(t)
		if err != nil {
			return nil, err
		}
		return []Message{m}, nil
	case []any:
		if len(t) == 0 || len(t) > maxBatch {
			return nil, fmt.Errorf("%w: a batch needs 1 to %d messages, got %d", ErrNotJSONRPC, maxBatch, len(t))
		}
		out := make([]Message, 0, len(t))
		for i, e := range t {
			obj, ok := e.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("%w: batch member %d is not an object", ErrNotJSONRPC, i)
			}
			m, err := message(obj)
			if err != nil {
				return nil, fmt.Errorf("batch member %d: %w", i, err)
			}
			out = append(out, m)
		}
		return out, nil
	default:
		return nil, fmt.Errorf("%w: want an object or an array", ErrNotJSONRPC)
	}
}

func message(o map[string]any) (Message, error) {
	if o["jsonrpc"] != "2.0" {
		return Message{}, fmt.Errorf("%w: \"jsonrpc\" must be \"2.0\"", ErrNotJSONRPC)
	}
	m := Message{ID: o["id"]}
	switch m.ID.(type) {
	case nil, string, float64:
	default:
		return Message{}, fmt.Errorf("%w: \"id\" must be a string, number or null", ErrNotJSONRPC)
	}
	method, hasMethod := o["method"]
	if !hasMethod {
		_, res := o["result"]
		_, rpcErr := o["error"]
		if !res && !rpcErr {
			return Message{}, fmt.Errorf("%w: neither a request (method) nor a response (result, error)", ErrNotJSONRPC)
		}
		m.Response = true
		return m, nil
	}
	name, ok := method.(string)
	if !ok || name == "" {
		return Message{}, fmt.Errorf("%w: \"method\" must be a non-empty string", ErrNotJSONRPC)
	}
	m.Method = name
	if name != MethodToolsCall {
		return m, nil
	}
	params, ok := o["params"].(map[string]any)
	if !ok {
		return Message{}, fmt.Errorf("%w: tools/call needs a params object", ErrNotJSONRPC)
	}
	if m.Tool, ok = params["name"].(string); !ok || m.Tool == "" {
		return Message{}, fmt.Errorf("%w: tools/call needs params.name", ErrNotJSONRPC)
	}
	switch a := params["arguments"].(type) {
	case nil:
	case map[string]any:
		m.Arguments = a
	default:
		return Message{}, fmt.Errorf("%w: tools/call params.arguments must be an object", ErrNotJSONRPC)
	}
	return m, nil
}
