package redact

import (
	"strconv"
	"strings"
	"time"
)

// Which strings of a JSON event are channel text.
//
// Three formats are known exactly: OpenAI Chat Completions (a choice's
// content, refusal, reasoning and each tool call's arguments, ended by the
// choice's finish_reason), Anthropic Messages (a content block's text,
// thinking or partial_json, ended by content_block_stop) and OpenAI Responses
// (an output item's *.delta events, ended by its *.done events). In their
// events every other string is a complete value.
//
// Every other JSON event is read by shape: each string is named by its path,
// where an array element that carries an "index" is named by that index
// rather than its position (choices arrive in any order) and each object on
// the way that carries a "type" adds it (a content delta and a tool-call
// delta are different channels). A field whose value changes from event to
// event continues: it is a channel (OpenAI legacy completions'
// choices[].text, Gemini's candidates[].content.parts[].text, Cohere's
// delta.message.content.text, TGI's token.text, Ollama's response and
// message.content). A field whose value repeats (an id, a model name) is a
// complete value from then on; so are metadata fields (id, model, role, type...) and time stamps.
// A channel ends when an event that feeds other
// channels does not feed it or a sibling of it (the same field of another
// choice), when an event says it finishes (finish_reason, finishReason,
// stop_reason, done: true, a type ending in end, stop, done or completed),
// and at the end of the stream.

type eventHead struct {
	Type         string       `json:"type"`
	Index        *int         `json:"index"`
	OutputIndex  *int         `json:"output_index"`
	ContentIndex *int         `json:"content_index"`
	SummaryIndex *int         `json:"summary_index"`
	Choices      []headChoice `json:"choices"`
}

// headChoice is a Chat Completions choice as eventHead reads it.
type headChoice struct {
	Index        int        `json:"index"`
	FinishReason *string    `json:"finish_reason"`
	Delta        *headDelta `json:"delta"`
}

// headDelta is a choice's delta as eventHead reads it: its tool calls' indexes.
type headDelta struct {
	ToolCalls []headToolCall `json:"tool_calls"`
}

type headToolCall struct {
	Index int `json:"index"`
}

// route names the logical string a string value at path belongs to ("" for
// a complete value). The name is built in buf and kept there: a stream names
// the same few channels in every event.
func route(head *eventHead, path []pathElem, buf *eventBuf) string {
	b := buf.route[:0]
	defer func() { buf.route = b[:0] }()
	if len(head.Choices) > 0 {
		if len(path) < 4 || path[0].key != "choices" || path[2].key != "delta" || path[1].index >= len(head.Choices) {
			return ""
		}
		ch := head.Choices[path[1].index]
		switch {
		case len(path) == 4 && (path[3].key == "content" || path[3].key == "refusal" || path[3].key == "reasoning_content" || path[3].key == "reasoning"):
			b = strconv.AppendInt(append(b, 'c'), int64(ch.Index), 10)
			b = append(append(b, '/'), path[3].key...)
			return buf.intern(b)
		case len(path) == 7 && path[3].key == "tool_calls" && path[5].key == "function" && path[6].key == "arguments" &&
			ch.Delta != nil && path[4].index < len(ch.Delta.ToolCalls):
			b = strconv.AppendInt(append(b, 'c'), int64(ch.Index), 10)
			b = strconv.AppendInt(append(b, "/t"...), int64(ch.Delta.ToolCalls[path[4].index].Index), 10)
			return buf.intern(b)
		}
		return ""
	}
	switch {
	case head.Type == "content_block_delta" && head.Index != nil && len(path) == 2 && path[0].key == "delta" &&
		(path[1].key == "text" || path[1].key == "partial_json" || path[1].key == "thinking"):
		return buf.intern(strconv.AppendInt(append(b, 'a'), int64(*head.Index), 10))
	case strings.HasPrefix(head.Type, "response.") && strings.HasSuffix(head.Type, ".delta") && head.OutputIndex != nil &&
		len(path) == 1 && path[0].key == "delta":
		b = strconv.AppendInt(append(b, 'r'), int64(*head.OutputIndex), 10)
		b = append(append(append(b, '/'), head.Type...), '/')
		b = strconv.AppendInt(b, int64(deref(head.ContentIndex)), 10)
		b = strconv.AppendInt(append(b, '/'), int64(deref(head.SummaryIndex)), 10)
		return buf.intern(b)
	}
	return ""
}

func deref(p *int) int {
	if p == nil {
		return 0
	}
	return *p
}

