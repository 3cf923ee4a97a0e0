// Package k8sapi understands Kubernetes API server REST paths: which verb a request performs on
// which group, version, resource, namespace and object, and which command a pod exec runs. It
// follows the apiserver's own request-info rules (k8s.io/apiserver/pkg/endpoints/request) so that
// warden's view of a request matches the authorizer's view of it.
package k8sapi

import (
	"net/url"
	"strings"
)

// Request is what a Kubernetes API request does.
type Request struct {
	// Verb is one of get, list, watch, create, update, patch, delete, deletecollection, connect
	// (exec, attach, portforward, proxy), or "get" for discovery paths.
	Verb        string
	Group       string // "" for the core group (/api)
	Version     string
	Resource    string
	Subresource string
	Namespace   string
	Name        string
	// ClusterScoped is true when the request is not confined to one namespace: a cluster-scoped
	// resource (nodes, namespaces, clusterroles, CRDs, ...) or any path without a namespace
	// segment (for example a list of pods across all namespaces). It is false for a request
	// whose namespace is unknown (NamespaceUnknown).
	ClusterScoped bool
	// NamespaceUnknown is true when the request names a namespaced resource without saying
	// which namespace: a description of an action ({"verb": "delete", "kind": "Deployment",
	// "name": "web"}) rather than an API path, which kubectl would send to its context's
	// namespace. It is confined to one namespace, which may be any.
	NamespaceUnknown bool
	// ExecCommand is the argv of a pod exec, from its repeated `command` query parameters.
	ExecCommand []string
	// DryRun is true when the request asks the server only to validate (?dryRun=All): nothing
	// is persisted.
	DryRun bool
}

// Map returns the request as CEL-friendly values with snake_case keys.
func (r Request) Map() map[string]any {
	cmd := make([]any, len(r.ExecCommand))
	for i, c := range r.ExecCommand {
		cmd[i] = c
	}
	return map[string]any{
		"verb":              r.Verb,
		"group":             r.Group,
		"version":           r.Version,
		"resource":          r.Resource,
		"subresource":       r.Subresource,
		"namespace":         r.Namespace,
		"name":              r.Name,
		"cluster_scoped":    r.ClusterScoped,
		"namespace_unknown": r.NamespaceUnknown,
		"exec_command":      cmd,
		"dry_run":           r.DryRun,
	}
}

// InUnknownNamespace marks a request that a description made without a namespace: for a
// resource known to be namespaced, the namespace is unknown (kubectl would use its context's),
// which is not cluster scope. A cluster-scoped or unknown resource is left as the path says.
func (r *Request) InUnknownNamespace() {
	if r.Namespace == "" && Namespaced(r.Resource) {
		r.NamespaceUnknown, r.ClusterScoped = true, false
	}
}

// Destructive reports whether the request deletes objects (a dry run deletes nothing).
func (r Request) Destructive() bool {
	return (r.Verb == "delete" || r.Verb == "deletecollection") && !r.DryRun
}

// maxSegments bounds the work on hostile paths; real API paths have at most ~9 segments before a
// proxy tail.
const maxSegments = 64

// namespaceSubresources are subresources of a Namespace object itself, as in the apiserver.
var namespaceSubresources = map[string]bool{"status": true, "finalize": true}

// connectSubresources are served by connect handlers whatever the HTTP method (exec and attach
// also come as GET for websockets).
var connectSubresources = map[string]bool{"exec": true, "attach": true, "portforward": true, "proxy": true}

