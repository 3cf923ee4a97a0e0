package cloudapi

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/warden-gw/warden/exchange"
)

// GitHubCall is one GitHub REST API call.
type GitHubCall struct {
	Owner string // repository owner or organisation ("" when the route has none)
	Repo  string
	// Operation names what the call does: delete_repo, transfer_repo, make_repo_public,
	// force_update_ref, update_ref, delete_ref, delete_branch_protection,
	// update_branch_protection, delete_release, delete_environment, delete_ruleset, ... and
	// read, create, update, replace or delete for routes without a specific name.
	Operation   string
	Ref         string // the ref or branch the call touches, when it names one
	Destructive bool
	Reason      string
}

// Map returns the call as CEL-friendly values with snake_case keys.
func (c GitHubCall) Map() map[string]any {
	return map[string]any{
		"owner": c.Owner, "repo": c.Repo, "operation": c.Operation, "ref": c.Ref,
		"destructive": c.Destructive, "reason": c.Reason,
	}
}

// ghRoute names a repository route: method, the path below /repos/{owner}/{repo} as segments
// with "*" for one parameter and "**" for the rest of the path.
type ghRoute struct {
	method, pattern, op string
	destructive         bool
}

var ghRepoRoutes = []ghRoute{
	{"DELETE", "", "delete_repo", true},
	{"POST", "transfer", "transfer_repo", true},
	{"DELETE", "git/refs/**", "delete_ref", true},
	{"POST", "git/refs", "create_ref", false},
	{"DELETE", "branches/*/protection/**", "delete_branch_protection", true},
	{"DELETE", "branches/*/protection", "delete_branch_protection", true},
	{"PUT", "branches/*/protection", "update_branch_protection", false},
	{"PUT", "branches/*/protection/**", "update_branch_protection", false},
	{"PATCH", "branches/*/protection/**", "update_branch_protection", false},
	{"POST", "branches/*/rename", "rename_branch", false},
	{"DELETE", "releases/assets/*", "delete_release_asset", true},
	{"DELETE", "releases/*", "delete_release", true},
	{"DELETE", "environments/*", "delete_environment", true},
	{"DELETE", "environments/*/secrets/*", "delete_secret", true},
	{"DELETE", "actions/secrets/*", "delete_secret", true},
	{"DELETE", "rulesets/*", "delete_ruleset", true},
	{"DELETE", "hooks/*", "delete_hook", true},
	{"DELETE", "keys/*", "delete_deploy_key", true},
	{"DELETE", "contents/**", "delete_file", true},
	{"DELETE", "pages", "delete_pages", true},
	{"DELETE", "actions/runs/*", "delete_workflow_run", true},
	{"DELETE", "actions/runs/*/logs", "delete_workflow_logs", true},
	{"DELETE", "actions/artifacts/*", "delete_artifact", true},
	{"DELETE", "tags/protection/*", "delete_tag_protection", true},
	{"DELETE", "collaborators/*", "remove_collaborator", false},
	{"PUT", "pulls/*/merge", "merge_pull", false},
	{"PUT", "contents/**", "update_file", false},
	{"POST", "merges", "merge", false},
}

var ghOtherRoutes = []ghRoute{
	{"DELETE", "orgs/*", "delete_org", true},
	{"DELETE", "orgs/*/rulesets/*", "delete_ruleset", true},
	{"DELETE", "orgs/*/packages/*/*", "delete_package", true},
	{"DELETE", "user/packages/*/*", "delete_package", true},
	{"DELETE", "orgs/*/actions/secrets/*", "delete_secret", true},
	{"DELETE", "orgs/*/hooks/*", "delete_hook", true},
	{"DELETE", "orgs/*/members/*", "remove_member", false},
	{"DELETE", "orgs/*/memberships/*", "remove_member", false},
	{"DELETE", "orgs/*/teams/*", "delete_team", false},
	{"DELETE", "gists/*", "delete_gist", true},
}

// GitHub recognises r as a GitHub REST API call: host api.github.com, or a GitHub Enterprise
// Server path under /api/v3/.
func GitHub(r *exchange.Request) (GitHubCall, bool) {
	path, _, _ := strings.Cut(r.Path, "?")
	switch {
	case hostOnly(r.Authority) == "api.github.com":
	case len(path) >= 8 && strings.EqualFold(path[:8], "/api/v3/"):
		path = path[7:]
	default:
		return GitHubCall{}, false
	}
	segs := strings.Split(strings.Trim(path, "/"), "/")
	if len(segs) > 64 {
		return GitHubCall{}, false
	}
	// GitHub's REST paths are case-insensitive: routes are matched on lower-case segments, and
	// owner and repository keep the spelling of the request.
	lower := make([]string, len(segs))
	for i, s := range segs {
		lower[i] = strings.ToLower(s)
	}
	method := strings.ToUpper(r.Method)
	var c GitHubCall
	routes, rest := ghOtherRoutes, lower
	isRepo := false
	switch {
	case len(segs) >= 3 && lower[0] == "repos":
		isRepo = true
		c.Owner, c.Repo = segs[1], segs[2]
		routes, rest = ghRepoRoutes, lower[3:]
	case len(segs) >= 2 && lower[0] == "repositories": // the /repositories/{id} alias
		isRepo = true
		c.Repo = "id:" + segs[1]
		routes, rest = ghRepoRoutes, lower[2:]
	case len(segs) >= 2 && (lower[0] == "orgs" || lower[0] == "organizations"):
		c.Owner = segs[1]
		lower[0] = "orgs"
	}
	if rt, ok := matchRoute(routes, method, rest); ok {
		c.Operation, c.Destructive = rt.op, rt.destructive
	} else {
		c.Operation = genericOp(method)
	}
	if !isRepo && len(lower) >= 3 && lower[0] == "orgs" && lower[2] == "rulesets" && method != "GET" &&
		weakensProtection(lower[2:], r.Body) {
		c.Operation, c.Destructive = "weaken_protection", true
	}
	if isRepo {
		c.Ref = refOf(segs[len(segs)-len(rest):])
		refineRepoCall(&c, method, rest, r.Body)
	}
	if c.Destructive {
		c.Reason = "GitHub " + c.Operation + " on " + strings.Trim(c.Owner+"/"+c.Repo, "/")
	}
	return c, true
}

