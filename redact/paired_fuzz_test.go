package redact_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/warden-gw/warden/redact"
)

// FuzzPairedRules: an AWS secret key after its access key id and a
// wp-config.php define with any alignment, among arbitrary bytes and cut
// anywhere, never survive, whole or streamed, and the line structure is kept.
func FuzzPairedRules(f *testing.F) {
	f.Add([]byte("assistant: keys are"), []byte("\nI'll retry."), uint8(9), uint16(30), uint16(90))
	f.Add([]byte("User name,Access key ID"), []byte(",\n"), uint8(0), uint16(0), uint16(200))
	f.Add([]byte("define( 'DB_HOST', 'db' );\n"), []byte(" );\n"), uint8(40), uint16(50), uint16(51))
	f.Add([]byte("\xff\x00AKIA"), []byte("'"), uint8(255), uint16(7), uint16(7))
	eng := engine(f)
	const id = "AKIAQ3EGRTVNW6ZJ5XKD"
	const sec = "kP9vR2tX7mQ4wL8zN3bH6yJ1cF5gD0sA/eU+iO7q"
	const salt = "GZDrs/Hr69aMZvd5Gvd00sXlevFFhahFvIydVT/GSTY8nNtK3tfX7Ts77c+rCDgu"
	f.Fuzz(func(t *testing.T, pre, post []byte, align uint8, c1, c2 uint16) {
		var sb strings.Builder
		sb.Write(pre)
		sb.WriteString(" " + id + "\nsecret " + sec + " \n")
		sb.WriteString("define( 'AUTH_KEY'," + strings.Repeat(" ", int(align)%64) + "'" + salt + "' );\n")
		sb.Write(post)
		text := []byte(sb.String())
		whole, _ := eng.Redact(text, redact.Options{})
		a, b := int(c1)%(len(text)+1), int(c2)%(len(text)+1)
		if a > b {
			a, b = b, a
		}
		streamed := runStream(t, eng, redact.KindText, text[:a], text[a:b], text[b:])
		for name, out := range map[string][]byte{"whole": whole, "stream": streamed} {
			for _, s := range []string{sec, salt} {
				if w, bad := leak(out, s); bad {
					t.Fatalf("%s: %q survived (cuts %d,%d): %q", name, w, a, b, out)
				}
			}
			if bytes.Count(out, []byte("\n")) != bytes.Count(text, []byte("\n")) {
				t.Fatalf("%s: line count changed: %q", name, out)
			}
		}
	})
}
