package inspect

import (
	"strings"
	"testing"

	"github.com/warden-gw/warden/exchange"
)

// req builds a request with headers given as "name: value" strings.
func req(method, authority, path, body string, headers ...string) *exchange.Request {
	r := &exchange.Request{
		Method: method, Scheme: "https", Authority: authority, Path: path, Body: []byte(body),
		BodySeen: body != "",
	}
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ":")
		r.Headers = append(r.Headers, exchange.Header{Key: strings.ToLower(k), Value: strings.TrimSpace(v)})
	}
	return r
}

// destructiveKinds returns the kinds of the destructive actions found.
func destructiveKinds(f *Facts) []string {
	var out []string
	for _, a := range f.Actions {
		if a.Destructive {
			out = append(out, a.Kind)
		}
	}
	return out
}

// TestCanonicalRecognition: each spelling of a destructive call is recognised as destructive,
// and its benign twin is not.
func TestCanonicalRecognition(t *testing.T) {
	cases := []struct {
		name     string
		r        *exchange.Request
		wantKind string // "" when nothing destructive may be found
	}{
		{"k8s under /k8s/", req("DELETE", "gw.internal", "/k8s/api/v1/namespaces/prod", ""), KindK8s},
		{"k8s under Rancher", req("DELETE", "rancher.example", "/k8s/clusters/c-m-1/api/v1/namespaces/prod", ""), KindK8s},
		{"k8s under GKE Connect", req("DELETE", "connectgateway.googleapis.com",
			"/v1/projects/1/locations/global/gkeMemberships/m/api/v1/namespaces/db/persistentvolumeclaims/data", ""), KindK8s},
		{"k8s read under /k8s/", req("GET", "gw.internal", "/k8s/api/v1/namespaces/prod", ""), ""},
		{"k8s dry run", req("DELETE", "gw.internal", "/k8s/api/v1/namespaces/prod?dryRun=All", ""), ""},
		{"app route that is not Kubernetes", req("DELETE", "app.internal", "/tenant/api/v1/users/5", ""), ""},
		{"k8s content type only", req("DELETE", "10.0.0.5", "/proxy/api/v1/widgets/x", "",
			"content-type: application/vnd.kubernetes.protobuf"), KindK8s},
		{"method override header", req("POST", "k8s.internal:6443", "/api/v1/namespaces/prod", "",
			"X-HTTP-Method-Override: DELETE"), KindK8s},
		{"_method query", req("POST", "api.github.com", "/repos/acme/app?_method=DELETE", ""), KindGitHub},
		{"_method form field", req("POST", "api.github.com", "/repos/acme/app", "_method=delete",
			"content-type: application/x-www-form-urlencoded"), KindGitHub},
		{"_method multipart field", req("POST", "api.github.com", "/repos/acme/app",
			"--b\r\nContent-Disposition: form-data; name=\"_method\"\r\n\r\nDELETE\r\n--b--\r\n",
			"content-type: multipart/form-data; boundary=b"), KindGitHub},
		{"override to a read is still judged as the worst", req("DELETE", "api.github.com", "/repos/acme/app", "",
			"X-HTTP-Method-Override: GET"), KindGitHub},
		{"percent-encoded slash", req("DELETE", "k8s.internal:6443", "/api/v1/namespaces%2Fprod", ""), KindK8s},
		{"double-encoded slash", req("DELETE", "k8s.internal:6443", "/api/v1/namespaces%252Fprod", ""), KindK8s},
		{"duplicate slashes and dot segments", req("DELETE", "k8s.internal:6443", "//api/./v1/pods/../namespaces/prod", ""), KindK8s},
		{"encoded dot segments", req("DELETE", "api.github.com", "/repos/acme/app/issues/%2e%2e", ""), KindGitHub},
		{"GitHub host case and trailing dot", req("DELETE", "API.GitHub.com.:443", "/repos/acme/app", ""), KindGitHub},
		{"GitHub path case", req("DELETE", "api.github.com", "/REPOS/acme/app", ""), KindGitHub},
		{"GitHub /repositories/{id}", req("DELETE", "api.github.com", "/repositories/123456", ""), KindGitHub},
		{"GitHub under /github/", req("DELETE", "gw.internal", "/github/repos/acme/app", ""), KindGitHub},
		{"GitHub by its headers", req("DELETE", "gw.internal", "/scm/repos/acme/app", "",
			"X-GitHub-Api-Version: 2022-11-28"), KindGitHub},
		{"GitHub read by its headers", req("GET", "gw.internal", "/scm/repos/acme/app", "",
			"Accept: application/vnd.github+json"), ""},
		{"GitHub protection allowing force pushes", req("PUT", "api.github.com", "/repos/acme/app/branches/main/protection",
			`{"allow_force_pushes": true, "required_status_checks": null}`, "content-type: application/json"), KindGitHub},
		{"GitHub protection kept strict", req("PUT", "api.github.com", "/repos/acme/app/branches/main/protection",
			`{"allow_force_pushes": false, "allow_deletions": false}`, "content-type: application/json"), ""},
		{"GitHub ruleset disabled", req("PUT", "api.github.com", "/repos/acme/app/rulesets/7",
			`{"enforcement": "disabled"}`, "content-type: application/json"), KindGitHub},
		{"AWS by SigV4 scope behind a gateway", req("POST", "aws-gw.internal", "/ec2/",
			"Action=TerminateInstances&InstanceId.1=i-1&Version=2016-11-15",
			"content-type: application/x-www-form-urlencoded",
			"authorization: AWS4-HMAC-SHA256 Credential=AKID/20250101/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=x"), KindAWS},
		{"AWS dry run", req("POST", "ec2.us-east-1.amazonaws.com", "/",
			"Action=TerminateInstances&InstanceId.1=i-1&DryRun=true&Version=2016-11-15",
			"content-type: application/x-www-form-urlencoded"), ""},
		{"GCP delete", req("DELETE", "compute.googleapis.com", "/compute/v1/projects/p/zones/z/instances/vm", ""), KindREST},
		{"GCP custom destroy verb", req("POST", "cloudkms.googleapis.com",
			"/v1/projects/p/locations/global/keyRings/r/cryptoKeys/k/cryptoKeyVersions/1:destroy", "{}",
			"content-type: application/json"), KindREST},
		{"GCP under /gcp/", req("DELETE", "gw.internal", "/gcp/compute/v1/projects/p/zones/z/disks/d", ""), KindREST},
		{"Azure ARM upper case", req("DELETE", "management.azure.com", "/SUBSCRIPTIONS/s/RESOURCEGROUPS/rg?api-version=1", ""), KindREST},
		{"Azure whatIf", req("POST", "management.azure.com",
			"/subscriptions/s/resourcegroups/rg/providers/Microsoft.Resources/deployments/d/whatIf?api-version=1", "{}",
			"content-type: application/json"), ""},
		{"PostgREST unfiltered delete", req("DELETE", "db.example", "/rest/v1/orders", ""), KindREST},
		{"PostgREST filtered delete", req("DELETE", "db.example", "/rest/v1/orders?id=eq.5", ""), ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := Analyze(tc.r)
			got := destructiveKinds(f)
			switch {
			case tc.wantKind == "" && len(got) > 0:
				t.Errorf("destructive %v found in a benign request: %+v", got, f.Actions)
			case tc.wantKind != "" && (len(got) == 0 || got[0] != tc.wantKind):
				t.Errorf("destructive kinds %v, want %s; actions %+v", got, tc.wantKind, f.Actions)
			}
		})
	}
}

