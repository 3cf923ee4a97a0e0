package record

import (
	"encoding/json"
	"reflect"
	"strconv"

	"github.com/warden-gw/warden/exchange"
	"github.com/warden-gw/warden/redact"
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

	// live, when set instead of Facts, are the exchange's CEL variables themselves (Build): the
	// encoder writes them as their copy would be written (liveinput.go).
	live map[string]any
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
	vars := celVars(x)
	if vars == nil {
		return nil
	}
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

// celVars returns the CEL variables of x's facts, or nil when no policy decided x or inspection
// left no facts.
func celVars(x *exchange.Exchange) map[string]any {
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
	if vars == nil {
		return map[string]any{} // as inputOf's copy of no variables
	}
	return vars
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
	if in.live != nil {
		in.writeLive(w)
		return
	}
	w.open()
	if len(in.Facts) > 0 {
		w.key("facts")
		w.anyMap(in.Facts)
	}
	if in.TextCut {
		w.key("text_cut")
		w.b = append(w.b, "true"...)
	}
	w.int("v", int64(in.V))
	w.close()
}

// anyValue writes a JSON-shaped value (see copier) canonically, its strings through the
// writer's redactor.
func (w *jsonWriter) anyValue(v any) {
	switch t := v.(type) {
	case nil:
		w.b = append(w.b, "null"...)
	case string:
		w.b = appendJSONString(w.b, w.text(t))
	case bool:
		w.b = strconv.AppendBool(w.b, t)
	case int64:
		w.b = strconv.AppendInt(w.b, t, 10)
	case int:
		w.b = strconv.AppendInt(w.b, int64(t), 10)
	case float64:
		w.b = appendJSONFloat(w.b, t)
	case []any:
		w.b = append(w.b, '[')
		for i, e := range t {
			if i > 0 {
				w.b = append(w.b, ',')
			}
			w.anyValue(e)
		}
		w.b = append(w.b, ']')
	case map[string]any:
		w.anyMap(t)
	default:
		w.b = append(w.b, "null"...) // not produced by copier
	}
}

// anyMap writes a map canonically. With a redactor, every key goes through it and a string value
// goes through it with its key as context (redact.InContext), as MapStrings does: {"api_key":
// "<hex>"} is a secret by its key. A map whose keys the redactor changes is redacted the way
// MapStrings does it (the keys then sort in their redacted form) and written as that.
func (w *jsonWriter) anyMap(m map[string]any) {
	if w.redact != nil {
		for k := range m {
			if w.text(k) != k {
				red, _ := walkAnyMap(m, w.redact)
				plain := jsonWriter{b: w.b}
				plain.anyMap(red)
				w.b = plain.b
				return
			}
		}
	}
	w.b = append(w.b, '{')
	for i, k := range sortedKeys(m) {
		if i > 0 {
			w.b = append(w.b, ',')
		}
		w.b = appendJSONString(w.b, k)
		w.b = append(w.b, ':')
		if s, ok := m[k].(string); ok && s != "" && k != "" && w.redact != nil {
			w.b = appendJSONString(w.b, redact.InContext(k, s, w.redact))
			continue
		}
		w.anyValue(m[k])
	}
	w.b = append(w.b, '}')
}
