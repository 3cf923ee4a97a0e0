package redact_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/warden-gw/warden/redact"
)

func TestRedactJSONFindsEscapedSecrets(t *testing.T) {
	eng := engine(t)
	var gh string
	for _, sm := range samples(t) {
		if sm.Rule == "github-pat" {
			gh = sm.Secret
		}
	}
	escapedGH := `\u0067hp_` + gh[4:] // "g" written as \u0067 hides the prefix from a byte scan
	tests := []struct {
		name, body string
		gone       string
	}{
		{"unicode escape in token", `{"messages":[{"role":"user","content":"use ` + escapedGH + ` please"}]}`, gh[4:]},
		{"escaped slash and newline in PEM", `{"key":"-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\/fakefake\n-----END PRIVATE KEY-----\n"}`, "MIIEvQIBADANBgkq"},
		{"key gives context", `{"db":{"password":"Tr0ub4dor&3x"}}`, "Tr0ub4dor"},
		{"email in array", `["ops@example.com", 1, true, null]`, "ops@example.com"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if strings.Contains(tt.body, gh) {
				t.Fatal("test body must hide the secret from a byte scan")
			}
			out, findings, err := eng.RedactJSON([]byte(tt.body), redact.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(out), tt.gone) || len(findings) == 0 {
				t.Fatalf("not redacted: %s", out)
			}
			var before, after any
			if err := json.Unmarshal([]byte(tt.body), &before); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(out, &after); err != nil {
				t.Fatalf("output is not valid JSON: %v\n%s", err, out)
			}
			if !sameShape(before, after) {
				t.Fatalf("shape changed:\n%s\n%s", tt.body, out)
			}
			for _, f := range findings {
				if strings.Contains(f.Rule+f.Tag, tt.gone) {
					t.Fatal("finding carries the secret")
				}
			}
		})
	}
}

// sameShape compares two decoded JSON values ignoring string contents.
func sameShape(a, b any) bool {
	switch av := a.(type) {
	case map[string]any:
		bv, ok := b.(map[string]any)
		if !ok || len(av) != len(bv) {
			return false
		}
		for k, v := range av {
			if !sameShape(v, bv[k]) {
				return false
			}
		}
		return true
	case []any:
		bv, ok := b.([]any)
		if !ok || len(av) != len(bv) {
			return false
		}
		for i := range av {
			if !sameShape(av[i], bv[i]) {
				return false
			}
		}
		return true
	case string:
		_, ok := b.(string)
		return ok
	default:
		return reflect.DeepEqual(a, b)
	}
}

func TestRedactJSONLeavesCleanBodiesByteIdentical(t *testing.T) {
	body := `{ "model": "gpt-x", "messages": [ {"role": "user", "content": "what is 2+2?\u00e9"} ], "temperature": 0.5e1 }`
	out, findings, err := engine(t).RedactJSON([]byte(body), redact.Options{})
	if err != nil || len(findings) != 0 || string(out) != body {
		t.Fatalf("clean body changed: %v %v %s", err, findings, out)
	}
}

func TestRedactJSONRejectsInvalidJSON(t *testing.T) {
	for _, body := range []string{`{"a":"b"`, `{"a":}`, `["x",]`, `{"a":"\q"}`, "{\"a\":\"\x01\"}", `{} {}`, ``, `{"a":01}`} {
		t.Run(body, func(t *testing.T) {
			_, _, err := engine(t).RedactJSON([]byte(body), redact.Options{})
			if !errors.Is(err, redact.ErrInvalidJSON) {
				t.Fatalf("err = %v, want ErrInvalidJSON", err)
			}
		})
	}
}

func TestRedactJSONInvalidUTF8BecomesReplacementChar(t *testing.T) {
	body := []byte("{\"a\":\"\xff ops@example.com\"}")
	out, _, err := engine(t).RedactJSON(body, redact.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !json.Valid(out) || strings.Contains(string(out), "ops@") {
		t.Fatalf("bad output %q", out)
	}
}
