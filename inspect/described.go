package inspect

import (
	"encoding/json"
	"net/url"
	"sort"
	"strings"
	"unicode"

	"github.com/warden-gw/warden/inspect/k8sapi"
	"github.com/warden-gw/warden/inspect/shparse"
)

// Actions that a tool call's arguments describe as structured data rather than as a command
// line (docs/inspection.md, "Actions described by tool arguments"). Each description is turned
// into the request or command it stands for and judged by the recogniser that owns that kind:
//   - a resource operation ({"verb": "delete", "kind": "Namespace", "name": "prod"}) becomes the
//     Kubernetes REST call (when the resource is a Kubernetes one) or the REST DELETE judged by
//     cloudapi.Shape (any other resource);
//   - a path on a tool named for removal ({"path": "/srv", "recursive": true} on fs_remove)
//     becomes rm [-rf] PATH, judged by shparse;
//   - a MongoDB database command object ({"dropDatabase": 1}) becomes mongosh --eval
//     'db.runCommand(...)', judged by shparse's MongoDB rules.

// describedVerbKeys name the operation of a structured description.
var describedVerbKeys = []string{"verb", "action", "operation", "op", "method_name", "command_name"}

// describedResourceKeys name the resource type an operation applies to.
var describedResourceKeys = []string{
	"kind", "resource", "resource_type", "resourcetype", "resourcekind", "resource_kind", "type",
	"object_type", "objecttype", "target_type",
}

// describedNameKeys name the object an operation applies to.
var describedNameKeys = []string{"name", "resource_name", "resourcename", "object_name", "objectname", "id"}

// removeWords are the words of an operation or tool name that delete what they name.
var removeWords = map[string]bool{
	"delete": true, "remove": true, "destroy": true, "purge": true, "rm": true, "del": true,
	"erase": true, "wipe": true, "drop": true, "uninstall": true, "rmdir": true, "unlink": true,
	"terminate": true, "nuke": true, "teardown": true,
}

