package inspect

import (
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
