package redact_test

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/warden-gw/warden/redact"
)

// TestCookieAsJSONMember: a Cookie or Set-Cookie header written as a JSON
// member or a Python dict entry (a logged request's headers) has its session
// value redacted through Text, the analytics cookies and the member names
// beside it stay.
func TestCookieAsJSONMember(t *testing.T) {
	const sess = "Um3koilfPtYHbfqsZoVlQ9Jj6UQi5cMW"
	eng := engine(t)
	for _, text := range []string{
		`{"Cookie": "sessionid=` + sess + `"}`,
		`{"Cookie": "_ga=GA1.2.918273645.1733500000; sessionid=` + sess + `; theme=dark", "Accept": "*/*"}`,
		`{"headers": {"set-cookie" : "sid=` + sess + `; Path=/; HttpOnly"}}` + "\n",
		`{'Cookie': 'sessionid=` + sess + `', 'Host': 'app.example.com'}` + "\n",
		"{\n  \"Cookie\": \"csrftoken=abc; sessionid=" + sess + "\"\n}\n",
	} {
		out := eng.Text(text)
		if w, ok := leak([]byte(out), sess); ok {
			t.Errorf("%q survives in %q", w, out)
		}
		for _, keep := range []string{"GA1.2.918273645.1733500000", "theme=dark", `"Accept": "*/*"`, "'Host': 'app.example.com'", "Path=/"} {
			if strings.Contains(text, keep) && !strings.Contains(out, keep) {
				t.Errorf("%q went from %q: %q", keep, text, out)
			}
		}
	}
	lookalikesStay(t, []string{
		`{"Cookie": "_ga=GA1.2.918273645.1733500000; theme=dark; lang=en"}` + "\n",
		`{"cookie": "accepted"}` + "\n",
		`{"cookie": ""}` + "\n",
	})
}

// TestLongPathSegment: a token in a URL path segment after a secret's name
// is redacted whole up to 4 KiB (opaque tokens run to KiB), not dropped or
// cut at 256 bytes; a longer segment is redacted as far as it was read and
// counted (BoundsReached "path_segment_too_long").
func TestLongPathSegment(t *testing.T) {
	eng := engine(t)
	rnd := rand.New(rand.NewPCG(7, 9))
	const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	token := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = alnum[rnd.IntN(len(alnum))]
		}
		return string(b)
	}
	for _, n := range []int{300, 1000, 4096} {
		v := token(n)
		text := "GET /api/token/" + v + "/usage HTTP/1.1\n"
		if n != 4096 {
			// Named only by the webhook path: url-path-secret alone finds it.
			text = "POST /webhooks/123456/" + v + "/usage HTTP/1.1\n"
		}
		out, _ := eng.Redact([]byte(text), secretsOnly)
		if w, ok := leak(out, v); ok {
			t.Errorf("%d-byte segment: %q survives", n, w)
		}
		if !bytes.HasSuffix(out, []byte("/usage HTTP/1.1\n")) {
			t.Errorf("%d-byte segment: the path after it went: %q", n, out[max(0, len(out)-40):])
		}
	}
	before := redact.BoundsReached()["path_segment_too_long"]
	v := token(6000)
	out, _ := eng.Redact([]byte("GET /api/token/"+v+" HTTP/1.1\n"), secretsOnly)
	if bytes.Contains(out, []byte(v[:4096])) || !bytes.Contains(out, []byte("[REDACTED:")) {
		t.Errorf("the first 4 KiB of a 6000-byte segment survive")
	}
	if after := redact.BoundsReached()["path_segment_too_long"]; after <= before {
		t.Errorf("path_segment_too_long not counted: %d before, %d after", before, after)
	}
}
