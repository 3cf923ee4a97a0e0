package k8sapi

import "strings"

// MountPrefix reports whether the path segments before a Kubernetes API path (/api/... or
// /apis/...) name a Kubernetes route: a gateway's /k8s/, Rancher's /k8s/clusters/{id}/, GKE
// Connect's .../gkeMemberships/{m}/, an /openshift/ or /rancher/ mount. Payload inspection and
// the refusal shapes (extproc/refusal) both read a mounted API server by it.
func MountPrefix(prefix []string) bool {
	for _, s := range prefix {
		l := strings.ToLower(s)
		if strings.Contains(l, "k8s") || strings.Contains(l, "kube") || strings.Contains(l, "cluster") ||
			strings.Contains(l, "gkememberships") || l == "rancher" || l == "openshift" {
			return true
		}
	}
	return false
}

// ClientMediaType reports whether any of the header values (a request's content-type and
// accept) names a media type only Kubernetes clients send: protobuf, server-side apply,
// strategic merge patch, or the meta.k8s.io table and partial-object views.
func ClientMediaType(values ...string) bool {
	for _, v := range values {
		v = strings.ToLower(v)
		if strings.Contains(v, "application/vnd.kubernetes.protobuf") ||
			strings.Contains(v, "application/apply-patch+yaml") ||
			strings.Contains(v, "application/strategic-merge-patch+json") ||
			strings.Contains(v, "as=table;") || strings.Contains(v, "g=meta.k8s.io") {
			return true
		}
	}
	return false
}
