package redact_test

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/warden-gw/warden/redact"
)

// plantedSecret is format-valid and fake (GitHub PAT with a correct CRC32);
// built once by the sample generator.
func planted(t testing.TB) string {
	for _, sm := range samples(t) {
		if sm.Rule == "github-pat" {
			return sm.Secret
		}
	}
	t.Fatal("no github-pat sample")
	return ""
}

// FuzzStreamChunking: for any surrounding bytes and any chunking, a planted
// secret never survives and the redactor never panics.
func FuzzStreamChunking(f *testing.F) {
	f.Add([]byte("hello "), []byte(" world\n"), uint16(3), uint16(9))
	f.Add([]byte("token="), []byte(""), uint16(0), uint16(40))
	f.Add([]byte("\xff\xfe\x00"), []byte("ghp_"), uint16(17), uint16(18))
	f.Add([]byte("X-Api-Key:"), []byte("\npassword\n"), uint16(5), uint16(12))
	f.Add([]byte("redis-cli\", \"-a\", \""), []byte("Set-Cookie: sid="), uint16(3), uint16(30))
	f.Add([]byte("htpasswd -bB f u 'x\nSigning Secret\n"), []byte("db:5432:*:u:\\:p\n"), uint16(9), uint16(21))
	f.Add([]byte("PW=$'a\\'b"), []byte("token: \"Ab3\\\n  x\\\r\n\""), uint16(4), uint16(14))
	f.Add([]byte("Content-Transfer-Encoding: quoted-printable\r\n\r\n=3D=\r"), []byte("\n=4"), uint16(30), uint16(50))
	f.Add([]byte(`{"Cookie": "sessionid=`), []byte(`", 'Cookie': '_hjSession_1=eyJhbGciOiJIUzI1NiJ9`), uint16(12), uint16(44))
	f.Add([]byte("GET /webhooks/123456/"), []byte("/usage -pass env:PW --from-file=password=./pw.txt"), uint16(20), uint16(21))
	eng := engine(f)
	secret := planted(f)
	f.Fuzz(func(t *testing.T, pre, post []byte, c1, c2 uint16) {
		text := append(append(append([]byte{}, pre...), ' '), secret...)
		text = append(append(text, ' '), post...)
		a, b := int(c1)%(len(text)+1), int(c2)%(len(text)+1)
		if a > b {
			a, b = b, a
		}
		out := runStream(t, eng, redact.KindText, text[:a], text[a:b], text[b:])
		if bytes.Contains(out, []byte(secret[4:])) {
			t.Fatalf("secret survived chunking %d,%d: %q", a, b, out)
		}
		// Arbitrary bytes alone must not panic either.
		runStream(t, eng, redact.KindText, pre, post)
	})
}

// FuzzRedactJSON: valid JSON stays valid JSON of the same shape.
func FuzzRedactJSON(f *testing.F) {
	f.Add([]byte(`{"a":"ops@example.com","b":[1,2,{"password":"x1y2z3!!"}]}`))
	f.Add([]byte(`"\u0067hp_\/\n"`))
	f.Add([]byte(`[{"k":"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----"}]`))
	eng := engine(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		out, _, err := eng.RedactJSON(body, redact.Options{})
		if !json.Valid(body) {
			if err == nil {
				t.Fatalf("invalid JSON accepted: %q", body)
			}
			return
		}
		if err != nil {
			t.Fatalf("valid JSON rejected: %v: %q", err, body)
		}
		var a, b any
		if json.Unmarshal(body, &a) != nil {
			return // valid per json.Valid but not decodable (e.g. huge numbers)
		}
		if err := json.Unmarshal(out, &b); err != nil {
			t.Fatalf("output invalid: %v\nin  %q\nout %q", err, body, out)
		}
		if !sameShape(a, b) {
			t.Fatalf("shape changed\nin  %q\nout %q", body, out)
		}
	})
}

