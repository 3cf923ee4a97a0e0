package record

import (
	"encoding/json"
	"reflect"
	"strconv"

	"github.com/warden-gw/warden/exchange"
)

// InputVersion is the version of DecisionInput that this build writes. A reader that meets a
// higher version must not replay the record (it may lack fields the reader would rely on).
const InputVersion = 1

// DecisionInput is what a policy decision was made from, beyond what the rest of the record
// already carries (method, URL, allow-listed headers, identity, credential role, response
// status): the CEL variables llm, mcp, actions and inspection as inspection produced them. It
// lets `warden policy diff` re-decide a recorded exchange with another policy.
//
// It is redacted like every other string of the record (Log.build): a secret in a SQL
// statement or a shell command is replaced before the record is written. What version 1 never
// records is OmittedFields, so a replay can say which rules it cannot judge.
type DecisionInput struct {
	// Facts holds the CEL variables llm, mcp, actions and inspection (llm.prompt removed).
	Facts map[string]any `json:"facts,omitempty"`
	// TextCut is true when a recorded text (a statement, a command) was shortened to
	// maxInputText: rules then see it cut.
	TextCut bool `json:"text_cut,omitempty"`
	// V is the format version (InputVersion).
	V int `json:"v"`
}

// OmittedFields are the CEL fields a version 1 record never carries: bodies (they hold secrets
// and personal data and can be megabytes), header values outside the record's allowlist, JWT
// claims (they may hold anything), the LLM prompt (personal data), and the values of query
// parameters whose names look sensitive (they are recorded as REDACTED).
var OmittedFields = []string{
	"identity.claims",
	"llm.prompt",
	"request.body",
	"request.headers",
	"request.query",
	"response.body",
	"response.headers",
}

// maxInputText bounds one string of the recorded facts, like the text of a tool call.
const maxInputText = maxToolText

// celFacts is implemented by the inspection stage's facts (inspect.Facts).
type celFacts interface {
	CEL() map[string]any
}

// inputOf returns the decision input of x, or nil when no policy decided it or inspection left
// no facts (the record then cannot be replayed, and policy diff says so).
func inputOf(x *exchange.Exchange) *DecisionInput {
	if len(x.Decisions) == 0 || x.Facts == nil {
		return nil
	}
	f, ok := x.Facts.(celFacts)
	if !ok {
		return nil
	}
	if v := reflect.ValueOf(f); v.Kind() == reflect.Pointer && v.IsNil() {
		return nil
	}
	vars := f.CEL()
	in := &DecisionInput{V: InputVersion}
	c := copier{}
	facts := make(map[string]any, len(vars))
	for k, v := range vars {
		facts[k] = c.value(v)
	}
	if llm, ok := facts["llm"].(map[string]any); ok {
		delete(llm, "prompt")
	}
	in.Facts = facts
	in.TextCut = c.cut
	return in
}

// copier deep-copies CEL values into JSON-shaped values (string, bool, int64, float64, []any,
// map[string]any), so that redacting the record never touches the live facts, and shortens
// long strings.
type copier struct {
	cut bool
}

func (c *copier) value(v any) any {
	switch t := v.(type) {
	case nil:
		return nil
	case string:
		if len(t) > maxInputText {
			c.cut = true
			return capText(t, maxInputText)
		}
		return t
	case bool, int64, float64:
		return t
	case int:
		return int64(t)
	case int32:
		return int64(t)
	case uint64:
		return float64(t)
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = c.value(e)
		}
		return out
	case []string:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = c.value(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[k] = c.value(e)
		}
		return out
	case map[string]string:
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[k] = c.value(e)
		}
		return out
	}
	// Anything else goes through encoding/json once, so that the record holds plain JSON.
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	var out any
	if json.Unmarshal(b, &out) != nil {
		return nil
	}
	return c.value(normalizeNumbers(out))
}

// normalizeNumbers turns float64 values that are whole numbers into int64, as CEL's int.
func normalizeNumbers(v any) any {
	switch t := v.(type) {
	case float64:
		if t == float64(int64(t)) && t >= -1<<53 && t <= 1<<53 {
			return int64(t)
		}
	case []any:
		for i := range t {
			t[i] = normalizeNumbers(t[i])
		}
	case map[string]any:
		for k := range t {
			t[k] = normalizeNumbers(t[k])
		}
	}
	return v
}

// write encodes the input in canonical form (sorted keys, see Canonical).
func (in *DecisionInput) write(w *jsonWriter) {
	w.open()
	if len(in.Facts) > 0 {
		w.key("facts")
		w.b = appendAny(w.b, in.Facts)
	}
	if in.TextCut {
		w.key("text_cut")
		w.b = append(w.b, "true"...)
	}
	w.int("v", int64(in.V))
	w.close()
}

// appendAny writes a JSON-shaped value (see copier) canonically.
func appendAny(b []byte, v any) []byte {
	switch t := v.(type) {
	case nil:
		return append(b, "null"...)
	case string:
		return appendJSONString(b, t)
	case bool:
		return strconv.AppendBool(b, t)
	case int64:
		return strconv.AppendInt(b, t, 10)
	case int:
		return strconv.AppendInt(b, int64(t), 10)
	case float64:
		return appendJSONFloat(b, t)
	case []any:
		b = append(b, '[')
		for i, e := range t {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendAny(b, e)
		}
		return append(b, ']')
	case map[string]any:
		b = append(b, '{')
		for i, k := range sortedKeys(t) {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, k)
			b = append(b, ':')
			b = appendAny(b, t[k])
		}
		return append(b, '}')
	}
	return append(b, "null"...) // not produced by copier
}
