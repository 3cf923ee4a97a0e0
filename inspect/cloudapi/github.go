package cloudapi

import (
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
	case strings.HasPrefix(path, "/api/v3/"):
		path = strings.TrimPrefix(path, "/api/v3")
	default:
		return GitHubCall{}, false
	}
	segs := strings.Split(strings.Trim(path, "/"), "/")
	if len(segs) > 64 {
		return GitHubCall{}, false
	}
	method := strings.ToUpper(r.Method)
	var c GitHubCall
	routes, rest := ghOtherRoutes, segs
	isRepo := len(segs) >= 3 && segs[0] == "repos"
	if isRepo {
		c.Owner, c.Repo = segs[1], segs[2]
		routes, rest = ghRepoRoutes, segs[3:]
	} else if len(segs) >= 2 && segs[0] == "orgs" {
		c.Owner = segs[1]
	}
	if rt, ok := matchRoute(routes, method, rest); ok {
		c.Operation, c.Destructive = rt.op, rt.destructive
	} else {
		c.Operation = genericOp(method)
	}
	if isRepo {
		c.Ref = refOf(rest)
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
	case len(rest) >= 3 && rest[0] == "git" && rest[1] == "refs":
		return strings.Join(rest[2:], "/")
	case len(rest) >= 2 && rest[0] == "branches":
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