// TestBodyCanonicalForms: every spelling of a body carries its statement or command to the
// extractor.
func TestBodyCanonicalForms(t *testing.T) {
	const sqlURL = "db-gateway.internal"
	cases := []struct {
		name, ct, body string
		want           bool // a destructive action is found
	}{
		{"UTF-8 BOM", "application/json", "\ufeff" + `{"sql": "DROP TABLE users"}`, true},
		{"duplicate key, destructive first", "application/json", `{"sql": "DROP TABLE users", "sql": "SELECT 1"}`, true},
		{"duplicate key, destructive last", "application/json", `{"sql": "SELECT 1", "sql": "DROP TABLE users"}`, true},
		{"duplicate key with a \\u escape", "application/json", `{"sql": "DROP TABLE users", "sql": "SELECT '\u00e9'"}`, true},
		{"JSON in a JSON string", "application/json", `{"job": "{\"sql\": \"DROP TABLE users\"}"}`, true},
		{"JSON in JSON in JSON", "application/json", `{"job": "{\"inner\": \"{\\\"sql\\\": \\\"DROP TABLE users\\\"}\"}"}`, true},
		{"top-level array", "application/json", `[{"sql": "SELECT 1"}, {"sql": "DROP TABLE users"}]`, true},
		{"top-level array of strings", "application/json", `["SELECT 1", "DROP TABLE users"]`, true},
		{"any key", "application/json", `{"payload": {"text": "TRUNCATE TABLE orders"}}`, true},
		{"form field", "application/x-www-form-urlencoded", "q=DROP+TABLE+users", true},
		{"repeated form field", "application/x-www-form-urlencoded", "sql=SELECT+1&sql=DROP+TABLE+users", true},
		{
			"multipart field", "multipart/form-data; boundary=x",
			"--x\r\nContent-Disposition: form-data; name=\"statement\"\r\n\r\nDROP TABLE users\r\n--x--\r\n", true,
		},
		{"plain text SQL", "text/plain", "DROP TABLE users", true},
		{"benign any key", "application/json", `{"payload": {"text": "SELECT id FROM users WHERE id = 1"}}`, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := Analyze(req("POST", sqlURL, "/v1/query", tc.body, "content-type: "+tc.ct))
			if got := len(destructiveKinds(f)) > 0; got != tc.want {
				t.Errorf("destructive = %v, want %v; actions %+v", got, tc.want, f.Actions)
			}
		})
	}
}

