package record

import (
	"reflect"
	"sync"

	"github.com/warden-gw/warden/redact"
)

// A walk plan per type: which fields of a struct, elements of a slice, keys and values of a map
// can hold a string. Built once per type by reflection, so that MapStrings reaches every string
// of a record — a field added later included — without inspecting every field on every call.
type walkPlan struct {
	kind   reflect.Kind
	fields []fieldPlan // struct: the fields that can hold a string
	elem   *walkPlan   // pointer, slice, array, map value
	key    *walkPlan   // map key
}

type fieldPlan struct {
	index int
	plan  *walkPlan
}

var plans sync.Map // reflect.Type → *walkPlan (nil when the type holds no string)

// planFor returns the plan for t, or nil when no value of t can hold a string.
func planFor(t reflect.Type) *walkPlan {
	if p, ok := plans.Load(t); ok {
		return p.(*walkPlan)
	}
	p := buildPlan(t, map[reflect.Type]*walkPlan{})
	plans.Store(t, p)
	return p
}

// buildPlan builds the plan of t; inProgress breaks cycles (a Decision holds Decisions).
func buildPlan(t reflect.Type, inProgress map[reflect.Type]*walkPlan) *walkPlan {
	if p, ok := inProgress[t]; ok {
		return p
	}
	p := &walkPlan{kind: t.Kind()}
	switch t.Kind() {
	case reflect.String:
		return p
	case reflect.Pointer, reflect.Slice, reflect.Array:
		if t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8 {
			return nil // bytes are not text a record shows
		}
		inProgress[t] = p
		if p.elem = buildPlan(t.Elem(), inProgress); p.elem == nil {
			return nil
		}
		return p
	case reflect.Struct:
		inProgress[t] = p
		for i := range t.NumField() {
			if f := t.Field(i); f.IsExported() {
				if fp := buildPlan(f.Type, inProgress); fp != nil {
					p.fields = append(p.fields, fieldPlan{index: i, plan: fp})
				}
			}
		}
		if len(p.fields) == 0 {
			return nil
		}
		return p
	case reflect.Map:
		inProgress[t] = p
		p.key, p.elem = buildPlan(t.Key(), inProgress), buildPlan(t.Elem(), inProgress)
		if p.key == nil && p.elem == nil {
			return nil
		}
		return p
	case reflect.Interface:
		return p // the dynamic type's plan is looked up at walk time
	}
	return nil
}

// walk applies f to every string of v (settable) along plan p.
func walk(v reflect.Value, p *walkPlan, f func(string) string) {
	switch p.kind {
	case reflect.String:
		if s := v.String(); s != "" {
			if r := f(s); r != s {
				v.SetString(r)
			}
		}
	case reflect.Pointer:
		if !v.IsNil() {
			walk(v.Elem(), p.elem, f)
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			walk(v.Index(i), p.elem, f)
		}
	case reflect.Struct:
		for _, fp := range p.fields {
			walk(v.Field(fp.index), fp.plan, f)
		}
	case reflect.Map:
		walkMap(v, p, f)
	case reflect.Interface:
		// An interface holds a copy that cannot be set: walk a copy and store it back when it
		// changed (walkany.go).
		if v.IsNil() {
			return
		}
		if nv, changed := walkAny(v.Interface(), f); changed {
			v.Set(reflect.ValueOf(nv))
		}
	}
}

// walkMap rebuilds a map whose keys or values change (map entries are not addressable); an
// unchanged map is left as it is (it may be shared with the exchange the record was built from).
func walkMap(v reflect.Value, p *walkPlan, f func(string) string) {
	if v.IsNil() || v.Len() == 0 {
		return
	}
	if v.Type() == anyMapType {
		if out, changed := walkAnyMap(v.Interface().(map[string]any), f); changed {
			v.Set(reflect.ValueOf(out))
		}
		return
	}
	if p.key != nil && p.key.kind == reflect.String && p.elem == nil {
		// String keys, values without text (redaction counts, timings): rebuild only when a key
		// changes.
		it := v.MapRange()
		changed := false
		for it.Next() {
			if k := it.Key().String(); k != "" && f(k) != k {
				changed = true
				break
			}
		}
		if !changed {
			return
		}
	}
	t := v.Type()
	out := reflect.MakeMapWithSize(t, v.Len())
	changed := false
	track := func(s string) string {
		r := f(s)
		if r != s {
			changed = true
		}
		return r
	}
	it := v.MapRange()
	for it.Next() {
		k, e := it.Key(), it.Value()
		if p.key != nil {
			nk := reflect.New(t.Key()).Elem()
			nk.Set(k)
			walk(nk, p.key, track)
			k = nk
		}
		if p.elem != nil {
			ne := reflect.New(t.Elem()).Elem()
			ne.Set(e)
			if s, ok := stringUnderKey(it.Key(), e); ok {
				// The key is the value's context: {"api_key": "<hex>"} in a tool call's
				// arguments is a secret by its key, where the value alone shows nothing.
				if r := redact.InContext(it.Key().String(), s, track); r != s {
					ne.Set(reflect.ValueOf(r).Convert(ne.Type()))
				}
			} else {
				walk(ne, p.elem, track)
			}
			e = ne
		}
		out.SetMapIndex(k, e)
	}
	if changed {
		v.Set(out)
	}
}

// stringUnderKey returns the text of a map value e that is a string (held directly or in an
// interface, as in the decision input's facts) under a string key k.
func stringUnderKey(k, e reflect.Value) (string, bool) {
	if k.Kind() != reflect.String || k.String() == "" {
		return "", false
	}
	if e.Kind() == reflect.Interface && !e.IsNil() {
		e = e.Elem()
	}
	if e.Kind() != reflect.String || e.String() == "" {
		return "", false
	}
	return e.String(), true
}