// nameWords splits an identifier into lower-case words at punctuation and camelCase humps
// ("delete_resource", "deleteNamespace", "fs.rm").
func nameWords(s string) []string {
	var words []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			words = append(words, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	prevLower := false
	for _, r := range s {
		switch {
		case !unicode.IsLetter(r) && !unicode.IsDigit(r):
			flush()
			prevLower = false
			continue
		case unicode.IsUpper(r) && prevLower:
			flush()
		}
		cur = append(cur, r)
		prevLower = unicode.IsLower(r) || unicode.IsDigit(r)
	}
	flush()
	return words
}

// removes reports whether a name's words include a removal word.
func removes(name string) bool {
	if len(name) > 96 {
		return false
	}
	for _, w := range nameWords(name) {
		if removeWords[w] {
			return true
		}
	}
	return false
}

// describedActions judges the structured descriptions in one object of a tool call's arguments.
func (x *extractor) describedActions(m map[string]any) {
	if x.tool == "" || x.full() {
		return
	}
	x.describedResource(m)
	x.describedRemoval(m)
	x.describedMongo(m)
}

// describedResource judges {"verb": "delete", "kind": "Namespace", "name": "prod"} and its
// variants. The operation comes from a verb key or, when the object has none, from the tool's
// name (a delete_resource tool).
func (x *extractor) describedResource(m map[string]any) {
	op, hasOp := stringKey(m, describedVerbKeys)
	if hasOp && !removes(op) {
		return // get, list, describe, apply, ...: not a removal
	}
	if !hasOp && !removes(x.tool) {
		return
	}
	kind, ok := stringKey(m, describedResourceKeys)
	if !ok || len(kind) > 96 || strings.ContainsAny(kind, " /?#") {
		return
	}
	meta, _ := anyKey(m, []string{"metadata"}).(map[string]any)
	name, _ := stringKey(m, describedNameKeys)
	if name == "" && meta != nil {
		name, _ = stringKey(meta, []string{"name"})
	}
	ns, _ := stringKey(m, []string{"namespace", "ns"})
	if ns == "" && meta != nil {
		ns, _ = stringKey(meta, []string{"namespace"})
	}
	apiVersion, _ := stringKey(m, []string{"apiVersion", "api_version", "apiversion", "group_version"})
	p, isK8s := k8sPath(kind, apiVersion, ns, name)
	if !isK8s {
		p = "/" + url.PathEscape(strings.ToLower(kind))
		if name != "" {
			p += "/" + url.PathEscape(name)
		}
	}
	q := url.Values{}
	if b, ok := anyKey(m, []string{"dryRun", "dry_run", "dryrun"}).(bool); ok && b {
		q.Set("dryRun", "All")
	}
	if sel, ok := stringKey(m, []string{"labelSelector", "label_selector", "selector"}); ok && isK8s {
		q.Set("labelSelector", sel)
	}
	if len(q) > 0 {
		p += "?" + q.Encode()
	}
	x.f.AddEmbeddedHTTP(x.source("described"), x.tool, EmbeddedRequest{Method: "DELETE", URL: p})
}

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

// k8sPath builds the REST path of a Kubernetes object (or collection, when name is "").
func k8sPath(kind, apiVersion, ns, name string) (string, bool) {
	res, ok := k8sResource(kind)
	if !ok {
		return "", false
	}
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
	return p, true
}

func clusterScopedKind(res string) bool {
	switch res {
	case "namespaces", "nodes", "persistentvolumes", "clusterroles", "clusterrolebindings",
		"customresourcedefinitions", "storageclasses", "priorityclasses", "ingressclasses":
		return true
	}
	return false
}

// removalPathKeys name the file-system target of a removal tool.
var removalPathKeys = []string{
	"path", "paths", "file", "files", "file_path", "filepath", "filename", "target", "dir", "directory",
	"folder", "dir_path", "directory_path", "folder_path",
}

// describedRemoval judges a tool named for removal (fs_remove, delete_file, rm) whose arguments
// name a path: {"path": "/srv", "recursive": true} is rm -rf /srv.
func (x *extractor) describedRemoval(m map[string]any) {
	if !removes(x.tool) {
		return
	}
	var targets []string
	switch v := anyKey(m, removalPathKeys).(type) {
	case string:
		targets = []string{v}
	case []any:
		targets, _ = stringList(v)
	}
	if len(targets) == 0 || strings.TrimSpace(targets[0]) == "" {
		return
	}
	if !strings.HasPrefix(targets[0], "/") && !strings.HasPrefix(targets[0], "~") &&
		!strings.HasPrefix(targets[0], ".") && !strings.ContainsAny(targets[0], "/\\*") {
		return // not a path ("name": "prod" on a delete tool is a resource, judged above)
	}
	argv := []string{"rm"}
	for _, k := range []string{"recursive", "recurse", "force", "r", "rf", "all"} {
		if b, ok := anyKey(m, []string{k}).(bool); ok && b {
			argv = append(argv, "-rf")
			break
		}
	}
	argv = append(argv, "--")
	argv = append(argv, targets...)
	x.f.addShell(x.source("described"), x.tool, joinArgv(argv), shparse.AnalyzeArgv(argv))
}

// mongoCommands are MongoDB database commands that destroy by themselves, keyed by their
// (case-sensitive) command name: the first key of a runCommand document.
var mongoCommands = map[string]bool{
	"dropDatabase": true, "dropAllUsersFromDatabase": true, "dropAllRolesFromDatabase": true,
	"drop": true, "dropIndexes": true, "dropUser": true, "dropRole": true, "shutdown": true,
}

// unambiguousMongo are command names no other document uses.
var unambiguousMongo = map[string]bool{
	"dropDatabase": true, "dropAllUsersFromDatabase": true, "dropAllRolesFromDatabase": true, "dropIndexes": true,
}

// describedMongo judges a MongoDB command document ({"dropDatabase": 1}, {"drop": "users"}) in
// a database tool's arguments. Names other documents use too ("drop", "shutdown") count only
// when the tool or the enclosing key names MongoDB or a database command.
func (x *extractor) describedMongo(m map[string]any) {
	keys := make([]string, 0, 2)
	for k := range m {
		if mongoCommands[k] {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return
	}
	sort.Strings(keys)
	ctx := strings.ToLower(x.tool)
	if n := len(x.path); n > 0 {
		ctx += " " + strings.ToLower(x.path[n-1])
	}
	dbCtx := strings.Contains(ctx, "mongo") || strings.Contains(ctx, "runcommand") ||
		strings.Contains(ctx, "command") || strings.Contains(ctx, "database") || strings.Contains(ctx, "db")
	for _, k := range keys {
		if !unambiguousMongo[k] && !dbCtx {
			continue
		}
		val, err := json.Marshal(m[k])
		if err != nil {
			continue
		}
		script := "db.runCommand({" + k + ": " + string(val) + "})"
		argv := []string{"mongosh", "--quiet", "--eval", script}
		x.f.addShell(x.source("described"), x.tool, joinArgv(argv), shparse.AnalyzeArgv(argv))
	}
}
