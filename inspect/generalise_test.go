package inspect

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"strings"
	"testing"

	"github.com/warden-gw/warden/exchange"
	"github.com/warden-gw/warden/inspect/llmapi"
)

func mcpCall(tool, args string) string {
	return `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"` + tool + `","arguments":` + args + `}}`
}

// TestDoubleEncodedBody: a body that is JSON encoded as a JSON string (once or several times)
// is judged as the document inside; past the nesting limit the body is marked truncated.
func TestDoubleEncodedBody(t *testing.T) {
	body := `{"sql": "DROP TABLE customers"}`
	for n := 1; n <= maxJSONNest; n++ {
		b, _ := json.Marshal(body)
		body = string(b)
		f := Analyze(jsonReq("POST", "db-gw.corp", "/v1/query", body))
		if kinds := destructiveKinds(f); len(kinds) != 1 || kinds[0] != KindSQL || f.Inspection.Truncated {
			t.Fatalf("encoded %d times: destructive %v truncated %v%s", n, kinds, f.Inspection.Truncated, describe(f))
		}
	}
	b, _ := json.Marshal(body)
	f := Analyze(jsonReq("POST", "db-gw.corp", "/v1/query", string(b)))
	if !f.Inspection.Truncated || !strings.Contains(strings.Join(f.Inspection.Reasons, ";"), "encoded as a JSON string") {
		t.Fatalf("past the limit: truncated=%v reasons=%v", f.Inspection.Truncated, f.Inspection.Reasons)
	}
	f = Analyze(jsonReq("POST", "tools.corp", "/mcp", mcpCall("run", `"{\"cmd\": \"rm -rf /var/lib/postgresql\"}"`)))
	if kinds := destructiveKinds(f); len(kinds) != 1 || kinds[0] != KindShell {
		t.Fatalf("MCP arguments sent as a JSON string: destructive %v%s", kinds, describe(f))
	}
}

// TestDataStoreCommandsInToolArguments: a data store's own commands in any tool argument are
// judged as the CLI that runs them; reads are not destructive.
func TestDataStoreCommandsInToolArguments(t *testing.T) {
	tests := []struct {
		tool, args  string
		destructive bool
	}{
		{"redis", `{"command": "FLUSHALL", "args": ["ASYNC"]}`, true},
		{"cache_admin", `{"cmd": "FLUSHDB"}`, true},
		{"anything", `{"payload": ["FLUSHALL"]}`, true},
		{"mongo_query", `{"query": "db.users.drop()"}`, true},
		{"mongo_query", `{"query": "db.orders.deleteMany({})"}`, true},
		{"redis", `{"command": "GET", "args": ["session:1"]}`, false},
		{"mongo_query", `{"query": "db.users.find({active: true})"}`, false},
		{"notes", `{"text": "FLUSHALL is dangerous, never run it on prod"}`, false},
	}
	for _, tt := range tests {
		f := Analyze(jsonReq("POST", "tools.corp", "/mcp", mcpCall(tt.tool, tt.args)))
		if got := len(destructiveKinds(f)) > 0; got != tt.destructive {
			t.Errorf("%s %s: destructive %v, want %v%s", tt.tool, tt.args, got, tt.destructive, describe(f))
		}
	}
}

