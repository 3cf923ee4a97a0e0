package redact

import (
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// mapEntry is one entry of a map Fields rebuilds: its key before and after
// redaction, and its (redacted) value.
type mapEntry struct{ orig, k, v reflect.Value }

// distinctKeys keeps every entry of a rebuilt map when two keys redact to the
// same text ({"ghp_A…": 1, "ghp_B…": 2} would both become
// "[REDACTED:github-pat]"): a key that was not changed keeps its name, and
// changed keys that meet one already taken get a suffix `#2`, `#3`… in the
// order of their original keys, so the result does not depend on map order
// and no value is lost. Only string keys can be renamed; a map with other key
// kinds is returned as it is.
func distinctKeys(entries []mapEntry) []mapEntry {
	if len(entries) < 2 || entries[0].k.Kind() != reflect.String {
		return entries
	}
	slices.SortFunc(entries, func(a, b mapEntry) int {
		if c := strings.Compare(a.k.String(), b.k.String()); c != 0 {
			return c
		}
		return strings.Compare(a.orig.String(), b.orig.String())
	})
	used := make(map[string]bool, len(entries))
	for _, e := range entries {
		if e.k.String() == e.orig.String() {
			used[e.k.String()] = true
		}
	}
	for i, e := range entries {
		name := e.k.String()
		if name == e.orig.String() {
			continue
		}
		for n := 2; used[name]; n++ {
			name = e.k.String() + "#" + strconv.Itoa(n)
		}
		used[name] = true
		if name != e.k.String() {
			k := reflect.New(e.k.Type()).Elem()
			k.SetString(name)
			entries[i].k = k
		}
	}
	return entries
}
