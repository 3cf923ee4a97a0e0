package cloudapi

import (
	"strings"
	"unicode"
)

// ProviderAPI is the provider of a call judged by shape alone: an API warden has no
// recogniser for (a SaaS admin API, an infrastructure control plane behind a gateway route).
const ProviderAPI = "api"

// Operations of calls judged by shape.
const (
	OpDelete       = "delete"        // DELETE on a resource path, or a verb that deletes (POST .../delete)
	OpDestroy      = "destroy"       // a request body that asks for destruction ("is-destroy": true)
	OpBulkDelete   = "bulk_delete"   // a delete-by-filter verb with an empty or match-all filter
	OpScopedDelete = "scoped_delete" // a delete-by-filter verb with a real filter
)

// Shape judges a call to any REST or RPC-over-HTTP API by the shape of the request, for APIs
// no recogniser knows. ok is true only when the shape says the call deletes or destroys:
//   - DELETE on a resource path. It is Destructive when the path names infrastructure or
//     administrative resources (projects, repositories, droplets, databases, clusters,
//     indices, zones, ...), when the host or a route prefix names an infrastructure product
//     (GitLab, Azure DevOps, Terraform, DigitalOcean, Elasticsearch, ...), or when the path
//     selects many resources (a wildcard, _all). Any other DELETE (an application's own
//     DELETE /api/v1/users/42) is an OpDelete that is not marked destructive: a policy may
//     hold it, the default pack lets it pass.
//   - Any other write method whose action segment (the last path segment, a ":verb" or an
//     RPC method such as "files.delete") is a destroy word: delete, destroy, purge, wipe,
//     truncate, drop, flush, terminate, ... Delete-by-filter verbs (deleteMany,
//     _delete_by_query, deleteWhere) are destructive only with an empty or match-all filter
//     in the body ({} / match_all / "*"); with a real filter they are OpScopedDelete.
//   - A write whose JSON body asks for destruction: a true "is-destroy", "destroy", "purge",
//     "delete_all", "force_destroy", ... (Terraform Cloud's destroy runs), unless the body asks
//     only for a plan or a dry run.
//
// Validation-only requests (?dryRun=true, validateOnly, a plan-only body) are DryRun and never
// destructive. body is the decoded JSON body or nil.
func Shape(method, host string, segs []string, query map[string][]string, body any) (RESTCall, bool) {
	method = strings.ToUpper(method)
	c := RESTCall{Provider: ProviderAPI, Service: apiService(host, segs), Resource: "/" + strings.Join(segs, "/")}
	c.DryRun = isDryRun(query) || bodyDryRun(body)
	verb, filtered := actionVerb(segs)
	if verb == "" {
		verb, filtered = bodyAction(body)
	}
	switch {
	case method == "GET" || method == "HEAD" || method == "OPTIONS":
		if !readableDestroy(verb) {
			return RESTCall{}, false
		}
	case method == "DELETE" && len(segs) > 0:
		c.Operation = OpDelete
		if why := infraTarget(host, segs); why != "" && !c.DryRun {
			c.Destructive = true
			c.Reason = "DELETE of " + why + " (" + c.Resource + ")"
		}
		return c, true
	}
	if verb != "" {
		return verbCall(c, method, host, verb, filtered, segs, withQueryFilter(body, query)), true
	}
	if method == "GET" || method == "HEAD" || method == "OPTIONS" {
		return RESTCall{}, false
	}
	if key := destroyFlag(body, 0); key != "" {
		c.Operation = OpDestroy
		if !c.DryRun {
			c.Destructive = true
			c.Reason = "the request body sets \"" + key + "\" (" + c.Resource + ")"
		}
		return c, true
	}
	return RESTCall{}, false
}

