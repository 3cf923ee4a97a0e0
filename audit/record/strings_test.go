package record

import (
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

// fill sets every string reachable from v to a distinct value, allocating every pointer and
// giving every slice and map one element (to a depth that ends a Decision's Shadowed), so that a
// walk that misses a field shows.
func fill(v reflect.Value, n *int, depth int) {
	switch v.Kind() {
	case reflect.String:
		*n++
		v.SetString("v" + strconv.Itoa(*n))
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem(), n, depth+1)
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i), n, depth+1)
			}
		}
	case reflect.Slice:
		if depth > 8 {
			return
		}
		v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		fill(v.Index(0), n, depth+1)
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		k := reflect.New(v.Type().Key()).Elem()
		fill(k, n, depth+1)
		m.SetMapIndex(k, reflect.Zero(v.Type().Elem()))
		v.Set(m)
	}
}

// strs lists every string reachable from v (map keys included).
func strs(v reflect.Value, out *[]string) {
	switch v.Kind() {
	case reflect.String:
		*out = append(*out, v.String())
	case reflect.Pointer:
		if !v.IsNil() {
			strs(v.Elem(), out)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				strs(v.Field(i), out)
			}
		}
	case reflect.Slice:
		for i := range v.Len() {
			strs(v.Index(i), out)
		}
	case reflect.Map:
		for _, k := range v.MapKeys() {
			strs(k, out)
			strs(v.MapIndex(k), out)
		}
	}
}

// TestMapStringsReachesEveryString: MapStrings changes every string of a record, once. A field
// added to the record model later and not walked by MapStrings fails here (and would otherwise
// reach the spool without passing the redactor).
func TestMapStringsReachesEveryString(t *testing.T) {
	var r Record
	n := 0
	fill(reflect.ValueOf(&r).Elem(), &n, 0)
	var before []string
	strs(reflect.ValueOf(&r).Elem(), &before)
	if len(before) < 80 {
		t.Fatalf("filled only %d strings", len(before))
	}
	r.MapStrings(func(s string) string { return s + "!" })
	var after []string
	strs(reflect.ValueOf(&r).Elem(), &after)
	if len(after) != len(before) {
		t.Fatalf("%d strings before, %d after", len(before), len(after))
	}
	for _, s := range after {
		if !strings.HasSuffix(s, "!") || strings.HasSuffix(s, "!!") {
			t.Errorf("string %q was not passed through f exactly once", s)
		}
	}
}

// TestMapStringsLeavesTheExchangeAlone: a record shares its redaction counts map with the
// exchange; renaming a key makes a new map instead of changing the exchange's.
func TestMapStringsLeavesTheExchangeAlone(t *testing.T) {
	x := sampleExchange(1, "s")
	r := BuildRecord(x, StageRequest, Product{}, time.Now())
	r.MapStrings(func(s string) string { return strings.ReplaceAll(s, "secret", "x") })
	if _, ok := x.Redactions["secret"]; !ok {
		t.Fatal("the exchange's redaction counts were changed")
	}
	if _, ok := r.Unmapped.Warden.Redactions["x"]; !ok {
		t.Fatalf("record redactions %v", r.Unmapped.Warden.Redactions)
	}
}

// TestWalkReachesStringsBehindInterfacesAndMaps: the plan walker also handles what the record
// model does not use today (interfaces, maps with text values), so a field of such a type added
// later is redacted too.
func TestWalkReachesStringsBehindInterfacesAndMaps(t *testing.T) {
	type inner struct{ S string }
	type outer struct {
		Any   any
		ByKey map[string]inner
		Bytes []byte
		N     int
	}
	v := outer{Any: inner{S: "a"}, ByKey: map[string]inner{"k": {S: "b"}}, Bytes: []byte("c"), N: 1}
	walk(reflect.ValueOf(&v).Elem(), planFor(reflect.TypeFor[outer]()), strings.ToUpper)
	if v.Any.(inner).S != "A" || v.ByKey["K"].S != "B" || string(v.Bytes) != "c" {
		t.Fatalf("after the walk: %+v", v)
	}
}
