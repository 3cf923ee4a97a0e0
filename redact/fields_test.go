package redact_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/warden-gw/warden/redact"
)

type innerRec struct {
	Note  string
	Tags  []string
	Attrs map[string]string
}

type outerRec struct {
	Path   string
	Ptr    *innerRec
	List   []innerRec
	Any    any
	Bytes  []byte
	hidden string
}

// TestFieldsReachesEveryString: a canary planted in every kind of string
// field of a record (nested, in slices, map keys and values, behind pointers
// and interfaces) is redacted; bytes and unexported fields are left alone.
func TestFieldsReachesEveryString(t *testing.T) {
	eng := engine(t)
	tok := ""
	for _, s := range samples(t) {
		if s.Rule == "github-pat" {
			tok = s.Secret
		}
	}
	canary := "x " + tok + " y"
	r := &outerRec{
		Path:   "/bot/" + tok,
		Ptr:    &innerRec{Note: canary, Tags: []string{canary}, Attrs: map[string]string{canary: canary}},
		List:   []innerRec{{Note: canary}},
		Any:    innerRec{Note: canary},
		Bytes:  []byte(canary),
		hidden: canary,
	}
	redact.Fields(r, eng.Text)
	got := []string{r.Path, r.Ptr.Note, r.Ptr.Tags[0], r.List[0].Note, r.Any.(innerRec).Note}
	for k, v := range r.Ptr.Attrs {
		got = append(got, k, v)
	}
	for i, s := range got {
		if strings.Contains(s, tok) || !strings.Contains(s, "[REDACTED:github-pat]") {
			t.Errorf("string %d not redacted: %q", i, s)
		}
	}
	if string(r.Bytes) != canary || r.hidden != canary {
		t.Error("bytes or an unexported field changed")
	}
	if got := eng.Text("contact jane@example.org"); got != "contact jane@example.org" {
		t.Errorf("Text redacted personal data: %q", got)
	}
}

type headerRec struct {
	Headers []struct{ Key, Value string }
	HTTP    []struct{ Name, Value string }
	Labels  map[string]string
}

// TestFieldsReadsHeadersWithTheirNames: a header value that is a secret only
// by its name (X-API-Key's hex digits, a session cookie, a token after an
// unusual scheme) is redacted in a record's name/value pairs and string maps,
// where the value stands alone; the names and harmless values stay.
func TestFieldsReadsHeadersWithTheirNames(t *testing.T) {
	const hex32 = "1ef56e66f4dbf722a36d750baddf6d0d"
	const sess = "Um3koilfPtYHbfqsZoVlQ9Jj6UQi5cMW"
	r := &headerRec{
		Headers: []struct{ Key, Value string }{{"X-API-Key", hex32}, {"Accept", "application/json"}},
		HTTP:    []struct{ Name, Value string }{{"Set-Cookie", "session=" + sess + "; Path=/; HttpOnly"}, {"Authorization", "Token " + hex32}},
		Labels:  map[string]string{"X-Auth-Token": hex32, "X-Request-Id": hex32},
	}
	redact.Fields(r, engine(t).Text)
	for _, v := range []string{r.Headers[0].Value, r.HTTP[0].Value, r.HTTP[1].Value, r.Labels["X-Auth-Token"]} {
		if strings.Contains(v, hex32) || strings.Contains(v, sess) || !strings.Contains(v, "[REDACTED:") {
			t.Errorf("value not redacted: %q", v)
		}
	}
	if r.Headers[0].Key != "X-API-Key" || r.Headers[1].Value != "application/json" || r.Labels["X-Request-Id"] != hex32 {
		t.Errorf("names or harmless values changed: %+v", r)
	}
}

// TestFieldsReadsAnyMapsWithTheirKeys: a map[string]any (decoded JSON, log
// attributes) gives each string value its key as context, as a string map
// does, at any depth; values that are no secret by their key stay.
func TestFieldsReadsAnyMapsWithTheirKeys(t *testing.T) {
	const hex32 = "1ef56e66f4dbf722a36d750baddf6d0d"
	type label string
	m := map[string]any{
		"X-Auth-Token": hex32,
		"X-Request-Id": hex32,
		"nested":       map[string]any{"api_key": hex32, "count": 3},
		"typed":        label(hex32),
		"lease_id":     "database/creds/readonly/h4Jk9mQ2vL7pR4tW8zAb3c",
	}
	m["client_secret"] = label(hex32)
	redact.Fields(&m, engine(t).Text)
	for _, v := range []any{m["X-Auth-Token"], m["nested"].(map[string]any)["api_key"], m["client_secret"]} {
		s := reflect.ValueOf(v).String()
		if strings.Contains(s, hex32) || !strings.Contains(s, "[REDACTED:") {
			t.Errorf("value not redacted by its key: %q", s)
		}
	}
	if _, ok := m["client_secret"].(label); !ok {
		t.Errorf("the value's type changed: %T", m["client_secret"])
	}
	if m["X-Request-Id"] != hex32 || m["typed"] != label(hex32) || m["nested"].(map[string]any)["count"] != 3 ||
		m["lease_id"] != "database/creds/readonly/h4Jk9mQ2vL7pR4tW8zAb3c" {
		t.Errorf("harmless values changed: %v", m)
	}
}