// verbCall judges a call whose action is a destroy verb by its scope:
//   - a body that asks for everything (a destroy flag, an empty or match-all filter, or a
//     delete-by-filter verb without a filter) is a bulk delete, always destructive;
//   - a real filter or an explicit list of ids is a scoped delete, destructive only when what
//     it deletes is infrastructure (POST /clusters/delete {"ids": ["prod"]});
//   - otherwise the verb destroys what the path names: destructive when that is
//     infrastructure (as for DELETE) or the verb is a severe one (destroy, purge, wipe,
//     truncate, drop, flush, terminate, ...). A plain delete of an application's own record
//     is an OpDelete that the default pack lets pass, like DELETE.
func verbCall(c RESTCall, method, host, verb string, filtered bool, segs []string, body any) RESTCall {
	f, hasFilter := deleteFilter(body)
	ids := explicitIDs(body)
	switch {
	case destroyFlag(body, 0) != "" || hasFilter && matchAll(f) || filtered && !hasFilter && !ids:
		c.Operation = OpBulkDelete
		c.Reason = method + " " + verb + " (" + c.Resource + ") selecting everything (no filter, an empty or match-all filter, or a delete-all flag)"
	case hasFilter || ids:
		c.Operation = OpScopedDelete
		if !infraNouns[strings.ToLower(verbTarget(segs))] {
			return c
		}
		c.Reason = method + " " + verb + " of infrastructure (" + c.Resource + ")"
	default:
		c.Operation = OpDelete
		why := infraTarget(host, segs)
		if why == "" && !severeVerb(verb) {
			return c
		}
		c.Reason = method + " " + verb + " (" + c.Resource + ")"
	}
	if c.DryRun {
		c.Reason = ""
		return c
	}
	c.Destructive = true
	return c
}

// severeVerb reports an action verb that destroys more than a record: destroy, purge, wipe,
// truncate, drop, flush, terminate, ... (a plain "delete", "erase" or "clear" is not one).
func severeVerb(verb string) bool {
	for _, w := range splitWords(verb) {
		if destroyWords[w] && !mildWords[w] {
			return true
		}
	}
	return false
}

// withQueryFilter adds a filter given in the query string (Elasticsearch's
// _delete_by_query?q=status:stale) to a body that has none, so that it scopes the call.
func withQueryFilter(body any, query map[string][]string) any {
	if _, has := deleteFilter(body); has {
		return body
	}
	for _, k := range []string{"q", "query", "filter", "where"} {
		if v := first(query[k]); v != "" {
			m := map[string]any{k: v}
			if b, ok := body.(map[string]any); ok {
				for bk, bv := range b {
					m[bk] = bv
				}
			}
			return m
		}
	}
	return body
}

// readableDestroy reports verbs that destroy even when sent with GET (Webdis and Upstash serve
// Redis commands as paths: GET /flushall).
func readableDestroy(verb string) bool {
	switch strings.ToLower(verb) {
	case "flushall", "flushdb":
		return true
	}
	return false
}

// bodyAction reads an RPC-style body that names its operation ({"action": "delete", ...},
// {"operation": "purge"}) as the verb.
func bodyAction(body any) (verb string, filtered bool) {
	m, ok := body.(map[string]any)
	if !ok {
		return "", false
	}
	for _, k := range []string{"action", "operation", "op", "verb", "method"} {
		for key, v := range m {
			s, isStr := v.(string)
			if !isStr || !strings.EqualFold(key, k) || len(s) > 64 {
				continue
			}
			if verb, filtered := actionVerb([]string{s}); verb != "" {
				return verb, filtered
			}
		}
	}
	return "", false
}

// explicitIDs reports a body that lists what it deletes: a non-empty ids/keys/names list, or
// an id.
func explicitIDs(body any) bool {
	m, ok := body.(map[string]any)
	if !ok {
		return false
	}
	for k, v := range m {
		switch normKey(k) {
		case "ids", "keys", "names", "documentids", "recordids", "uids":
			if l, ok := v.([]any); ok && len(l) > 0 {
				return true
			}
		case "id", "key", "name", "uid":
			if s, ok := v.(string); ok && s != "" && s != "*" {
				return true
			}
		}
	}
	return false
}

// verbTarget is the resource noun an action verb applies to: the segment before the verb,
// skipping one that looks like an identifier (/projects/42/delete targets projects).
func verbTarget(segs []string) string {
	for i := len(segs) - 2; i >= 0 && i >= len(segs)-3; i-- {
		if s := segs[i]; s != "" && !strings.ContainsAny(s, "0123456789") && strings.ToLower(s) != "actions" &&
			strings.ToLower(s) != "action" {
			return s
		}
	}
	return ""
}

