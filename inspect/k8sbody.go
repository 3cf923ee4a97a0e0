package inspect

import (
	"strings"

	"github.com/warden-gw/warden/exchange"
	"github.com/warden-gw/warden/inspect/k8sapi"
)

// workloads are the Kubernetes resources whose spec.replicas runs the application.
var workloads = map[string]bool{
	"deployments": true, "statefulsets": true, "replicasets": true, "replicationcontrollers": true,
}

// k8sBodyDanger reads the body of a Kubernetes write for what the verb alone does not say: a
// workload (or its scale subresource) set to zero replicas takes the application down. It
// returns the reason, or "".
func k8sBodyDanger(k k8sapi.Request, body any) string {
	if k.DryRun || (k.Verb != "patch" && k.Verb != "update" && k.Verb != "create") {
		return ""
	}
	if k.Subresource != "scale" && (k.Subresource != "" || !workloads[k.Resource]) {
		return ""
	}
	m, _ := body.(map[string]any)
	spec, _ := m["spec"].(map[string]any)
	if r, ok := spec["replicas"].(float64); ok && r == 0 && k.Verb != "create" {
		return "Kubernetes " + k.Verb + " scales " + describeK8s(k) + " to zero replicas"
	}
	return ""
}

// k8sProxied returns the request that a Kubernetes service or pod proxy
// (/api/v1/namespaces/{ns}/services/{[scheme:]name[:port]}/proxy/{path}) forwards, so that it
// is judged as the request it is: the API server passes method, path and body through.
func k8sProxied(req *exchange.Request, method string, segs []string) (EmbeddedRequest, bool) {
	for i := 0; i+2 < len(segs); i++ {
		if (segs[i] != "services" && segs[i] != "pods") || segs[i+2] != "proxy" {
			continue
		}
		target := segs[i+1] // [scheme:]name[:port]
		parts := strings.Split(target, ":")
		scheme, host := "http", target
		if len(parts) == 3 || len(parts) == 2 && (parts[0] == "http" || parts[0] == "https") {
			scheme, host = parts[0], strings.Join(parts[1:], ":")
		}
		r := EmbeddedRequest{
			Method: method, URL: scheme + "://" + host + "/" + strings.Join(segs[i+3:], "/"), Body: req.Body,
		}
		if ct := req.Headers.Get("content-type"); ct != "" {
			r.Headers = exchange.Headers{{Key: "content-type", Value: ct}}
		}
		return r, true
	}
	return EmbeddedRequest{}, false
}