// TestCandidatesNeedContext: a destructive-looking string outside an executing context is not
// an action, and the same string in a tool call is.
func TestCandidatesNeedContext(t *testing.T) {
	todo := Analyze(req("POST", "todo.internal", "/v1/items", `{"title": "delete from the list"}`, "content-type: application/json"))
	if len(todo.Actions) != 0 {
		t.Errorf("prose that parses as SQL became an action outside a SQL context: %+v", todo.Actions)
	}
	chat := Analyze(req("POST", "chat.internal", "/v1/messages/post", `{"text": "rm -rf /"}`, "content-type: application/json"))
	if len(chat.Actions) != 0 {
		t.Errorf("a chat message quoting rm -rf became an action: %+v", chat.Actions)
	}
	mcp := Analyze(req("POST", "mcp.internal", "/mcp",
		`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"do_it","arguments":{"payload":{"line":"rm -rf /srv"}}}}`,
		"content-type: application/json"))
	if len(destructiveKinds(mcp)) == 0 {
		t.Errorf("rm -rf under an arbitrary key of a tool call was not found: %+v", mcp.Actions)
	}
}

// TestChatShapedBodyStillSearched: a body recognised as an LLM request only by its shape does
// not hide the other fields it carries.
func TestChatShapedBodyStillSearched(t *testing.T) {
	f := Analyze(req("POST", "runner.internal", "/v1/exec",
		`{"model":"x","messages":[{"role":"user","content":"hi"}],"command":"rm -rf /srv"}`, "content-type: application/json"))
	if f.LLM.API != "chat_completions" || len(destructiveKinds(f)) != 1 {
		t.Errorf("api %q, actions %+v", f.LLM.API, f.Actions)
	}
	chat := Analyze(req("POST", "llm.internal", "/generate",
		`{"model":"x","messages":[{"role":"user","content":"rm -rf /srv"}]}`, "content-type: application/json"))
	if len(chat.Actions) != 0 {
		t.Errorf("conversation text became an action: %+v", chat.Actions)
	}
}