// hostNames reports whether a host names the product w: one of its labels is w ("es",
// "ops"), or, for words longer than three letters, the host contains it ("gitlab.corp",
// "api.digitalocean.com", "mycluster.elastic-cloud.com").
func hostNames(host, w string) bool {
	h := strings.ToLower(host)
	if len(w) > 3 || strings.Contains(w, ".") {
		return strings.Contains(h, w)
	}
	h, _, _ = strings.Cut(h, ":")
	for _, l := range strings.FieldsFunc(h, func(r rune) bool { return r == '.' || r == '-' }) {
		if l == w {
			return true
		}
	}
	return false
}

// destroyWords are the words of an action name that destroy.
var destroyWords = map[string]bool{
	"delete": true, "destroy": true, "purge": true, "wipe": true, "erase": true, "truncate": true,
	"drop": true, "flush": true, "flushall": true, "flushdb": true, "terminate": true, "nuke": true,
	"teardown": true, "decommission": true, "obliterate": true, "deprovision": true, "uninstall": true,
	"empty": true, "clear": true, "deactivate": true, "suspend": true,
}

// mildWords are destroy words that destroy only what they act on: destructive when the target
// is infrastructure (POST /indexes/x/clear, an Okta user's lifecycle/deactivate), not for an
// application's own records or a cache.
var mildWords = map[string]bool{
	"delete": true, "erase": true, "uninstall": true, "empty": true, "clear": true, "deactivate": true,
	"suspend": true,
}

// filterWords mark delete verbs that take a filter: deleteMany, delete_by_query, deleteWhere,
// bulk delete. Their scope is the filter in the body.
var filterWords = map[string]bool{"many": true, "query": true, "where": true, "filter": true, "bulk": true, "matching": true}

// actionVerb returns the action segment of a path when it names a destroy verb, and whether
// that verb deletes by filter.
func actionVerb(segs []string) (verb string, filtered bool) {
	if len(segs) == 0 {
		return "", false
	}
	last := segs[len(segs)-1]
	if i := strings.LastIndexByte(last, ':'); i >= 0 && i+1 < len(last) {
		last = last[i+1:] // Google-style custom method: /resource:delete
	}
	words := splitWords(last)
	destroy := false
	for _, w := range words {
		if destroyWords[w] {
			destroy = true
		}
	}
	if !destroy {
		return "", false
	}
	for _, w := range words {
		if filterWords[w] {
			filtered = true
		}
	}
	return last, filtered
}

