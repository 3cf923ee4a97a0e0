package redact_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/warden-gw/warden/redact"
)

// fx8Templates put one secret in each structure the fx8 rules read: an object
// whose flag marks a member, a YAML mapping, a Terraform sensitivity list, a
// netrc entry, a scheme word, a list under a secret's name.
var fx8Templates = []string{
	`{"db": {"sensitive": true, "type": "string", "value": "%s"}}`,
	"  Pass:\n    Type: String\n    NoEcho: true\n    Default: %s\n",
	`{"sensitive_attributes": [[{"type": "get_attr", "value": "result"}]], "attributes": {"result": "%s"}}`,
	"variable \"k\" {\n  sensitive = true\n  default   = \"%s\"\n}\n",
	"machine h.example login u password %s\n",
	"--access-token \"FlyV1 fm2_%s%s%s\"\n",
	`{"passwords": ["%s", "x"]}`,
	"api_keys:\n  - %s\n",
	`{"Parameter": {"Type": "SecureString", "Value": "%s"}}`,
	"$ terraform output -raw db_password\n%s\n",
	"$ op read \"op://Prod/db/password\"\n%s\n",
}

// FuzzMarkedContexts: the fx8 rules parse objects, mappings and lists out of
// arbitrary bytes. Around any prefix and cut anywhere they never panic, keep
// the line structure, keep JSON valid in RedactJSON, and a template standing
// on its own lines is redacted whole and streamed.
func FuzzMarkedContexts(f *testing.F) {
	f.Add([]byte("x"), uint8(0), uint16(3), uint16(40), uint16(500))
	f.Add([]byte("{\"a\": ["), uint8(2), uint16(0), uint16(0), uint16(7))
	f.Add([]byte("  - '"), uint8(7), uint16(20), uint16(21), uint16(30))
	f.Add([]byte("}}]]\""), uint8(6), uint16(9), uint16(80), uint16(12))
	eng := engine(f)
	const sec = "Qx7mZ2pL4vB8nT3wR6yH1cD5kF9sJ0aE"
	f.Fuzz(func(t *testing.T, pre []byte, which uint8, c1, c2, cut uint16) {
		tpl := fx8Templates[int(which)%len(fx8Templates)]
		line := bytes.ReplaceAll([]byte(tpl), []byte("%s"), []byte(sec))
		short := append(append([]byte{}, pre...), line[:int(cut)%(len(line)+1)]...)
		if out, _ := eng.Redact(short, redact.Options{}); bytes.Count(out, []byte("\n")) != bytes.Count(short, []byte("\n")) {
			t.Fatalf("short: line count changed: %q", out)
		}
		if out, _, err := eng.RedactJSON(short, redact.Options{}); err == nil && !json.Valid(out) {
			t.Fatalf("RedactJSON broke JSON: %q", out)
		}
		text := append(append(append([]byte{}, pre...), '\n'), line...)
		whole, _ := eng.Redact(text, redact.Options{})
		a, b := int(c1)%(len(text)+1), int(c2)%(len(text)+1)
		if a > b {
			a, b = b, a
		}
		streamed := runStream(t, eng, redact.KindText, text[:a], text[a:b], text[b:])
		for name, out := range map[string][]byte{"whole": whole, "stream": streamed} {
			if bytes.Count(out, []byte("\n")) != bytes.Count(text, []byte("\n")) {
				t.Fatalf("%s: line count changed: %q", name, out)
			}
			if bytes.ContainsAny(pre, "\"'`<[{(|\\") {
				continue // arbitrary bytes may open a quote or a container the template then belongs to
			}
			if w, ok := leak(out, sec); ok {
				t.Fatalf("%s: %q survives:\n%s", name, w, out)
			}
		}
	})
}
