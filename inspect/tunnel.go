package inspect

import (
	"net/url"
	"slices"
	"sort"
	"strings"

	"github.com/warden-gw/warden/exchange"
)

// A console or proxy endpoint forwards a request whose real method and path it carries as
// parameters: Kibana's Dev Tools send POST /api/console/proxy?path=/logs-*&method=DELETE, and
// other consoles, "forward" and "passthrough" routes do the same. What the upstream finally
// runs is the inner request, so it is judged as a request of its own (AddEmbeddedHTTP), on the
// same host, with the outer body as its body and, when no parameter names its method, the outer
// request's method (a forwarding proxy passes its own on).

// tunnelPathWords mark a route that forwards the request its parameters describe.
var tunnelPathWords = []string{"proxy", "forward", "passthrough", "pass-through", "relay", "tunnel", "console"}

// tunnelTargetKeys and tunnelMethodKeys are the query parameters that carry the inner request.
var (
	tunnelTargetKeys = []string{"path", "uri", "url", "target", "endpoint", "forward_path", "proxy_path"}
	tunnelMethodKeys = []string{"method", "http_method", "verb", "request_method"}
)

// maxTunnelled bounds the inner requests judged for one proxy request: its distinct targets
// times its distinct methods. More makes the request ambiguous.
const maxTunnelled = 8

// tunnelledRequest judges the request a console or proxy endpoint carries in its query string.
// It reports whether there was one. Which of several target or method parameters (or of a
// repeated one) an upstream reads is its own choice (PHP takes the last, others the first), so
// every distinct value is judged.
func (f *Facts) tunnelledRequest(req *exchange.Request, c *canonical, body []byte) bool {
	if len(c.query) == 0 || !tunnelRoute(c.paths[0]) {
		return false
	}
	targets := queryValues(c.query, tunnelTargetKeys)
	if len(targets) == 0 {
		return false
	}
	methods := queryValues(c.query, tunnelMethodKeys)
	if len(methods) == 0 {
		// A forwarding route with no method parameter sends the inner request with its own
		// method: DELETE /cors-proxy?url=<repo> deletes the repository.
		m := req.Method
		if m == "" {
			m = "GET"
			if len(body) > 0 {
				m = "POST"
			}
		}
		methods = []string{m}
	}
	if len(targets)*len(methods) > maxTunnelled {
		f.ambiguous("a proxy endpoint names " + itoa(len(targets)) + " targets and " + itoa(len(methods)) +
			" methods; more than " + itoa(maxTunnelled) + " inner requests are not judged")
		return true
	}
	for _, target := range targets {
		for _, method := range methods {
			f.tunnelled(req, c, body, strings.ToUpper(method), target)
		}
	}
	return true
}

// tunnelled judges one inner request of a proxy endpoint.
func (f *Facts) tunnelled(req *exchange.Request, c *canonical, body []byte, method, target string) {
	inner := EmbeddedRequest{Method: method, Body: body}
	if ct := req.Headers.Get("content-type"); ct != "" {
		inner.Headers = exchange.Headers{{Key: "content-type", Value: ct}}
	}
	lt := strings.ToLower(target)
	switch {
	case strings.HasPrefix(lt, "http://") || strings.HasPrefix(lt, "https://"):
		inner.URL = target
	case strings.HasPrefix(target, "//"):
		inner.URL = "https:" + target // scheme-relative: another host
	default:
		if !strings.HasPrefix(target, "/") {
			target = "/" + target
		}
		if c.host == "" {
			inner.URL = target
		} else {
			inner.URL = "https://" + c.host + target
		}
	}
	if !f.AddEmbeddedHTTP("request.tunnel", "", inner) {
		f.ambiguous("a proxy endpoint forwards to a target warden cannot read: " + method + " " + target)
	}
}

// tunnelRoute reports whether a path names a forwarding route (/api/console/proxy, /forward,
// /cors-proxy, /proxy.php): its last segment ends in a forwarding word. A resource of a proxy's
// own API (/api/proxy-rules/7, /forwarding/rules/7) is no forwarding route: its query
// parameters filter or name that resource.
func tunnelRoute(p string) bool {
	seg := strings.TrimRight(p, "/")
	seg = strings.ToLower(seg[strings.LastIndexByte(seg, '/')+1:])
	if dot := strings.LastIndexByte(seg, '.'); dot > 0 {
		seg = seg[:dot] // proxy.php, relay.jsp
	}
	for _, w := range tunnelPathWords {
		if strings.HasSuffix(seg, w) {
			return true
		}
	}
	return false
}

// queryValues returns the distinct non-empty values of the query keys (case-insensitive), in
// the order of keys and then of the values.
func queryValues(q url.Values, keys []string) []string {
	var out []string
	for _, key := range keys {
		names := make([]string, 0, 1)
		for k := range q {
			if strings.EqualFold(k, key) {
				names = append(names, k)
			}
		}
		sort.Strings(names) // ?URL=a&url=b: the same order every time
		for _, k := range names {
			for _, v := range q[k] {
				if v = strings.TrimSpace(v); v != "" && !slices.Contains(out, v) {
					out = append(out, v)
				}
			}
		}
	}
	return out
}