// TestAdministratorGrants: a request that grants administrator rights is marked escalation, on
// a known API or any other; a grant of a lesser role is not.
func TestAdministratorGrants(t *testing.T) {
	tests := []struct {
		name   string
		r      *exchange.Request
		escal  bool
		reason string
	}{
		{"cluster-admin binding", jsonReq("POST", "kube.corp:6443", "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings",
			`{"kind":"ClusterRoleBinding","roleRef":{"kind":"ClusterRole","name":"cluster-admin"},"subjects":[{"kind":"ServiceAccount","name":"default","namespace":"t"}]}`), true, "cluster-admin"},
		{"view binding", jsonReq("POST", "kube.corp:6443", "/apis/rbac.authorization.k8s.io/v1/namespaces/p/rolebindings",
			`{"kind":"RoleBinding","roleRef":{"kind":"ClusterRole","name":"view"}}`), false, ""},
		{"wildcard ClusterRole", jsonReq("POST", "kube.corp:6443", "/apis/rbac.authorization.k8s.io/v1/clusterroles",
			`{"kind":"ClusterRole","rules":[{"apiGroups":["*"],"resources":["*"],"verbs":["*"]}]}`), true, "every verb"},
		{"GCP roles/owner", jsonReq("POST", "cloudresourcemanager.googleapis.com", "/v1/projects/p:setIamPolicy",
			`{"policy":{"bindings":[{"role":"roles/owner","members":["user:x@y.com"]}]}}`), true, "roles/owner"},
		{"Azure Owner by id", jsonReq("PUT", "management.azure.com", "/subscriptions/s/providers/Microsoft.Authorization/roleAssignments/a",
			`{"properties":{"roleDefinitionId":"/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635"}}`), true, "8e3af657"},
		{"GitHub admin collaborator", jsonReq("PUT", "api.github.com", "/repos/acme/app/collaborators/bob", `{"permission":"admin"}`), true, "admin"},
		{"GitHub read collaborator", jsonReq("PUT", "api.github.com", "/repos/acme/app/collaborators/bob", `{"permission":"pull"}`), false, ""},
		{"GitLab owner, form body", req("POST", "gitlab.corp", "/api/v4/projects/1/members", "user_id=5&access_level=50",
			"content-type: application/x-www-form-urlencoded"), true, "access level 50"},
		{"GitLab developer", req("POST", "gitlab.corp", "/api/v4/projects/1/members", "user_id=5&access_level=30",
			"content-type: application/x-www-form-urlencoded"), false, ""},
		{"admin as data, not a grant", jsonReq("POST", "app.corp", "/api/tickets", `{"role":"admin","text":"reset my password"}`), false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := Analyze(tt.r)
			got, reasons := false, ""
			for _, a := range f.Actions {
				if a.Escalation {
					got, reasons = true, strings.Join(a.Reasons, "; ")
				}
			}
			if got != tt.escal || !strings.Contains(reasons, tt.reason) {
				t.Fatalf("escalation %v (%s), want %v (%s)%s", got, reasons, tt.escal, tt.reason, describe(f))
			}
		})
	}
}

// TestOllamaToolCalls: Ollama's /api/chat answers with one message whose tool calls carry their
// arguments as a JSON object, buffered or as NDJSON; both are read and judged.
func TestOllamaToolCalls(t *testing.T) {
	msg := `{"model":"llama3.1","message":{"role":"assistant","content":"","tool_calls":[{"function":{"name":"execute","arguments":{"code":"import shutil; shutil.rmtree('/srv/uploads')","language":"python"}}}]},"done":%s}`
	for name, body := range map[string]string{
		"buffered": strings.Replace(msg, "%s", "true", 1),
		"ndjson":   strings.Replace(msg, "%s", "false", 1) + "\n" + `{"model":"llama3.1","message":{"role":"assistant","content":""},"done":true}` + "\n",
	} {
		t.Run(name, func(t *testing.T) {
			f := Analyze(jsonReq("POST", "gpu-box.lan:11434", "/api/chat", `{"model":"llama3.1","messages":[{"role":"user","content":"x"}],"stream":false}`))
			if f.LLM.API != llmapi.APIChatCompletions {
				t.Fatalf("request not read as chat: %+v", f.LLM)
			}
			f.AddResponse(&exchange.Response{Status: 200, Body: []byte(body)})
			if len(f.LLMCalls) != 1 || f.LLMResponseError != "" {
				t.Fatalf("calls %+v, error %q", f.LLMCalls, f.LLMResponseError)
			}
			if kinds := destructiveKinds(f); len(kinds) != 1 || kinds[0] != KindShell {
				t.Fatalf("destructive %v%s", kinds, describe(f))
			}
		})
	}
}

// TestYAMLBodies: a YAML body (kubectl apply, server-side apply) is judged as its JSON twin
// would be; a YAML body that does not parse on an executing endpoint is ambiguous.
func TestYAMLBodies(t *testing.T) {
	crb := "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: agent\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: cluster-admin\nsubjects:\n- kind: ServiceAccount\n  name: default\n  namespace: tools\n"
	f := Analyze(req("PATCH", "kube.corp:6443", "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/agent?fieldManager=kubectl", crb,
		"content-type: application/apply-patch+yaml"))
	escalation := false
	for _, a := range f.Actions {
		escalation = escalation || a.Escalation
	}
	if !escalation {
		t.Fatalf("server-side apply of a cluster-admin binding: no escalation%s", describe(f))
	}
	if _, ok := f.BodyJSON(); ok {
		t.Fatal("a YAML body must not be exposed as a JSON body")
	}
	f = Analyze(req("POST", "runner.corp", "/v1/exec", "command: rm -rf /var/lib/postgresql\n", "content-type: application/yaml"))
	if kinds := destructiveKinds(f); len(kinds) != 1 || kinds[0] != KindShell {
		t.Fatalf("YAML command: destructive %v%s", kinds, describe(f))
	}
	f = Analyze(req("POST", "runner.corp", "/v1/exec", "command: [unclosed\n", "content-type: application/yaml"))
	if !f.Inspection.Ambiguous {
		t.Fatal("unparsable YAML not marked ambiguous")
	}
}

