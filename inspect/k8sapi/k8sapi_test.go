package k8sapi

import (
	"net/url"
	"reflect"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name, method, path string
		want               Request
	}{
		{
			"delete namespace", "DELETE", "/api/v1/namespaces/prod",
			Request{Verb: "delete", Version: "v1", Resource: "namespaces", Namespace: "prod", Name: "prod", ClusterScoped: true},
		},
		{
			"delete pods collection", "DELETE", "/api/v1/namespaces/prod/pods",
			Request{Verb: "deletecollection", Version: "v1", Resource: "pods", Namespace: "prod"},
		},
		{
			"delete node", "DELETE", "/api/v1/nodes/worker-3",
			Request{Verb: "delete", Version: "v1", Resource: "nodes", Name: "worker-3", ClusterScoped: true},
		},
		{
			"list pods", "GET", "/api/v1/namespaces/prod/pods",
			Request{Verb: "list", Version: "v1", Resource: "pods", Namespace: "prod"},
		},
		{
			"list pods all namespaces", "GET", "/api/v1/pods",
			Request{Verb: "list", Version: "v1", Resource: "pods", ClusterScoped: true},
		},
		{
			"get deployment", "GET", "/apis/apps/v1/namespaces/prod/deployments/api",
			Request{Verb: "get", Group: "apps", Version: "v1", Resource: "deployments", Namespace: "prod", Name: "api"},
		},
		{
			"patch scale", "PATCH", "/apis/apps/v1/namespaces/staging/deployments/api/scale",
			Request{Verb: "patch", Group: "apps", Version: "v1", Resource: "deployments", Subresource: "scale", Namespace: "staging", Name: "api"},
		},
		{
			"watch query", "GET", "/api/v1/namespaces/prod/pods?watch=true",
			Request{Verb: "watch", Version: "v1", Resource: "pods", Namespace: "prod"},
		},
		{
			"watch path", "GET", "/api/v1/watch/namespaces/prod/pods",
			Request{Verb: "watch", Version: "v1", Resource: "pods", Namespace: "prod"},
		},
		{
			"exec", "POST", "/api/v1/namespaces/prod/pods/api-0/exec?command=rm&command=-rf&command=%2Fdata&stdout=true",
			Request{Verb: "connect", Version: "v1", Resource: "pods", Subresource: "exec", Namespace: "prod", Name: "api-0", ExecCommand: []string{"rm", "-rf", "/data"}},
		},
		{
			"websocket exec is connect", "GET", "/api/v1/namespaces/prod/pods/api-0/exec?command=ls",
			Request{Verb: "connect", Version: "v1", Resource: "pods", Subresource: "exec", Namespace: "prod", Name: "api-0", ExecCommand: []string{"ls"}},
		},
		{
			"portforward", "POST", "/api/v1/namespaces/prod/pods/db-0/portforward",
			Request{Verb: "connect", Version: "v1", Resource: "pods", Subresource: "portforward", Namespace: "prod", Name: "db-0"},
		},
		{
			"service proxy tail", "GET", "/api/v1/namespaces/prod/services/web:80/proxy/admin/reset",
			Request{Verb: "connect", Version: "v1", Resource: "services", Subresource: "proxy", Namespace: "prod", Name: "web:80"},
		},
		{
			"create", "POST", "/apis/batch/v1/namespaces/ci/jobs",
			Request{Verb: "create", Group: "batch", Version: "v1", Resource: "jobs", Namespace: "ci"},
		},
		{
			"update", "PUT", "/apis/rbac.authorization.k8s.io/v1/clusterroles/admin",
			Request{Verb: "update", Group: "rbac.authorization.k8s.io", Version: "v1", Resource: "clusterroles", Name: "admin", ClusterScoped: true},
		},
		{
			"delete crd", "DELETE", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/certificates.cert-manager.io",
			Request{Verb: "delete", Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions", Name: "certificates.cert-manager.io", ClusterScoped: true},
		},
		{
			"custom resource cluster wide", "DELETE", "/apis/example.com/v1beta1/widgets",
			Request{Verb: "deletecollection", Group: "example.com", Version: "v1beta1", Resource: "widgets", ClusterScoped: true},
		},
		{
			"namespace finalize", "PUT", "/api/v1/namespaces/prod/finalize",
			Request{Verb: "update", Version: "v1", Resource: "namespaces", Subresource: "finalize", Namespace: "prod", Name: "prod", ClusterScoped: true},
		},
		{
			"escaped segment", "DELETE", "/api/v1/namespaces/prod/secrets/a%2Fb",
			Request{Verb: "delete", Version: "v1", Resource: "secrets", Namespace: "prod", Name: "a/b"},
		},
		{
			"discovery", "GET", "/apis/apps/v1",
			Request{Verb: "get", Group: "apps", Version: "v1", ClusterScoped: true},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := Parse(tt.method, tt.path, nil)
			if !ok {
				t.Fatalf("Parse(%s %s) not recognised", tt.method, tt.path)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Parse(%s %s)\n got %+v\nwant %+v", tt.method, tt.path, got, tt.want)
			}
		})
	}
}

