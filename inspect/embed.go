package inspect

import (
	"encoding/json"
	"net/url"
	"sort"
	"strings"

	"github.com/warden-gw/warden/exchange"
)

// EmbeddedRequest is an HTTP request that another payload describes: the arguments of a generic
// http_request / fetch tool, a webhook definition, or a curl / wget / httpie command line.
type EmbeddedRequest struct {
	Method  string // "" is GET, or POST when Body is set
	URL     string // absolute http(s) URL, or an absolute path ("/api/v1/...") when no host is known
	Headers exchange.Headers
	Body    []byte
}

// JudgeEmbeddedHTTP judges r as if it had come through Envoy: it builds the request r describes
// and runs it through the same canonicalisation and recognisers as Analyze (GitHub, AWS,
// Kubernetes, LLM, MCP, SQL and shell in its body). ok is false when r.URL is neither an http(s)
// URL nor an absolute path. Callers add the result to their own facts with AddEmbeddedHTTP;
// this function is for callers that only need the verdict (for example a shell command
// catalogue judging curl -X DELETE https://...).
func JudgeEmbeddedHTTP(r EmbeddedRequest) (*Facts, bool) {
	return judgeEmbedded(r, 1)
}

func judgeEmbedded(r EmbeddedRequest, depth int) (*Facts, bool) {
	req, ok := r.request()
	if !ok {
		return nil, false
	}
	return analyze(req, depth), true
}

// AddEmbeddedHTTP judges r (see JudgeEmbeddedHTTP) and adds its actions to f, each sourced
// under src ("mcp.arguments.http" + "." + the action's own source) and carried by tool; what
// inspection could not read of r is reported on f. It reports whether r was a request.
func (f *Facts) AddEmbeddedHTTP(src, tool string, r EmbeddedRequest) bool {
	if f.depth >= maxEmbedDepth {
		f.truncate("HTTP requests described inside HTTP requests nested deeper than " + itoa(maxEmbedDepth))
		return false
	}
	sub, ok := judgeEmbedded(r, f.depth+1)
	if !ok {
		return false
	}
	for _, a := range sub.Actions {
		if len(f.Actions) >= maxActions {
			f.truncate("more than " + itoa(maxActions) + " actions in one exchange")
			break
		}
		a.Source = src + "." + a.Source
		if a.Name == "" {
			a.Name = tool
		}
		f.Actions = append(f.Actions, a)
	}
	if sub.Inspection.Truncated {
		f.Inspection.Truncated = true
	}
	if sub.Inspection.Ambiguous {
		f.Inspection.Ambiguous = true
	}
	for _, reason := range sub.Inspection.Reasons {
		f.Inspection.addReason(reason)
	}
	f.cel = nil
	return true
}

// request builds the exchange request r describes, with the pseudo-headers Envoy sends.
func (r EmbeddedRequest) request() (*exchange.Request, bool) {
	raw := strings.TrimSpace(r.URL)
	var host, p string
	switch {
	case strings.HasPrefix(raw, "/"):
		p = raw
	default:
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, false
		}
		host, p = u.Host, u.EscapedPath()
		if p == "" {
			p = "/"
		}
		if u.RawQuery != "" {
			p += "?" + u.RawQuery
		}
	}
	m := strings.ToUpper(strings.TrimSpace(r.Method))
	if m == "" {
		m = "GET"
		if len(r.Body) > 0 {
			m = "POST"
		}
	}
	h := append(exchange.Headers{{Key: ":method", Value: m}, {Key: ":authority", Value: host}, {Key: ":path", Value: p}},
		r.Headers...)
	return &exchange.Request{
		Method: m, Scheme: "https", Authority: host, Path: p, Headers: h,
		Body: r.Body, BodySeen: r.Body != nil,
	}, true
}

// Keys that describe an HTTP request in tool arguments and configuration objects.
var (
	httpMethodKeys = []string{"method", "http_method", "httpmethod", "request_method", "verb"}
	httpURLKeys    = []string{"url", "uri", "endpoint", "href", "target_url", "request_url", "link"}
	httpBodyKeys   = []string{"body", "data", "json", "payload", "content"}
)

