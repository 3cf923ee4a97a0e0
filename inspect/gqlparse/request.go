package gqlparse

import (
	"encoding/json"
	"fmt"
)

// maxBatch bounds the requests of one batched body that are judged; a longer batch gets
// ParseError.
const maxBatch = 64

// FromJSON reads a GraphQL-over-HTTP body decoded from JSON: {"query", "variables",
// "operationName"} or a batch (an array of them). ok is false when the body is not GraphQL. A
// persisted query (extensions.persistedQuery without the document) cannot be judged and yields
// ParseError. Text is the documents, joined by blank lines, for the audit record.
func FromJSON(body any) (res Result, text string, ok bool) {
	var reqs []map[string]any
	switch b := body.(type) {
	case map[string]any:
		reqs = []map[string]any{b}
	case []any:
		for _, el := range b {
			if m, isObj := el.(map[string]any); isObj {
				reqs = append(reqs, m)
			}
		}
	}
	for i, r := range reqs {
		doc, hasDoc := r["query"].(string)
		persisted := isPersisted(r)
		if !(hasDoc && LooksLikeDocument(doc)) && !persisted {
			continue
		}
		ok = true
		if i >= maxBatch {
			return Result{ParseError: fmt.Sprintf("GraphQL batch of more than %d requests", maxBatch)}, text, true
		}
		if !hasDoc || doc == "" {
			return Result{ParseError: "persisted GraphQL query: the document is not in the request, so warden cannot tell what it does"}, text, true
		}
		if text != "" {
			text += "\n\n"
		}
		text += doc
		one := Analyze(doc, variables(r["variables"]))
		if one.ParseError != "" {
			return Result{ParseError: one.ParseError}, text, true
		}
		res.Operations = append(res.Operations, one.Operations...)
		for _, why := range one.Reasons {
			res.Destructive = true
			res.addReason(why)
		}
	}
	return res, text, ok
}

func isPersisted(r map[string]any) bool {
	ext, _ := r["extensions"].(map[string]any)
	_, ok := ext["persistedQuery"]
	return ok
}

// variables accepts the variables object, or the JSON text of one (some clients send a string).
func variables(v any) map[string]any {
	switch x := v.(type) {
	case map[string]any:
		return x
	case string:
		var m map[string]any
		if json.Unmarshal([]byte(x), &m) == nil {
			return m
		}
	}
	return nil
}
