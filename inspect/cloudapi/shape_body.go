package cloudapi

import (
	"strings"
)

// Bounds of the body walks of Shape. They are above the bounds of inspect's own walk of the
// same body (32 levels, 20,000 values), which marks the exchange truncated past them: nothing
// Shape skips goes unreported.
const (
	maxShapeDepth = 40
	maxShapeKeys  = 25000
)

// normKey lower-cases a JSON key and drops separators: "is-destroy", "isDestroy" and
// "is_destroy" are all "isdestroy".
func normKey(k string) string {
	var b strings.Builder
	for _, r := range k {
		switch r {
		case '-', '_', '.', ' ':
		default:
			b.WriteRune(r)
		}
	}
	return strings.ToLower(b.String())
}

// destroyFlags are body keys that, set to true, ask the API to destroy (Terraform Cloud's
// "is-destroy" run attribute, "purge", "delete_all", ...).
var destroyFlags = map[string]bool{
	"isdestroy": true, "destroy": true, "destroyall": true, "purge": true, "purgeall": true,
	"deleteall": true, "forcedestroy": true, "forcedelete": true, "deletecontents": true, "wipe": true,
	"wipedata": true, "dropall": true, "droptables": true, "dropdatabase": true, "truncate": true,
	"deletedata": true, "deleteeverything": true, "harddelete": true,
	"permanentdelete": true, "deletepermanently": true,
}

// dryRunFlags are body keys that, set to true, ask only for validation or a plan.
var dryRunFlags = map[string]bool{
	"dryrun": true, "planonly": true, "validateonly": true, "whatif": true, "preview": true,
	"simulate": true, "noop": true,
}

// destroyFlag returns the first key of a JSON body (any depth, bounded) that asks for
// destruction with a true value ("" when none does).
func destroyFlag(v any, depth int) string {
	if depth > maxShapeDepth {
		return ""
	}
	switch t := v.(type) {
	case map[string]any:
		n := 0
		for k, val := range t {
			if n++; n > maxShapeKeys {
				return ""
			}
			if b, ok := val.(bool); ok && b && destroyFlags[normKey(k)] {
				return k
			}
			if s, ok := val.(string); ok && strings.EqualFold(s, "true") && destroyFlags[normKey(k)] {
				return k
			}
			if key := destroyFlag(val, depth+1); key != "" {
				return key
			}
		}
	case []any:
		for i, el := range t {
			if i >= maxShapeKeys {
				return ""
			}
			if key := destroyFlag(el, depth+1); key != "" {
				return key
			}
		}
	}
	return ""
}

// bodyDryRun reports whether a JSON body asks only for validation or a plan (at any depth).
func bodyDryRun(v any) bool { return findBool(v, dryRunFlags, 0) }

func findBool(v any, keys map[string]bool, depth int) bool {
	if depth > maxShapeDepth {
		return false
	}
	switch t := v.(type) {
	case map[string]any:
		for k, val := range t {
			if b, ok := val.(bool); ok && b && keys[normKey(k)] {
				return true
			}
			if str, ok := val.(string); ok && strings.EqualFold(str, "true") && keys[normKey(k)] {
				return true // a form field: DryRun=true
			}
			if m, ok := val.(map[string]any); ok && findBool(m, keys, depth+1) {
				return true
			}
		}
	case []any:
		for i, el := range t {
			if i >= maxShapeKeys {
				return false
			}
			if findBool(el, keys, depth+1) {
				return true
			}
		}
	}
	return false
}

// filterKeys are the body keys that carry the selection of a delete-by-filter call (MongoDB's
// filter, Elasticsearch's query, SQL-like where, Firestore's selector, ...).
var filterKeys = []string{"filter", "query", "where", "selector", "match", "conditions", "criteria", "q"}

// deleteFilter returns the filter of a delete-by-filter body; ok is false when there is none
// (a delete without a filter selects everything).
func deleteFilter(body any) (any, bool) {
	m, ok := body.(map[string]any)
	if !ok {
		return nil, false
	}
	for _, k := range filterKeys {
		for key, v := range m {
			if strings.EqualFold(key, k) && v != nil {
				return v, true
			}
		}
	}
	return nil, false
}

// matchAll reports whether a filter selects everything: an empty object or string, "*", a
// match_all query, or an object whose only conditions are themselves match-all.
func matchAll(f any) bool {
	switch t := f.(type) {
	case string:
		s := strings.TrimSpace(t)
		return s == "" || s == "*" || s == "*:*" || s == "{}" || strings.EqualFold(s, "true") || s == "1=1"
	case bool:
		return t
	case map[string]any:
		if len(t) == 0 {
			return true
		}
		for k, v := range t {
			switch normKey(k) {
			case "matchall":
			case "bool", "and", "must", "filter", "query", "querystring", "q", "constantscore":
				if !matchAll(v) {
					return false
				}
			default:
				return false
			}
		}
		return true
	case []any:
		for _, el := range t {
			if !matchAll(el) {
				return false
			}
		}
		return true
	}
	return false
}
