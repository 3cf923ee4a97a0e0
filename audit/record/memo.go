package record

import "slices"

// A completion record repeats much of its request record: who acted, the request line and
// headers, the client, the decision input and the resources it names. Encoding with a Memo of
// the request record copies those parts from its bytes when their values did not change,
// instead of building, redacting and encoding them again. The bytes are the same either way
// (TestMemoReuseIsInvisible, FuzzMemoReuse): a part is taken only when the value it was encoded
// from equals the new one, and the redactor is a function of the string alone.

// memoPart names a part of a record that a later record of the same exchange can reuse.
type memoPart uint8

const (
	partActor memoPart = iota
	partHTTPRequest
	partSrcEndpoint
	partResources
	partInput
	numParts
)

// Memo is a record as built (never changed afterwards), its encoding, and where each reusable
// part lies in it. It may only be reused by an encoding with the same redactor.
type Memo struct {
	rec  *Record
	body []byte
	span [numParts]struct{ start, end int32 }
	has  [numParts]bool
}

// Body is the encoding the memo refers to (the caller keeps it unchanged while the memo is used).
func (m *Memo) Body() []byte { return m.body }

// EncodeMemo is EncodeRedactedInto that takes every reusable part whose value did not change
// from reuse (the memo of an earlier record of the same exchange, encoded with the same redact;
// nil for none), and, when keep is not nil, fills it with this record's memo. keep refers to r
// and to the returned bytes: neither may change while it is used.
func EncodeMemo(buf []byte, r *Record, redact func(string) string, reuse, keep *Memo) ([]byte, string, error) {
	body, content, err := encodeRecord(buf, r, redact, reuse, keep)
	if err != nil {
		return nil, "", err
	}
	if keep != nil {
		keep.rec, keep.body = r, body
	}
	return body, content, nil
}

// part writes one reusable part: from w.reuse when same says its value did not change, else with
// write; and notes where it lies for w.keep.
func (w *jsonWriter) part(p memoPart, same func(*Record) bool, write func()) {
	start := len(w.b)
	if m := w.reuse; m != nil && m.has[p] && same(m.rec) {
		sp := m.span[p]
		w.b = append(w.b, m.body[sp.start:sp.end]...)
		w.first = false
	} else {
		write()
	}
	if k := w.keep; k != nil {
		k.span[p].start, k.span[p].end, k.has[p] = int32(start), int32(len(w.b)), true
	}
}

func sameActor(a, b *Actor) bool {
	if a.AppName != b.AppName || a.AppUID != b.AppUID {
		return false
	}
	if (a.Session == nil) != (b.Session == nil) || (a.Session != nil && *a.Session != *b.Session) {
		return false
	}
	if (a.User == nil) != (b.User == nil) {
		return false
	}
	if a.User == nil {
		return true
	}
	return a.User.Name == b.User.Name && a.User.UID == b.User.UID && slices.Equal(a.User.Groups, b.User.Groups)
}

func sameHTTPRequest(a, b *HTTPRequest) bool {
	return a.HTTPMethod == b.HTTPMethod && a.UID == b.UID && a.URL == b.URL && a.UserAgent == b.UserAgent &&
		slices.Equal(a.HTTPHeaders, b.HTTPHeaders)
}

// sameInput reports whether two decision inputs hold the same values (live or copied).
func sameInput(a, b *DecisionInput) bool {
	if a == nil || b == nil {
		return a == b
	}
	if a.V != b.V || a.TextCut != b.TextCut || (a.live == nil) != (b.live == nil) {
		return false
	}
	if a.live != nil {
		return sameValue(a.live, b.live)
	}
	return sameValue(a.Facts, b.Facts)
}

// sameValue reports whether two CEL or JSON values are equal, for the types the decision input
// holds; a value of any other type is never the same (its part is encoded again).
func sameValue(a, b any) bool {
	switch x := a.(type) {
	case nil:
		return b == nil
	case string:
		y, ok := b.(string)
		return ok && x == y
	case bool, int64, int, int32, float64, uint64:
		return a == b
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !sameValue(x[i], y[i]) {
				return false
			}
		}
		return true
	case []string:
		y, ok := b.([]string)
		return ok && slices.Equal(x, y)
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			if w, ok := y[k]; !ok || !sameValue(v, w) {
				return false
			}
		}
		return true
	case map[string]string:
		y, ok := b.(map[string]string)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			if w, ok := y[k]; !ok || v != w {
				return false
			}
		}
		return true
	}
	return false
}