// ends returns the key prefixes of the logical strings this event ends; ""
// ends every string.
func ends(head *eventHead) []string {
	var out []string
	for _, ch := range head.Choices {
		switch {
		case ch.FinishReason != nil && *ch.FinishReason != "":
			out = append(out, "c"+strconv.Itoa(ch.Index)+"/")
		case ch.Delta != nil && len(ch.Delta.ToolCalls) > 0:
			// The choice's text is over once its tool calls stream: what it held goes out
			// before them, not after (an SDK would otherwise show a cut sentence first).
			for _, f := range []string{"content", "refusal", "reasoning_content", "reasoning"} {
				out = append(out, "c"+strconv.Itoa(ch.Index)+"/"+f)
			}
		}
	}
	switch {
	case head.Type == "content_block_stop" && head.Index != nil:
		out = append(out, "a"+strconv.Itoa(*head.Index))
	case head.Type == "message_delta" || head.Type == "message_stop" || head.Type == "error":
		out = append(out, "")
	case head.Type == "response.completed" || head.Type == "response.incomplete" || head.Type == "response.failed" || head.Type == "error":
		out = append(out, "")
	case strings.HasPrefix(head.Type, "response.") && strings.HasSuffix(head.Type, ".done") && head.OutputIndex != nil:
		out = append(out, "r"+strconv.Itoa(*head.OutputIndex)+"/")
	}
	return out
}

func matchesAny(key string, prefixes []string) bool {
	for _, p := range prefixes {
		if p == "" || key == p || strings.HasPrefix(key, p) && strings.HasSuffix(p, "/") {
			return true
		}
	}
	return false
}

// known reports whether the event belongs to one of the formats read exactly.
func (h *eventHead) known() bool {
	for _, ch := range h.Choices {
		if ch.Delta != nil {
			return true // Chat Completions
		}
	}
	switch h.Type {
	case "message_start", "content_block_start", "content_block_delta", "content_block_stop",
		"message_delta", "message_stop", "ping", "error":
		return true // Anthropic Messages (and an error event in either API)
	}
	return strings.HasPrefix(h.Type, "response.") // Responses
}

// shapeKey names a string of an event read by shape, and its group: the
// same name with every element index left out, shared by the same field of
// sibling choices.
func shapeKey(tree any, path []pathElem, evName string) (key, group string) {
	var k, g strings.Builder
	k.WriteString("~")
	k.WriteString(evName)
	g.WriteString("~")
	g.WriteString(evName)
	both := func(s string) { k.WriteString(s); g.WriteString(s) }
	node := tree
	for _, p := range path {
		m, _ := node.(map[string]any)
		if t, ok := m["type"].(string); ok && len(t) <= 64 {
			both("{" + t + "}")
		}
		if p.isKey {
			both("/" + p.key)
			node = m[p.key]
			continue
		}
		arr, _ := node.([]any)
		node = nil
		if p.index < len(arr) {
			node = arr[p.index]
		}
		el, _ := node.(map[string]any)
		if idx, ok := el["index"].(float64); ok {
			k.WriteString("#" + strconv.FormatFloat(idx, 'g', -1, 64))
		} else {
			k.WriteString("@" + strconv.Itoa(p.index))
		}
		g.WriteString("#")
	}
	return k.String(), g.String()
}

// metaFields are the metadata fields streaming APIs repeat in every event: never text, so they
// are complete values from the first event on (the first event does not wait to learn that
// they repeat).
var metaFields = map[string]bool{
	"id": true, "object": true, "model": true, "modelVersion": true, "responseId": true, "role": true,
	"type": true, "event_type": true, "created_at": true, "createTime": true, "system_fingerprint": true,
	"finish_reason": true, "finishReason": true, "stop_reason": true, "done_reason": true, "generation_id": true,
}

var finishFields = map[string]bool{"finish_reason": true, "finishReason": true, "stop_reason": true, "stopReason": true}

// shapeEnds reports whether an event read by shape finishes the stream's
// text: it returns [""] (every channel) or nil.
func shapeEnds(tree any) []string {
	if m, ok := tree.(map[string]any); ok {
		for _, f := range []string{"type", "event_type"} {
			t, _ := m[f].(string)
			for _, suf := range []string{"end", "stop", "done", "completed"} {
				if strings.HasSuffix(strings.ToLower(t), suf) {
					return []string{""}
				}
			}
		}
	}
	if finishes(tree, 0) {
		return []string{""}
	}
	return nil
}

func finishes(v any, depth int) bool {
	if depth > 4 {
		return false
	}
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if finishFields[k] {
				if s, ok := x.(string); ok && s != "" {
					return true
				}
			}
			if (k == "done" || k == "is_finished") && x == true {
				return true
			}
			if finishes(x, depth+1) {
				return true
			}
		}
	case []any:
		for _, x := range v {
			if finishes(x, depth+1) {
				return true
			}
		}
	}
	return false
}

// isTimestamp reports whether v is an RFC 3339 time stamp.
func isTimestamp(v []byte) bool {
	if len(v) < 20 || len(v) > 40 || v[4] != '-' || v[10] != 'T' {
		return false
	}
	_, err := time.Parse(time.RFC3339Nano, string(v))
	return err == nil
}
