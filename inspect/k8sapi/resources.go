package k8sapi

// clusterScoped lists the built-in resources that have no namespace. A custom resource without a
// namespace segment in its path is cluster-scoped by the path rule in Parse.
var clusterScoped = map[string]bool{
	"namespaces": true, "nodes": true, "persistentvolumes": true, "componentstatuses": true,
	"clusterroles": true, "clusterrolebindings": true, "customresourcedefinitions": true,
	"apiservices": true, "storageclasses": true, "csidrivers": true, "csinodes": true,
	"volumeattachments": true, "priorityclasses": true, "runtimeclasses": true,
	"ingressclasses": true, "certificatesigningrequests": true, "podsecuritypolicies": true,
	"mutatingwebhookconfigurations": true, "validatingwebhookconfigurations": true,
	"validatingadmissionpolicies": true, "validatingadmissionpolicybindings": true,
	"mutatingadmissionpolicies": true, "mutatingadmissionpolicybindings": true,
	"flowschemas": true, "prioritylevelconfigurations": true, "tokenreviews": true,
	"subjectaccessreviews": true, "selfsubjectaccessreviews": true, "selfsubjectrulesreviews": true,
	"selfsubjectreviews": true, "clustertrustbundles": true, "ipaddresses": true,
	"servicecidrs": true, "deviceclasses": true, "resourceslices": true,
}

// builtin lists resources served by a stock apiserver. A path naming one of them is a
// Kubernetes request whatever the host; see Known.
var builtin = map[string]bool{
	"pods": true, "services": true, "endpoints": true, "configmaps": true, "secrets": true,
	"serviceaccounts": true, "persistentvolumeclaims": true, "replicationcontrollers": true,
	"resourcequotas": true, "limitranges": true, "events": true, "podtemplates": true,
	"bindings": true, "deployments": true, "replicasets": true, "statefulsets": true,
	"daemonsets": true, "controllerrevisions": true, "jobs": true, "cronjobs": true,
	"horizontalpodautoscalers": true, "ingresses": true, "networkpolicies": true, "roles": true,
	"rolebindings": true, "poddisruptionbudgets": true, "leases": true, "endpointslices": true,
	"csistoragecapacities": true, "resourceclaims": true, "resourceclaimtemplates": true,
	"localsubjectaccessreviews": true,
}

// Known reports whether resource is a built-in Kubernetes resource (namespaced or not). Callers
// use it to tell a Kubernetes API from an application that merely serves paths under /api/v1.
func Known(resource string) bool {
	return builtin[resource] || clusterScoped[resource]
}

// Namespaced reports whether resource is a built-in resource that lives in a namespace. An
// unknown resource (a custom one) is neither Namespaced nor known to be cluster-scoped.
func Namespaced(resource string) bool {
	return builtin[resource] && !clusterScoped[resource]
}
