package inspect

import (
	"strings"

	"github.com/warden-gw/warden/exchange"
	"github.com/warden-gw/warden/inspect/cloudapi"
	"github.com/warden-gw/warden/inspect/k8sapi"
	"github.com/warden-gw/warden/inspect/llmapi"
	"github.com/warden-gw/warden/inspect/shparse"
)

// urlActions adds the GitHub, AWS and Kubernetes actions a request's URL names. Every method in
// play (overrides included) and every decoding of the path is tried; the worst reading wins, so
// that an override or an encoding cannot make a deletion look like a read.
func (f *Facts) urlActions(req *exchange.Request, c *canonical) {
	var best []Action
	bestScore, bestMethod := -1, ""
	for _, p := range c.paths {
		segs := segments(p)
		for _, m := range c.methods {
			acts := recogniseURL(req, c, m, p, segs)
			if s := urlScore(acts, m); s > bestScore {
				best, bestScore, bestMethod = acts, s, m
			}
		}
	}
	if bestMethod != c.methods[0] && len(best) > 0 && len(c.overrides) > 0 {
		for i := range best {
			best[i].Reasons = append(best[i].Reasons, "method override in play ("+strings.Join(c.overrides, ", ")+
				"): judged as "+bestMethod)
		}
	}
	f.Actions = append(f.Actions, best...)
	method := bestMethod
	if method == "" {
		method = c.methods[0]
	}
	f.markPrivilege(method, c)
	for _, a := range best {
		if a.K8s != nil && len(a.K8s.ExecCommand) > 0 {
			res := shparse.AnalyzeArgv(a.K8s.ExecCommand)
			f.addShell("k8s.exec", "", joinArgv(a.K8s.ExecCommand), res)
		}
		if a.K8s != nil && a.K8s.Subresource == "proxy" {
			if r, ok := k8sProxied(req, bestMethod, segments(c.paths[0])); ok {
				f.AddEmbeddedHTTP("k8s.proxy", "", r) // the request the API server forwards
			}
		}
	}
}

// urlScore orders readings: destructive before not, then by method severity.
func urlScore(acts []Action, method string) int {
	if len(acts) == 0 {
		return 0
	}
	s := 10 + methodRank(method)
	for _, a := range acts {
		if a.Destructive {
			s += 100
			break
		}
	}
	return s
}

// recogniseURL reads one (method, canonical path) pairing as a GitHub, AWS or Kubernetes call.
func recogniseURL(req *exchange.Request, c *canonical, method, p string, segs []string) []Action {
	q := ""
	if c.rawQuery != "" {
		q = "?" + c.rawQuery
	}
	if rel, ok := githubPath(c, req.Headers, segs); ok {
		syn := exchange.Request{
			Method: method, Authority: "api.github.com", Path: "/" + strings.Join(rel, "/") + q,
			Headers: req.Headers, Body: req.Body,
		}
		if gh, ok := cloudapi.GitHub(&syn); ok {
			return []Action{{
				Kind: KindGitHub, Source: "request.url", Text: method + " " + p,
				Destructive: gh.Destructive, Reasons: nonEmpty(gh.Reason), GitHub: &gh,
			}}
		}
	}
	if aws, ok := awsCall(req, c, method, segs, q); ok {
		return []Action{{
			Kind: KindAWS, Source: "request.url", Text: aws.Service + ":" + aws.Action,
			Destructive: aws.Destructive, Reasons: nonEmpty(aws.Reason), AWS: &aws,
		}}
	}
	if k, ok := kubernetesCall(req, c, method, segs); ok {
		a := Action{Kind: KindK8s, Source: "request.url", Text: method + " " + p, K8s: &k}
		if k.Destructive() {
			a.Destructive = true
			a.Reasons = []string{k8sReason(k)}
		}
		if why := k8sBodyDanger(k, c.json); why != "" {
			a.Destructive = true
			a.Reasons = append(a.Reasons, why)
		}
		return []Action{a}
	}
	if rc, ok := cloudapi.REST(method, c.host, segs, c.query); ok {
		return []Action{{
			Kind: KindREST, Source: "request.url", Text: method + " " + p,
			Destructive: rc.Destructive, Reasons: nonEmpty(rc.Reason), REST: &rc,
		}}
	}
	if shapeApplies(req, c, p) {
		if rc, ok := cloudapi.Shape(method, c.authority(), segs, c.query, c.json); ok {
			return []Action{{
				Kind: KindREST, Source: "request.url", Text: method + " " + p,
				Destructive: rc.Destructive, Reasons: nonEmpty(rc.Reason), REST: &rc,
			}}
		}
	}
	return nil
}

// shapeApplies reports whether a request that no recogniser knows is judged by its shape
// (cloudapi.Shape): not LLM API calls and not MCP messages, whose contents are judged as
// conversations and tool calls, and not an MCP client closing its session (DELETE with
// Mcp-Session-Id).
func shapeApplies(req *exchange.Request, c *canonical, p string) bool {
	if req.Headers.Has("mcp-session-id") {
		return false
	}
	if _, _, ok := llmapi.Detect(p); ok {
		return false
	}
	if m, ok := c.json.(map[string]any); ok {
		if _, rpc := m["jsonrpc"]; rpc {
			return false
		}
	}
	if _, arr := c.json.([]any); arr && looksToolCall(c.json) {
		return false
	}
	_, _, llm := llmapi.DetectBody(c.json)
	return !llm
}