// embeddedHTTP judges an object that describes an HTTP request ({"method": "DELETE", "url":
// ...}) as that request. An object with a URL but no method is a GET, judged only when a tool
// carries it (a fetch tool).
func (x *extractor) embeddedHTTP(m map[string]any) {
	var u string
	hasURL := false
	switch uv := anyKey(m, httpURLKeys).(type) {
	case string:
		u, hasURL = uv, strings.TrimSpace(uv) != ""
	case map[string]any:
		u, hasURL = stringKey(uv, []string{"raw", "href", "url", "full"}) // Postman's {"url": {"raw": ...}}
	}
	var base string
	hasBase := false
	if !hasURL || strings.HasPrefix(u, "/") {
		base, hasBase = stringKey(m, []string{"base_url", "baseurl", "host", "server", "base", "baseURL"})
	}
	if hasURL && hasBase && strings.HasPrefix(u, "/") {
		// axios-style {"baseURL": "https://gitlab.corp", "url": "/api/v4/projects/12"}
		if !strings.Contains(base, "://") {
			base = "https://" + base
		}
		u = strings.TrimSuffix(base, "/") + u
	}
	if !hasURL {
		// {"host": "k8s.internal", "path": "/api/v1/..."}: a base and a path.
		p, hasPath := stringKey(m, []string{"path"})
		if !hasPath || !strings.HasPrefix(p, "/") {
			return
		}
		u = p
		if hasBase {
			if !strings.Contains(base, "://") {
				base = "https://" + base
			}
			u = strings.TrimSuffix(base, "/") + p
		}
	}
	// fetch(url, {method, headers, body}) and axios-style configs keep the rest in an object.
	opts := m
	method, hasMethod := stringKey(m, httpMethodKeys)
	if !hasMethod {
		for _, k := range []string{"options", "init", "config", "opts", "request_options"} {
			if o, ok := anyKey(m, []string{k}).(map[string]any); ok {
				if method, hasMethod = stringKey(o, httpMethodKeys); hasMethod {
					opts = o
					break
				}
			}
		}
	}
	if (!hasMethod && x.tool == "") || x.full() {
		return
	}
	if !hasMethod {
		method = toolMethod(x.tool) // a requests_delete / http_put tool: the name is the method
	}
	r := EmbeddedRequest{Method: method, URL: u}
	m = opts
	hm, _ := anyKey(m, []string{"headers"}).(map[string]any)
	if host, ok := stringKey(hm, []string{"host"}); ok && strings.HasPrefix(u, "/") {
		r.URL = "https://" + strings.TrimSpace(host) + u // {"path": "/repos/...", "headers": {"Host": ...}}
	}
	if hm != nil {
		keys := make([]string, 0, len(hm))
		for k := range hm {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if v, ok := hm[k].(string); ok {
				r.Headers = append(r.Headers, exchange.Header{Key: strings.ToLower(k), Value: v})
			}
		}
	}
	switch b := anyKey(m, httpBodyKeys).(type) {
	case string:
		r.Body = []byte(b)
	case map[string]any, []any:
		r.Body, _ = json.Marshal(b)
		if r.Headers.Get("content-type") == "" {
			r.Headers = append(r.Headers, exchange.Header{Key: "content-type", Value: "application/json"})
		}
	}
	x.f.AddEmbeddedHTTP(x.source("http"), x.tool, r)
}

// toolMethod returns the HTTP method a tool's name carries ("requests_delete", "http_put",
// "patch_request"), or "".
func toolMethod(tool string) string {
	words := strings.FieldsFunc(strings.ToLower(tool), func(r rune) bool {
		return r == '_' || r == '-' || r == '.' || r == '/' || r == ' ' || r == ':'
	})
	for _, w := range words {
		switch w {
		case "delete", "put", "patch", "post":
			return strings.ToUpper(w)
		}
	}
	return ""
}

// stringKey returns the first string value under one of keys (case-insensitive).
func stringKey(m map[string]any, keys []string) (string, bool) {
	s, ok := anyKey(m, keys).(string)
	return s, ok && strings.TrimSpace(s) != ""
}

func anyKey(m map[string]any, keys []string) any {
	for _, want := range keys {
		if v, ok := m[want]; ok {
			return v
		}
	}
	for k, v := range m {
		for _, want := range keys {
			if strings.EqualFold(k, want) {
				return v
			}
		}
	}
	return nil
}
