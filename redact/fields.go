package redact

import (
	"reflect"
	"strings"
	"sync"
)

// Text redacts one string for a record or a log line: secrets and exact
// values, not personal data (a record names the people who acted). It
// returns s itself when nothing was found.
func (e *Engine) Text(s string) string {
	if s == "" || e.clean.has(s) {
		return s
	}
	out, fs := e.Redact([]byte(s), Options{Disable: PII})
	if len(fs) == 0 {
		e.clean.add(s)
		return s
	}
	return string(out)
}

// Fields passes every string reachable from ptr (a pointer to a struct, map,
// slice or string: struct fields, map keys and values, slice elements,
// through pointers and interfaces) through f, in place. It is how a record
// built from request data is made safe in one place: a field added later is
// covered without anyone remembering to redact it. Unexported fields and
// values that cannot be set are left alone; cycles are not followed.
func Fields(ptr any, f func(string) string) {
	v := reflect.ValueOf(ptr)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		return
	}
	walkFields(v.Elem(), f, map[uintptr]bool{})
}

func walkFields(v reflect.Value, f func(string) string, seen map[uintptr]bool) {
	if v.Kind() == reflect.String {
		if v.CanSet() {
			if s := v.String(); s != "" {
				if r := f(s); r != s {
					v.SetString(r)
				}
			}
		}
		return
	}
	ti := plan(v.Type())
	if !ti.text {
		return // no string can be reached from a value of this type
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() || seen[v.Pointer()] {
			return
		}
		seen[v.Pointer()] = true
		walkFields(v.Elem(), f, seen)
	case reflect.Interface:
		if v.IsNil() {
			return
		}
		// An interface holds a copy that cannot be set: redact a settable copy and store it back.
		inner := v.Elem()
		if !plan(inner.Type()).text {
			return
		}
		cp := reflect.New(inner.Type()).Elem()
		cp.Set(inner)
		walkFields(cp, f, seen)
		if v.CanSet() {
			v.Set(cp)
		}
	case reflect.Struct:
		if nameValue(v, f) {
			return
		}
		for _, i := range ti.fields {
			walkFields(v.Field(i), f, seen)
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			walkFields(v.Index(i), f, seen)
		}
	case reflect.Map:
		walkMap(v, f, seen)
	}
}

// walkMap redacts a map's keys and values. Map entries are not addressable, so each is walked
// as a copy; the map is rebuilt only when a key or a value changed.
func walkMap(v reflect.Value, f func(string) string, seen map[uintptr]bool) {
	if v.IsNil() || !v.CanSet() {
		return
	}
	kt, vt := v.Type().Key(), v.Type().Elem()
	kText, vText := plan(kt).text, plan(vt).text
	changed := false
	g := func(s string) string {
		r := f(s)
		if r != s {
			changed = true
		}
		return r
	}
	entries := make([]mapEntry, 0, v.Len())
	it := v.MapRange()
	for it.Next() {
		k, val := it.Key(), it.Value()
		orig := k
		if kText {
			k = settableCopy(k)
			walkFields(k, g, seen)
		}
		if vText {
			val = settableCopy(val)
			if kt.Kind() != reflect.String || !keyedString(it.Key().String(), val, g) {
				walkFields(val, g, seen)
			}
		}
		entries = append(entries, mapEntry{orig, k, val})
	}
	if !changed {
		return
	}
	entries = distinctKeys(entries) // fields_collide.go
	out := reflect.MakeMapWithSize(v.Type(), len(entries))
	for _, e := range entries {
		out.SetMapIndex(e.k, e.v)
	}
	v.Set(out)
}