// FuzzSSE: any byte stream in any chunking never panics, and where it is accepted the output
// does not depend on where the chunks were cut (events are processed whole, and a secret's
// hold-back follows the events, not the chunks).
func FuzzSSE(f *testing.F) {
	f.Add([]byte("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hi sk-\"}}]}\n\ndata: [DONE]\n\n"), uint16(10))
	f.Add([]byte("event: content_block_delta\r\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"x\"}}\r\n\r\n"), uint16(3))
	f.Add([]byte(": comment\n\ndata: not json ops@example.com\n\n"), uint16(0))
	eng := engine(f)
	f.Fuzz(func(t *testing.T, wire []byte, cut uint16) {
		c := int(cut) % (len(wire) + 1)
		run := func(chunks ...[]byte) ([]byte, error) {
			s := eng.NewStream(redact.KindSSE, redact.StreamOptions{MaxEvent: 1 << 16})
			var out []byte
			for _, ch := range chunks {
				o, err := s.Write(ch)
				out = append(out, o...)
				if err != nil {
					return out, err
				}
			}
			o, err := s.Close()
			return append(out, o...), err
		}
		split, errSplit := run(wire[:c], wire[c:])
		whole, errWhole := run(wire)
		if errSplit == nil && errWhole == nil && !bytes.Equal(split, whole) {
			t.Fatalf("output depends on the cut at %d\nwhole %q\nsplit %q", c, whole, split)
		}
		// One byte at a time: an event's end is found across as many writes as it has bytes.
		bytewise := make([][]byte, len(wire))
		for i := range wire {
			bytewise[i] = wire[i : i+1]
		}
		if bw, err := run(bytewise...); err == nil && errWhole == nil && !bytes.Equal(bw, whole) {
			t.Fatalf("output depends on byte-at-a-time delivery\nwhole %q\nbytes %q", whole, bw)
		}
	})
}

// FuzzDecode: hostile compressed bodies never panic or exceed the limit.
func FuzzDecode(f *testing.F) {
	f.Add("gzip", []byte("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03"))
	f.Add("br", []byte{0x1b, 0x03, 0x00})
	f.Add("zstd", []byte{0x28, 0xb5, 0x2f, 0xfd})
	f.Add("deflate, gzip", []byte("x"))
	f.Fuzz(func(t *testing.T, enc string, body []byte) {
		out, err := redact.Decode(enc, body, 1<<16)
		if err == nil && len(out) > 1<<16 {
			t.Fatalf("decoded %d bytes over the limit", len(out))
		}
	})
}

// qpHeader opens a quoted-printable MIME part.
const qpHeader = "Content-Transfer-Encoding: quoted-printable\n\n"

// encodeSecret wraps secret in one of the encodings warden looks through and
// returns the encoded form as it stands in the text.
func encodeSecret(secret string, enc uint8) string {
	switch enc % 8 {
	case 0: // every byte \u-escaped inside JSON in a log line
		var b strings.Builder
		for _, c := range secret {
			fmt.Fprintf(&b, `\u%04x`, c)
		}
		return `{"token":"` + b.String() + `"}`
	case 1: // percent-encoded underscore in a query string
		return "?access=" + strings.ReplaceAll(secret, "_", "%5F") + "&x=1"
	case 2: // base64 of an env file
		return "creds=" + base64.StdEncoding.EncodeToString([]byte("GITHUB_TOKEN="+secret+"\n"))
	case 4: // hex of the token as it stands in a payload dump
		return "payload(hex)=" + hex.EncodeToString([]byte(secret))
	case 5: // base64 of a credentials file, with no key before it
		return "data '" + base64.StdEncoding.EncodeToString([]byte("[default]\naws_secret_access_key = "+secret+"\n")) + "'"
	case 6: // a quoted-printable mail body, the token cut by a soft line break
		return qpHeader + secret[:len(secret)/2] + "=\n" + secret[len(secret)/2:]
	case 7: // an env file printed by `base64`, wrapped at 76 columns, the token on a late line
		enc := base64.StdEncoding.EncodeToString([]byte("REGION=eu-west-1\nREPLICAS=3\nFEATURES=a,b,c,d\nMAX_CONNECTIONS=100\nGITHUB_TOKEN=" + secret + "\n"))
		var b strings.Builder
		b.WriteString("\n") // the block starts a line
		for len(enc) > 76 {
			b.WriteString(enc[:76] + "\n")
			enc = enc[76:]
		}
		return b.String() + enc
	default: // escaped slashes and quotes of JSON inside a JSON string
		return `"{\"url\":\"https:\/\/x:` + secret + `@github.com\/a\"}"`
	}
}

