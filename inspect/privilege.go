package inspect

import (
	"strconv"
	"strings"

	"github.com/warden-gw/warden/inspect/cloudapi"
)

// Bounds of the privilege walk over a request body: above the bounds of the extractor's walk
// of the same body (maxDepth, maxNodes), which marks the exchange truncated past them.
const (
	maxGrantDepth = maxDepth + 8
	maxGrantNodes = maxNodes + 5000
)

// roleKeys are the body keys that name the role or permission a grant gives (Kubernetes
// roleRef.name, Google's bindings[].role, Azure's roleDefinitionId, GitHub's permission,
// GitLab's access_level, AWS's PolicyArn).
var roleKeys = map[string]bool{
	"role": true, "roles": true, "rolename": true, "roleref": true, "roledefinitionid": true,
	"permission": true, "permissions": true, "accesslevel": true, "policyarn": true, "clusterrole": true,
	"groups": true,
}

// adminRoles are role names and identifiers that grant administration of everything in their
// scope. Matching is on the last path element, case-insensitive.
var adminRoles = map[string]bool{
	"cluster-admin": true, "admin": true, "administrator": true, "owner": true, "owners": true,
	"roles/owner": true, "roles/editor": true, "roles/resourcemanager.organizationadmin": true,
	"roles/iam.securityadmin": true, "roles/iam.serviceaccounttokencreator": true,
	"administratoraccess": true, "iamfullaccess": true, "system:masters": true,
	"superuser": true, "root": true,
	// Azure built-in role definition ids: Owner, Contributor, User Access Administrator.
	"8e3af657-a8ff-443c-a75c-2fe8c4bcb635": true, "b24988ac-6180-42a0-ab88-20f7382dd24c": true,
	"18d7d88d-d35e-4fb5-a5c3-7773c6a09c4f": true,
}

// grantPaths are path segments of APIs that grant roles or permissions.
var grantPaths = []string{
	"bindings", "rolebindings", "clusterrolebindings", "roleassignments", "members", "collaborators",
	"permissions", "grants", "setiampolicy", "iampolicy", "acl", "acls", "access", "invitations",
	"memberships", "policies", "userpolicy", "attachuserpolicy", "attachrolepolicy",
}

// privilegeGrant returns a description of the administrator grant a write request makes (""
// when it makes none): its path is an API that grants roles (grantPaths) and its body names an
// administrator role under a role key, or (Kubernetes) a ClusterRole whose rules allow every
// verb on every resource.
func privilegeGrant(method string, segs []string, body any) string {
	if methodRank(method) == 0 || body == nil {
		return ""
	}
	grantPath := false
	for _, s := range segs {
		l := strings.ToLower(s)
		if i := strings.LastIndexByte(l, ':'); i >= 0 {
			l = l[i+1:]
		}
		for _, g := range grantPaths {
			if l == g {
				grantPath = true
			}
		}
		if l == "clusterroles" || l == "roles" {
			if wildcardRules(body) {
				return "a role that allows every verb on every resource"
			}
		}
	}
	if n := len(segs); n >= 4 && strings.EqualFold(segs[n-1], "keys") && strings.EqualFold(segs[n-4], "repos") {
		// A GitHub deploy key with write access: a key the caller holds may then push (force
		// pushes included, where protection allows).
		if m, ok := body.(map[string]any); ok && m["read_only"] != true { // absent means write
			return "adds a deploy key with write access"
		}
	}
	if !grantPath {
		return ""
	}
	n := 0
	return adminGrant(body, false, 0, &n)
}

// keySeparators are dropped from a key before it is looked up in roleKeys (access_level,
// access-level and accessLevel are one key). Built once: a Replacer per key allocated ~6.7 KB.
var keySeparators = strings.NewReplacer("_", "", "-", "")

// adminGrant walks a body for an administrator role under a role key.
func adminGrant(v any, underRole bool, depth int, n *int) string {
	if *n++; *n > maxGrantNodes || depth > maxGrantDepth {
		return ""
	}
	switch t := v.(type) {
	case string:
		if underRole && isAdminRole(t) {
			return "grants the administrator role " + strconv.Quote(t)
		}
		if n, err := strconv.Atoi(t); err == nil && underRole && n >= 50 && n < 100 { // a form's access_level=50
			return "grants access level " + t + " (owner)"
		}
	case float64:
		if underRole && t >= 50 { // GitLab access_level 50 is Owner
			return "grants access level " + strconv.Itoa(int(t)) + " (owner)"
		}

	case map[string]any:
		for k, val := range t {
			nk := strings.ToLower(keySeparators.Replace(k))
			if b, ok := val.(bool); ok && b && underRole && isAdminRole(k) {
				return "grants the administrator permission " + strconv.Quote(k) // {"permissions": {"admin": true}}
			}
			role := roleKeys[nk] || (underRole && nk == "name")
			if why := adminGrant(val, role, depth+1, n); why != "" {
				return why
			}
		}
	case []any:
		for _, el := range t {
			if why := adminGrant(el, underRole, depth+1, n); why != "" {
				return why
			}
		}
	}
	return ""
}

func isAdminRole(s string) bool {
	l := strings.ToLower(strings.TrimSpace(s))
	if adminRoles[l] {
		return true
	}
	if i := strings.LastIndexByte(l, '/'); i >= 0 && adminRoles[l[i+1:]] {
		return true // arn:aws:iam::aws:policy/AdministratorAccess, .../roleDefinitions/{id}
	}
	return false
}

// wildcardRules reports whether a Role or ClusterRole body has a rule with verbs ["*"] and
// resources ["*"].
func wildcardRules(body any) bool {
	m, _ := body.(map[string]any)
	rules, _ := m["rules"].([]any)
	for _, r := range rules {
		rm, _ := r.(map[string]any)
		if hasStar(rm["verbs"]) && (hasStar(rm["resources"]) || hasStar(rm["nonResourceURLs"])) {
			return true
		}
	}
	return false
}

func hasStar(v any) bool {
	list, _ := v.([]any)
	for _, el := range list {
		if s, ok := el.(string); ok && s == "*" {
			return true
		}
	}
	return false
}

// markPrivilege flags the URL-level actions of a request that grants administrator rights,
// or, when no recogniser knew the URL, adds one: granting admin is held for a human whatever
// the API.
func (f *Facts) markPrivilege(method string, c *canonical) {
	if methodRank(method) == 0 || c.json == nil {
		return
	}
	if m, ok := c.json.(map[string]any); ok && m["jsonrpc"] != nil {
		return // an MCP message: its tool's arguments are judged as arguments
	}
	segs := segments(c.paths[0])
	why := privilegeGrant(method, segs, c.json)
	if why == "" {
		return
	}
	marked := false
	for i := range f.Actions {
		if f.Actions[i].Source == "request.url" {
			f.Actions[i].Escalation = true
			f.Actions[i].Reasons = append(f.Actions[i].Reasons, why)
			marked = true
		}
	}
	if !marked {
		rc := cloudapi.RESTCall{Provider: cloudapi.ProviderAPI, Service: c.host, Operation: "grant", Resource: c.paths[0], Reason: why}
		f.Actions = append(f.Actions, Action{
			Kind: KindREST, Source: "request.url", Text: method + " " + c.paths[0], Escalation: true, Reasons: []string{why}, REST: &rc,
		})
	}
}
