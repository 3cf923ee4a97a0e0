package exchange

import "testing"

func TestPathHasPrefix(t *testing.T) {
	for _, tc := range []struct {
		target, prefix string
		want           bool
	}{
		{"/v1", "/v1", true},
		{"/v1/x", "/v1", true},
		{"/v1?x=1", "/v1", true},
		{"/v1#f", "/v1", true},
		{"/v10", "/v1", false},
		{"/v10/x", "/v1", false},
		{"/debug/pprof", "/debug/", true},
		{"/debugger", "/debug/", false},
		{"/anything", "", true},
		{"/x?next=/v1/y", "/v1", false}, // the query is not the path
	} {
		if got := PathHasPrefix(tc.target, tc.prefix); got != tc.want {
			t.Errorf("PathHasPrefix(%q, %q) = %v, want %v", tc.target, tc.prefix, got, tc.want)
		}
	}
}

func TestHostMatches(t *testing.T) {
	for _, tc := range []struct {
		pattern, authority string
		want               bool
	}{
		{"", "anything:80", true},
		{"api.example.com", "API.example.com:443", true},
		{"API.Example.com", "api.example.com.", true},
		{"api.example.com", "api.example.com.evil", false},
		{"*.example.com", "a.b.example.com", true},
		{"*.Example.com", "a.example.com.:8443", true},
		{"*.example.com", "example.com", false},
		{"*.example.com", "badexample.com", false},
		{"::1", "[::1]:8080", true},
		{"10.0.0.1", "10.0.0.1", true},
	} {
		if got := HostMatches(tc.pattern, tc.authority); got != tc.want {
			t.Errorf("HostMatches(%q, %q) = %v, want %v", tc.pattern, tc.authority, got, tc.want)
		}
	}
}