// Parse interprets method and path (a path may carry its own query after '?'; query, when not
// nil, takes precedence) as a Kubernetes API request. It returns ok=false when the path is not a
// Kubernetes API path (/api/... or /apis/...).
func Parse(method, path string, query url.Values) (Request, bool) {
	if i := strings.IndexByte(path, '?'); i >= 0 {
		if query == nil {
			query, _ = url.ParseQuery(path[i+1:])
		}
		path = path[:i]
	}
	parts := splitPath(path)
	if parts == nil {
		return Request{}, false
	}
	var r Request
	switch parts[0] {
	case "api":
		if len(parts) < 2 {
			return Request{Verb: "get", ClusterScoped: true}, true
		}
		r.Version, parts = parts[1], parts[2:]
	case "apis":
		if len(parts) < 3 {
			if len(parts) == 2 && !validGroup(parts[1]) {
				return Request{}, false
			}
			r = Request{Verb: "get", ClusterScoped: true}
			if len(parts) == 2 {
				r.Group = parts[1]
			}
			return r, true
		}
		r.Group, r.Version, parts = parts[1], parts[2], parts[3:]
		if !validGroup(r.Group) {
			return Request{}, false
		}
	default:
		return Request{}, false
	}
	if !validVersion(r.Version) {
		return Request{}, false
	}
	if len(parts) == 0 { // resource discovery for one group version
		r.Verb, r.ClusterScoped = "get", true
		return r, true
	}
	watchPath := false
	switch parts[0] {
	case "watch": // deprecated /watch/ prefix
		watchPath, parts = true, parts[1:]
	case "proxy": // deprecated /proxy/ prefix
		parts = parts[1:]
		r.Subresource = "proxy"
	}
	if len(parts) == 0 {
		return Request{}, false
	}
	if parts[0] == "namespaces" && len(parts) > 1 {
		r.Namespace = parts[1]
		if len(parts) > 2 && !namespaceSubresources[parts[2]] {
			parts = parts[2:]
		}
	}
	r.Resource = parts[0]
	if len(parts) > 1 {
		r.Name = parts[1]
	}
	if len(parts) > 2 && r.Subresource == "" {
		r.Subresource = parts[2]
	}
	r.ClusterScoped = r.Namespace == "" || r.Resource == "namespaces" || clusterScoped[r.Resource]
	r.Verb = verb(method, r, watchPath || isTrue(query.Get("watch")))
	if r.Subresource == "exec" {
		r.ExecCommand = query["command"]
	}
	// The apiserver accepts only dryRun=All; any other value is refused, so it deletes nothing
	// either, but only All is a dry run a client meant.
	r.DryRun = len(query["dryRun"]) > 0 && allValues(query["dryRun"], "All")
	return r, true
}

func verb(method string, r Request, watch bool) string {
	if connectSubresources[r.Subresource] {
		return "connect"
	}
	switch strings.ToUpper(method) {
	case "POST":
		return "create"
	case "PUT":
		return "update"
	case "PATCH":
		return "patch"
	case "DELETE":
		if r.Name == "" {
			return "deletecollection"
		}
		return "delete"
	case "GET", "HEAD", "":
		switch {
		case watch:
			return "watch"
		case r.Name == "":
			return "list"
		default:
			return "get"
		}
	default:
		return strings.ToLower(method)
	}
}

func isTrue(s string) bool { return s == "true" || s == "1" }

func allValues(vs []string, want string) bool {
	for _, v := range vs {
		if v != want {
			return false
		}
	}
	return true
}

// splitPath splits an absolute path into its non-empty, unescaped segments; nil when the path
// is not absolute, has too many segments, or a segment cannot be unescaped.
func splitPath(path string) []string {
	if !strings.HasPrefix(path, "/") {
		return nil
	}
	raw := strings.Split(strings.Trim(path, "/"), "/")
	if len(raw) > maxSegments || raw[0] == "" {
		return nil
	}
	out := raw[:0]
	for _, s := range raw {
		if s == "" {
			continue
		}
		u, err := url.PathUnescape(s)
		if err != nil {
			return nil
		}
		out = append(out, u)
	}
	return out
}

// validVersion accepts v1, v2, v1beta1, v1alpha2 ...: the forms apiserver groups use.
func validVersion(v string) bool {
	if len(v) < 2 || v[0] != 'v' || v[1] < '1' || v[1] > '9' {
		return false
	}
	i := 2
	for i < len(v) && isDigit(v[i]) {
		i++
	}
	if i == len(v) {
		return true
	}
	rest := v[i:]
	for _, p := range []string{"alpha", "beta"} {
		if strings.HasPrefix(rest, p) && len(rest) > len(p) {
			for _, c := range []byte(rest[len(p):]) {
				if !isDigit(c) {
					return false
				}
			}
			return true
		}
	}
	return false
}

// validGroup accepts DNS-subdomain-like group names (apps, rbac.authorization.k8s.io).
func validGroup(g string) bool {
	if g == "" || len(g) > 253 {
		return false
	}
	for _, c := range []byte(g) {
		if !isLowerAlnum(c) && c != '-' && c != '.' {
			return false
		}
	}
	return true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isLowerAlnum(c byte) bool { return c >= 'a' && c <= 'z' || isDigit(c) }
