package llmapi

import (
	"strconv"
	"strings"

	"github.com/warden-gw/warden/exchange"
)

// ParseParsedResponse is ParseResponse on a response body the pipeline already read as JSON
// (exchange.Response.JSON): the tool calls of a Chat Completions object are read from its nodes
// instead of decoding the bytes again. ok is false when it does not read this body (another
// API, or anything in it that encoding/json would read differently from the plain reading
// here: a type it would refuse, a repeated or case-folded field name); call ParseResponse then.
// When ok, the calls are ParseResponse's and its error is nil, as ParseResponse's is.
func ParseParsedResponse(api string, j *exchange.JSONBody) ([]ToolCall, bool) {
	if api != APIChatCompletions || j == nil || j.Nodes[0].Kind != exchange.JSONObject || looksEventStream(j.Src) {
		return nil, false
	}
	r := parsedReader{j: j}
	return r.chatCompletion()
}

type parsedReader struct {
	j *exchange.JSONBody
}

// members calls fn for each member of the object at node i whose name is one of fields (fn
// gets the field's position and the value's node). It returns false when encoding/json could
// decode the object into a struct of these fields differently: a field named twice, or a name
// that matches a field only case-insensitively (encoding/json folds case, Unicode included).
func (r parsedReader) members(i int, fields []string, fn func(field, v int) bool) bool {
	nodes := r.j.Nodes
	seen := uint32(0)
	for k := i + 1; k < int(nodes[i].Next); k = int(nodes[k+1].Next) {
		key := r.j.Key(k)
		f := fieldIndex(key, fields)
		switch {
		case f == -2:
			return false
		case f < 0:
			continue
		case seen&(1<<f) != 0:
			return false
		}
		seen |= 1 << f
		if !fn(f, k+1) {
			return false
		}
	}
	return true
}

// fieldIndex returns key's position in fields, -1 for a name no field takes, -2 for one
// encoding/json might match by folding case.
func fieldIndex(key string, fields []string) int {
	for f, name := range fields {
		if key == name {
			return f
		}
	}
	for i := 0; i < len(key); i++ {
		if key[i] >= 0x80 {
			return -2 // K (Kelvin) and ſ fold to ASCII letters
		}
	}
	for _, name := range fields {
		if strings.EqualFold(key, name) {
			return -2
		}
	}
	return -1
}

func (r parsedReader) kind(i int) exchange.JSONKind { return r.j.Nodes[i].Kind }

// str reads a string field: null leaves it as it was (""); any other kind is refused.
func (r parsedReader) str(i int, dst *string) bool {
	switch r.kind(i) {
	case exchange.JSONString:
		*dst = r.j.StdText(i)
		return true
	case exchange.JSONNull:
		return true
	}
	return false
}

// integer checks an int field as encoding/json would decode it (an integer literal or null).
func (r parsedReader) integer(i int) bool {
	switch r.kind(i) {
	case exchange.JSONNumber:
		_, err := strconv.ParseInt(string(r.j.Raw(i)), 10, 64)
		return err == nil
	case exchange.JSONNull:
		return true
	}
	return false
}

// raw reads an argText field: a string's value, or any other value's JSON text ("" for null).
func (r parsedReader) raw(i int, dst *string) bool {
	switch r.kind(i) {
	case exchange.JSONString:
		*dst = r.j.StdText(i)
	case exchange.JSONNull:
		*dst = ""
	default:
		*dst = string(r.j.Raw(i))
	}
	return true
}

// object runs members when the node is an object; null is accepted (nothing decoded).
func (r parsedReader) object(i int, fields []string, fn func(field, v int) bool) bool {
	switch r.kind(i) {
	case exchange.JSONObject:
		return r.members(i, fields, fn)
	case exchange.JSONNull:
		return true
	}
	return false
}

// elements runs fn on each element of an array node whose elements are all objects; null is
// accepted (no elements).
func (r parsedReader) elements(i int, fn func(v int) bool) bool {
	switch r.kind(i) {
	case exchange.JSONArray:
		nodes := r.j.Nodes
		for k := i + 1; k < int(nodes[i].Next); k = int(nodes[k].Next) {
			if nodes[k].Kind != exchange.JSONObject || !fn(k) {
				return false
			}
		}
		return true
	case exchange.JSONNull:
		return true
	}
	return false
}

var (
	chatFields     = []string{"choices", "message"}
	choiceFields   = []string{"index", "delta", "message"}
	msgFields      = []string{"tool_calls", "function_call"}
	toolCallFields = []string{"index", "id", "type", "function", "custom"}
	functionFields = []string{"name", "arguments"}
	customFields   = []string{"name", "input"}
)

// chatCompletion reads a chatChunk as ParseJSON's decoder does and returns chatMessageCalls'
// calls: the choices' messages in order, then the top-level (Ollama) message.
func (r parsedReader) chatCompletion() ([]ToolCall, bool) {
	var msgs []int
	top := -1
	ok := r.members(0, chatFields, func(f, v int) bool {
		if f == 1 {
			top = v
			return r.message(v, nil)
		}
		return r.elements(v, func(c int) bool {
			return r.members(c, choiceFields, func(f, v int) bool {
				switch f {
				case 0:
					return r.integer(v)
				case 1:
					return r.message(v, nil) // a delta: checked as the decoder would, not read
				}
				msgs = append(msgs, v)
				return r.message(v, nil)
			})
		})
	})
	if !ok {
		return nil, false
	}
	if top >= 0 {
		msgs = append(msgs, top)
	}
	var out []ToolCall
	for _, m := range msgs {
		r.message(m, &out)
	}
	return out, true
}

// message checks a chatMsg (object or null) and, with out, appends its calls as
// chatMessageCalls does.
func (r parsedReader) message(i int, out *[]ToolCall) bool {
	var fnCall *ToolCall
	ok := r.object(i, msgFields, func(f, v int) bool {
		if f == 1 {
			if r.kind(v) == exchange.JSONNull {
				return true
			}
			c := ToolCall{Type: "function"}
			fnCall = &c
			return r.object(v, functionFields, func(f, v int) bool {
				if f == 0 {
					return r.str(v, &c.Name)
				}
				return r.raw(v, &c.Arguments)
			})
		}
		return r.elements(v, func(e int) bool {
			c, ok := r.toolCall(e)
			if ok && out != nil {
				*out = append(*out, c)
			}
			return ok
		})
	})
	if ok && out != nil && fnCall != nil {
		*out = append(*out, *fnCall)
	}
	return ok
}

// toolCall reads one element of tool_calls as chatMessageCalls converts it.
func (r parsedReader) toolCall(i int) (ToolCall, bool) {
	var c ToolCall
	var fn, custom struct{ name, args string }
	ok := r.members(i, toolCallFields, func(f, v int) bool {
		switch f {
		case 0:
			return r.integer(v)
		case 1:
			return r.str(v, &c.ID)
		case 2:
			return r.str(v, &c.Type)
		case 3:
			return r.object(v, functionFields, func(f, v int) bool {
				if f == 0 {
					return r.str(v, &fn.name)
				}
				return r.raw(v, &fn.args)
			})
		}
		return r.object(v, customFields, func(f, v int) bool {
			if f == 0 {
				return r.str(v, &custom.name)
			}
			return r.str(v, &custom.args)
		})
	})
	c.Name, c.Arguments = fn.name, fn.args
	if c.Type == "custom" {
		c.Name, c.Arguments = custom.name, custom.args
	}
	if c.Type == "" {
		c.Type = "function"
	}
	return c, ok
}
