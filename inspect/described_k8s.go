package inspect

import (
	"net/url"
	"strings"

	"github.com/warden-gw/warden/inspect/k8sapi"
)

// k8sShortNames are kubectl's short names and common singular spellings of resources.
var k8sShortNames = map[string]string{
	"ns": "namespaces", "po": "pods", "deploy": "deployments", "svc": "services", "no": "nodes",
	"pv": "persistentvolumes", "pvc": "persistentvolumeclaims", "cm": "configmaps", "sa": "serviceaccounts",
	"ds": "daemonsets", "sts": "statefulsets", "rs": "replicasets", "ing": "ingresses", "crd": "customresourcedefinitions",
	"crds": "customresourcedefinitions", "netpol": "networkpolicies", "pdb": "poddisruptionbudgets",
	"sc": "storageclasses", "cj": "cronjobs", "hpa": "horizontalpodautoscalers", "ep": "endpoints",
}

// coreResources are the built-in resources of the legacy core group (/api/v1).
var coreResources = map[string]bool{
	"pods": true, "services": true, "endpoints": true, "configmaps": true, "secrets": true,
	"serviceaccounts": true, "persistentvolumeclaims": true, "persistentvolumes": true, "namespaces": true,
	"nodes": true, "replicationcontrollers": true, "resourcequotas": true, "limitranges": true,
	"events": true, "podtemplates": true, "componentstatuses": true, "bindings": true,
}

// k8sResource returns the plural resource a kind names ("Namespace", "namespaces", "ns" are all
// namespaces) when it is a built-in Kubernetes resource.
func k8sResource(kind string) (string, bool) {
	k := strings.ToLower(strings.TrimSpace(kind))
	if r, ok := k8sShortNames[k]; ok {
		return r, true
	}
	for _, c := range []string{k, k + "s", k + "es", strings.TrimSuffix(k, "y") + "ies"} {
		if k8sapi.Known(c) {
			return c, true
		}
	}
	return "", false
}

// genericResources are Kubernetes resources whose names other APIs use too (a calendar event, a
// CI job, a Vault secret): a description naming one is a Kubernetes object only in a Kubernetes
// context: it names an apiVersion or a namespace, or its tool's name says Kubernetes.
var genericResources = map[string]bool{
	"events": true, "services": true, "endpoints": true, "secrets": true, "nodes": true, "jobs": true,
	"roles": true, "leases": true, "bindings": true, "ipaddresses": true, "podtemplates": true,
}

// k8sWords are words of a tool name that say it drives Kubernetes.
var k8sWords = map[string]bool{
	"k8s": true, "kube": true, "kubernetes": true, "kubectl": true, "openshift": true, "oc": true,
	"helm": true, "eks": true, "gke": true, "aks": true, "k3s": true, "kubeconfig": true, "cluster": true,
}

// k8sPath builds the REST path of a Kubernetes object of resource res (or its collection, when
// name is "").
func k8sPath(res, apiVersion, ns, name string) string {
	prefix := "/apis/apps/v1" // any dotless group: the judgement is by resource
	switch {
	case strings.Contains(apiVersion, "/"):
		prefix = "/apis/" + strings.Trim(apiVersion, "/")
	case apiVersion == "v1" || coreResources[res]:
		prefix = "/api/v1"
	}
	p := prefix
	if ns != "" && !clusterScopedKind(res) {
		p += "/namespaces/" + url.PathEscape(ns)
	}
	p += "/" + res
	if name != "" {
		p += "/" + url.PathEscape(name)
	}
	return p
}

func clusterScopedKind(res string) bool {
	switch res {
	case "namespaces", "nodes", "persistentvolumes", "clusterroles", "clusterrolebindings",
		"customresourcedefinitions", "storageclasses", "priorityclasses", "ingressclasses":
		return true
	}
	return false
}

// unknownNamespace marks the Kubernetes actions from index from on as described without a
// namespace: the path warden built for them has no namespace segment, which for a namespaced
// resource does not mean cluster scope (kubectl sends it to its context's namespace) but an
// unknown namespace (k8sapi.Request.InUnknownNamespace). Their reasons say so.
func (f *Facts) unknownNamespace(from int) {
	for i := from; i < len(f.Actions); i++ {
		a := &f.Actions[i]
		if a.K8s == nil {
			continue
		}
		k := *a.K8s
		k.InUnknownNamespace()
		if !k.NamespaceUnknown {
			continue
		}
		a.K8s = &k
		if k.Destructive() && len(a.Reasons) > 0 {
			a.Reasons[0] = k8sReason(k)
		}
	}
	f.cel = nil
}
