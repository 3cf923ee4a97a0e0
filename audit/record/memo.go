package record

import (
	"reflect"
	"slices"
	"sync"
)

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

// Memo is a record as built (never changed afterwards) and a copy of the encoding of its
// reusable parts. It may only be reused by an encoding with the same redactor.
type Memo struct {
	rec  *Record
	body []byte // the parts' bytes, one after the other
	span [numParts]struct{ start, end int32 }
	has  [numParts]bool
}

// maxMemoBytes bounds the bytes a memo keeps for the time its exchange is in flight: parts
// beyond it (a decision input with long statements) are encoded again by the next record.
const maxMemoBytes = 16 << 10

// EncodeMemo is EncodeRedactedInto that takes every reusable part whose value did not change
// from reuse (the memo of an earlier record of the same exchange, encoded with the same redact;
// nil for none), and, when keep is not nil, fills it with this record's memo. keep refers to r,
// which must not change while the memo is used; it copies what it keeps of the returned bytes.
func EncodeMemo(buf []byte, r *Record, redact func(string) string, reuse, keep *Memo) ([]byte, string, error) {
	body, content, err := encodeRecord(buf, r, redact, reuse, keep)
	if err != nil {
		return nil, "", err
	}
	if keep != nil {
		keep.keep(r, body)
	}
	return body, content, nil
}

// Release drops the memo and gives the record it refers to back for reuse (Release): the memo's
// exchange will have no further record that compares itself with it. A second call does nothing.
func (m *Memo) Release() {
	r, body := m.rec, m.body
	*m = Memo{}
	Release(r)
	if body != nil && cap(body) <= maxMemoBytes {
		body = body[:0]
		memoBodies.Put(&body)
	}
}

// memoBodies holds the byte buffers of released memos (one per exchange in flight, ~0.8 KB for
// a chat exchange's request record).
var memoBodies = sync.Pool{New: func() any { return new([]byte) }}

// keep copies the parts noted while body was written (their spans in body) into m, as many as
// fit in maxMemoBytes, in one allocation.
func (m *Memo) keep(r *Record, body []byte) {
	m.rec = r
	n := 0
	for p := range numParts {
		if m.has[p] {
			if size := int(m.span[p].end - m.span[p].start); n+size <= maxMemoBytes {
				n += size
			} else {
				m.has[p] = false
			}
		}
	}
	if b := memoBodies.Get().(*[]byte); cap(*b) >= n {
		m.body = (*b)[:0]
	} else {
		m.body = make([]byte, 0, n)
	}
	for p := range numParts {
		if m.has[p] {
			sp := m.span[p]
			start := int32(len(m.body)) //nolint:gosec // the memo holds at most 16 KiB
			m.body = append(m.body, body[sp.start:sp.end]...)
			m.span[p].start, m.span[p].end = start, int32(len(m.body)) //nolint:gosec // at most 16 KiB
		}
	}
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
		k.span[p].start, k.span[p].end, k.has[p] = int32(start), int32(len(w.b)), true //nolint:gosec // a record is far below 2 GiB (spool entries are at most 16 MiB)
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
// holds; a value of any other type is never the same (its part is encoded again). A map or list
// is equal to itself without a look inside: CEL values are never modified (inspection shares
// some between the facts it rebuilds after the response).
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
		if len(x) == 0 || reflect.ValueOf(x).UnsafePointer() == reflect.ValueOf(y).UnsafePointer() {
			return true
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
		if reflect.ValueOf(x).UnsafePointer() == reflect.ValueOf(y).UnsafePointer() {
			return true
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
