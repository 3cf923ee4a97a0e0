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

// bodyDryRun reports whether a JSON body asks only for validation or a plan: a dry-run key
// at its top level, or in the object of a top-level key that holds options ({"options":
// {"dryRun": true}}, JSON:API's {"data": {"attributes": {"plan-only": true}}}), set to true,
// and no dry-run key there set to anything else. A flag deeper in the body is the data's own
// ({"notify": {"email": {"preview": true}}}) and proves nothing about the call.
func bodyDryRun(v any) bool {
	found, vetoed := false, false
	var scan func(m map[string]any, depth int)
	scan = func(m map[string]any, depth int) {
		for k, val := range m {
			nk := normKey(k)
			if dryRunFlags[nk] {
				if b, ok := val.(bool); ok && b || isTrueString(val) {
					found = true
				} else {
					vetoed = true
				}
			}
			if sub, ok := val.(map[string]any); ok && depth < 2 && optionScopes[nk] {
				scan(sub, depth+1)
			}
		}
	}
	if m, ok := v.(map[string]any); ok {
		scan(m, 0)
	}
	return found && !vetoed
}

// optionScopes are the keys whose object holds a request's options rather than its data.
var optionScopes = map[string]bool{
	"options": true, "opts": true, "config": true, "configuration": true, "settings": true,
	"params": true, "parameters": true, "data": true, "attributes": true, "request": true,
}

func isTrueString(v any) bool {
	s, ok := v.(string)
	return ok && strings.EqualFold(s, "true") // a form field: DryRun=true
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
