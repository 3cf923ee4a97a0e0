package inspect

import (
	"strings"
	"testing"
)

// A Kubernetes deletion described without a namespace is in an unknown namespace (kubectl would
// use its context's), not cluster-wide — unless its kind has no namespace.
func TestDescribedK8sWithoutNamespace(t *testing.T) {
	for _, tt := range []struct {
		name, args                string
		clusterScoped, unknownNS  bool
		namespace, reasonFragment string
	}{
		{"namespaced kind, no namespace", `{"verb":"delete","kind":"Deployment","name":"web"}`, false, true, "", "in a namespace the request does not name"},
		{"namespaced kind in a manifest", `{"operation":"delete","manifest":{"kind":"ConfigMap","metadata":{"name":"cfg"}}}`, false, true, "", "in a namespace the request does not name"},
		{"namespaced kind, namespace named", `{"verb":"delete","kind":"Deployment","name":"web","namespace":"prod"}`, false, false, "prod", `in namespace "prod"`},
		{"cluster-scoped kind", `{"verb":"delete","kind":"Node","name":"worker-3"}`, true, false, "", `nodes "worker-3"`},
		{"namespace itself", `{"verb":"delete","kind":"Namespace","name":"prod"}`, true, false, "prod", `namespaces "prod"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := Analyze(jsonReq("POST", "tools.corp", "/mcp", mcpCall("kubernetes", tt.args)))
			var found *Action
			for i := range f.Actions {
				if f.Actions[i].K8s != nil {
					found = &f.Actions[i]
				}
			}
			if found == nil {
				t.Fatalf("no Kubernetes action%s", describe(f))
			}
			k := found.K8s
			if k.ClusterScoped != tt.clusterScoped || k.NamespaceUnknown != tt.unknownNS || k.Namespace != tt.namespace {
				t.Fatalf("cluster_scoped %v, namespace_unknown %v, namespace %q; want %v, %v, %q",
					k.ClusterScoped, k.NamespaceUnknown, k.Namespace, tt.clusterScoped, tt.unknownNS, tt.namespace)
			}
			if m := k.Map(); m["namespace_unknown"] != tt.unknownNS || m["cluster_scoped"] != tt.clusterScoped {
				t.Fatalf("policy facts %v", m)
			}
			if !found.Destructive || len(found.Reasons) == 0 || !strings.Contains(found.Reasons[0], tt.reasonFragment) ||
				(tt.unknownNS && strings.Contains(found.Reasons[0], "cluster-wide")) {
				t.Fatalf("reasons %q, want one saying %q", found.Reasons, tt.reasonFragment)
			}
		})
	}
}
