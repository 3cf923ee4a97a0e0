package redact

import (
	"reflect"
	"strings"
)

// Text redacts one string for a record or a log line: secrets and exact
// values, not personal data (a record names the people who acted). It
// returns s itself when nothing was found.
func (e *Engine) Text(s string) string {
	if s == "" {
		return s
	}
	out, fs := e.Redact([]byte(s), Options{Disable: PII})
	if len(fs) == 0 {
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
	switch v.Kind() {
	case reflect.String:
		if v.CanSet() {
			if s := v.String(); s != "" {
				if r := f(s); r != s {
					v.SetString(r)
				}
			}
		}
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
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				walkFields(v.Field(i), f, seen)
			}
		}
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Uint8 {
			return // bytes are not text a record shows
		}
		for i := range v.Len() {
			walkFields(v.Index(i), f, seen)
		}
	case reflect.Map:
		walkMap(v, f, seen)
	}
}

// walkMap rebuilds a map whose keys or values change (map entries are not
// addressable).
func walkMap(v reflect.Value, f func(string) string, seen map[uintptr]bool) {
	if v.IsNil() || !v.CanSet() {
		return
	}
	out := reflect.MakeMapWithSize(v.Type(), v.Len())
	kt, vt := v.Type().Key(), v.Type().Elem()
	it := v.MapRange()
	for it.Next() {
		k := reflect.New(kt).Elem()
		k.Set(it.Key())
		walkFields(k, f, seen)
		val := reflect.New(vt).Elem()
		val.Set(it.Value())
		if kt.Kind() == reflect.String && vt.Kind() == reflect.String {
			val.SetString(InContext(it.Key().String(), val.String(), f))
		} else {
			walkFields(val, f, seen)
		}
		out.SetMapIndex(k, val)
	}
	v.Set(out)
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
