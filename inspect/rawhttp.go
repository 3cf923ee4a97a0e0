package inspect

import (
	"bufio"
	"net/http"
	"sort"
	"strings"

	"github.com/warden-gw/warden/exchange"
)

// maxRawHTTP bounds the text read as a raw HTTP message (request line, headers and body).
const maxRawHTTP = 1 << 20

// httpMethods are the request-line methods a raw HTTP message may start with.
var httpMethods = map[string]bool{
	"GET": true, "HEAD": true, "POST": true, "PUT": true, "PATCH": true, "DELETE": true,
	"OPTIONS": true, "TRACE": true, "CONNECT": true, "PROPFIND": true, "PROPPATCH": true,
	"MKCOL": true, "COPY": true, "MOVE": true, "LOCK": true, "UNLOCK": true, "PURGE": true,
}

// looksRawHTTP reports whether s starts with an HTTP request line: a method in capitals, a
// space, an absolute path or an http(s) URL ("DELETE /api/v1/namespaces/prod HTTP/1.1", or
// "DELETE https://api.github.com/repos/acme/app" without the version).
func looksRawHTTP(s string) bool {
	line, _, _ := strings.Cut(s, "\n")
	method, rest, ok := strings.Cut(strings.TrimSpace(line), " ")
	if !ok || !httpMethods[method] {
		return false
	}
	target := strings.TrimSpace(rest)
	if i := strings.IndexByte(target, ' '); i >= 0 {
		if !strings.HasPrefix(strings.TrimSpace(target[i+1:]), "HTTP/") {
			return false
		}
		target = target[:i]
	}
	return strings.HasPrefix(target, "/") || strings.HasPrefix(target, "http://") || strings.HasPrefix(target, "https://")
}

// parseRawHTTP reads s as the HTTP request it spells out, with net/http's request parser: the
// request line (the version is optional), headers, and the body (by Content-Length, or the
// rest of the text). Bare "\n" line ends are accepted, as agents write them. ok is false when
// s is not a request net/http can read.
func parseRawHTTP(s string) (EmbeddedRequest, bool) {
	if len(s) > maxRawHTTP || !looksRawHTTP(s) {
		return EmbeddedRequest{}, false
	}
	s = strings.TrimLeft(s, " \t\r\n")
	line, rest, _ := strings.Cut(s, "\n")
	line = strings.TrimRight(line, "\r ")
	if !strings.Contains(line, " HTTP/") {
		line += " HTTP/1.1"
	}
	head, body, found := cutHeaderBlock(rest)
	if !found {
		head, body = rest, ""
	}
	msg := line + "\r\n" + head + "\r\n\r\n"
	req, err := http.ReadRequest(bufio.NewReader(strings.NewReader(msg)))
	if err != nil {
		return EmbeddedRequest{}, false
	}
	_ = req.Body.Close()
	r := EmbeddedRequest{Method: req.Method}
	switch {
	case req.URL.IsAbs():
		r.URL = req.URL.String()
	case req.Host != "":
		r.URL = "https://" + req.Host + req.URL.RequestURI()
	default:
		r.URL = req.URL.RequestURI()
	}
	names := make([]string, 0, len(req.Header))
	for k := range req.Header {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		for _, v := range req.Header[k] {
			r.Headers = append(r.Headers, exchange.Header{Key: strings.ToLower(k), Value: v})
		}
	}
	if body != "" {
		r.Body = []byte(body)
	}
	return r, true
}

// cutHeaderBlock splits the text after the request line at the blank line that ends the
// headers (CRLF or bare LF).
func cutHeaderBlock(s string) (head, body string, found bool) {
	if strings.HasPrefix(s, "\r\n") || strings.HasPrefix(s, "\n") {
		return "", strings.TrimPrefix(strings.TrimPrefix(s, "\r"), "\n"), true
	}
	i, n := strings.Index(s, "\r\n\r\n"), 4
	if j := strings.Index(s, "\n\n"); j >= 0 && (i < 0 || j < i) {
		i, n = j, 2
	}
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+n:], true
}

// httpKeyHints are key names under which a raw HTTP message is read outside a tool call.
var httpKeyHints = []string{"request", "http", "raw"}

// rawHTTPCandidate judges a string that spells out an HTTP request as that request, in a tool
// call or executing context or under a key named for a request (elsewhere an HTTP example in
// prose is text); it reports whether s was judged.
func (x *extractor) rawHTTPCandidate(key, s string) bool {
	if !x.execCtx && !keyHints(key, httpKeyHints) {
		return false
	}
	if len(s) > maxRawHTTP {
		x.f.truncate("an HTTP message in a value is larger than the " + itoa(maxRawHTTP) + "-byte inspection limit")
		return true
	}
	r, ok := parseRawHTTP(s)
	if !ok {
		// It starts like a request but net/http cannot read it: a server that is less strict
		// might still send it, so a human decides.
		x.f.ambiguous("a value starts like an HTTP request but does not parse as one")
		return false
	}
	if x.full() {
		return true
	}
	return x.f.AddEmbeddedHTTP(x.source("http"), x.tool, r)
}
