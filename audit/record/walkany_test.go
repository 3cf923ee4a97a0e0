package record

import (
	"reflect"
	"slices"
	"strings"
	"testing"
)

// TestMapStringsFacts: the strings of the decision input's facts (JSON-shaped values behind
// interfaces) are all passed through f, a string value with its key as context; a map that
// changes is copied, so the facts the record was built from keep their values, and a map with
// nothing to change is kept as it is.
func TestMapStringsFacts(t *testing.T) {
	args := map[string]any{"api_key": "abc123", "n": int64(3), "list": []any{"x", true, map[string]any{"deep": "y"}}}
	clean := map[string]any{"model": "gpt"}
	facts := map[string]any{"mcp": map[string]any{"arguments": args}, "llm": clean, "actions": []any{}}
	r := Record{}
	r.Unmapped.Warden.Input = &DecisionInput{Facts: facts, V: 1}
	var seen []string
	r.MapStrings(func(s string) string {
		seen = append(seen, s)
		if s == "api_key: abc123" { // the key gives the value its meaning
			return "api_key: [REDACTED]"
		}
		if s == "[REDACTED]" {
			return s
		}
		return strings.ToUpper(s)
	})
	got := r.Unmapped.Warden.Input.Facts
	gotArgs := got["MCP"].(map[string]any)["ARGUMENTS"].(map[string]any)
	if gotArgs["API_KEY"] != "[REDACTED]" || gotArgs["N"] != int64(3) {
		t.Fatalf("arguments after MapStrings: %#v", gotArgs)
	}
	list := gotArgs["LIST"].([]any)
	if list[0] != "X" || list[1] != true || list[2].(map[string]any)["DEEP"] != "Y" {
		t.Fatalf("list after MapStrings: %#v", list)
	}
	if args["api_key"] != "abc123" {
		t.Fatalf("the facts the record was built from were changed: %#v", args)
	}
	if got["LLM"].(map[string]any)["MODEL"] != "GPT" {
		t.Fatalf("llm after MapStrings: %#v", got["LLM"])
	}
	for _, want := range []string{"mcp", "arguments", "api_key: abc123", "n", "list", "x", "deep", "y", "model", "gpt", "actions"} {
		if !slices.Contains(seen, want) {
			t.Errorf("%q was not passed to f (saw %q)", want, seen)
		}
	}
}

// TestMapStringsFactsUnchanged: with nothing to redact, the facts' maps are the same maps.
func TestMapStringsFactsUnchanged(t *testing.T) {
	inner := map[string]any{"tool": "query", "arguments": map[string]any{"sql": "select 1"}}
	facts := map[string]any{"mcp": inner}
	r := Record{}
	r.Unmapped.Warden.Input = &DecisionInput{Facts: facts, V: 1}
	r.MapStrings(func(s string) string { return s })
	if reflect.ValueOf(r.Unmapped.Warden.Input.Facts["mcp"]).UnsafePointer() != reflect.ValueOf(inner).UnsafePointer() {
		t.Fatal("an unchanged map was copied")
	}
}
