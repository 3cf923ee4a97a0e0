package record

import (
	"slices"
	"strconv"
	"time"

	"github.com/warden-gw/warden/exchange"
	"github.com/warden-gw/warden/redact"
)

// The decision input of the audit log's records is written straight from the exchange's live
// facts (the CEL variables inspection built; CEL values are never modified), instead of a deep
// copy of them made for every record and then walked for redaction: the encoder applies the
// copy's normalisation (copier: numbers as int64 or float64, []string and map[string]string as
// JSON arrays and objects, long strings cut, llm.prompt left out) and the redaction as it
// writes. The bytes are those of BuildRecord, MapStrings and Encode
// (TestLiveInputMatchesCopy, FuzzLiveInput).

// Build is BuildRecord for the audit log: the decision input refers to x's live facts instead of
// a copy. The record must be encoded (EncodeRedactedInto) before x's facts can change, and never
// changed or walked by MapStrings (which cannot reach the live facts).
func Build(x *exchange.Exchange, stage Stage, product Product, now time.Time) *Record {
	return buildRecord(x, stage, product, now, true)
}

// facts returns the facts to read resources from: the live variables when the input has them.
func (in *DecisionInput) facts() map[string]any {
	if in.live != nil {
		return in.live
	}
	return in.Facts
}

// writeLive writes an input whose facts are live: as write writes the copy inputOf would make.
func (in *DecisionInput) writeLive(w *jsonWriter) {
	w.open()
	cut := in.TextCut
	if len(in.live) > 0 {
		w.key("facts")
		lw := liveWriter{w: w}
		lw.object(in.live, inFacts)
		cut = cut || lw.cut
	}
	if cut {
		w.key("text_cut")
		w.b = append(w.b, "true"...)
	}
	w.int("v", int64(in.V))
	w.close()
}

// liveWriter writes live CEL values as their copy (copier) would be written, and notes whether a
// string was cut.
type liveWriter struct {
	w   *jsonWriter
	cut bool
}

// capped is copier's cut of a long string.
func (lw *liveWriter) capped(s string) string {
	if len(s) > maxInputText {
		lw.cut = true
		return capText(s, maxInputText)
	}
	return s
}

func (lw *liveWriter) value(v any) {
	w := lw.w
	switch t := v.(type) {
	case nil:
		w.b = append(w.b, "null"...)
	case string:
		w.b = appendJSONString(w.b, w.text(lw.capped(t)))
	case bool:
		w.b = strconv.AppendBool(w.b, t)
	case int64:
		w.b = strconv.AppendInt(w.b, t, 10)
	case int:
		w.b = strconv.AppendInt(w.b, int64(t), 10)
	case int32:
		w.b = strconv.AppendInt(w.b, int64(t), 10)
	case float64:
		w.b = appendJSONFloat(w.b, t)
	case uint64:
		w.b = appendJSONFloat(w.b, float64(t))
	case []any:
		w.b = append(w.b, '[')
		for i, e := range t {
			if i > 0 {
				w.b = append(w.b, ',')
			}
			lw.value(e)
		}
		w.b = append(w.b, ']')
	case []string:
		w.b = append(w.b, '[')
		for i, e := range t {
			if i > 0 {
				w.b = append(w.b, ',')
			}
			w.b = appendJSONString(w.b, w.text(lw.capped(e)))
		}
		w.b = append(w.b, ']')
	case map[string]any:
		lw.object(t, inValue)
	default: // map[string]string and anything else: as copier makes it, then written as such
		lw.copied(v, inValue)
	}
}

// Where a map stands in the facts: inputOf leaves the prompt out of the llm variable.
type mapPlace int

const (
	inValue mapPlace = iota // any map below the variables
	inFacts                 // the map of the variables: its "llm" member is written without "prompt"
	inLLM                   // the llm variable: "prompt" is left out
)

// object writes a map[string]any (without llm.prompt, see mapPlace). A map whose keys the
// redactor changes is written from its copy (anyMap redacts it as MapStrings does).
func (lw *liveWriter) object(m map[string]any, place mapPlace) {
	w := lw.w
	var arr [16]string
	keys := arr[:0]
	for k := range m {
		if place == inLLM && k == "prompt" {
			continue
		}
		if w.redact != nil && w.text(k) != k {
			lw.copied(m, place)
			return
		}
		keys = append(keys, k)
	}
	slices.Sort(keys)
	w.b = append(w.b, '{')
	for i, k := range keys {
		if i > 0 {
			w.b = append(w.b, ',')
		}
		w.b = appendJSONString(w.b, k)
		w.b = append(w.b, ':')
		v := m[k]
		if s, ok := v.(string); ok && s != "" && k != "" && w.redact != nil {
			w.b = appendJSONString(w.b, redact.InContext(k, lw.capped(s), w.redact))
			continue
		}
		if place == inFacts && k == "llm" {
			if llm, ok := v.(map[string]any); ok {
				lw.object(llm, inLLM)
			} else {
				lw.copied(v, inLLM)
			}
			continue
		}
		lw.value(v)
	}
	w.b = append(w.b, '}')
}

// copied writes v as copier copies it (the slow path, for types the live writer does not know
// and maps whose keys the redactor changes), without llm.prompt.
func (lw *liveWriter) copied(v any, place mapPlace) {
	c := copier{}
	cv := c.value(v)
	lw.cut = lw.cut || c.cut
	m, _ := cv.(map[string]any)
	switch place {
	case inFacts:
		if llm, ok := m["llm"].(map[string]any); ok {
			delete(llm, "prompt")
		}
	case inLLM:
		delete(m, "prompt")
	}
	lw.w.anyValue(cv)
}
