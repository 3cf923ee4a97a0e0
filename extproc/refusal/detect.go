package refusal

import (
	"net/url"
	"strings"

	"github.com/warden-gw/warden/exchange"
	"github.com/warden-gw/warden/inspect/k8sapi"
)

// Detect chooses the error shape of req's API from what the request looks like: what the
// caller's SDK sends (a JSON-RPC body, a SigV4 signature, X-Amz-Target, GitHub's API version
// header, client-go's user agent) and the host and path. The order matters: an MCP or AWS request
// is recognised by its own protocol before any path-based guess. Anything unrecognised, the LLM
// APIs among them, gets the generic body.
func Detect(req *exchange.Request) Protocol {
	if isMCP(req) {
		return MCP
	}
	if p, ok := awsProtocol(req); ok {
		return p
	}
	if p, ok := githubProtocol(req); ok {
		return p
	}
	if _, ok := kubernetesRequest(req); ok {
		return Kubernetes
	}
	return Generic
}

// splitPath returns the path without its query, and the query.
func splitPath(p string) (string, string) {
	if i := strings.IndexByte(p, '?'); i >= 0 {
		return p[:i], p[i+1:]
	}
	return p, ""
}

// segments splits a path into its non-empty segments, bounded: real API paths are short.
func segments(p string) []string {
	const maxSegments = 64
	var out []string
	for s := range strings.SplitSeq(p, "/") {
		if s == "" {
			continue
		}
		if len(out) == maxSegments {
			break
		}
		out = append(out, s)
	}
	return out
}

// host is the request's host without port, lowercased.
func host(req *exchange.Request) string {
	h := req.Authority
	if h == "" {
		h = req.Headers.Get(":authority")
	}
	if h == "" {
		h = req.Headers.Get("host")
	}
	h = strings.ToLower(h)
	if strings.HasPrefix(h, "[") {
		if i := strings.IndexByte(h, ']'); i > 0 {
			return h[1:i]
		}
	}
	if i := strings.LastIndexByte(h, ':'); i >= 0 {
		h = h[:i]
	}
	return h
}

// path is the request's :path.
func path(req *exchange.Request) string {
	if req.Path != "" {
		return req.Path
	}
	return req.Headers.Get(":path")
}

func method(req *exchange.Request) string {
	if req.Method != "" {
		return strings.ToUpper(req.Method)
	}
	return strings.ToUpper(req.Headers.Get(":method"))
}

// --- GitHub ---

// githubRoots are the first segments of GitHub REST paths (as inspection reads them).
var githubRoots = map[string]bool{
	"repos": true, "repositories": true, "orgs": true, "organizations": true, "user": true,
	"users": true, "gists": true, "teams": true, "enterprises": true, "installation": true,
	"app": true, "authorizations": true, "graphql": true,
}

// githubProtocol recognises the GitHub API by host (api.github.com; another host naming github
// only with a GitHub REST path, so that GitHub Models' OpenAI-compatible /inference API stays an
// LLM API), a GitHub Enterprise Server path (/api/v3/, /api/graphql) or the headers GitHub
// clients send (X-GitHub-Api-Version, Accept: application/vnd.github...). GraphQL is the
// /graphql endpoint.
func githubProtocol(req *exchange.Request) (Protocol, bool) {
	p, _ := splitPath(path(req))
	lp := strings.ToLower(p)
	h := host(req)
	segs := segments(lp)
	signal := h == "api.github.com" ||
		strings.Contains(h, "github") && len(segs) > 0 && githubRoots[segs[0]] ||
		strings.Contains(lp, "/api/v3/") || strings.HasSuffix(lp, "/api/graphql") ||
		req.Headers.Has("x-github-api-version") ||
		strings.Contains(strings.ToLower(req.Headers.Get("accept")), "vnd.github")
	if !signal {
		return "", false
	}
	if strings.HasSuffix(strings.TrimSuffix(lp, "/"), "/graphql") {
		return GitHubGraphQL, true
	}
	return GitHubREST, true
}

// --- Kubernetes ---

// kubernetesRequest finds a Kubernetes API path (k8sapi's reading of /api/... and /apis/...) at
// the root or under a gateway prefix, and accepts it when something says Kubernetes: the path is
// at the root and names a built-in resource or a *.k8s.io group, the client is client-go or
// kubectl (user agent "... kubernetes/<commit>"), the media types only Kubernetes clients send,
// or a prefix naming a cluster. A bare /api/v1/... of some other application stays generic.
func kubernetesRequest(req *exchange.Request) (k8sapi.Request, bool) {
	p, rawQuery := splitPath(path(req))
	segs := segments(p)
	q, _ := url.ParseQuery(rawQuery)
	signal := kubernetesSignals(req.Headers)
	for i, s := range segs {
		if s != "api" && s != "apis" {
			continue
		}
		k, ok := k8sapi.Parse(method(req), "/"+strings.Join(segs[i:], "/"), q)
		if !ok {
			continue
		}
		known := k8sapi.Known(k.Resource) || strings.HasSuffix(k.Group, ".k8s.io")
		if signal || (i == 0 && known) || (i > 0 && k8sapi.MountPrefix(segs[:i])) {
			return k, true
		}
	}
	return k8sapi.Request{}, false
}

// kubernetesSignals reports what only Kubernetes clients send: client-go's default user agent
// ("name/version (os/arch) kubernetes/commit") and Kubernetes media types.
func kubernetesSignals(h exchange.Headers) bool {
	if strings.Contains(h.Get("user-agent"), " kubernetes/") {
		return true
	}
	return k8sapi.ClientMediaType(h.Get("content-type"), h.Get("accept"))
}
