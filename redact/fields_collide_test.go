package redact_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/warden-gw/warden/redact"
)

// Two keys that hold secrets redact to the same marker. Rebuilding the map
// must keep both entries (both values redacted), the same way on every run.
func TestFieldsKeepsEveryEntryWhenKeysRedactAlike(t *testing.T) {
	const patA = "sk_live_51Qx7vT2kZ9rL4xP8mN3bV6cJ1hG5fD0sA2wE7yU"
	const patB = "sk_live_51Rk3T8vW2qZ9xL5pN1mB7cV4jH6gF0dS2aE3uYt"
	build := func() map[string]any {
		return map[string]any{
			patA:      "token of the deploy bot " + patB,
			patB:      "second entry",
			"visible": "plain",
		}
	}
	var first map[string]any
	for run := range 20 { // map order differs from run to run
		m := build()
		redact.Fields(&m, engine(t).Text)
		if len(m) != 3 {
			t.Fatalf("run %d: %d entries left of 3: %v", run, len(m), m)
		}
		for k, v := range m {
			if strings.Contains(k, "sk_live_") || strings.Contains(v.(string), "sk_live_") {
				t.Fatalf("run %d: a token survives in %q: %q", run, k, v)
			}
		}
		if m["visible"] != "plain" {
			t.Fatalf("run %d: an unchanged key lost its value: %v", run, m)
		}
		if first == nil {
			first = m
		} else if !reflect.DeepEqual(first, m) {
			t.Fatalf("run %d: result depends on map order:\n%v\n%v", run, first, m)
		}
	}
}

func TestFieldsRenamedKeyDoesNotTakeAnUnchangedOne(t *testing.T) {
	const pat = "sk_live_51Qx7vT2kZ9rL4xP8mN3bV6cJ1hG5fD0sA2wE7yU"
	marker := engine(t).Text(pat)
	if marker == pat {
		t.Fatal("the token is not redacted: the test would not look at anything")
	}
	m := map[string]string{pat: "a", marker: "b"}
	redact.Fields(&m, engine(t).Text)
	if len(m) != 2 || m[marker] != "b" {
		t.Fatalf("an entry was lost or overwritten: %v", m)
	}
}
