package inspect

import (
	"encoding/json"
	"net/url"
	"slices"
	"sort"
	"strings"
	"unicode"

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
var describedVerbKeys = []string{"verb", "action", "operation", "op", "method_name", "command_name", "command", "cmd", "method", "subcommand"}

// describedResourceKeys name the resource type an operation applies to.
var describedResourceKeys = []string{
	"kind", "resource", "resource_type", "resourcetype", "resourcekind", "resource_kind", "type",
	"object_type", "objecttype", "target_type",
}

// describedNameKeys name the object an operation applies to.
var describedNameKeys = []string{"name", "resource_name", "resourcename", "object_name", "objectname", "id", "resource_id", "resourceid"}

// removeWords are the words of an operation or tool name that delete what they name.
var removeWords = map[string]bool{
	"delete": true, "remove": true, "destroy": true, "purge": true, "rm": true, "del": true,
	"erase": true, "wipe": true, "drop": true, "uninstall": true, "rmdir": true, "unlink": true,
	"terminate": true, "nuke": true, "teardown": true,
}

// nameWords splits an identifier into lower-case words at punctuation and camelCase humps
// ("delete_resource", "deleteNamespace", "fs.rm").
func nameWords(s string) []string {
	words := make([]string, 0, 4)
	start := -1 // byte index where the current word starts
	prevLower := false
	for i, r := range s {
		switch {
		case !unicode.IsLetter(r) && !unicode.IsDigit(r):
			if start >= 0 {
				words = append(words, strings.ToLower(s[start:i]))
			}
			start, prevLower = -1, false
			continue
		case unicode.IsUpper(r) && prevLower && start >= 0:
			words = append(words, strings.ToLower(s[start:i]))
			start = -1
		}
		if start < 0 {
			start = i
		}
		prevLower = unicode.IsLower(r) || unicode.IsDigit(r)
	}
	if start >= 0 {
		words = append(words, strings.ToLower(s[start:]))
	}
	return words
}

// describedTool is what a tool's name says about the descriptions in its arguments.
type describedTool struct {
	removes bool // the name is a removal's (fs_remove, delete_resource)
	// removeVerb and removeKind are the removal word and the resource type word after it
	// (a k8s_delete_namespace tool: delete, namespace).
	removeVerb, removeKind string
	k8s                    bool        // the name says Kubernetes (k8sWords)
	code                   [][2]string // the interpreters that run its code argument (codeToolLanguages)
}

// describeTool reads a tool's name once for the extractor that walks its arguments.
func describeTool(tool string) describedTool {
	if tool == "" || len(tool) > 96 {
		return describedTool{}
	}
	words := nameWords(tool)
	d := describedTool{code: codeToolLanguages(words)}
	d.removeVerb, d.removeKind, d.removes = removalWords(words)
	for _, w := range words {
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
// name (a delete_resource tool); the resource type from a kind key, else from the operation or
// tool name ("drop_collection", "TerminateInstances", a k8s_delete_namespace tool), else from a
// key that is itself a resource noun ({"collection": "orders"}).
func (x *extractor) describedResource(m map[string]any) {
	verb, kindWord, ok := "", "", false
	op, hasOp := stringKey(m, describedVerbKeys)
	if hasOp {
		if verb, kindWord, ok = removal(op); !ok {
			return // get, list, describe, apply, ...: not a removal
		}
	} else if !x.toolKind.removes {
		return
	} else {
		verb, kindWord = x.toolKind.removeVerb, x.toolKind.removeKind
	}
	if _, has := stringKey(m, describedResourceKeys); !has {
		// {"operation": "delete", "manifest": {"kind": "Namespace", "metadata": {...}}}
		if obj, isObj := anyKey(m, describedObjectKeys).(map[string]any); isObj {
			if _, has := stringKey(obj, []string{"kind"}); has {
				m = obj
			}
		}
	}
	kind, ok := stringKey(m, describedResourceKeys)
	name, _ := stringKey(m, describedNameKeys)
	if !ok && kindWord != "" {
		if !hasOp {
			// Only the tool's name (deleteRepository {"id": "R"}) says what is removed: that is
			// the name evidence the pack's mcp-destructive-tool-name rule already holds.
			return
		}
		kind, ok = kindWord, true // {"operation": "dropDatabase", "database": "prod"}
		if name == "" {
			name, _ = stringKey(m, []string{kindWord})
		}
	}
	if !ok && name == "" && anyKey(m, recordSelectorKeys) == nil && onlyNounValues(m) {
		// Only with no name and no filter: {"collection": "orders", "filter": {...}} deletes
		// records inside the collection, {"namespace": "prod", "name": "web"} an object in it.
		for _, k := range resourceNounKeys {
			if v, isStr := anyKey(m, []string{k}).(string); isStr && strings.TrimSpace(v) != "" {
				kind, name, ok = k, v, true
				break
			}
		}
	}
	if !ok || len(kind) > 96 || strings.ContainsAny(kind, " /?#") {
		return
	}
	meta, _ := anyKey(m, []string{"metadata"}).(map[string]any)
	if name == "" && meta != nil {
		name, _ = stringKey(meta, []string{"name"})
	}
	ns, _ := stringKey(m, []string{"namespace", "ns"})
	if ns == "" && meta != nil {
		ns, _ = stringKey(meta, []string{"namespace"})
	}
	apiVersion, _ := stringKey(m, []string{"apiVersion", "api_version", "apiversion", "group_version"})
	r := EmbeddedRequest{Method: "DELETE"}
	res, isK8s := k8sResource(kind)
	if isK8s && genericResources[res] && apiVersion == "" && ns == "" && !x.toolKind.k8s {
		isK8s = false // a calendar tool's {"action": "delete", "type": "event"}
	}
	if isK8s {
		r.URL = k8sPath(res, apiVersion, ns, name)
	} else {
		r.URL = "/" + url.PathEscape(restCollection(kind))
		if name != "" {
			r.URL += "/" + url.PathEscape(name)
		}
		if !plainRemoval[verb] {
			// destroy, drop, purge, terminate ...: the verb as the action segment, which
			// cloudapi.Shape judges by its severity.
			r.Method, r.URL = "POST", r.URL+"/"+verb
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
		r.URL += "?" + q.Encode()
	}
	from := len(x.f.Actions)
	x.f.AddEmbeddedHTTP(x.source("described"), x.tool, r)
	if isK8s && ns == "" {
		x.f.unknownNamespace(from)
	}
}

// recordSelectorKeys select records inside a resource rather than the resource itself.
var recordSelectorKeys = []string{
	"filter", "query", "where", "selector", "labelSelector", "label_selector", "ids", "documents", "records",
	"rows", "keys", "items", "match",
}

// onlyNounValues reports whether every string or number in an object, besides its operation,
// is under a resource-noun key: {"action": "delete", "collection": "orders", "database": "shop"}
// names what it deletes by its keys, {"action": "delete", "project": "acme", "issue": "42"} does
// not (the project holds the issue it deletes).
func onlyNounValues(m map[string]any) bool {
	for k, v := range m {
		switch v.(type) {
		case string, float64, json.Number, int, int64, uint64:
		default:
			continue
		}
		if !isAnyKey(k, describedVerbKeys) && !isAnyKey(k, resourceNounKeys) {
			return false
		}
	}
	return true
}

func isAnyKey(k string, keys []string) bool {
	for _, want := range keys {
		if strings.EqualFold(k, want) {
			return true
		}
	}
	return false
}

// describedObjectKeys hold the object an operation applies to, as a manifest.
var describedObjectKeys = []string{"manifest", "object", "resource", "body", "target", "spec"}

// restCollection returns the REST collection segment a resource type names: its last word,
// plural ("s3_bucket" → buckets, "Database" → databases, "repository" → repositories), as the
// APIs cloudapi.Shape judges name their collections.
func restCollection(kind string) string {
	words := nameWords(kind)
	if len(words) == 0 {
		return strings.ToLower(kind)
	}
	w := words[len(words)-1]
	switch {
	case strings.HasSuffix(w, "s"):
		return w
	case strings.HasSuffix(w, "y") && len(w) > 1 && !strings.ContainsRune("aeiou", rune(w[len(w)-2])):
		return w[:len(w)-1] + "ies"
	case strings.HasSuffix(w, "x") || strings.HasSuffix(w, "sh") || strings.HasSuffix(w, "ch"):
		return w + "es"
	}
	return w + "s"
}

// plainRemoval are the removal words that say no more than delete: the REST DELETE they stand
// for is judged by its target.
var plainRemoval = map[string]bool{"delete": true, "remove": true, "rm": true, "del": true, "unlink": true, "rmdir": true, "erase": true}

// genericObjectWords name no resource type ("delete_resource", "remove_object").
var genericObjectWords = map[string]bool{
	"resource": true, "resources": true, "object": true, "objects": true, "item": true, "items": true,
	"entity": true, "record": true, "by": true, "all": true, "the": true, "a": true, "many": true, "one": true,
	"from": true, "of": true, "in": true, "to": true, "for": true, "on": true, "if": true, "exists": true,
}

// resourceNounKeys are keys whose name is a resource type and whose value names the object
// ({"collection": "orders"}), most specific first.
var resourceNounKeys = []string{
	"collection", "table", "index", "topic", "queue", "stream", "bucket", "repository", "repo", "release",
	"volume", "snapshot", "instance", "cluster", "keyspace", "schema", "database", "db", "namespace", "project",
}

// removal reads an operation or tool name: the removal word it holds and the resource type word
// after it ("drop_collection" → drop, collection; "TerminateInstances" → terminate, instances).
func removal(name string) (verb, kind string, ok bool) {
	if len(name) > 96 || strings.ContainsAny(name, " \t\r\n") {
		return "", "", false // a command line, not an operation's name
	}
	return removalWords(nameWords(name))
}

// removalWords is removal on a name already split into words.
func removalWords(words []string) (verb, kind string, ok bool) {
	for i, w := range words {
		if !removeWords[w] {
			continue
		}
		for _, k := range words[i+1:] {
			if !genericObjectWords[k] {
				return w, k, true
			}
		}
		return w, "", true
	}
	return "", "", false
}

// removalPathKeys name the file-system target of a removal tool.
var removalPathKeys = []string{
	"path", "paths", "file", "files", "file_path", "filepath", "filename", "target", "dir", "directory",
	"folder", "dir_path", "directory_path", "folder_path",
}

// describedRemoval judges a tool named for removal (fs_remove, delete_file, rm), or an object
// whose operation is one ({"operation": "delete"} on a file tool), whose arguments name a path:
// {"path": "/srv", "recursive": true} is rm -rf /srv.
func (x *extractor) describedRemoval(m map[string]any) {
	if op, hasOp := stringKey(m, describedVerbKeys); hasOp {
		if _, _, ok := removal(op); !ok {
			return
		}
	} else if !x.toolKind.removes {
		return
	}
	var targets []string
	switch v := anyKey(m, removalPathKeys).(type) {
	case string:
		targets = []string{v}
	case []any:
		// Every string of the list is removed; objects in it ({"path": ...}) are walked as
		// objects of their own.
		for _, el := range v {
			if s, ok := el.(string); ok && strings.TrimSpace(s) != "" {
				targets = append(targets, s)
			}
		}
	}
	if !slices.ContainsFunc(targets, looksLikePath) {
		return // not a path ("target": "prod" on a delete tool is a resource, judged above)
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

// looksLikePath reports whether a removal's target is written as a path: absolute, from home,
// relative with a dot, or with a separator or a glob in it.
func looksLikePath(p string) bool {
	return strings.HasPrefix(p, "/") || strings.HasPrefix(p, "~") || strings.HasPrefix(p, ".") ||
		strings.ContainsAny(p, "/\\*")
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
	x.describedMongoMethod(m)
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
	ctx := x.tool
	if n := len(x.path); n > 0 {
		ctx += " " + x.path[n-1]
	}
	dbCtx := slices.ContainsFunc(nameWords(ctx), databaseWord)
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

// databaseWord reports whether a word of a tool's name or of the key that holds a command
// document says it addresses a database: db, a *db product (mongodb, documentdb, cosmosdb),
// mongo*, database, a command (runCommand, db_command). Whole words: feedback holds "db" but says
// nothing about a database.
func databaseWord(w string) bool {
	return strings.HasSuffix(w, "db") || strings.HasPrefix(w, "mongo") || strings.HasSuffix(w, "command") ||
		w == "database" || w == "databases" || w == "commands"
}

// mongoMethods are the collection methods that delete or drop, by the name an operation key
// gives them ({"action": "deleteMany", "collection": "orders", "filter": {}}).
var mongoMethods = map[string]bool{
	"deleteMany": true, "deleteOne": true, "remove": true, "drop": true, "findOneAndDelete": true,
	"dropIndexes": true, "dropIndex": true,
}

// describedMongoMethod judges an operation on a named collection as the mongosh call it
// describes: db.getCollection("orders").deleteMany({}).
func (x *extractor) describedMongoMethod(m map[string]any) {
	op, ok := stringKey(m, describedVerbKeys)
	if !ok || !mongoMethods[op] {
		return
	}
	coll, ok := stringKey(m, []string{"collection", "coll", "collection_name", "collectionName"})
	if !ok {
		return
	}
	filter := anyKey(m, []string{"filter", "query", "selector", "where"})
	if filter == nil {
		filter = map[string]any{}
	}
	cj, err1 := json.Marshal(coll)
	fj, err2 := json.Marshal(filter)
	if err1 != nil || err2 != nil {
		return
	}
	args := string(fj)
	if text, isText := filter.(string); isText {
		args = text // a filter written as mongosh text ("{}", "{status: 'stale'}") is that text
	}
	if op == "drop" || op == "dropIndexes" {
		args = ""
	}
	script := "db.getCollection(" + string(cj) + ")." + op + "(" + args + ")"
	argv := []string{"mongosh", "--quiet", "--eval", script}
	x.f.addShell(x.source("described"), x.tool, joinArgv(argv), shparse.AnalyzeArgv(argv))
}