// TestEmbeddedHTTP: a tool describing an HTTP request is judged as that request.
func TestEmbeddedHTTP(t *testing.T) {
	f := Analyze(req("POST", "mcp.internal", "/mcp",
		`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"http_request","arguments":{"method":"DELETE","url":"https://gw.internal/k8s/api/v1/namespaces/prod"}}}`,
		"content-type: application/json"))
	if k := destructiveKinds(f); len(k) != 1 || k[0] != KindK8s {
		t.Fatalf("destructive kinds %v, want [k8s]; %+v", k, f.Actions)
	}
	if src := f.Actions[0].Source; src != "mcp.arguments.http.request.url" {
		t.Errorf("source %q", src)
	}
	sub, ok := JudgeEmbeddedHTTP(EmbeddedRequest{Method: "delete", URL: "https://api.github.com/repos/acme/app"})
	if !ok || len(destructiveKinds(sub)) != 1 {
		t.Errorf("JudgeEmbeddedHTTP: ok=%v actions %+v", ok, sub)
	}
	if _, ok := JudgeEmbeddedHTTP(EmbeddedRequest{Method: "GET", URL: "ftp://x/y"}); ok {
		t.Error("a non-HTTP URL was judged as a request")
	}
}

// TestInvalidJSONRPCToolCall: a tools/call a strict parser refuses (a bad batch member, no
// "jsonrpc") is still read as a tool call, and the facts say it was ambiguous.
func TestInvalidJSONRPCToolCall(t *testing.T) {
	for name, body := range map[string]string{
		"bad batch member": `[{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"run","arguments":{"script":"rm -rf /srv"}}},{"bogus":1}]`,
		"no jsonrpc":       `{"id":1,"method":"tools/call","params":{"name":"run","arguments":{"script":"rm -rf /srv"}}}`,
	} {
		f := Analyze(req("POST", "mcp.internal", "/mcp", body, "content-type: application/json"))
		if len(destructiveKinds(f)) == 0 || !f.Inspection.Ambiguous || !f.Inspection.Executing {
			t.Errorf("%s: actions %+v, inspection %+v", name, f.Actions, f.Inspection)
		}
	}
}

func TestJSONUnderAnotherContentType(t *testing.T) {
	for _, ct := range []string{"application/x-www-form-urlencoded", "text/plain", ""} {
		f := Analyze(req("POST", "db-gateway.internal", "/v1/query", `{"sql": "DROP TABLE users"}`, "content-type: "+ct))
		if len(destructiveKinds(f)) != 1 {
			t.Errorf("%q: actions %+v", ct, f.Actions)
		}
	}
}

func TestEmbeddedHTTPHostAndPath(t *testing.T) {
	f := Analyze(req("POST", "mcp.internal", "/mcp",
		`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"api","arguments":{"method":"DELETE","host":"k8s.internal:6443","path":"/api/v1/namespaces/prod"}}}`,
		"content-type: application/json"))
	if k := destructiveKinds(f); len(k) != 1 || k[0] != KindK8s {
		t.Errorf("actions %+v", f.Actions)
	}
}

// TestManyStringsAreBounded: strings count against the node limit, so a body of many strings
// cannot make inspection parse without end; past the limit the facts say so.
func TestManyStringsAreBounded(t *testing.T) {
	for _, n := range []int{maxNodes + 10, maxCandidateParses + 10} {
		body := `{"items":["` + strings.Repeat(`ls -l","`, n) + `ls"]}`
		f := Analyze(req("POST", "runner.internal", "/v1/exec", body, "content-type: application/json"))
		if !f.Inspection.Truncated {
			t.Errorf("%d strings: inspection = %+v", n, f.Inspection)
		}
	}
}

func TestKubernetesPath(t *testing.T) {
	for path, want := range map[string]string{
		"/api/v1/namespaces/prod":                        "namespaces",
		"/k8s/clusters/c-1/api/v1/namespaces/prod":       "namespaces",
		"/k8s/api/v1/namespaces%2Fprod":                  "namespaces",
		"/apis/apps/v1/namespaces/p/deployments/x?dry=1": "deployments",
		"/tenant/api/v1/users/5":                         "",
		"/static/app.js":                                 "",
	} {
		k, ok := KubernetesPath("DELETE", path)
		if ok != (want != "") || k.Resource != want {
			t.Errorf("KubernetesPath(%s) = %+v, %v; want %q", path, k, ok, want)
		}
	}
}
