package inspect

import (
	"strconv"
	"strings"
	"testing"
)

// describedCase is a tool call and what warden must make of it: the text of the action it
// stands for (empty: no action of that kind) and whether that action is destructive.
type describedCase struct {
	tool, args  string
	kind, text  string
	destructive bool
}

func checkDescribed(t *testing.T, tests []describedCase) {
	t.Helper()
	for _, tt := range tests {
		f := Analyze(jsonReq("POST", "tools.corp", "/mcp", mcpCall(tt.tool, tt.args)))
		var found *Action
		for i := range f.Actions {
			a := &f.Actions[i]
			if a.Kind == tt.kind && tt.text != "" && strings.Contains(a.Text, tt.text) {
				found = a
				break
			}
		}
		switch {
		case tt.text == "" && len(destructiveKinds(f)) > 0:
			t.Errorf("%s %s: destructive %v, want none%s", tt.tool, tt.args, destructiveKinds(f), describe(f))
		case tt.text != "" && found == nil:
			t.Errorf("%s %s: no %s action %q%s", tt.tool, tt.args, tt.kind, tt.text, describe(f))
		case found != nil && found.Destructive != tt.destructive:
			t.Errorf("%s %s: %q destructive %v, want %v%s", tt.tool, tt.args, found.Text, found.Destructive, tt.destructive, describe(f))
		case found != nil && found.Name != tt.tool:
			t.Errorf("%s %s: action names tool %q", tt.tool, tt.args, found.Name)
		}
	}
}

// TestDescribedResourceOperations: {"verb": "delete", "kind": "Namespace", "name": "prod"} and
// its spellings are the Kubernetes call they describe (or a REST DELETE judged by shape); reads
// describe nothing, and a generic name (event, job) is Kubernetes only in a Kubernetes context.
func TestDescribedResourceOperations(t *testing.T) {
	checkDescribed(t, []describedCase{
		{"kubernetes", `{"verb":"delete","kind":"Namespace","name":"prod"}`, KindK8s, "DELETE /api/v1/namespaces/prod", true},
		{"k8s_manage", `{"action":"delete","resource":"namespaces","name":"prod"}`, KindK8s, "DELETE /api/v1/namespaces/prod", true},
		{"ops", `{"operation":"delete_resource","apiVersion":"v1","kind":"Namespace","name":"prod"}`, KindK8s, "DELETE /api/v1/namespaces/prod", true},
		{"delete_object", `{"kind":"Namespace","metadata":{"name":"prod"}}`, KindK8s, "DELETE /api/v1/namespaces/prod", true},
		{"kubernetes", `{"verb":"delete","kind":"Pod","namespace":"prod"}`, KindK8s, "DELETE /api/v1/namespaces/prod/pods", true},
		{
			"kube", `{"op":"delete","kind":"Deployment","namespace":"prod","name":"api","apiVersion":"apps/v1"}`, KindK8s,
			"DELETE /apis/apps/v1/namespaces/prod/deployments/api", true,
		},
		{"kubectl", `{"verb":"delete","kind":"secret","name":"db-creds"}`, KindK8s, "DELETE /api/v1/secrets/db-creds", true},
		{"kubernetes", `{"verb":"delete","kind":"Namespace","name":"prod","dryRun":true}`, KindK8s, "DELETE /api/v1/namespaces/prod", false},
		{"kubernetes", `{"verb":"get","kind":"Namespace","name":"prod"}`, "", "", false},
		{"k8s_manage", `{"action":"list","resource":"pods","namespace":"prod"}`, "", "", false},
		{"calendar", `{"action":"delete","type":"event","id":"evt_9"}`, KindREST, "DELETE /events/evt_9", false},
		{"todo", `{"action":"delete","type":"task","id":"123"}`, KindREST, "DELETE /tasks/123", false},
		{"cloud", `{"action":"delete","resource":"database","name":"prod"}`, KindREST, "DELETE /databases/prod", true},
		{"kubectl", `{"command":"delete","resource":"namespace","name":"prod"}`, KindK8s, "DELETE /api/v1/namespaces/prod", true},
		{
			"kubernetes_apply", `{"operation":"delete","manifest":{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"prod"}}}`,
			KindK8s, "DELETE /api/v1/namespaces/prod", true,
		},
		{"mongodb", `{"operation":"dropDatabase","database":"prod"}`, KindREST, "POST /databases/prod/drop", true},
		{"terraform", `{"action":"destroy","resource":"aws_db_instance","name":"prod"}`, KindREST, "POST /instances/prod/destroy", true},
		{"cloud_manager", `{"action":"delete","resource_type":"s3_bucket","resource_id":"prod-backups"}`, KindREST, "DELETE /buckets/prod-backups", true},
		{"shop", `{"action":"remove_item_from_cart","item_id":"sku-1"}`, KindREST, "DELETE /carts", false},
		{"shell", `{"command":"rm -rf /tmp/build"}`, KindREST, "", false},
		{"mongodb", `{"action":"deleteMany","collection":"sessions","filter":{"stale":true}}`, "", "", false},
		{"apps", `{"action":"delete","namespace":"prod","name":"web"}`, "", "", false},
		{"tracker", `{"action":"delete","project":"acme","issue":"42"}`, "", "", false},
		{"deleteRepository", `{"id":"R"}`, "", "", false},
		{"tracker", `{"action":"delete","project":"acme","issue":42}`, "", "", false},
		{"db_admin", `{"action":"delete","database":"prod"}`, KindREST, "DELETE /databases/prod", true},
	})
}