func TestParseExplicitQuery(t *testing.T) {
	q := url.Values{"command": {"sh", "-c", "echo hi"}}
	got, ok := Parse("POST", "/api/v1/namespaces/a/pods/p/exec", q)
	if !ok || !reflect.DeepEqual(got.ExecCommand, []string{"sh", "-c", "echo hi"}) {
		t.Fatalf("exec command from explicit query: %+v ok=%v", got, ok)
	}
}

func TestParseRejectsNonKubernetes(t *testing.T) {
	for _, p := range []string{
		"/", "", "relative/api/v1/pods", "/v1/chat/completions", "/repos/acme/x",
		"/api/latest/users", "/apis/Bad_Group/v1/x", "/api/v1/%zz",
		"/apis/apps/version1/deployments",
	} {
		t.Run(p, func(t *testing.T) {
			if r, ok := Parse("GET", p, nil); ok {
				t.Errorf("Parse(%q) = %+v, want not recognised", p, r)
			}
		})
	}
}

func TestMapKeys(t *testing.T) {
	r, _ := Parse("POST", "/api/v1/namespaces/prod/pods/api-0/exec?command=ls", nil)
	m := r.Map()
	want := map[string]any{
		"verb": "connect", "group": "", "version": "v1", "resource": "pods", "subresource": "exec",
		"namespace": "prod", "name": "api-0", "cluster_scoped": false, "namespace_unknown": false, "exec_command": []any{"ls"},
		"dry_run": false,
	}
	if !reflect.DeepEqual(m, want) {
		t.Errorf("Map() = %v\nwant %v", m, want)
	}
}

func TestKnown(t *testing.T) {
	if !Known("pods") || !Known("nodes") || Known("users") {
		t.Error("Known misclassifies pods/nodes/users")
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"/api/v1/namespaces/prod/pods/api-0/exec?command=rm&command=-rf",
		"/apis/apps/v1/namespaces/x/deployments/y/scale", "/api/v1/watch/pods", "/apis/a/v1beta1",
		"/api/v1/proxy/namespaces/x/services/y/z", "/api/v1/namespaces/%2e%2e/pods?watch=1",
	} {
		f.Add("GET", s)
	}
	f.Fuzz(func(t *testing.T, method, path string) {
		r, ok := Parse(method, path, nil)
		if !ok {
			return
		}
		if r.Verb == "" {
			t.Fatalf("recognised %q without a verb", path)
		}
		if r.Namespace == "" && r.Resource != "" && !r.ClusterScoped {
			t.Fatalf("%q: no namespace but not cluster scoped", path)
		}
		_ = r.Map()
	})
}

func TestDryRun(t *testing.T) {
	for _, tc := range []struct {
		path string
		dry  bool
	}{
		{"/api/v1/namespaces/prod?dryRun=All", true},
		{"/api/v1/namespaces/prod", false},
		{"/api/v1/namespaces/prod?dryRun=None", false},
		{"/api/v1/namespaces/prod?dryRun=All&dryRun=bogus", false},
	} {
		r, ok := Parse("DELETE", tc.path, nil)
		if !ok || r.DryRun != tc.dry || r.Destructive() == tc.dry {
			t.Errorf("%s: ok=%v dry_run=%v destructive=%v, want dry_run=%v", tc.path, ok, r.DryRun, r.Destructive(), tc.dry)
		}
	}
}

// A request described without a namespace is in an unknown namespace for a namespaced resource,
// and stays as the path says for a cluster-scoped or custom one.
func TestInUnknownNamespace(t *testing.T) {
	for _, tt := range []struct {
		path                     string
		clusterScoped, unknownNS bool
	}{
		{"/apis/apps/v1/deployments/web", false, true},
		{"/api/v1/pods", false, true},
		{"/api/v1/nodes/worker-3", true, false},
		{"/apis/example.com/v1/widgets/w", true, false}, // a custom resource: its scope is unknown
		{"/apis/apps/v1/namespaces/prod/deployments/web", false, false},
	} {
		r, ok := Parse("DELETE", tt.path, nil)
		if !ok {
			t.Fatalf("%s: not parsed", tt.path)
		}
		r.InUnknownNamespace()
		if r.ClusterScoped != tt.clusterScoped || r.NamespaceUnknown != tt.unknownNS {
			t.Errorf("%s: cluster_scoped %v, namespace_unknown %v; want %v, %v", tt.path, r.ClusterScoped, r.NamespaceUnknown, tt.clusterScoped, tt.unknownNS)
		}
	}
}
