package redact_test

import (
	"strings"
	"testing"
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
			if bytesContains(text, keep) && !bytesContains(out, keep) {
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

func bytesContains(s, sub string) bool { return strings.Contains(s, sub) }