// TestDescribedRemovals: a path on a tool named for removal is rm [-rf] PATH; a tool that does
// not remove, or a name that is not a path, is not.
func TestDescribedRemovals(t *testing.T) {
	checkDescribed(t, []describedCase{
		{"fs_remove", `{"path":"/srv","recursive":true}`, KindShell, "rm -rf -- /srv", true},
		{"filesystem.delete_directory", `{"directory":"/var/lib/postgresql","force":true}`, KindShell, "rm -rf -- /var/lib/postgresql", true},
		{"rm", `{"paths":["~/"],"recursive":true}`, KindShell, "rm -rf -- ~/", true},
		// Every path of a list is judged, not only a first one that looks like a name.
		{"fs_remove", `{"paths":["notes","/srv"],"recursive":true}`, KindShell, "rm -rf -- notes /srv", true},
		{"fs_remove", `{"paths":["/srv",3],"recursive":true}`, KindShell, "rm -rf -- /srv", true},
		{"fs_remove", `{"path":"/tmp/build/out.log"}`, KindShell, "rm -- /tmp/build/out.log", false},
		{"fs_read", `{"path":"/srv/app/config.yaml"}`, "", "", false},
		{"list_directory", `{"path":"/srv","recursive":true}`, "", "", false},
		{"file_manager", `{"operation":"delete","path":"/etc","recursive":true}`, KindShell, "rm -rf -- /etc", true},
		{"file_manager", `{"operation":"delete","path":"/tmp/cache/x.json"}`, KindShell, "rm -- /tmp/cache/x.json", false},
	})
}

// TestDescribedMongoCommands: a MongoDB command document is the runCommand it describes; names
// other documents use (drop) count only in a database tool.
func TestDescribedMongoCommands(t *testing.T) {
	checkDescribed(t, []describedCase{
		{"mongodb.run_command", `{"database":"prod","command":{"dropDatabase":1}}`, KindShell, "dropDatabase: 1", true},
		{"mongo", `{"db":"shop","command":{"drop":"orders"}}`, KindShell, `drop: "orders"`, true},
		{"anything", `{"runCommand":{"dropDatabase":1}}`, KindShell, "dropDatabase: 1", true},
		{"mongodb.run_command", `{"database":"prod","command":{"find":"orders","filter":{}}}`, "", "", false},
		{"notes", `{"drop":"the idea","text":"we may drop it"}`, "", "", false},
		// Database words count whole: feedback holds "db", and says nothing of a database.
		{"submit_feedback", `{"drop":"the onboarding survey","text":"we may drop it"}`, "", "", false},
		{"feedback", `{"shutdown":"too slow","rating":2}`, "", "", false},
		{"cosmosdb_admin", `{"drop":"orders"}`, KindShell, `drop: "orders"`, true},
		{"tools", `{"db_command":{"drop":"orders"}}`, KindShell, `drop: "orders"`, true},
		{"mongodb", `{"action":"deleteMany","collection":"orders","filter":{}}`, KindShell, "deleteMany({})", true},
		{"mongodb", `{"action":"deleteMany","collection":"orders","filter":{"status":"stale"}}`, KindShell, "deleteMany", false},
		// A filter written as text is the mongosh text it says.
		{"mongodb", `{"action":"deleteMany","collection":"orders","filter":"{}"}`, KindShell, "deleteMany({})", true},
		{"mongodb", `{"action":"deleteMany","collection":"orders","filter":"{status: 'stale'}"}`, KindShell, "deleteMany", false},
		{"mongodb", `{"action":"drop","collection":"orders"}`, KindShell, "drop()", true},
	})
}