// splitWords splits an identifier into lower-case words at separators and camelCase
// boundaries: "_delete_by_query" is [delete by query], "deleteMany" is [delete many],
// "files.delete" is [files delete].
func splitWords(s string) []string {
	var words []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			words = append(words, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	prevLower := false
	for _, r := range s {
		switch {
		case !unicode.IsLetter(r) && !unicode.IsDigit(r):
			flush()
			prevLower = false
			continue
		case unicode.IsUpper(r) && prevLower:
			flush()
		}
		cur = append(cur, r)
		prevLower = unicode.IsLower(r) || unicode.IsDigit(r)
	}
	flush()
	return words
}

// infraNouns are path segments naming infrastructure or administrative resources: a DELETE of
// one of them (or inside one, as /projects/42) removes something an operator cares about.
var infraNouns = map[string]bool{
	"projects": true, "project": true, "repositories": true, "repository": true, "repos": true, "repo": true,
	"droplets": true, "servers": true, "server": true, "instances": true, "instance": true, "vms": true,
	"machines": true, "hosts": true, "nodes": true, "clusters": true, "cluster": true, "databases": true,
	"database": true, "dbs": true, "tables": true, "collections": true, "indices": true, "indexes": true,
	"buckets": true, "bucket": true, "volumes": true, "disks": true, "snapshots": true, "backups": true,
	"zones": true, "zone": true, "dns": true, "records": true, "dns_records": true, "rrsets": true, "domains": true,
	"apps": true, "applications": true, "environments": true, "workspaces": true, "stacks": true,
	"deployments": true, "services": true, "namespaces": true, "secrets": true, "keys": true, "vaults": true,
	"organizations": true, "orgs": true, "tenants": true, "sites": true, "pipelines": true, "registries": true, "functions": true,
	"networks": true, "vpcs": true, "subnets": true, "firewalls": true, "loadbalancers": true,
	"load_balancers": true, "certificates": true, "topics": true, "queues": true, "streams": true,
	"schemas": true, "branches": true, "environments_vars": true, "kubernetes": true, "storage": true,
	"pools": true, "nodepools": true, "node_pools": true, "images": true, "containers": true,
	"spaces": true, "datasets": true, "models": true, "policies": true, "roles": true, "keyspaces": true,
	"dashboards": true, "jobs": true, "job": true, "secret": true, "kv": true, "space": true,
	"manifests": true, "monitors": true, "mounts": true, "engines": true, "schema": true,
	"workflows": true, "tunnels": true, "gateways": true, "routes": true, "releases": true,
	"artifacts": true, "packages": true, "registry": true, "index": true,
	"subscriptions": true, "resourcegroups": true, "droplet": true, "instancegroups": true,
}

// infraHostWords mark a host or route prefix that serves an infrastructure or admin API.
var infraHostWords = []string{
	"gitlab", "dev.azure.com", "visualstudio.com", "terraform", "digitalocean", "linode", "vultr",
	"hetzner", "cloudflare", "heroku", "vercel", "netlify", "render", "fly", "elastic", "opensearch",
	"search", "mongo", "atlas", "redis", "kafka", "confluent", "grafana", "jenkins", "argocd", "vault",
	"consul", "nomad", "rancher", "harbor", "registry", "bitbucket", "gitea", "jfrog", "artifactory",
	"sentry", "datadog", "pagerduty", "okta", "auth0", "snowflake", "databricks", "supabase", "firebase",
	"openstack", "vsphere", "vcenter", "proxmox", "ovh", "scaleway", "oracle", "ibm", "admin", "infra",
	"platform", "ops", "cloud", "es", "elasticsearch", "kibana", "upstash", "pinecone", "qdrant",
	"weaviate", "meilisearch", "typesense", "algolia", "clickhouse", "cockroach", "neon", "planetscale",
	// SaaS admin APIs whose deletions an operator cares about.
	"graph.microsoft.com", "stripe", "slack", "atlassian", "jira", "confluence", "notion", "salesforce",
	"zendesk", "hubspot", "shopify", "twilio", "sendgrid", "mailchimp", "airtable", "asana", "linear",
	"dropbox", "box.com", "zoom", "docusign", "intercom", "segment", "mixpanel", "launchdarkly",
	"firebaseio", "backblaze", "wasabi", "minio", "ceph", "nexus", "sonatype", "quay", "dockerhub",
	"hub.docker.com", "circleci", "travis", "buildkite", "teamcity", "bamboo", "octopus", "spinnaker",
	"opsgenie", "newrelic", "splunk", "sumologic", "logz", "honeycomb", "lightstep", "keycloak",
	"onelogin", "pingidentity", "jumpcloud", "1password", "bitwarden", "doppler", "infisical", "akeyless",
}

// infraTarget says what a DELETE targets when it is infrastructure ("" otherwise).
func infraTarget(host string, segs []string) string {
	for _, s := range segs {
		l := strings.ToLower(s)
		if strings.Contains(l, "*") || l == "_all" {
			return "many resources at once (" + s + ")"
		}
	}
	for _, s := range segs {
		l := strings.ToLower(s)
		if infraNouns[l] || infraNouns[strings.TrimPrefix(l, "_")] {
			return "an infrastructure or administrative resource (" + s + ")"
		}
	}
	for _, w := range infraHostWords {
		if hostNames(host, w) {
			return "a resource of an infrastructure API (" + host + ")"
		}
		for _, s := range segs {
			if strings.EqualFold(s, w) {
				return "a resource of an infrastructure API (/" + s + "/)"
			}
		}
	}
	for i := 0; i+1 < len(segs); i++ {
		// GitLab's REST API (/api/v4/...) and Azure DevOps' (/_apis/...) under any host or prefix.
		if strings.EqualFold(segs[i], "api") && strings.EqualFold(segs[i+1], "v4") || strings.EqualFold(segs[i], "_apis") {
			return "a resource of a source-control admin API (/" + segs[i] + "/)"
		}
	}
	if strings.HasSuffix(host, ":9200") || strings.HasSuffix(host, ":9243") {
		return "a search index"
	}
	return ""
}

// apiService names the API from its route prefix or host.
func apiService(host string, segs []string) string {
	for _, s := range segs {
		l := strings.ToLower(s)
		for _, w := range infraHostWords {
			if l == w {
				return l
			}
		}
	}
	h, _, _ := strings.Cut(host, ":")
	return h
}