// awsCall reads the request as an AWS call when anything says AWS: the host, a SigV4
// signature (header or presigned query) or an X-Amz-Target.
func awsCall(req *exchange.Request, c *canonical, method string, segs []string, q string) (cloudapi.AWSCall, bool) {
	if !strings.Contains(c.host, "amazonaws.com") && !strings.HasSuffix(c.host, ".api.aws") &&
		!strings.HasPrefix(req.Headers.Get("authorization"), "AWS4-") && !strings.Contains(q, "X-Amz-") &&
		!req.Headers.Has("x-amz-target") {
		return cloudapi.AWSCall{}, false
	}
	syn := exchange.Request{
		Method: method, Authority: c.authority(), Path: escapedPath(segs) + q,
		Headers: req.Headers, Body: req.Body,
	}
	return cloudapi.AWS(&syn)
}

// kubernetesCall finds a Kubernetes API path at the root or mounted under a prefix (a gateway
// route such as /k8s/, Rancher's /k8s/clusters/{id}/, GKE Connect's
// /v1/projects/.../gkeMemberships/{m}/, kubectl proxy's /api/v1/...).
func kubernetesCall(req *exchange.Request, c *canonical, method string, segs []string) (k8sapi.Request, bool) {
	for i, s := range segs {
		if s != "api" && s != "apis" {
			continue
		}
		if k, ok := dashboardRaw(method, segs[i:]); ok {
			return k, true
		}
		k, ok := k8sapi.Parse(method, escapedPath(segs[i:]), c.query)
		if !ok || k.Resource == "" {
			continue
		}
		if likelyKubernetes(c.authority(), k) || k8sapi.ClientMediaType(req.Headers.Get("content-type"), req.Headers.Get("accept")) ||
			(i > 0 && k8sapi.MountPrefix(segs[:i])) {
			return k, true
		}
	}
	return k8sapi.Request{}, false
}

// githubRoots are the first segments of GitHub REST paths.
var githubRoots = map[string]bool{
	"repos": true, "repositories": true, "orgs": true, "organizations": true, "user": true,
	"users": true, "gists": true, "teams": true, "enterprises": true, "installation": true,
	"app": true, "authorizations": true,
}

// githubPath returns the GitHub-relative segments of a request that goes to the GitHub REST API:
// host api.github.com; a GitHub Enterprise Server /api/v3/ path under any prefix; a route
// prefix naming GitHub (/github/repos/...); or, when the host says nothing, the headers GitHub
// clients send (X-GitHub-Api-Version, Accept: application/vnd.github+json).
func githubPath(c *canonical, h exchange.Headers, segs []string) ([]string, bool) {
	if c.host == "api.github.com" {
		return segs, true
	}
	for i := 0; i+1 < len(segs); i++ {
		if strings.EqualFold(segs[i], "api") && strings.EqualFold(segs[i+1], "v3") {
			return segs[i+2:], true
		}
	}
	for i := 0; i+1 < len(segs); i++ {
		l := strings.ToLower(segs[i])
		if (strings.Contains(l, "github") || l == "gh") && githubRoots[strings.ToLower(segs[i+1])] {
			return segs[i+1:], true
		}
	}
	signal := h.Has("x-github-api-version") || strings.Contains(strings.ToLower(h.Get("accept")), "vnd.github") ||
		strings.Contains(c.host, "github")
	if !signal {
		return nil, false
	}
	for i, s := range segs {
		if githubRoots[strings.ToLower(s)] {
			return segs[i:], true
		}
	}
	return nil, false
}

// dashboardRaw reads the Kubernetes dashboard's raw API, /api/v1/_raw/{kind}[/namespace/{ns}]/name/{name},
// which proxies to the API server.
func dashboardRaw(method string, segs []string) (k8sapi.Request, bool) {
	if len(segs) < 4 || segs[1] != "v1" || segs[2] != "_raw" {
		return k8sapi.Request{}, false
	}
	r := k8sapi.Request{Version: "v1", Resource: strings.ToLower(segs[3])}
	if !strings.HasSuffix(r.Resource, "s") {
		r.Resource += "s"
	}
	rest := segs[4:]
	if len(rest) >= 2 && rest[0] == "namespace" {
		if r.Resource == "namespaces" { // /_raw/namespace/name/{ns}
			rest = rest[1:]
		} else {
			r.Namespace, rest = rest[1], rest[2:]
		}
	}
	if len(rest) >= 2 && rest[0] == "name" {
		r.Name = rest[1]
	}
	r.ClusterScoped = r.Namespace == ""
	switch strings.ToUpper(method) {
	case "DELETE":
		r.Verb = "delete"
		if r.Name == "" {
			r.Verb = "deletecollection"
		}
	case "PUT":
		r.Verb = "update"
	case "POST":
		r.Verb = "create"
	case "PATCH":
		r.Verb = "patch"
	default:
		r.Verb = "get"
	}
	return r, true
}

// KubernetesPath reads method and path (with an optional query) as a Kubernetes API request the
// way Analyze does: the path percent-decoded and cleaned, the API found at the root or mounted
// under a prefix that names Kubernetes (/k8s/, Rancher, GKE Connect) or when the resource is a
// built-in one. ok is false when no Kubernetes API path is found. It backs CEL's k8s().
func KubernetesPath(method, path string) (k8sapi.Request, bool) {
	r := &exchange.Request{Method: method, Path: path}
	c := canonicalize(r)
	for _, p := range c.paths {
		segs := segments(p)
		for i, s := range segs {
			if s != "api" && s != "apis" {
				continue
			}
			k, ok := k8sapi.Parse(strings.ToUpper(c.methods[0]), escapedPath(segs[i:]), c.query)
			if !ok {
				continue
			}
			if i == 0 || k8sapi.Known(k.Resource) || strings.Contains(k.Group, ".") || k8sapi.MountPrefix(segs[:i]) {
				return k, true
			}
		}
	}
	return k8sapi.Request{}, false
}
