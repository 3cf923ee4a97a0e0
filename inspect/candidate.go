package inspect

import (
	"strings"

	"github.com/warden-gw/warden/inspect/gqlparse"
	"github.com/warden-gw/warden/inspect/shparse"
	"github.com/warden-gw/warden/inspect/sqlparse"
)

// sqlKeyHints and shellKeyHints are key names that raise the confidence that a string under
// them is SQL or a command line (any key is a candidate; these make a weaker text enough).
var (
	sqlKeyHints   = []string{"sql", "query", "stmt", "statement", "ddl", "dml", "migration"}
	shellKeyHints = []string{
		"command", "cmd", "shell", "bash", "script", "exec", "run", "cmdline", "commandline",
		"entrypoint", "line", "code", "input", "argv", "terminal", "invocation", "hook",
	}
)

func keyHints(key string, hints []string) bool {
	if key == "" {
		return false
	}
	for _, h := range hints {
		if strings.Contains(key, h) {
			return true
		}
	}
	return false
}

// candidate judges a string under any key (key is lower case; "" for array elements): JSON
// inside the string is decoded and walked; otherwise the text is read as SQL and as a command
// line, and kept as an action when the text and its context (key name, endpoint or tool) make
// that reading confident. The current path already names the value.
func (x *extractor) candidate(key, s string, depth int) {
	t := strings.TrimSpace(s)
	if len(t) < 2 || x.full() {
		return
	}
	// Strings count against the node bound too: each may be parsed as SQL and shell.
	if x.nodes++; x.nodes > maxNodes {
		x.f.truncate("JSON has more than " + itoa(maxNodes) + " values")
		return
	}
	if (t[0] == '{' || t[0] == '[') && x.nestedJSON(t, depth) {
		return
	}
	if t[0] >= 'A' && t[0] <= 'Z' && looksRawHTTP(t) && x.rawHTTPCandidate(key, t) {
		return
	}
	if kw := leadingSQLKeyword(t); kw != "" && x.parse() && x.sqlCandidate(key, t, kw) {
		return
	}
	if x.graphQLCandidate(t) {
		return
	}
	x.shellCandidate(key, t)
}

// graphQLCandidate judges a string of a tool call's arguments that is a GraphQL mutation
// document as GraphQL; it reports whether it was one.
// Queries are not actions.
func (x *extractor) graphQLCandidate(t string) bool {
	// A request body's own GraphQL document is read once, by graphQLActions.
	if x.tool == "" || !strings.HasPrefix(t, "mutation") || len(t) < len("mutation{}") || !x.parse() {
		return false
	}
	res := gqlparse.Analyze(t, nil)
	if res.ParseError != "" || x.full() {
		return false
	}
	x.f.Actions = append(x.f.Actions, Action{
		Kind: KindGraphQL, Source: x.source(""), Name: x.tool, Text: t,
		Destructive: res.Destructive, Reasons: res.Reasons, GraphQL: &res,
	})
	return true
}

// maxCandidateParses bounds how many candidate strings one extractor parses as SQL or shell.
const maxCandidateParses = 2048

// parse counts one candidate parse and reports whether the budget allows it; past the budget
// the facts say the body was truncated.
func (x *extractor) parse() bool {
	if x.parses++; x.parses > maxCandidateParses {
		x.f.truncate("more than " + itoa(maxCandidateParses) + " strings read as SQL or commands")
		return false
	}
	return true
}

// nestedJSON decodes JSON carried in a string and walks it under the same context; it reports
// whether s was JSON.
func (x *extractor) nestedJSON(s string, depth int) bool {
	if x.nest >= maxJSONNest {
		x.f.truncate("JSON nested in JSON strings deeper than " + itoa(maxJSONNest) + " levels")
		return false
	}
	if x.nestedSize+len(s) > maxNestedJSON {
		x.f.truncate("more than " + itoa(maxNestedJSON) + " bytes of JSON nested in strings")
		return false
	}
	v, dups, ok := decodeJSONAll([]byte(s))
	if !ok {
		return false
	}
	x.nestedSize += len(s)
	x.nest++
	x.walk(v, depth)
	for _, d := range dups {
		x.walk(d, depth)
	}
	x.nest--
	return true
}

// sqlCandidate keeps t as SQL when it parses (or has SQL structure in a SQL context) and the
// context or the text says it is SQL: a SQL or executing context, a key named for SQL, or a
// statement keyword written in capitals (prose does not write "DELETE FROM").
func (x *extractor) sqlCandidate(key, t, kw string) bool {
	res := sqlparse.Analyze(t)
	parsed := res.ParseError == "" && len(res.Statements) > 0
	structured := sqlStructure(t, kw)
	confident := x.sqlCtx || x.namedExec || keyHints(key, sqlKeyHints) || capitalKeyword(t, kw)
	switch {
	case parsed && confident && (structured || x.sqlCtx || res.Destructive):
	case !parsed && structured && (x.sqlCtx || keyHints(key, sqlKeyHints)):
		// Unparsable SQL where SQL is expected: kept with its parse error, and the pack fails
		// closed on it.
	default:
		return false
	}
	x.addSQL(x.source(""), t, res)
	return true
}

