package llmapi

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// converseBlock is a Converse content block; toolUse is the tool call.
type converseBlock struct {
	ToolUse *struct {
		ToolUseID string          `json:"toolUseId"`
		Name      string          `json:"name"`
		Input     json.RawMessage `json:"input"`
	} `json:"toolUse"`
}

// parseConverseJSON reads a Converse response: output.message.content[].toolUse.
func parseConverseJSON(body []byte) ([]ToolCall, error) {
	var r struct {
		Output struct {
			Message struct {
				Content []converseBlock `json:"content"`
			} `json:"message"`
		} `json:"output"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return nil, fmt.Errorf("read converse response: %w", err)
	}
	var out []ToolCall
	for _, b := range r.Output.Message.Content {
		if b.ToolUse != nil {
			out = append(out, ToolCall{
				ID: b.ToolUse.ToolUseID, Type: "toolUse", Name: b.ToolUse.Name,
				Arguments: rawText(b.ToolUse.Input),
			})
		}
	}
	return out, nil
}

// converseEvent reads one ConverseStream event: contentBlockStart opens a toolUse block,
// contentBlockDelta appends its input text. typ is the event type ("" when the event came as a
// JSON object keyed by its type, as in SSE-bridged streams).
func (a *assembler) converseEvent(typ string, payload []byte) (bool, error) {
	var ev struct {
		Index int `json:"contentBlockIndex"`
		Start *struct {
			ToolUse *struct {
				ToolUseID string `json:"toolUseId"`
				Name      string `json:"name"`
			} `json:"toolUse"`
		} `json:"start"`
		Delta *struct {
			ToolUse *struct {
				Input string `json:"input"`
			} `json:"toolUse"`
		} `json:"delta"`
	}
	if len(strings.TrimSpace(string(payload))) == 0 {
		return false, nil
	}
	if err := json.Unmarshal(payload, &ev); err != nil {
		return false, err
	}
	key := "b" + strconv.Itoa(ev.Index)
	switch typ {
	case "contentBlockStart":
		if ev.Start == nil || ev.Start.ToolUse == nil {
			return false, nil
		}
		c := a.call(key)
		c.ID, c.Type, c.Name = ev.Start.ToolUse.ToolUseID, "toolUse", ev.Start.ToolUse.Name
		return true, nil
	case "contentBlockDelta":
		c, ok := a.byKey[key]
		if !ok || ev.Delta == nil || ev.Delta.ToolUse == nil {
			return ok, nil
		}
		a.appendArgs(c, ev.Delta.ToolUse.Input)
		return true, nil
	case "contentBlockStop":
		_, ok := a.byKey[key]
		return ok, nil
	}
	return false, nil
}

// chunkBytes decodes an InvokeModelWithResponseStream chunk payload, {"bytes": base64}.
func chunkBytes(payload []byte) ([]byte, error) {
	var c struct {
		Bytes string `json:"bytes"`
	}
	if err := json.Unmarshal(payload, &c); err != nil {
		return nil, err
	}
	return base64.StdEncoding.DecodeString(c.Bytes)
}
