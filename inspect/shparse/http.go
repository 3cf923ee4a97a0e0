package shparse

import (
	"strings"
)

// HTTPRequest is an HTTP request a command sends: curl, wget, httpie (http, https, xh) and gh api.
// shparse does not judge it; inspect judges it as it would judge the same request through the
// gateway.
type HTTPRequest struct {
	// Tool is the command that sends it ("curl", "gh api", ...).
	Tool string
	// Method is the upper-case HTTP method the tool uses (curl's default rules applied: -d means
	// POST, -I means HEAD, -T means PUT).
	Method string
	// URL is absolute: a scheme is added where the tool would add one.
	URL string
	// Headers are the request headers given on the command line, in order, as "Name: value".
	Headers []string
	// Body is the request body given on the command line ("@file" references stay as written).
	Body string
	// Dynamic is true when the method, URL or body is only known at run time.
	Dynamic bool
}

// maxHTTPRequests bounds the requests one command line records.
const maxHTTPRequests = 16

var curlSpec = &optSpec{
	short: map[byte]string{
		'X': "request", 'H': "header", 'd': "data", 'F': "form", 'u': "user", 'o': "output",
		'A': "user-agent", 'b': "cookie", 'c': "cookie-jar", 'e': "referer", 'T': "upload-file",
		'G': "get", 'I': "head", 'x': "proxy", 'm': "max-time", 'w': "write-out", 'K': "config",
		'E': "cert", 'r': "range", 'D': "dump-header",
	},
	valShort: "XHdFuoAbceTxmwKErCYyztUPQD",
	valLong: []string{
		"request", "header", "data", "data-raw", "data-binary", "data-ascii", "data-urlencode", "json",
		"form", "form-string", "user", "output", "user-agent", "cookie", "cookie-jar", "referer",
		"upload-file", "url", "proxy", "max-time", "connect-timeout", "write-out", "config", "cert",
		"key", "cacert", "capath", "resolve", "connect-to", "retry", "retry-delay", "limit-rate",
		"aws-sigv4", "oauth2-bearer", "request-target", "unix-socket", "range", "dump-header",
		"proxy-user", "max-filesize", "interface", "variable", "expand-url", "url-query",
	},
}

var wgetSpec = &optSpec{
	short:    map[byte]string{'O': "output-document", 'o': "output-file", 'U': "user-agent"},
	valShort: "OoaPeUtTwQlARDIXi",
	valLong: []string{
		"method", "body-data", "body-file", "post-data", "post-file", "header", "output-document",
		"output-file", "user-agent", "user", "password", "http-user", "http-password", "tries",
		"timeout", "directory-prefix", "execute", "load-cookies", "save-cookies", "input-file",
	},
}

// httpRequests records the requests of curl, wget, httpie and gh api commands.
func (a *analyzer) httpRequests(c *call) {
	var reqs []HTTPRequest
	switch c.name {
	case "curl":
		reqs = curlRequests(c)
	case "wget":
		reqs = wgetRequests(c)
	case "http", "https", "xh", "xhs":
		reqs = httpieRequests(c)
	case "gh":
		reqs = ghAPIRequests(c)
	}
	for _, r := range reqs {
		if len(a.res.HTTP) >= maxHTTPRequests {
			return
		}
		a.res.HTTP = append(a.res.HTTP, r)
	}
}

func curlRequests(c *call) []HTTPRequest {
	p := parseOpts(curlSpec, c.args[1:])
	r := HTTPRequest{Tool: "curl", Headers: p.vals["header"]}
	var bodies []string
	for _, k := range []string{"data", "data-raw", "data-binary", "data-ascii", "data-urlencode", "json"} {
		bodies = append(bodies, p.vals[k]...)
	}
	r.Body = strings.Join(bodies, "&")
	if len(p.vals["json"]) > 0 {
		r.Headers = append(r.Headers, "Content-Type: application/json")
	}
	switch m, ok := p.val("request"); {
	case ok:
		r.Method = strings.ToUpper(m)
	case p.set["head"]:
		r.Method = "HEAD"
	case p.set["upload-file"]:
		r.Method = "PUT"
	case p.set["get"]:
		r.Method = "GET"
	case len(bodies) > 0 || p.set["form"] || p.set["form-string"]:
		r.Method = "POST"
	default:
		r.Method = "GET"
	}
	urls := append([]string(nil), p.vals["url"]...)
	dyn := false
	for _, x := range p.pos {
		urls = append(urls, x.val)
		dyn = dyn || x.dyn
	}
	return expandURLs(r, urls, "http://", dyn)
}

