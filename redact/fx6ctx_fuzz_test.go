package redact_test

import (
	"bytes"
	"testing"

	"github.com/warden-gw/warden/redact"
)

// fx6ctxTemplates put one secret in each context class of rules_fx6ctx*.go.
var fx6ctxTemplates = []string{
	"aws configure set aws_secret_access_key %s --profile p\n",
	"echo -n '%s' | gh secret set K\n",
	"[09:00] a: auth token %s\n",
	"Your new API token (shown only once):\n\n    %s\n\n",
	"c = Auth.api_key(\"%s\")\n",
	"<apikeys><add key=\"https://h/v3/index.json\" value=\"%s\" /></apikeys>\n",
	"<setting name=\"ApiToken\" serializeAs=\"String\"><value>%s</value></setting>\n",
	"{\"cookies\": [{\"name\": \"sid\", \"value\": \"%s\"}]}\n",
	"server.login(\"u@h.io\", \"%s!\")\n",
	"curl -b 'session=%s' https://h\n",
	"\"args\": [\"x\", \"--api-token\", \"%s\"]\n",
	"requirepass %s!\n",
}

// FuzzContextRules: a secret in any context class, among arbitrary bytes and
// cut anywhere, never survives whole or streamed, and the line structure is
// kept; a template cut short never panics.
func FuzzContextRules(f *testing.F) {
	f.Add([]byte("x"), []byte("\ny"), uint8(0), uint16(3), uint16(40), uint16(500))
	f.Add([]byte("\"--token\", \""), []byte("\"]"), uint8(10), uint16(0), uint16(0), uint16(7))
	f.Add([]byte("<add key="), []byte("'"), uint8(5), uint16(20), uint16(21), uint16(30))
	f.Add([]byte("cookies={'"), []byte("')"), uint8(7), uint16(9), uint16(80), uint16(12))
	eng := engine(f)
	const sec = "Qx7mZ2pL4vB8nT3wR6yH1cD5kF9sJ0aE"
	f.Fuzz(func(t *testing.T, pre, post []byte, which uint8, c1, c2, cut uint16) {
		tpl := fx6ctxTemplates[int(which)%len(fx6ctxTemplates)]
		line := bytes.Replace([]byte(tpl), []byte("%s"), []byte(sec), 1)
		// Cut short, anywhere: no panic, lines kept.
		short := append(append([]byte{}, pre...), line[:int(cut)%(len(line)+1)]...)
		if out, _ := eng.Redact(short, redact.Options{}); bytes.Count(out, []byte("\n")) != bytes.Count(short, []byte("\n")) {
			t.Fatalf("short: line count changed: %q", out)
		}
		_, _, _ = eng.RedactJSON(short, redact.Options{})
		text := append(append(append(append([]byte{}, pre...), '\n'), line...), post...)
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
			if bytes.IndexByte(pre, '\n') >= 0 || bytes.ContainsAny(pre, "\"'`<[{(|") || len(post) > 0 && post[0] != '\n' {
				continue // arbitrary bytes may open a quote, a tag or a command the context then belongs to
			}
			if w, bad := leak(out, sec); bad {
				t.Fatalf("%s: %q survived (template %d, cuts %d,%d): %q", name, w, int(which)%len(fx6ctxTemplates), a, b, out)
			}
		}
	})
}
