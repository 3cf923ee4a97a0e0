package inspect

import (
	"net/url"
	"strings"

	"github.com/warden-gw/warden/exchange"
)

// A console or proxy endpoint forwards a request whose real method and path it carries as
// parameters: Kibana's Dev Tools send POST /api/console/proxy?path=/logs-*&method=DELETE, and
// other consoles, "forward" and "passthrough" routes do the same. What the upstream finally
// runs is the inner request, so it is judged as a request of its own (AddEmbeddedHTTP), on the
// same host, with the outer body as its body.

// tunnelPathWords mark a route that forwards the request its parameters describe.
var tunnelPathWords = []string{"proxy", "forward", "passthrough", "pass-through", "relay", "tunnel", "console"}

// tunnelTargetKeys and tunnelMethodKeys are the query parameters that carry the inner request.
var (
	tunnelTargetKeys = []string{"path", "uri", "url", "target", "endpoint", "forward_path", "proxy_path"}
	tunnelMethodKeys = []string{"method", "http_method", "verb", "request_method"}
)

// tunnelledRequest judges the request a console or proxy endpoint carries in its query string.
// It reports whether there was one.
func (f *Facts) tunnelledRequest(req *exchange.Request, c *canonical, body []byte) bool {
	if len(c.query) == 0 || !tunnelRoute(c.paths[0]) {
		return false
	}
	target, method := "", ""
	for _, k := range tunnelTargetKeys {
		if v := queryValue(c.query, k); v != "" {
			target = v
			break
		}
	}
	for _, k := range tunnelMethodKeys {
		if v := queryValue(c.query, k); v != "" {
			method = v
			break
		}
	}
	if target == "" {
		return false
	}
	if method == "" {
		method = "GET"
		if len(body) > 0 {
			method = "POST"
		}
	}
	inner := EmbeddedRequest{Method: method, Body: body}
	if ct := req.Headers.Get("content-type"); ct != "" {
		inner.Headers = exchange.Headers{{Key: "content-type", Value: ct}}
	}
	switch {
	case strings.HasPrefix(target, "http://") || strings.HasPrefix(target, "https://"):
		inner.URL = target
	default:
		if !strings.HasPrefix(target, "/") {
			target = "/" + target
		}
		host := c.host
		if host == "" {
			inner.URL = target
		} else {
			inner.URL = "https://" + host + target
		}
	}
	if !f.AddEmbeddedHTTP("request.tunnel", "", inner) {
		f.ambiguous("a proxy endpoint forwards to a target warden cannot read: " + strings.ToUpper(method) + " " + target)
	}
	return true
}

// tunnelRoute reports whether a path names a forwarding route (/api/console/proxy, /forward).
func tunnelRoute(p string) bool {
	lp := strings.ToLower(p)
	for _, w := range tunnelPathWords {
		if strings.Contains(lp, w) {
			return true
		}
	}
	return false
}

// queryValue returns the first non-empty value of a query key (case-insensitive).
func queryValue(q url.Values, key string) string {
	for k, vs := range q {
		if strings.EqualFold(k, key) {
			for _, v := range vs {
				if strings.TrimSpace(v) != "" {
					return strings.TrimSpace(v)
				}
			}
		}
	}
	return ""
}