func wgetRequests(c *call) []HTTPRequest {
	p := parseOpts(wgetSpec, c.args[1:])
	r := HTTPRequest{Tool: "wget", Headers: p.vals["header"], Method: "GET"}
	if b, ok := p.val("post-data"); ok {
		r.Method, r.Body = "POST", b
	}
	if b, ok := p.val("body-data"); ok {
		r.Body = b
	}
	if p.set["post-file"] {
		r.Method = "POST"
	}
	if m, ok := p.val("method"); ok {
		r.Method = strings.ToUpper(m)
	}
	var urls []string
	dyn := false
	for _, x := range p.pos {
		urls = append(urls, x.val)
		dyn = dyn || x.dyn
	}
	return expandURLs(r, urls, "http://", dyn)
}

var httpieSpec = &optSpec{
	short:    map[byte]string{'f': "form", 'j': "json", 'a': "auth", 'o': "output", 'A': "auth-type"},
	valShort: "aoAp",
	valLong: []string{
		"auth", "auth-type", "output", "session", "session-read-only", "verify", "cert", "cert-key",
		"timeout", "proxy", "print", "pretty", "style", "format-options", "max-redirects", "raw",
		"boundary", "ssl", "ciphers", "default-scheme",
	},
}

// httpieRequests reads `http [METHOD] URL [ITEM...]` (httpie and xh).
func httpieRequests(c *call) []HTTPRequest {
	p := parseOpts(httpieSpec, c.args[1:])
	pos := p.pos
	r := HTTPRequest{Tool: c.name}
	if len(pos) > 1 && isMethodWord(pos[0].val) {
		r.Method = strings.ToUpper(pos[0].val)
		pos = pos[1:]
	}
	if len(pos) == 0 {
		return nil
	}
	u := pos[0]
	var fields []string
	for _, it := range pos[1:] {
		v := it.val
		switch {
		case strings.Contains(v, ":=") || strings.Contains(v, "=") && !strings.Contains(v, "=="):
			fields = append(fields, v)
		case strings.Contains(v, ":") && !strings.Contains(v, "=="):
			r.Headers = append(r.Headers, v)
		}
	}
	r.Body = strings.Join(fields, " ")
	if r.Method == "" {
		r.Method = "GET"
		if len(fields) > 0 || p.set["raw"] {
			r.Method = "POST"
		}
	}
	scheme := "http://"
	if c.name == "https" || c.name == "xhs" {
		scheme = "https://"
	}
	url := u.val
	if strings.HasPrefix(url, ":") { // http :8080/x is localhost
		url = "localhost" + url
	}
	return expandURLs(r, []string{url}, scheme, u.dyn)
}

func isMethodWord(s string) bool {
	switch strings.ToUpper(s) {
	case "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS":
		return s == strings.ToUpper(s) || s == strings.ToLower(s)
	}
	return false
}

