package record

import (
	"math"
	"slices"
	"strconv"
	"unicode/utf8"
)

// jsonWriter appends JSON object members, writing the comma between them: the record encoder's
// primitives, without reflection. With redact set, every string value and map key it writes
// passes through redact first (member names, which are the model's constants, do not): that is
// how audit.Log keeps secrets out of records, at the one place every string goes through.
type jsonWriter struct {
	b      []byte
	first  bool
	redact func(string) string
	// reuse and keep are the memos of an earlier record of the exchange, whose unchanged parts
	// are copied, and of this record, filled as it is written (memo.go); nil for none.
	reuse, keep *Memo
}

// text returns s as the record shows it: through redact when one is set. "" is never passed
// (there is nothing to find in it), as MapStrings never passes it.
func (w *jsonWriter) text(s string) string {
	if w.redact == nil || s == "" {
		return s
	}
	return w.redact(s)
}

func (w *jsonWriter) open() {
	w.b = append(w.b, '{')
	w.first = true
}

func (w *jsonWriter) close() {
	w.b = append(w.b, '}')
	w.first = false
}

// key writes `"name":` (name must need no escaping) preceded by a comma when needed.
func (w *jsonWriter) key(name string) {
	if !w.first {
		w.b = append(w.b, ',')
	}
	w.first = false
	w.b = append(w.b, '"')
	w.b = append(w.b, name...)
	w.b = append(w.b, '"', ':')
}

func (w *jsonWriter) str(name, v string) {
	w.key(name)
	w.b = appendJSONString(w.b, w.text(v))
}

// strOmit writes v unless it is empty, or redacted to nothing.
func (w *jsonWriter) strOmit(name, v string) {
	if v = w.text(v); v != "" {
		w.key(name)
		w.b = appendJSONString(w.b, v)
	}
}

// strings writes a []string; nil is null, as encoding/json writes it.
func (w *jsonWriter) strings(ss []string) {
	if ss == nil {
		w.b = append(w.b, "null"...)
		return
	}
	w.b = append(w.b, '[')
	for i, s := range ss {
		if i > 0 {
			w.b = append(w.b, ',')
		}
		w.b = appendJSONString(w.b, w.text(s))
	}
	w.b = append(w.b, ']')
}

func (w *jsonWriter) int(name string, v int64) {
	w.key(name)
	w.b = strconv.AppendInt(w.b, v, 10)
}

func (w *jsonWriter) intOmit(name string, v int64) {
	if v != 0 {
		w.int(name, v)
	}
}

func (w *jsonWriter) uintOmit(name string, v uint64) {
	if v != 0 {
		w.key(name)
		w.b = strconv.AppendUint(w.b, v, 10)
	}
}

// appendJSONString writes s as encoding/json does with HTML escaping off, with invalid UTF-8
// written as a raw U+FFFD.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, "\ufffd"...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// appendJSONFloat writes f as encoding/json does (f is finite: timings are durations).
func appendJSONFloat(b []byte, f float64) []byte {
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// e-09 → e-9, as encoding/json writes it.
		n := len(b)
		if n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

// sep writes the comma before a member whose key the caller writes itself (map keys).
func (w *jsonWriter) sep() {
	if !w.first {
		w.b = append(w.b, ',')
	}
	w.first = false
}

// redactKeys returns m with its keys through the writer's redactor: m itself when no key changes
// (the common case: counts per class, timings per stage), else a new map, as MapStrings makes.
func redactKeys[V any](w *jsonWriter, m map[string]V) map[string]V {
	if w.redact == nil {
		return m
	}
	changed := false
	for k := range m {
		if w.text(k) != k {
			changed = true
			break
		}
	}
	if !changed {
		return m
	}
	out := make(map[string]V, len(m))
	for k, v := range m {
		out[w.text(k)] = v
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
