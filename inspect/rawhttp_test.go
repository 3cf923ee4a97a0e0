package inspect

import (
	"strings"
	"testing"
)

func TestParseRawHTTP(t *testing.T) {
	tests := []struct {
		name, in, method, url string
		ok                    bool
	}{
		{
			"CRLF with Host", "DELETE /repos/acme/app HTTP/1.1\r\nHost: api.github.com\r\nAuthorization: Bearer x\r\n\r\n",
			"DELETE", "https://api.github.com/repos/acme/app", true,
		},
		{"bare LF", "DELETE /api/v1/namespaces/prod HTTP/1.1\nHost: k8s.corp:6443\n\n", "DELETE", "https://k8s.corp:6443/api/v1/namespaces/prod", true},
		{"no version, absolute URL", "DELETE https://api.github.com/repos/acme/app", "DELETE", "https://api.github.com/repos/acme/app", true},
		{"no Host: path only", "DELETE /api/v1/namespaces/prod HTTP/1.1\r\n\r\n", "DELETE", "/api/v1/namespaces/prod", true},
		{"headers without the blank line", "POST /v1/query HTTP/1.1\r\nHost: db.corp", "POST", "https://db.corp/v1/query", true},
		{"prose", "DELETE the old branch please", "", "", false},
		{"lower-case method", "delete /repos/acme/app HTTP/1.1", "", "", false},
		{"not a request target", "GET ready HTTP/1.1", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, ok := parseRawHTTP(tt.in)
			if ok != tt.ok || ok && (r.Method != tt.method || r.URL != tt.url) {
				t.Fatalf("got %v %q %q, want %v %q %q", ok, r.Method, r.URL, tt.ok, tt.method, tt.url)
			}
		})
	}
	r, ok := parseRawHTTP("POST /v1/query HTTP/1.1\r\nHost: db.corp\r\nContent-Type: application/json\r\n\r\n{\"sql\": \"DROP TABLE t\"}")
	if !ok || string(r.Body) != `{"sql": "DROP TABLE t"}` || r.Headers.Get("content-type") != "application/json" {
		t.Fatalf("body and headers not kept: %+v", r)
	}
}

// TestRawHTTPInToolArguments: a tool argument that spells out an HTTP request is judged as that
// request; an HTTP example in a data field outside a tool call is text.
func TestRawHTTPInToolArguments(t *testing.T) {
	mcp := func(args string) string {
		return `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"raw_http","arguments":` + args + `}}`
	}
	f := Analyze(jsonReq("POST", "tools.corp", "/mcp", mcp(`{"request": "DELETE /repos/acme/billing HTTP/1.1\r\nHost: api.github.com\r\n\r\n"}`)))
	if kinds := destructiveKinds(f); len(kinds) != 1 || kinds[0] != KindGitHub {
		t.Fatalf("raw DELETE of a repository: destructive %v, want [github]%s", kinds, describe(f))
	}
	f = Analyze(jsonReq("POST", "tools.corp", "/mcp", mcp(`{"request": "GET /repos/acme/billing HTTP/1.1\r\nHost: api.github.com\r\n\r\n"}`)))
	if kinds := destructiveKinds(f); len(kinds) != 0 {
		t.Fatalf("raw GET judged destructive: %v%s", kinds, describe(f))
	}
	f = Analyze(jsonReq("POST", "api.github.com", "/repos/acme/app/issues/1/comments",
		`{"body": "DELETE /repos/acme/billing HTTP/1.1\r\nHost: api.github.com\r\n\r\n"}`))
	if kinds := destructiveKinds(f); len(kinds) != 0 {
		t.Fatalf("an HTTP example in a comment was judged as a request: %v%s", kinds, describe(f))
	}
}

// FuzzParseRawHTTP: any text is read without panicking, and what is read is a request with a
// method and a target.
func FuzzParseRawHTTP(f *testing.F) {
	f.Add("DELETE /repos/acme/app HTTP/1.1\r\nHost: api.github.com\r\n\r\n")
	f.Add("POST /q HTTP/1.1\nHost: h\nContent-Length: 3\n\nabc")
	f.Add("DELETE https://h/x")
	f.Add("GET / HTTP/9.9\r\nHost: \x00\r\n\r\n")
	f.Fuzz(func(t *testing.T, s string) {
		r, ok := parseRawHTTP(s)
		if ok && (r.Method == "" || r.URL == "" || !strings.HasPrefix(r.URL, "/") && !strings.HasPrefix(r.URL, "http")) {
			t.Fatalf("read %q as %+v", s, r)
		}
	})
}

// TestRawHTTPUnreadable: a tool argument that starts like an HTTP request but that net/http
// cannot read, or that is past the size limit, is not dropped: the exchange is marked.
func TestRawHTTPUnreadable(t *testing.T) {
	args := `{"request": "DELETE /repos/acme/app HTTP/1.1\r\nthis is not a header\r\n\r\n"}`
	f := Analyze(jsonReq("POST", "tools.corp", "/mcp", `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"raw_http","arguments":`+args+`}}`))
	if !f.Inspection.Ambiguous || !f.Inspection.Executing {
		t.Fatalf("unreadable request: %+v", f.Inspection)
	}
	big := "DELETE /repos/acme/app HTTP/1.1\r\nHost: api.github.com\r\nX-Pad: " + strings.Repeat("a", maxRawHTTP) + "\r\n\r\n"
	x := newExtractor(&Facts{}, "mcp.arguments", "raw_http", "raw_http", true)
	x.candidate("request", big, 0)
	if !x.f.Inspection.Truncated {
		t.Fatalf("oversized request: %+v", x.f.Inspection)
	}
}
