package exchange

import (
	"net"
	"strings"
)

// HostOf is the host of a request's authority as routes compare it: lower case, without the
// port, the IPv6 brackets or the trailing dot of a fully qualified name.
func HostOf(authority string) string {
	h := authority
	if host, _, err := net.SplitHostPort(authority); err == nil {
		h = host
	}
	return strings.TrimSuffix(strings.ToLower(h), ".")
}

// HostMatches reports whether a route's host pattern names the host of authority: "" matches
// every host, "*.example.com" any name below example.com (not example.com itself), anything else
// that host exactly; case, the port and a trailing dot do not matter.
func HostMatches(pattern, authority string) bool {
	if pattern == "" {
		return true
	}
	p := strings.TrimSuffix(strings.ToLower(pattern), ".")
	h := HostOf(authority)
	if suffix, ok := strings.CutPrefix(p, "*"); ok && strings.HasPrefix(suffix, ".") {
		return len(h) > len(suffix) && strings.HasSuffix(h, suffix)
	}
	return h == p
}
