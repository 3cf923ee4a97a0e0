package cloudapi

import (
	"strings"
)

// RESTCall is a call to a cloud or SaaS control plane whose REST API names resources by path:
// Google Cloud (*.googleapis.com), Azure Resource Manager and Azure data planes, PostgREST
// (Supabase), and database and platform control planes (Neon, Argo CD, ...). DELETE and the
// custom methods that destroy (Google's :delete, :destroy, :purge; ARM's /purge) are
// destructive.
type RESTCall struct {
	Provider  string // gcp, azure, postgrest, neon, argocd, ...
	Service   string // compute, sqladmin, storage, Microsoft.Compute, the PostgREST table, ...
	Operation string // delete, destroy, purge, update, create, read, or a custom verb
	Resource  string // the resource path as given
	DryRun    bool   // the request asks only for validation (?validateOnly=true, whatIf)
	// Destructive is true when the call deletes or destroys resources (not in a dry run).
	Destructive bool
	Reason      string
}

// Map returns the call as CEL-friendly values with snake_case keys.
func (c RESTCall) Map() map[string]any {
	return map[string]any{
		"provider": c.Provider, "service": c.Service, "operation": c.Operation, "resource": c.Resource,
		"dry_run": c.DryRun, "destructive": c.Destructive, "reason": c.Reason,
	}
}

// destroyVerbs are custom methods (Google ":verb", ARM "/verb") that delete or destroy.
var destroyVerbs = map[string]bool{
	"delete": true, "destroy": true, "purge": true, "batchdelete": true, "deleteall": true,
	"erase": true, "wipe": true, "undeploy": true, "deletecontents": true,
}

// REST recognises a control-plane REST call from the canonical host (lower case, no port) and
// path segments. mount is the route prefix a gateway put before the API ("gcp", "azure"), or "".
func REST(method, host string, segs []string, query map[string][]string) (RESTCall, bool) {
	c, ok := restProvider(host, segs)
	if !ok {
		return RESTCall{}, false
	}
	method = strings.ToUpper(method)
	c.Operation = genericOp(method)
	c.Resource = "/" + strings.Join(segs, "/")
	if len(segs) > 0 {
		last := segs[len(segs)-1]
		verb := ""
		if i := strings.LastIndexByte(last, ':'); i >= 0 && c.Provider == "gcp" {
			verb = last[i+1:]
		} else if c.Provider == "azure" && method == "POST" {
			verb = last
		}
		if v := strings.ToLower(verb); v != "" && method == "POST" {
			c.Operation = v
		}
	}
	c.DryRun = isDryRun(query) || strings.EqualFold(c.Operation, "whatif")
	if c.Provider == "postgrest" && (method == "DELETE" || method == "PATCH") && !postgrestFiltered(query) {
		c.Operation = "unfiltered_" + c.Operation
		c.Destructive = true
		c.Reason = "PostgREST " + method + " on " + c.Service + " without a row filter changes every row"
	}
	if (method == "DELETE" || destroyVerbs[c.Operation]) && !c.DryRun && c.Provider != "postgrest" {
		c.Destructive = true
		c.Reason = c.Provider + " " + c.Operation + " of " + c.Resource
	}
	if c.Provider == "argocd" && method == "DELETE" && first(query["cascade"]) == "false" {
		c.Destructive, c.Reason = false, ""
	}
	return c, true
}

