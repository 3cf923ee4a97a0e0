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

// describedTool is what a tool's name says about the descriptions in its arguments.
type describedTool struct {
	removes bool        // the name is a removal's (fs_remove, delete_resource)
	k8s     bool        // the name says Kubernetes (k8sWords)
	code    [][2]string // the interpreters that run its code argument (codeToolLanguages)
}

// describeTool reads a tool's name once for the extractor that walks its arguments.
func describeTool(tool string) describedTool {
	if tool == "" || len(tool) > 96 {
		return describedTool{}
	}
	words := nameWords(tool)
	d := describedTool{code: codeToolLanguages(words)}
	for _, w := range words {
		d.removes = d.removes || removeWords[w]
		d.k8s = d.k8s || k8sWords[w]
	}
	return d
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
	if !hasOp && !x.toolKind.removes {
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
	var p string
	res, isK8s := k8sResource(kind)
	if isK8s && genericResources[res] && apiVersion == "" && ns == "" && !x.toolKind.k8s {
		isK8s = false // a calendar tool's {"action": "delete", "type": "event"}
	}
	if isK8s {
		p = k8sPath(res, apiVersion, ns, name)
	} else {
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

// removalPathKeys name the file-system target of a removal tool.
var removalPathKeys = []string{
	"path", "paths", "file", "files", "file_path", "filepath", "filename", "target", "dir", "directory",
	"folder", "dir_path", "directory_path", "folder_path",
}

// describedRemoval judges a tool named for removal (fs_remove, delete_file, rm) whose arguments
// name a path: {"path": "/srv", "recursive": true} is rm -rf /srv.
func (x *extractor) describedRemoval(m map[string]any) {
	if !x.toolKind.removes {
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

// codeKeys hold the program a code-interpreter tool runs.
var codeKeys = []string{"code", "source", "source_code", "sourcecode", "program", "cell", "snippet", "python", "javascript", "js"}

// codeToolLanguages returns, from the words of a tool's name, the interpreters whose one-liner
// option reads its program: the language the name says (a python or run_javascript tool), both
// Python and JavaScript for a code tool that does not say (execute_code, code_interpreter,
// sandbox.run), nothing for a tool that does not run code (code_review, fs_read).
func codeToolLanguages(words []string) [][2]string {
	if readsCode(words) {
		return nil
	}
	generic := false
	for _, w := range words {
		switch w {
		case "python", "python3", "py", "ipython", "jupyter", "notebook", "pandas":
			return [][2]string{{"python3", "-c"}}
		case "node", "nodejs", "javascript", "js", "typescript", "ts", "deno":
			return [][2]string{{"node", "-e"}}
		case "code", "interpreter", "sandbox", "repl", "eval", "kernel":
			generic = true
		}
	}
	if generic {
		return [][2]string{{"python3", "-c"}, {"node", "-e"}}
	}
	return nil
}

// codeReadingWords name tools that read code without running it (code_review, lint_python,
// explain_code); codeRunningWords name tools that run it.
var (
	codeReadingWords = map[string]bool{
		"review": true, "lint": true, "explain": true, "format": true, "search": true, "analyze": true,
		"analyse": true, "translate": true, "summarize": true, "summarise": true, "diff": true,
		"highlight": true, "document": true, "docs": true, "complete": true, "completion": true,
		"suggest": true, "write": true, "save": true, "index": true,
	}
	codeRunningWords = map[string]bool{
		"run": true, "exec": true, "execute": true, "eval": true, "interpreter": true, "repl": true,
		"kernel": true, "sandbox": true, "runner": true,
	}
)

// readsCode reports whether a tool's name words say it reads code without running it.
func readsCode(words []string) bool {
	reads := false
	for _, w := range words {
		if codeRunningWords[w] {
			return false
		}
		reads = reads || codeReadingWords[w]
	}
	return reads
}

// describedCode reads the program of a code-interpreter tool ({"code": "import shutil..."} on a
// python or execute_code tool) as the interpreter runs it: shparse's conservative lexical scan
// of known destructive calls (shutil.rmtree, os.remove, subprocess.run([...]), requests.delete,
// fs.rmSync, execSync, ...). Objects that name their language ({"language": "python"}) are read
// by selectedScript already. It returns the key it read ("" when none).
func (x *extractor) describedCode(m map[string]any) string {
	langs := x.toolKind.code
	if len(langs) == 0 {
		return ""
	}
	for _, ck := range codeKeys {
		for k, v := range m {
			code, ok := v.(string)
			if !ok || !strings.EqualFold(k, ck) || strings.TrimSpace(code) == "" {
				continue
			}
			x.codeReadings(x.source(k), langs, code)
			return k
		}
	}
	return ""
}

// codeReadings judges code as each interpreter in langs would run it and keeps the worst
// reading: a destructive one, else one that sends HTTP requests (judged as requests), else the
// first.
func (x *extractor) codeReadings(src string, langs [][2]string, code string) {
	if x.full() {
		return
	}
	var best []string
	var bestRes shparse.Result
	for i, l := range langs {
		argv := []string{l[0], l[1], code}
		res := shparse.AnalyzeArgv(argv)
		if i == 0 || res.Destructive && !bestRes.Destructive ||
			!bestRes.Destructive && len(bestRes.HTTP) == 0 && len(res.HTTP) > 0 {
			best, bestRes = argv, res
		}
	}
	x.f.addShell(src, x.tool, joinArgv(best), bestRes)
}