// FuzzLookThrough: a secret in any of the encodings warden looks through,
// among arbitrary bytes and cut anywhere, never survives (no 8-byte window of
// its encoded form), the stream and the whole-body redaction agree on that,
// and the line structure is kept.
func FuzzLookThrough(f *testing.F) {
	f.Add([]byte("log: "), []byte("\n"), uint8(0), uint16(5), uint16(60))
	f.Add([]byte("GET /x"), []byte(" HTTP/1.1\n"), uint8(1), uint16(9), uint16(20))
	f.Add([]byte("env\n"), []byte("=="), uint8(2), uint16(0), uint16(70))
	f.Add([]byte(`{"m":`), []byte(`}`), uint8(3), uint16(31), uint16(33))
	f.Add([]byte("%2"), []byte("\\u00"), uint8(1), uint16(1), uint16(2))
	f.Add([]byte("frame "), []byte(" len=40"), uint8(4), uint16(7), uint16(30))
	f.Add([]byte("content: \"{{ "), []byte(" | b64decode }}\""), uint8(5), uint16(12), uint16(50))
	f.Add([]byte("Subject: key\n"), []byte("\n--b1--\n"), uint8(6), uint16(40), uint16(75))
	f.Add([]byte("ci$"), []byte("\n$ "), uint8(7), uint16(93), uint16(170))
	eng := engine(f)
	secret := planted(f)
	f.Fuzz(func(t *testing.T, pre, post []byte, enc uint8, c1, c2 uint16) {
		encoded := encodeSecret(secret, enc)
		text := append(append(append([]byte{}, pre...), ' '), encoded...)
		text = append(append(text, ' '), post...)
		whole, _ := eng.Redact(text, redact.Options{})
		a, b := int(c1)%(len(text)+1), int(c2)%(len(text)+1)
		if a > b {
			a, b = b, a
		}
		streamed := runStream(t, eng, redact.KindText, text[:a], text[a:b], text[b:])
		for name, out := range map[string][]byte{"whole": whole, "stream": streamed} {
			if w, ok := survivorIn(out, encoded, secret); ok {
				t.Fatalf("%s: %q of the encoded secret survived (enc %d, cuts %d,%d): %q", name, w, enc%8, a, b, out)
			}
			if bytes.Count(out, []byte("\n")) != bytes.Count(text, []byte("\n")) {
				t.Fatalf("%s: line count changed: %q", name, out)
			}
		}
		eng.Redact(pre, redact.Options{}) // arbitrary bytes alone must not panic
	})
}

// survivorIn returns an 8-byte window of the secret's distinctive part, in
// its encoded or plain form, that is still in out.
func survivorIn(out []byte, encoded, secret string) (string, bool) {
	for _, s := range []string{secret[4:], encoded} {
		if s == encoded && strings.HasPrefix(encoded, "creds=") {
			s = encoded[6:]
		}
		for i := 0; i+8 <= len(s); i++ {
			w := s[i : i+8]
			if strings.Contains(secret[:4]+"{}\":\\/?&=", w) {
				continue
			}
			if bytes.Contains(out, []byte(w)) && !isSyntax(w) {
				return w, true
			}
		}
	}
	return "", false
}

// isSyntax reports windows made only of the encoding's own syntax
// (`{"token":"`, `https:\/\/x:`), which stand around the secret, not in it.
func isSyntax(w string) bool {
	for _, s := range []string{`{"token":"`, `"}`, "?access=", "&x=1", `"{\"url\":\"https:\/\/x:`, `@github.com\/a\"}"`, "payload(hex)=", "data '", qpHeader} {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}