// refineRepoCall inspects the body where the operation depends on it: a ref update is forced
// only with "force": true, and a repository update may publish a private repository.
func refineRepoCall(c *GitHubCall, method string, rest []string, body []byte) {
	switch {
	case method == "PATCH" && len(rest) >= 3 && rest[0] == "git" && rest[1] == "refs":
		var b struct {
			Force bool `json:"force"`
		}
		c.Operation = "update_ref"
		if json.Unmarshal(body, &b) == nil && b.Force {
			c.Operation, c.Destructive = "force_update_ref", true
		}
	case (method == "PUT" || method == "PATCH" || method == "POST") && weakensProtection(rest, body):
		c.Operation, c.Destructive = "weaken_protection", true
	case method == "PATCH" && len(rest) == 0:
		var b struct {
			Private    *bool   `json:"private"`
			Visibility *string `json:"visibility"`
			Archived   *bool   `json:"archived"`
		}
		c.Operation = "update_repo"
		if json.Unmarshal(body, &b) != nil {
			return
		}
		switch {
		case b.Private != nil && !*b.Private, b.Visibility != nil && *b.Visibility == "public":
			c.Operation, c.Destructive = "make_repo_public", true
		case b.Archived != nil && *b.Archived:
			c.Operation = "archive_repo"
		}
	}
}

func refOf(rest []string) string {
	switch {
	case len(rest) >= 3 && strings.EqualFold(rest[0], "git") && strings.EqualFold(rest[1], "refs"):
		return strings.Join(rest[2:], "/")
	case len(rest) >= 2 && strings.EqualFold(rest[0], "branches"):
		return "heads/" + rest[1]
	}
	return ""
}

func matchRoute(routes []ghRoute, method string, segs []string) (ghRoute, bool) {
	for _, rt := range routes {
		if rt.method == method && matchPattern(rt.pattern, segs) {
			return rt, true
		}
	}
	return ghRoute{}, false
}

func matchPattern(pattern string, segs []string) bool {
	if pattern == "" {
		return len(segs) == 0
	}
	pat := strings.Split(pattern, "/")
	for i, p := range pat {
		if p == "**" {
			return len(segs) > i
		}
		if i >= len(segs) || (p != "*" && p != segs[i]) || segs[i] == "" {
			return false
		}
	}
	return len(segs) == len(pat)
}

func genericOp(method string) string {
	switch method {
	case "GET", "HEAD":
		return "read"
	case "POST":
		return "create"
	case "PATCH":
		return "update"
	case "PUT":
		return "replace"
	case "DELETE":
		return "delete"
	case "":
		return "unknown"
	}
	return strings.ToLower(method)
}

// weakensProtection reports whether a write to a protection or ruleset route, or to the
// repository itself, switches a safeguard off: branch protection that allows force pushes or
// deletions or needs no approving review, a ruleset that is not enforced, or security analysis
// (secret scanning, push protection) disabled. Such calls block as destructive: they are how a
// force push or deletion is prepared.
func weakensProtection(rest []string, body []byte) bool {
	var b map[string]any
	if json.Unmarshal(bytes.TrimPrefix(body, []byte("\xef\xbb\xbf")), &b) != nil {
		return false
	}
	switch {
	case len(rest) >= 3 && rest[0] == "branches" && rest[2] == "protection",
		len(rest) >= 1 && rest[0] == "rulesets":
		return enabled(b["allow_force_pushes"]) || enabled(b["allow_deletions"]) ||
			b["required_approving_review_count"] == 0.0 ||
			b["enforcement"] == "disabled" || b["enforcement"] == "evaluate"
	case len(rest) == 0:
		sa, _ := b["security_and_analysis"].(map[string]any)
		for _, v := range sa {
			if m, ok := v.(map[string]any); ok && m["status"] == "disabled" {
				return true
			}
		}
	}
	return false
}

// enabled reads a protection switch given as a boolean or as {"enabled": bool}.
func enabled(v any) bool {
	switch t := v.(type) {
	case bool:
		return t
	case map[string]any:
		e, _ := t["enabled"].(bool)
		return e
	}
	return false
}