// keyedString redacts val, a settable map value, with its key as context
// when it is a string, directly (map[string]string) or in an interface
// (map[string]any, as decoded JSON is): {"X-Auth-Token": "<hex>"} and
// {"password": "<word with a digit>"} are secrets by their key. It reports
// whether val was such a string.
func keyedString(key string, val reflect.Value, f func(string) string) bool {
	switch {
	case val.Kind() == reflect.String:
		if r := InContext(key, val.String(), f); r != val.String() {
			val.SetString(r)
		}
		return true
	case val.Kind() == reflect.Interface && !val.IsNil() && val.Elem().Kind() == reflect.String:
		inner := val.Elem()
		if r := InContext(key, inner.String(), f); r != inner.String() {
			val.Set(reflect.ValueOf(r).Convert(inner.Type()))
		}
		return true
	}
	return false
}

func settableCopy(x reflect.Value) reflect.Value {
	cp := reflect.New(x.Type()).Elem()
	cp.Set(x)
	return cp
}

// typePlan is what walkFields needs to know about a type, worked out once per type: whether a
// string can be reached from it at all, and a struct's exported fields.
type typePlan struct {
	text   bool
	fields []int
}

var plans sync.Map // reflect.Type -> *typePlan

func plan(t reflect.Type) *typePlan {
	if p, ok := plans.Load(t); ok {
		return p.(*typePlan)
	}
	p := buildPlan(t, map[reflect.Type]bool{})
	actual, _ := plans.LoadOrStore(t, p)
	return actual.(*typePlan)
}

// buildPlan works out t's plan; a type met again while its own plan is being built (a recursive
// type) is taken to reach strings, which only costs a walk.
func buildPlan(t reflect.Type, building map[reflect.Type]bool) *typePlan {
	if building[t] {
		return &typePlan{text: true}
	}
	building[t] = true
	defer delete(building, t)
	p := &typePlan{}
	switch t.Kind() {
	case reflect.String, reflect.Interface:
		p.text = true
	case reflect.Pointer, reflect.Array:
		p.text = buildPlan(t.Elem(), building).text
	case reflect.Slice:
		p.text = t.Elem().Kind() != reflect.Uint8 && buildPlan(t.Elem(), building).text // bytes are not text a record shows
	case reflect.Map:
		p.text = buildPlan(t.Key(), building).text || buildPlan(t.Elem(), building).text
	case reflect.Struct:
		for i := range t.NumField() {
			if sf := t.Field(i); sf.IsExported() && buildPlan(sf.Type, building).text {
				p.fields = append(p.fields, i)
			}
		}
		p.text = len(p.fields) > 0
	}
	return p
}

// nameValue redacts a name/value struct (a header: exported string fields
// Name or Key, and Value, and no others) with the name as the value's
// context: `X-API-Key` makes its 32 hex digits a secret, `Cookie` its
// session value, which the value alone does not show. It reports whether v
// was such a struct.
func nameValue(v reflect.Value, f func(string) string) bool {
	t := v.Type()
	if t.NumField() != 2 {
		return false
	}
	name, value := -1, -1
	for i := range 2 {
		fd := t.Field(i)
		if !fd.IsExported() || fd.Type.Kind() != reflect.String {
			return false
		}
		switch fd.Name {
		case "Name", "Key":
			name = i
		case "Value":
			value = i
		}
	}
	if name < 0 || value < 0 || !v.Field(name).CanSet() || !v.Field(value).CanSet() {
		return false
	}
	n := v.Field(name).String()
	if r := f(n); r != n {
		v.Field(name).SetString(r)
	}
	if val := v.Field(value).String(); val != "" {
		if r := InContext(n, val, f); r != val {
			v.Field(value).SetString(r)
		}
	}
	return true
}

// InContext redacts value with f as it stands after its name in a header
// line (`name: value`), and on its own as well; only the value's part of the
// result is kept, so the name never changes through this call. Fields uses
// it for name/value pairs; a log handler for an attribute and its key.
func InContext(name, value string, f func(string) string) string {
	if name == "" || len(name) > 128 {
		return f(value)
	}
	prefix := name + ": "
	if r := f(prefix + value); r != prefix+value && strings.HasPrefix(r, prefix) {
		return f(r[len(prefix):])
	}
	return f(value)
}
