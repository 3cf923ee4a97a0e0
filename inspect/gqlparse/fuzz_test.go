package gqlparse

import (
	"strings"
	"testing"
)

// FuzzAnalyze feeds untrusted documents to the parser and classifier: no panic, a parse error
// leaves no operations, and a deleteRef mutation appended as its own operation is never missed
// when the document parses.
func FuzzAnalyze(f *testing.F) {
	for _, s := range []string{
		`{ viewer { login } }`, `mutation { deleteRef(input: {refId: "R"}) { clientMutationId } }`,
		`mutation($f: Boolean = true) { updateRef(input: {force: $f}) { ref { name } } }`,
		`mutation { ...F } fragment F on Mutation { deleteIssue(input: {}) { x } }`,
		`query { a(b: [1, 2, {c: "d"}]) @skip(if: true) { e } }`, `{ a(s: """block""") }`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		r := Analyze(doc, map[string]any{"x": true})
		if r.ParseError != "" && (len(r.Operations) > 0 || r.Destructive) {
			t.Fatalf("parse error with operations: %+v", r)
		}
		if r.ParseError != "" || strings.Contains(doc, "#") || strings.Contains(doc, `"`) {
			return
		}
		canary := doc + "\nmutation WardenCanary { deleteRef(input: {refId: \"R\"}) { clientMutationId } }"
		r2 := Analyze(canary, nil)
		if r2.ParseError == "" && !r2.Destructive {
			t.Fatalf("appended deleteRef missed: %q -> %+v", canary, r2)
		}
	})
}