// TestDescribedCode: a code-interpreter tool's program is read as the interpreter runs it:
// deleting calls, shell-outs and HTTP writes are judged; code that only reads is not, nor code
// handed to a tool that reviews it.
func TestDescribedCode(t *testing.T) {
	checkDescribed(t, []describedCase{
		{"python", `{"code":"import shutil\nshutil.rmtree('/var/lib/postgresql/data')"}`, KindShell, "shutil.rmtree", true},
		// A notebook cell's source as a list of lines, with or without their newlines.
		{"jupyter_execute", `{"source":["import shutil\n","shutil.rmtree('/var/lib/postgresql/data')"]}`, KindShell, "shutil.rmtree", true},
		{"python", `{"code":["import shutil","shutil.rmtree('/srv')"]}`, KindShell, "shutil.rmtree", true},
		{"python", `{"code":["import pandas as pd","print(pd.read_csv('/data/a.csv').head())"]}`, KindShell, "pd.read_csv", false},
		{"execute_code", `{"code":"import subprocess\nsubprocess.run(['rm', '-rf', '/srv/data'], check=True)"}`, KindShell, "subprocess.run", true},
		{"code_interpreter", `{"code":"import os\nos.system('kubectl delete namespace prod')"}`, KindShell, "os.system", true},
		{"run_python", `{"code":"import requests\nrequests.delete('https://api.github.com/repos/acme/infra')"}`, KindGitHub, "DELETE /repos/acme/infra", true},
		{"jupyter.execute", `{"code":"import requests\nrequests.request('DELETE', 'https://api.github.com/repos/acme/infra')"}`, KindGitHub, "DELETE /repos/acme/infra", true},
		{"run_python", `{"code":"import requests\nrequests.delete(base + '/repos/acme/infra')"}`, KindShell, "requests.delete", true},
		{"run_javascript", `{"code":"const fs = require('fs');\nfs.rmSync('/srv/app', { recursive: true });"}`, KindShell, "fs.rmSync", true},
		{"sandbox.run", `{"code":"await fetch('https://api.github.com/repos/acme/infra', {method: 'DELETE'})"}`, KindGitHub, "DELETE /repos/acme/infra", true},
		{"python", `{"code":"import pandas as pd\nprint(pd.read_csv('/data/sales.csv').describe())"}`, KindShell, "pd.read_csv", false},
		{"run_python", `{"code":"import requests\nprint(requests.get('https://api.github.com/repos/acme/infra').json())"}`, KindShell, "requests.get", false},
		{"python", `{"code":"items = [3, 1, 2]\nitems.remove(1)"}`, KindShell, "items.remove", false},
		{"sandbox.run", `{"code":"const r = await fetch('https://api.github.com/repos/acme/infra'); console.log(await r.json())"}`, KindShell, "fetch", false},
		{"code_review", `{"code":"import shutil\nshutil.rmtree(path)"}`, "", "", false},
	})
}

// TestUnreadableCodeIsAmbiguous: a code tool's code argument that is a list but not lines of
// text cannot be judged, so the request is ambiguous rather than passed.
func TestUnreadableCodeIsAmbiguous(t *testing.T) {
	f := Analyze(jsonReq("POST", "tools.corp", "/mcp", mcpCall("python", `{"code":["import shutil",{"x":1},"shutil.rmtree(p)"]}`)))
	if !f.Inspection.Ambiguous {
		t.Errorf("not ambiguous: %+v%s", f.Inspection, describe(f))
	}
	f = Analyze(jsonReq("POST", "tools.corp", "/mcp", mcpCall("python", `{"code":["print(1)"]}`)))
	if f.Inspection.Ambiguous {
		t.Errorf("lines of text made ambiguous: %+v", f.Inspection)
	}
}

