package record

import (
	"maps"
	"reflect"

	"github.com/warden-gw/warden/redact"
)

// The decision input's facts are JSON-shaped values held in interfaces (map[string]any, []any,
// string, numbers): the walk plan would reach their strings by reflection, copying each value
// out of its interface and rebuilding every map it passes, changed or not. These typed walks do
// the same work without reflection and copy a map only when one of its keys or values changes
// (most records have nothing to redact in their facts). Values of any other dynamic type go
// back to the plan.

var anyMapType = reflect.TypeFor[map[string]any]()

// walkAny applies f to every string of v, a value held in an interface, and returns the value
// to store back and whether it changed. A []any is changed in place, as the plan's walk does;
// a map is copied when it changes (it may be shared with the exchange the record was built
// from).
func walkAny(v any, f func(string) string) (any, bool) {
	switch t := v.(type) {
	case nil:
		return v, false
	case string:
		if t == "" {
			return v, false
		}
		if r := f(t); r != t {
			return r, true
		}
		return v, false
	case map[string]any:
		if out, changed := walkAnyMap(t, f); changed {
			return out, true
		}
		return v, false
	case []any:
		return v, walkAnySlice(t, f)
	case bool, int64, float64, int:
		return v, false
	}
	rv := reflect.ValueOf(v)
	p := planFor(rv.Type())
	if p == nil {
		return v, false
	}
	changed := false
	cp := reflect.New(rv.Type()).Elem()
	cp.Set(rv)
	walk(cp, p, func(s string) string {
		r := f(s)
		if r != s {
			changed = true
		}
		return r
	})
	if !changed {
		return v, false
	}
	return cp.Interface(), true
}

// walkAnySlice applies f to the strings of every element of s, in place; it reports whether an
// element changed.
func walkAnySlice(s []any, f func(string) string) bool {
	changed := false
	for i, e := range s {
		if ne, ch := walkAny(e, f); ch {
			s[i], changed = ne, true
		}
	}
	return changed
}

// walkAnyMap applies f to every key and value of m; a string value is redacted with its key as
// context (redact.InContext), as walkMap does. It returns m itself when nothing changed, else a
// copy with the changes.
func walkAnyMap(m map[string]any, f func(string) string) (map[string]any, bool) {
	var out map[string]any
	for k, e := range m {
		nk := k
		if k != "" {
			nk = f(k)
		}
		ne, ch := e, false
		if s, ok := e.(string); ok && s != "" && k != "" {
			if r := redact.InContext(k, s, f); r != s {
				ne, ch = r, true
			}
		} else {
			ne, ch = walkAny(e, f)
		}
		if nk == k && !ch {
			continue
		}
		if out == nil {
			out = maps.Clone(m)
		}
		if nk != k {
			delete(out, k)
		}
		out[nk] = ne
	}
	if out == nil {
		return m, false
	}
	return out, true
}