// restProvider names the provider and service of a host and path.
func restProvider(host string, segs []string) (RESTCall, bool) {
	switch {
	case strings.HasSuffix(host, ".googleapis.com"):
		svc := strings.TrimSuffix(host, ".googleapis.com")
		if svc == "connectgateway" || svc == "generativelanguage" || strings.HasSuffix(svc, "aiplatform") {
			return RESTCall{}, false // Kubernetes and LLM APIs have their own recognisers
		}
		return RESTCall{Provider: "gcp", Service: svc}, true
	case host == "management.azure.com" || strings.HasSuffix(host, ".management.azure.com") ||
		host == "management.usgovcloudapi.net" || host == "management.chinacloudapi.cn":
		return RESTCall{Provider: "azure", Service: armService(segs)}, true
	case azureDataPlane(host):
		return RESTCall{Provider: "azure", Service: strings.SplitN(host, ".", 3)[1]}, true
	case host == "console.neon.tech":
		return RESTCall{Provider: "neon", Service: "control-plane"}, true
	case host == "api.supabase.com" || host == "api.planetscale.com" || host == "api.digitalocean.com" ||
		host == "api.cloudflare.com" || host == "api.vercel.com" || host == "api.heroku.com" ||
		host == "api.render.com" || host == "api.fly.io" || host == "api.linode.com":
		return RESTCall{Provider: strings.Split(host, ".")[1], Service: "control-plane"}, true
	}
	if len(segs) < 2 {
		return RESTCall{}, false
	}
	lower := make([]string, len(segs))
	for i, s := range segs {
		lower[i] = strings.ToLower(s)
	}
	for i := 0; i+1 < len(lower); i++ {
		switch {
		case (lower[i] == "gcp" || lower[i] == "google" || lower[i] == "googleapis") && i+2 < len(lower) &&
			lower[i+2] != "" && (lower[i+2][0] == 'v' || lower[i+1] == "storage"):
			return RESTCall{Provider: "gcp", Service: lower[i+1]}, true
		case (lower[i] == "azure" || lower[i] == "arm") && lower[i+1] == "subscriptions":
			return RESTCall{Provider: "azure", Service: armService(segs[i+1:])}, true
		case lower[i] == "rest" && lower[i+1] == "v1" && i+2 < len(lower):
			return RESTCall{Provider: "postgrest", Service: lower[i+2]}, true
		}
	}
	if strings.Contains(host, "argocd") || strings.Contains(host, "argo-cd") {
		if len(lower) >= 4 && lower[0] == "api" && lower[1] == "v1" && lower[2] == "applications" {
			return RESTCall{Provider: "argocd", Service: "applications"}, true
		}
	}
	return RESTCall{}, false
}

// armService returns the resource provider of an ARM path (Microsoft.Compute), or
// "resourcegroups" / "subscriptions" for the containers themselves.
func armService(segs []string) string {
	for i := 0; i+1 < len(segs); i++ {
		if strings.EqualFold(segs[i], "providers") {
			return segs[i+1]
		}
	}
	for _, s := range segs {
		if strings.EqualFold(s, "resourcegroups") {
			return "resourcegroups"
		}
	}
	return "subscriptions"
}

func azureDataPlane(host string) bool {
	for _, s := range []string{
		".blob.core.windows.net", ".file.core.windows.net", ".queue.core.windows.net",
		".table.core.windows.net", ".dfs.core.windows.net", ".vault.azure.net", ".documents.azure.com",
	} {
		if strings.HasSuffix(host, s) {
			return true
		}
	}
	return false
}

// isDryRun reports the query parameters with which control planes validate without acting.
// Every value of every such parameter must say so: with dryRun=true&dryRun=false the server
// may read the second.
func isDryRun(q map[string][]string) bool {
	seen := false
	for k, vs := range q {
		switch strings.ToLower(k) {
		case "dryrun", "dry_run", "validateonly", "validate_only":
			for _, v := range vs {
				if s := strings.ToLower(v); s != "true" && s != "all" && s != "1" {
					return false
				}
				seen = true
			}
		}
	}
	return seen
}

// postgrestNonFilters are PostgREST query parameters that do not select rows.
var postgrestNonFilters = map[string]bool{
	"select": true, "order": true, "limit": true, "offset": true, "on_conflict": true, "columns": true,
}

// postgrestFiltered reports whether a PostgREST query has a row filter (column=op.value).
func postgrestFiltered(q map[string][]string) bool {
	for k, v := range q {
		if postgrestNonFilters[strings.ToLower(k)] {
			continue
		}
		for _, s := range v {
			if strings.Contains(s, ".") {
				return true
			}
		}
	}
	return false
}

func first(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}