// ghAPIRequests reads `gh api [-X METHOD] ENDPOINT`: the endpoint is relative to the GitHub API
// (api.github.com, or HOST/api/v3 with --hostname); fields make it a POST.
func ghAPIRequests(c *call) []HTTPRequest {
	if len(c.p.pos) < 2 || c.p.pos[0].val != "api" {
		return nil
	}
	sub := parseOpts(specs["gh"], c.p.pos[1:])
	merge := func(k string) []string { return append(append([]string(nil), c.p.vals[k]...), sub.vals[k]...) }
	r := HTTPRequest{Tool: "gh api", Headers: merge("header"), Method: "GET"}
	typed, raw := merge("field"), merge("raw-field")
	fields := append(append([]string(nil), raw...), typed...)
	if len(fields) > 0 || len(merge("input")) > 0 {
		r.Method = "POST"
	}
	if m := merge("method"); len(m) > 0 {
		r.Method = strings.ToUpper(m[len(m)-1])
	}
	if len(sub.pos) == 0 {
		return nil
	}
	ep := sub.pos[0]
	base := "https://api.github.com/"
	if h := merge("hostname"); len(h) > 0 && h[len(h)-1] != "github.com" {
		base = "https://" + h[len(h)-1] + "/api/v3/"
	}
	url := ep.val
	switch {
	case ep.val == "graphql":
		r.Method = "POST"
		r.Body = ghGraphQLBody(raw, typed)
		r.Headers = append(r.Headers, "Content-Type: application/json")
	case r.Method == "GET" && len(fields) > 0:
		sep := "?"
		if strings.Contains(url, "?") {
			sep = "&"
		}
		url += sep + strings.Join(fields, "&")
	case len(fields) > 0:
		r.Body = ghFieldsJSON(raw, typed)
		r.Headers = append(r.Headers, "Content-Type: application/json")
	}
	if !strings.HasPrefix(url, "https://") && !strings.HasPrefix(url, "http://") {
		url = base + strings.TrimPrefix(url, "/")
	}
	return expandURLs(r, []string{url}, "https://", ep.dyn)
}

// ghTyped renders a -F value as gh does: true, false, null and integers are JSON literals.
func ghTyped(v string) string {
	switch v {
	case "true", "false", "null":
		return v
	}
	if v != "" && strings.Trim(v, "0123456789") == "" || strings.HasPrefix(v, "-") && len(v) > 1 && strings.Trim(v[1:], "0123456789") == "" {
		return v
	}
	return jsonString(v)
}

// ghFieldsJSON builds the JSON object gh sends for -f (string) and -F (typed) fields.
func ghFieldsJSON(raw, typed []string) string {
	parts := make([]string, 0, len(raw)+len(typed))
	for _, f := range raw {
		k, v, _ := strings.Cut(f, "=")
		parts = append(parts, jsonString(k)+":"+jsonString(v))
	}
	for _, f := range typed {
		k, v, _ := strings.Cut(f, "=")
		parts = append(parts, jsonString(k)+":"+ghTyped(v))
	}
	return "{" + strings.Join(parts, ",") + "}"
}

// ghGraphQLBody builds the JSON body gh sends for `gh api graphql -f query=... -F var=...`.
func ghGraphQLBody(raw, typed []string) string {
	var b strings.Builder
	b.WriteString("{")
	vars := []string{}
	for i, f := range append(append([]string(nil), raw...), typed...) {
		k, v, _ := strings.Cut(f, "=")
		if k == "query" {
			b.WriteString(`"query":` + jsonString(v))
			continue
		}
		val := jsonString(v)
		if i >= len(raw) {
			val = ghTyped(v)
		}
		vars = append(vars, jsonString(k)+":"+val)
	}
	if len(vars) > 0 {
		if b.Len() > 1 {
			b.WriteString(",")
		}
		b.WriteString(`"variables":{` + strings.Join(vars, ",") + "}")
	}
	b.WriteString("}")
	return b.String()
}

func jsonString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20:
			b.WriteString(`\u00`)
			b.WriteByte("0123456789abcdef"[r>>4])
			b.WriteByte("0123456789abcdef"[r&15])
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// expandURLs makes one request per URL, adding the tool's default scheme.
func expandURLs(r HTTPRequest, urls []string, scheme string, dyn bool) []HTTPRequest {
	var out []HTTPRequest
	for _, u := range urls {
		if u == "" {
			continue
		}
		if !strings.Contains(u, "://") {
			u = scheme + u
		}
		x := r
		x.URL = u
		x.Headers = append([]string(nil), r.Headers...)
		x.Dynamic = dyn || strings.Contains(u, "$")
		out = append(out, x)
	}
	return out
}
