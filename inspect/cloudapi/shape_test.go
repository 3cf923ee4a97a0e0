package cloudapi

import (
	"encoding/json"
	"strings"
	"testing"
)

func splitPath(p string) []string {
	p = strings.Trim(p, "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}

func jsonBody(t testing.TB, s string) any {
	t.Helper()
	if s == "" {
		return nil
	}
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("body %s: %v", s, err)
	}
	return v
}

// TestShape: any API is judged by the shape of its request. Each destructive case names the
// class it stands for; each benign twin keeps the endpoint and changes the intent.
func TestShape(t *testing.T) {
	tests := []struct {
		name, method, host, path, body string
		destructive                    bool
		op                             string // "" when Shape must not report a call
	}{
		// DELETE of an infrastructure resource, whatever the API.
		{"GitLab project", "DELETE", "gitlab.corp", "/api/v4/projects/1842", "", true, OpDelete},
		{"GitLab path under any host", "DELETE", "scm.corp", "/api/v4/groups/12", "", true, OpDelete},
		{"Azure DevOps repository", "DELETE", "dev.azure.com", "/acme/p/_apis/git/repositories/6d0f", "", true, OpDelete},
		{"droplet behind a gateway prefix", "DELETE", "gw.corp", "/digitalocean/v2/droplets/3812", "", true, OpDelete},
		{"search index by port", "DELETE", "es.corp:9200", "/orders-2026", "", true, OpDelete},
		{"wildcard selects many", "DELETE", "app.corp", "/data/logs-*", "", true, OpDelete},
		{"dry run", "DELETE", "gitlab.corp", "/api/v4/projects/1842?dryRun=true", "", false, OpDelete},
		{"application record", "DELETE", "app.example", "/api/v1/users/42", "", false, OpDelete},
		// Destroy verbs.
		{"delete by query, match_all", "POST", "search.corp:9200", "/orders/_delete_by_query", `{"query": {"match_all": {}}}`, true, OpBulkDelete},
		{"delete by query, no body", "POST", "search.corp:9200", "/orders/_delete_by_query", "", true, OpBulkDelete},
		{"delete by query, real filter", "POST", "search.corp:9200", "/logs/_delete_by_query", `{"query": {"range": {"ts": {"lt": "now-90d"}}}}`, false, OpScopedDelete},
		{"delete by query, q=* in the query", "POST", "search.corp:9200", "/orders/_delete_by_query?q=*", "", true, OpBulkDelete},
		{"delete by query, q= filter in the query", "POST", "search.corp:9200", "/orders/_delete_by_query?q=status:stale", "", false, OpScopedDelete},
		{"deleteMany, empty filter", "POST", "data.mongodb-api.com", "/app/a/endpoint/data/v1/action/deleteMany", `{"collection": "c", "filter": {}}`, true, OpBulkDelete},
		{"deleteMany, real filter", "POST", "data.mongodb-api.com", "/app/a/endpoint/data/v1/action/deleteMany", `{"collection": "c", "filter": {"status": "stale"}}`, false, OpScopedDelete},
		{"delete with deleteAll flag", "POST", "idx.svc.pinecone.io", "/vectors/delete", `{"deleteAll": true}`, true, OpBulkDelete},
		{"delete by ids", "POST", "idx.svc.pinecone.io", "/vectors/delete", `{"ids": ["a", "b"]}`, false, OpScopedDelete},
		{"infrastructure by ids", "POST", "api.corp", "/v1/clusters/delete", `{"ids": ["prod"]}`, true, OpScopedDelete},
		{"Google-style custom verb", "POST", "api.corp", "/v1/stacks/s1:destroy", "", true, OpDelete},
		{"Terraform Cloud safe-delete", "POST", "app.terraform.io", "/api/v2/workspaces/ws-1/actions/safe-delete", "", true, OpDelete},
		{"Jenkins doDelete", "POST", "ci.corp", "/job/deploy/doDelete", "", true, OpDelete},
		{"RPC action in the body", "POST", "admin.corp", "/api/rpc", `{"action": "purge", "target": "caches"}`, true, OpDelete},
		{"GET /flushall (Webdis, Upstash)", "GET", "x.upstash.io", "/flushall", "", true, OpDelete},
		{"plain record delete verb", "POST", "app.example", "/api/notes/5/delete", "", false, OpDelete},
		// Bodies that ask for destruction.
		{"Terraform Cloud destroy run", "POST", "app.terraform.io", "/api/v2/runs", `{"data": {"attributes": {"is-destroy": true}}}`, true, OpDestroy},
		{"destroy plan only", "POST", "app.terraform.io", "/api/v2/runs", `{"data": {"attributes": {"is-destroy": true, "plan-only": true}}}`, false, OpDestroy},
		{"ordinary run", "POST", "app.terraform.io", "/api/v2/runs", `{"data": {"attributes": {"is-destroy": false}}}`, false, ""},
		// Reads are not calls Shape reports.
		{"GET a project", "GET", "gitlab.corp", "/api/v4/projects/1842", "", false, ""},
		{"search", "POST", "search.corp:9200", "/orders/_search", `{"query": {"term": {"status": "deleted"}}}`, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, q, _ := strings.Cut(tt.path, "?")
			query := map[string][]string{}
			if k, v, ok := strings.Cut(q, "="); ok {
				query[k] = []string{v}
			}
			c, ok := Shape(tt.method, tt.host, splitPath(p), query, jsonBody(t, tt.body))
			if tt.op == "" {
				if ok {
					t.Fatalf("reported %+v, want no call", c)
				}
				return
			}
			if !ok || c.Operation != tt.op || c.Destructive != tt.destructive {
				t.Fatalf("got ok=%v %+v, want operation %s destructive=%v", ok, c, tt.op, tt.destructive)
			}
			if c.Destructive && c.Reason == "" {
				t.Error("a destructive call without a reason")
			}
		})
	}
}

func TestSplitWords(t *testing.T) {
	for in, want := range map[string]string{
		"_delete_by_query": "delete by query", "deleteMany": "delete many", "files.delete": "files delete",
		"safe-delete": "safe delete", "doDelete": "do delete", "FLUSHALL": "flushall",
	} {
		if got := strings.Join(splitWords(in), " "); got != want {
			t.Errorf("splitWords(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzShape: any request shape is judged without panicking, and a destructive call always
// says why.
func FuzzShape(f *testing.F) {
	f.Add("DELETE", "gitlab.corp", "/api/v4/projects/1", "")
	f.Add("POST", "es:9200", "/x/_delete_by_query", `{"query":{"bool":{"must":[{"match_all":{}}]}}}`)
	f.Add("POST", "app.terraform.io", "/api/v2/runs", `{"data":{"attributes":{"is-destroy":"true"}}}`)
	f.Add("POST", "h", "/v1/a:purge", `[[[[{"deleteAll":true}]]]]`)
	f.Fuzz(func(t *testing.T, method, host, path, body string) {
		var v any
		_ = json.Unmarshal([]byte(body), &v)
		c, ok := Shape(method, host, splitPath(path), nil, v)
		if ok && c.Destructive && c.Reason == "" {
			t.Fatalf("destructive without a reason: %+v", c)
		}
	})
}