// capitalKeyword reports whether the leading keyword kw appears in t in capitals.
func capitalKeyword(t, kw string) bool {
	return strings.Contains(t, strings.ToUpper(kw)+" ")
}

// shellCandidate keeps t as a command line when it is destructive and the context executes
// commands: an endpoint or tool named for execution, a key named for commands, or a tool call
// (MCP, LLM) whose text starts with a program that destroys. Text outside such contexts
// (a chat message that quotes rm -rf) is not an action.
func (x *extractor) shellCandidate(key, t string) {
	if !x.execCtx && !keyHints(key, shellKeyHints) && !wipesDataStore(t) {
		return
	}
	if argv, ok := dataStoreArgv(t); ok {
		if x.parse() {
			if res := shparse.AnalyzeArgv(argv); res.Destructive {
				x.f.addShell(x.source(""), x.tool, t, res)
			}
		}
		return
	}
	first, _, hasArgs := strings.Cut(t, " ")
	if !hasArgs && !keyHints(key, shellKeyHints) {
		return // one word under a data key ("shutdown" as a state) is a value, not a command
	}
	looksProgram := programLike(first) || x.execCtx && obfuscatedProgram(first)
	if !looksProgram || !x.parse() {
		return
	}
	res := shparse.Analyze(t)
	keep := res.Destructive || len(res.HTTP) > 0 || x.execCtx && opaque(res)
	if res.ParseError != "" || len(res.Commands) == 0 || !keep {
		return
	}
	// Kept when destructive, when it sends HTTP requests (curl -X DELETE ...: judged as the
	// requests they are), or, in a tool call, when the program it runs is computed at run time
	// (IFS=,; c=rm,-rf,/; $c): the pack holds what it cannot see.
	x.f.addShell(x.source(""), x.tool, t, res)
}

// opaque reports a command line whose program is computed at run time or run through eval.
func opaque(res shparse.Result) bool {
	for _, c := range res.Commands {
		if c.Dynamic || c.Name == "eval" {
			return true
		}
	}
	return false
}

// obfuscatedProgram reports a first word that is a program name once shell quoting is undone
// ("r"m, r\m, $'\x72\x6d') or a variable assignment (IFS=,), as obfuscated commands begin.
func obfuscatedProgram(w string) bool {
	if name, _, ok := strings.Cut(w, "="); ok && name != "" && programLike(name) {
		return true
	}
	if !strings.ContainsAny(w, "'\"\\$") {
		return false
	}
	stripped := strings.Map(func(r rune) rune {
		if strings.ContainsRune("'\"\\${}", r) {
			return -1
		}
		return r
	}, w)
	return programLike(stripped)
}

// toolPrograms maps a word of a tool's name to the program the tool runs: an MCP "kubectl" tool
// takes kubectl's arguments, a "redis_command" tool takes redis-cli's.
var toolPrograms = map[string]string{
	"kubectl": "kubectl", "helm": "helm", "aws": "aws", "gcloud": "gcloud", "az": "az", "gh": "gh",
	"git": "git", "docker": "docker", "terraform": "terraform", "psql": "psql", "mysql": "mysql",
	"redis": "redis-cli", "rediscli": "redis-cli", "mongosh": "mongosh", "mongo": "mongosh",
	"curl": "curl", "wget": "wget", "pulumi": "pulumi", "oc": "oc", "gsutil": "gsutil",
	"k8s": "kubectl", "kube": "kubectl", "kubernetes": "kubectl", "openshift": "oc", "tf": "terraform",
	"terragrunt": "terragrunt", "tofu": "tofu", "opentofu": "tofu", "postgres": "psql", "postgresql": "psql",
	"pg": "psql", "mongodb": "mongosh", "mariadb": "mysql", "github": "gh", "gitlab": "glab",
	"azure": "az", "gcp": "gcloud", "valkey": "redis-cli", "podman": "podman", "compose": "docker",
}

// toolProgram returns the program a tool's name names ("run_kubectl" is kubectl), or "".
func toolProgram(tool string) string {
	if tool == "" {
		return ""
	}
	words := strings.FieldsFunc(strings.ToLower(tool), func(r rune) bool {
		return r == '_' || r == '-' || r == '.' || r == '/' || r == ' ' || r == ':'
	})
	for _, w := range words {
		if p, ok := toolPrograms[w]; ok {
			return p
		}
	}
	return ""
}