// TestContentEncoding: a compressed body is read as the server will read it; one warden
// cannot decode is not read as plain bytes but reported.
func TestContentEncoding(t *testing.T) {
	var gz bytes.Buffer
	w := gzip.NewWriter(&gz)
	_, _ = w.Write([]byte(`{"command": "rm -rf /var/lib/postgresql"}`))
	_ = w.Close()
	r := req("POST", "runner.corp", "/v1/exec", gz.String(), "content-type: application/json", "content-encoding: gzip")
	if kinds := destructiveKinds(Analyze(r)); len(kinds) != 1 || kinds[0] != KindShell {
		t.Fatalf("gzip body: destructive %v", kinds)
	}
	f := Analyze(req("POST", "runner.corp", "/v1/exec", "not gzip", "content-type: application/json", "content-encoding: gzip"))
	if !f.Inspection.Ambiguous || !f.Inspection.Executing {
		t.Fatalf("undecodable body: %+v", f.Inspection)
	}
	f = Analyze(req("POST", "runner.corp", "/v1/exec", "xx", "content-type: application/json", "content-encoding: compress"))
	if !f.Inspection.Ambiguous {
		t.Fatalf("unknown encoding: %+v", f.Inspection)
	}
}

// TestNDJSONBodies: every line of a newline-delimited JSON body is judged.
func TestNDJSONBodies(t *testing.T) {
	body := "{\"command\": \"ls -la\"}\n{\"command\": \"rm -rf /var/lib/postgresql\"}\n"
	f := Analyze(req("POST", "runner.corp", "/v1/exec", body, "content-type: application/x-ndjson"))
	if kinds := destructiveKinds(f); len(kinds) != 1 || kinds[0] != KindShell {
		t.Fatalf("second line not judged: %v%s", kinds, describe(f))
	}
	f = Analyze(req("POST", "runner.corp", "/v1/exec", "{\"command\": \"ls\"}\n{broken\n", "content-type: application/x-ndjson"))
	if !f.Inspection.Ambiguous {
		t.Fatalf("a broken line: %+v", f.Inspection)
	}
}

// TestKubernetesBodiesAndProxies: a workload patched to zero replicas is destructive (as
// kubectl scale --replicas=0 is); a request sent through the API server's service proxy is
// judged as the request the proxy forwards.
func TestKubernetesBodiesAndProxies(t *testing.T) {
	scale := func(n string) *exchange.Request {
		return req("PATCH", "k8s.corp:6443", "/apis/apps/v1/namespaces/prod/deployments/api/scale",
			`{"spec":{"replicas":`+n+`}}`, "content-type: application/merge-patch+json")
	}
	if kinds := destructiveKinds(Analyze(scale("0"))); len(kinds) != 1 || kinds[0] != KindK8s {
		t.Fatalf("scale to zero: destructive %v", kinds)
	}
	if kinds := destructiveKinds(Analyze(scale("3"))); len(kinds) != 0 {
		t.Fatalf("scale to three: destructive %v", kinds)
	}
	f := Analyze(req("DELETE", "k8s.corp:6443", "/api/v1/namespaces/es/services/es:9200/proxy/orders-*", ""))
	found := false
	for _, a := range f.Actions {
		found = found || a.Destructive && strings.HasPrefix(a.Source, "k8s.proxy.")
	}
	if !found {
		t.Fatalf("proxied DELETE of every index not judged%s", describe(f))
	}
	f = Analyze(req("GET", "k8s.corp:6443", "/api/v1/namespaces/es/services/es:9200/proxy/_cat/indices", ""))
	if kinds := destructiveKinds(f); len(kinds) != 0 {
		t.Fatalf("proxied GET: destructive %v", kinds)
	}
}

