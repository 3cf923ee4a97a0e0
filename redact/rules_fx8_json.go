package redact

import (
	"bytes"
	"strings"
)

// RedactJSON scans each string with its key alone; the fx8 classes need the
// object around it (a `"sensitive": true` sibling, a Firebase web config).
// objectContext reads that object from the body's raw bytes for the few keys
// these classes concern, with the same predicates the text rules use.

// objectContext decides the string b[start:end] (decoded v) at path from its
// object: it reports handled when the value was redacted here (a value its
// tool marks secret) or must stay (a public value in its public context).
func (r *jsonRedaction) objectContext(path []pathElem, start, end int, v []byte) (handled bool) {
	if r.opts.Disable&Secret != 0 || len(path) == 0 || !path[len(path)-1].isKey {
		return false
	}
	if keepInObject(r.b, path, start, v) {
		return true
	}
	id, ok := markedInObject(r.b, path, start, v)
	if !ok && strings.EqualFold(path[len(path)-1].key, "private_key_id") && keyFileKeyIDAt(r.b, start, v) {
		id, ok = "gcp-key-file-key-id", true
	}
	if ok {
		red, _ := r.e.apply(nil, v, 0, len(v), []span{{s: 0, e: len(v), id: id, class: Secret, prio: precShape}}, nil, 0)
		r.splices = append(r.splices, splice{start: start, end: end, repl: appendJSONString(nil, red)})
		r.findings = append(r.findings, Finding{Rule: id, Class: Secret, Start: start, End: end, Tag: r.e.Tag(v)})
		return true
	}
	return false
}

// markedInObject reports a string inside a member its object marks secret
// (see rules_fx8_marked.go), looking up to three keys up the path.
func markedInObject(b []byte, path []pathElem, start int, v []byte) (string, bool) {
	// The keys first: a few map lookups of short names, where markedPlausible reads the whole
	// value (a 4 KiB prompt of a chat request: ~45 µs per exchange in BenchmarkDataPlane).
	if !markKeyNear(path) || !markedPlausible(v) {
		return "", false
	}
	n := len(path)
	for k := 1; k <= 3 && k <= n; k++ {
		pe := path[n-k]
		if !pe.isKey {
			continue
		}
		key := strings.ToLower(pe.key)
		_, sib := siblingLists[key]
		if !markTargets[key] && !sib {
			continue
		}
		o, ok := containerAround(b, start, k)
		if !ok || b[o] != '{' {
			return "", false
		}
		c := closeOf(b, o)
		if c < 0 {
			return "", false
		}
		ms := objectMembers(b, o, c, nil)
		if markTargets[key] && objectMarks(b, ms, key) {
			return "marked-sensitive-value", true
		}
		if sib && listMarks(b, ms, key, path, n-k) {
			return "marked-sensitive-attribute", true
		}
	}
	return "", false
}

// markKeyNear reports whether one of the last three keys of path is one markedInObject looks
// for (a mark target or a Terraform member with a sibling list); without one it finds nothing.
func markKeyNear(path []pathElem) bool {
	n := len(path)
	for k := 1; k <= 3 && k <= n; k++ {
		if pe := path[n-k]; pe.isKey {
			key := strings.ToLower(pe.key)
			if _, sib := siblingLists[key]; sib || markTargets[key] {
				return true
			}
		}
	}
	return false
}

// objectMarks reports a flag among ms that marks the member named target.
func objectMarks(b []byte, ms []member, target string) bool {
	for _, m := range ms {
		k := strings.ToLower(string(m.key))
		if k == "id" && target == "value" && bytes.Contains(b[m.vs:m.ve], []byte(azureVaultSecret)) {
			return true
		}
		for i := range markFlags {
			f := &markFlags[i]
			if k != f.key || !contains(f.targets, target) {
				continue
			}
			if contains(f.values, strings.ToLower(string(bareValue(b, m)))) {
				return true
			}
		}
	}
	return false
}

// siblingLists maps a Terraform member to the list that marks its parts.
var siblingLists = map[string]string{
	"attributes": "sensitive_attributes", "after": "after_sensitive", "before": "before_sensitive", "values": "sensitive_values",
}

// listMarks reports the sensitivity list beside key marking the value at
// path (its whole value, or the member path[at+1] names).
func listMarks(b []byte, ms []member, key string, path []pathElem, at int) bool {
	listKey := siblingLists[key]
	for _, m := range ms {
		if !keyIs(m.key, listKey) {
			continue
		}
		if bytes.Equal(bytes.TrimSpace(b[m.vs:m.ve]), []byte("true")) {
			return true
		}
		if at+1 >= len(path) || !path[at+1].isKey {
			return false
		}
		for _, name := range sensitiveNames(b, m) {
			if string(name) == path[at+1].key {
				return true
			}
		}
	}
	return false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// keyFileKeyIDAt is keyFileKeyID for the string at b[start] in RedactJSON.
func keyFileKeyIDAt(b []byte, start int, v []byte) bool {
	o, ok := containerAround(b, start, 1)
	if !ok || b[o] != '{' {
		return false
	}
	c := closeOf(b, o)
	return c > 0 && keyFileKeyID(b, objectMembers(b, o, c, nil), v)
}
