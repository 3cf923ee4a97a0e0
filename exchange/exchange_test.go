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
