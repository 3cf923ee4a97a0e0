package inspect

import (
	"net/url"
	"path"
	"strings"

	"github.com/warden-gw/warden/exchange"
)

// canonical is a request as every recogniser sees it: one canonical form, computed once, so
// that no recogniser is evaded by a spelling another would have normalised.
type canonical struct {
	// methods are the request's method followed by every method override in play
	// (X-HTTP-Method-Override, X-HTTP-Method, X-Method-Override, a _method query, form or JSON
	// field), upper case and deduplicated. Recognisers judge the worst of them.
	methods []string
	// overrides describe the overrides, for reasons ("X-HTTP-Method-Override: DELETE").
	overrides []string
	host      string // lower case, without port or trailing dots
	port      string
	// paths are the percent-decoded path with empty and dot segments resolved; a second,
	// twice-decoded variant follows when decoding again changes it (%252F), since proxies
	// differ in how often they decode.
	paths    []string
	rawQuery string
	query    url.Values
	// json is the decoded JSON body, or a form body's fields as an object (nil otherwise), for
	// recognisers that judge a call by its body too (cloudapi.Shape, privilege grants).
	json any
}

// methodOverrideHeaders are the headers frameworks read to replace the HTTP method.
var methodOverrideHeaders = []string{"x-http-method-override", "x-http-method", "x-method-override"}

// canonicalize computes the canonical request (body-borne overrides are added by addMethod).
func canonicalize(req *exchange.Request) *canonical {
	c := &canonical{}
	c.addMethod(req.Method, "")
	if c.methods[0] == "" {
		c.methods[0] = "GET"
	}
	for _, h := range methodOverrideHeaders {
		for _, v := range req.Headers.Values(h) {
			c.addMethod(v, h)
		}
	}
	c.host, c.port = canonicalHost(hostOf(req))
	rawPath, rawQuery, _ := strings.Cut(req.Path, "?")
	rawPath, _, _ = strings.Cut(rawPath, "#")
	c.rawQuery = rawQuery
	if rawQuery != "" {
		c.query, _ = url.ParseQuery(rawQuery) // a malformed pair is dropped; the rest is kept
	}
	for _, v := range c.query["_method"] {
		c.addMethod(v, "_method query parameter")
	}
	once := decodePath(rawPath)
	c.paths = []string{cleanPath(once)}
	if twice := cleanPath(decodePath(once)); twice != c.paths[0] {
		c.paths = append(c.paths, twice)
	}
	return c
}

// addMethod adds an override (or, with from == "", the request's own method).
func (c *canonical) addMethod(m, from string) {
	m = strings.ToUpper(strings.TrimSpace(m))
	if from != "" && m == "" {
		return
	}
	for _, have := range c.methods {
		if have == m {
			return
		}
	}
	if len(c.methods) >= 8 {
		return
	}
	c.methods = append(c.methods, m)
	if from != "" {
		c.overrides = append(c.overrides, from+": "+m)
	}
}

// authority is the canonical host[:port].
func (c *canonical) authority() string {
	if c.port == "" {
		return c.host
	}
	return c.host + ":" + c.port
}

// canonicalHost lower-cases a host, strips the port and any trailing dots ("API.GitHub.com.").
func canonicalHost(authority string) (host, port string) {
	h := strings.ToLower(strings.TrimSpace(authority))
	if strings.HasPrefix(h, "[") { // IPv6 literal
		if i := strings.Index(h, "]"); i >= 0 {
			host, rest := h[:i+1], h[i+1:]
			return host, strings.TrimPrefix(rest, ":")
		}
		return h, ""
	}
	if i := strings.LastIndexByte(h, ':'); i >= 0 {
		h, port = h[:i], h[i+1:]
	}
	return strings.TrimRight(h, "."), port
}

// decodePath percent-decodes a path once, as an origin server does before routing (%2F becomes
// a separator). Invalid escapes are kept as they are.
func decodePath(p string) string {
	if !strings.Contains(p, "%") {
		return p
	}
	if u, err := url.PathUnescape(p); err == nil {
		return u
	}
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		if p[i] == '%' && i+2 < len(p) && isHex(p[i+1]) && isHex(p[i+2]) {
			b.WriteByte(unhex(p[i+1])<<4 | unhex(p[i+2]))
			i += 2
			continue
		}
		b.WriteByte(p[i])
	}
	return b.String()
}

func isHex(c byte) bool { return c >= '0' && c <= '9' || c|0x20 >= 'a' && c|0x20 <= 'f' }

func unhex(c byte) byte {
	if c <= '9' {
		return c - '0'
	}
	return c | 0x20 - 'a' + 10
}

// cleanPath resolves duplicate slashes and dot segments ("/a//b/./c/../d" is "/a/b/d"), and
// treats backslashes as some servers do, as separators. The result starts with "/".
func cleanPath(p string) string {
	if strings.HasPrefix(p, "/") && !strings.Contains(p, "//") && !strings.Contains(p, "/.") &&
		!strings.Contains(p, "\\") && (len(p) == 1 || p[len(p)-1] != '/') {
		return p // already clean: the common case allocates nothing
	}
	p = strings.ReplaceAll(p, "\\", "/")
	if p == "" {
		return "/"
	}
	return path.Clean("/" + p)
}

// segments splits a canonical path into its segments.
func segments(p string) []string {
	p = strings.Trim(p, "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}

// escapedPath rebuilds a path from segments, escaping each one, for recognisers that unescape
// segments themselves (k8sapi): a decoded "%" must not be decoded a second time.
func escapedPath(segs []string) string {
	var b strings.Builder
	for _, s := range segs {
		b.WriteByte('/')
		b.WriteString(url.PathEscape(s))
	}
	if b.Len() == 0 {
		return "/"
	}
	return b.String()
}

// methodRank orders methods from harmless to worst, for "judge the worst method".
func methodRank(m string) int {
	switch m {
	case "GET", "HEAD", "OPTIONS", "TRACE":
		return 0
	case "POST":
		return 1
	case "PUT", "PATCH":
		return 2
	case "DELETE":
		return 3
	}
	return 1 // an unknown method may do anything a POST does
}

// bodyMethods adds the method overrides a body carries: a _method form field (Rails, Laravel,
// Symfony) or a top-level JSON _method.
func (c *canonical) bodyMethods(b requestBody) {
	for _, v := range b.form["_method"] {
		c.addMethod(v, "_method form field")
	}
	c.json = b.json
	if c.json == nil && len(b.form) > 0 {
		// A form body's fields, as the JSON object a framework would bind them to.
		m := make(map[string]any, len(b.form))
		for k, v := range b.form {
			if len(v) == 1 {
				m[k] = v[0]
				continue
			}
			l := make([]any, len(v))
			for i, s := range v {
				l[i] = s
			}
			m[k] = l
		}
		c.json = m
	}
	if m, ok := b.json.(map[string]any); ok {
		if v, ok := m["_method"].(string); ok {
			c.addMethod(v, "_method JSON field")
		}
	}
}