// TestTunnelledRequests: a console or proxy endpoint's inner request (Kibana's
// /api/console/proxy?path=...&method=DELETE) is judged as that request; reads through it are not
// destructive, and a proxy that names no target is left alone.
func TestTunnelledRequests(t *testing.T) {
	tests := []struct {
		path, body  string
		text        string
		destructive bool
	}{
		{"/api/console/proxy?path=%2Flogs-*&method=DELETE", "", "DELETE /logs-*", true},
		{"/api/console/proxy?path=/_all&method=DELETE", "", "DELETE /_all", true},
		{"/api/console/proxy?path=%2Forders%2F_delete_by_query&method=POST", `{"query":{"match_all":{}}}`, "POST /orders/_delete_by_query", true},
		{"/forward?url=https%3A%2F%2Fapi.github.com%2Frepos%2Facme%2Finfra&method=DELETE", "", "DELETE /repos/acme/infra", true},
		{"/api/console/proxy?path=%2Forders%2F_delete_by_query&method=POST", `{"query":{"term":{"customer":"c-42"}}}`, "POST /orders/_delete_by_query", false},
		{"/api/console/proxy?path=%2Flogs-*%2F_search&method=GET", `{"query":{"match_all":{}}}`, "", false},
		{"/proxy/health", "", "", false},
		// No method parameter: the forwarding proxy sends the request with its own method.
		{"DELETE /cors-proxy?url=https%3A%2F%2Fapi.github.com%2Frepos%2Facme%2Finfra", "", "DELETE /repos/acme/infra", true},
		{"GET /cors-proxy?url=https%3A%2F%2Fapi.github.com%2Frepos%2Facme%2Finfra", "", "GET /repos/acme/infra", false},
		{"GET /proxy.php?url=https%3A%2F%2Fapi.github.com%2Frepos%2Facme%2Finfra&method=DELETE", "", "DELETE /repos/acme/infra", true},
		// Every value of repeated or alternative parameters is judged (PHP reads the last url).
		{"GET /proxy.php?url=https%3A%2F%2Fexample.com%2Fa.png&url=https%3A%2F%2Fapi.github.com%2Frepos%2Facme%2Finfra&method=DELETE", "", "DELETE /repos/acme/infra", true},
		{"GET /forward?path=%2Fstatus&url=https%3A%2F%2Fapi.github.com%2Frepos%2Facme%2Finfra&method=DELETE", "", "DELETE /repos/acme/infra", true},
		{"GET /forward?url=https%3A%2F%2Fapi.github.com%2Frepos%2Facme%2Finfra&method=GET&method=DELETE", "", "DELETE /repos/acme/infra", true},
		// A scheme in capitals or left out is still another host's URL.
		{"GET /forward?url=HTTPS%3A%2F%2Fapi.github.com%2Frepos%2Facme%2Finfra&method=DELETE", "", "DELETE /repos/acme/infra", true},
		{"GET /forward?url=%2F%2Fapi.github.com%2Frepos%2Facme%2Finfra&method=DELETE", "", "DELETE /repos/acme/infra", true},
	}
	for _, tt := range tests {
		method := "POST"
		if m, p, ok := strings.Cut(tt.path, " "); ok {
			method, tt.path = m, p
		}
		f := Analyze(jsonReq(method, "kibana.corp", tt.path, tt.body))
		var found *Action
		for i := range f.Actions {
			if strings.HasPrefix(f.Actions[i].Source, "request.tunnel") && strings.Contains(f.Actions[i].Text, tt.text) {
				found = &f.Actions[i]
			}
		}
		switch {
		case tt.text == "" && len(destructiveKinds(f)) > 0:
			t.Errorf("%s: destructive %v, want none%s", tt.path, destructiveKinds(f), describe(f))
		case tt.text != "" && found == nil:
			t.Errorf("%s: no tunnelled action %q%s", tt.path, tt.text, describe(f))
		case found != nil && found.Destructive != tt.destructive:
			t.Errorf("%s: %q destructive %v, want %v%s", tt.path, found.Text, found.Destructive, tt.destructive, describe(f))
		}
	}
}

// TestTunnelRouteIsTheLastSegment: a route is a forwarding one when its last segment ends in a
// forwarding word; a resource of a proxy's or a console's own API (/api/proxy-rules/7,
// /console/sessions/42) carries no inner request, whatever its query says.
func TestTunnelRouteIsTheLastSegment(t *testing.T) {
	for _, path := range []string{
		"/api/proxy-rules/7?path=%2Fimages",
		"/api/console/sessions/42?path=%2F",
		"/forwarding/rules/7?target=%2Fbackends%2F2",
	} {
		f := Analyze(jsonReq("DELETE", "gw.example.com", path, ""))
		for _, a := range f.Actions {
			if strings.HasPrefix(a.Source, "request.tunnel") {
				t.Errorf("%s: tunnelled action %q%s", path, a.Text, describe(f))
			}
		}
	}
}

// TestTunnelTooManyTargets: a proxy request naming more inner requests than are judged is
// ambiguous, not judged in part.
func TestTunnelTooManyTargets(t *testing.T) {
	path := "/forward?method=DELETE"
	for i := range 9 {
		path += "&url=https%3A%2F%2Fapi.example.com%2Fitems%2F" + strconv.Itoa(i)
	}
	if f := Analyze(jsonReq("GET", "gw.example.com", path, "")); !f.Inspection.Ambiguous {
		t.Errorf("9 targets not ambiguous: %+v", f.Inspection)
	}
}

// TestNameWords: tool and operation names split into words at punctuation and camelCase.
func TestNameWords(t *testing.T) {
	for in, want := range map[string]string{
		"delete_resource": "delete resource", "deleteNamespace": "delete namespace", "fs.rm": "fs rm",
		"K8sDeleteObject": "k8s delete object", "run-python3": "run python3",
	} {
		if got := strings.Join(nameWords(in), " "); got != want {
			t.Errorf("nameWords(%q) = %q, want %q", in, got, want)
		}
	}
}