// TestRequestsInToolArguments: GraphQL mutations, curl command lines and Postman-style request
// objects in tool arguments are judged as the requests they describe.
func TestRequestsInToolArguments(t *testing.T) {
	tests := []struct {
		name, tool, args string
		kind             string // the destructive kind expected, "" for none
	}{
		{"GraphQL mutation", "github_graphql", `{"query": "mutation { deleteRepository(input: {repositoryId: \"R\"}) { clientMutationId } }"}`, KindGraphQL},
		{"GraphQL query", "github_graphql", `{"query": "query { viewer { login } }"}`, ""},
		{"curl DELETE under any key", "http", `{"curl": "curl -X DELETE https://api.github.com/repos/acme/app"}`, KindGitHub},
		{"curl GET", "http", `{"curl": "curl -s https://api.github.com/repos/acme/app"}`, ""},
		{"Postman url object", "api_call", `{"request": {"method": "DELETE", "url": {"raw": "https://api.github.com/repos/acme/app"}}}`, KindGitHub},
		{"axios baseURL and a relative url", "http", `{"method": "DELETE", "baseURL": "https://api.github.com", "url": "/repos/acme/app"}`, KindGitHub},
		{"method in the tool name", "requests_delete", `{"url": "https://gitlab.corp/api/v4/projects/12"}`, KindREST},
		{"kubectl args of a k8s tool", "k8s", `{"args": ["delete", "namespace", "prod"]}`, KindShell},
		{"kubectl read of a k8s tool", "k8s", `{"args": ["get", "pods", "-n", "prod"]}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := Analyze(jsonReq("POST", "tools.corp", "/mcp", mcpCall(tt.tool, tt.args)))
			kinds := destructiveKinds(f)
			if tt.kind == "" && len(kinds) != 0 || tt.kind != "" && (len(kinds) == 0 || kinds[0] != tt.kind) {
				t.Fatalf("destructive %v, want %q%s", kinds, tt.kind, describe(f))
			}
		})
	}
}

// TestPlainTextSQLAnywhere: a plain-text body that is SQL by itself is judged on any endpoint
// (a database's HTTP port warden has no name for); prose is not.
func TestPlainTextSQLAnywhere(t *testing.T) {
	f := Analyze(req("POST", "ch.corp:8443", "/?database=default", "ALTER TABLE events DELETE WHERE 1", "content-type: text/plain"))
	if kinds := destructiveKinds(f); len(kinds) != 1 || kinds[0] != KindSQL {
		t.Fatalf("SQL text: destructive %v%s", kinds, describe(f))
	}
	f = Analyze(req("POST", "notes.corp", "/api/notes", "Delete from my list the things I already did", "content-type: text/plain"))
	if len(f.Actions) != 0 {
		t.Fatalf("prose read as an action%s", describe(f))
	}
}

// TestXMLBodies: every string of an XML body (a SOAP call, a REST-XML API) is judged as a
// JSON body's would be; XML that does not parse is ambiguous.
func TestXMLBodies(t *testing.T) {
	soap := `<?xml version="1.0"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>` +
		`<ExecuteSql><sql>DROP TABLE customers</sql></ExecuteSql></soap:Body></soap:Envelope>`
	f := Analyze(req("POST", "db-gw.corp", "/soap/query", soap, "content-type: text/xml"))
	if kinds := destructiveKinds(f); len(kinds) != 1 || kinds[0] != KindSQL {
		t.Fatalf("SOAP SQL: destructive %v%s", kinds, describe(f))
	}
	f = Analyze(req("POST", "db-gw.corp", "/soap/query", strings.Replace(soap, "DROP TABLE customers", "SELECT 1", 1), "content-type: text/xml"))
	if kinds := destructiveKinds(f); len(kinds) != 0 {
		t.Fatalf("SOAP SELECT: destructive %v", kinds)
	}
	f = Analyze(req("POST", "runner.corp", "/v1/exec", "<cmd>rm -rf /srv", "content-type: application/xml"))
	if !f.Inspection.Ambiguous {
		t.Fatalf("broken XML: %+v", f.Inspection)
	}
}

// TestObfuscatedCommandsInToolArguments: a tool argument under any key whose first word is a
// program once quoting is undone, a script fed to an interpreter's stdin, or a computed program
// is judged (destructive) or kept for the pack to hold (dynamic).
func TestObfuscatedCommandsInToolArguments(t *testing.T) {
	for _, cmd := range []string{
		`r\m -rf /srv/data`, `'r''m' -rf /srv/data`, `$'\x72\x6d' -rf /srv/data`,
		"python3 - <<'EOF'\nimport shutil\nshutil.rmtree('/srv')\nEOF",
	} {
		args, _ := json.Marshal(map[string]string{"input": cmd})
		f := Analyze(jsonReq("POST", "tools.corp", "/mcp", mcpCall("terminal", string(args))))
		if kinds := destructiveKinds(f); len(kinds) == 0 {
			t.Errorf("%q not destructive%s", cmd, describe(f))
		}
	}
	args, _ := json.Marshal(map[string]string{"input": "IFS=,; cmd=rm,-rf,/srv; $cmd"})
	f := Analyze(jsonReq("POST", "tools.corp", "/mcp", mcpCall("terminal", string(args))))
	if len(f.Actions) != 1 || f.Actions[0].Shell == nil || !f.Actions[0].Shell.Commands[0].Dynamic {
		t.Fatalf("computed program not kept as a dynamic command%s", describe(f))
	}
	args, _ = json.Marshal(map[string]string{"input": "'hello' said the tool"})
	if f := Analyze(jsonReq("POST", "tools.corp", "/mcp", mcpCall("terminal", string(args)))); len(f.Actions) != 0 {
		t.Fatalf("prose kept as an action%s", describe(f))
	}
}
