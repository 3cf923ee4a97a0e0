package inspect

import (
	"net/url"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/warden-gw/warden/inspect/shparse"
	"github.com/warden-gw/warden/inspect/sqlparse"
)

// Bounds on the work one body may cause; past each, Facts.Inspection.Truncated is set.
const (
	maxDepth      = 32      // JSON nesting followed
	maxNodes      = 20000   // objects and arrays visited per extractor
	maxActions    = 64      // actions per exchange
	maxJSONNest   = 4       // JSON decoded from inside JSON strings, nested
	maxNestedJSON = 1 << 20 // bytes of JSON decoded from strings per extractor
)

// extractor finds SQL and shell in decoded JSON, form or query values, under one context.
type extractor struct {
	f       *Facts
	prefix  string // source prefix: "request.body", "mcp.arguments", "llm.tool_calls[0].arguments"
	tool    string // MCP or LLM tool carrying the values
	sqlCtx  bool   // the context says SQL (see doc.go)
	execCtx bool   // the context says commands are executed (an MCP or LLM tool call counts)
	// namedExec is true when the context itself names execution (a run_command tool, an /exec
	// endpoint), not only a tool call of any kind.
	namedExec bool
	// toolProg is the program a tool is named for (a "kubectl" or "redis_command" tool), whose
	// arguments are that program's arguments.
	toolProg string
	// toolKind is what the tool's name says about the structured descriptions in its arguments
	// (described.go), read once per extractor.
	toolKind describedTool
	// dryRunKeys are the body fields with which the endpoint's API validates without executing
	// (bodyDryRunAPIs); dryRun is true while the walk is inside an object that sets one.
	dryRunKeys []string
	dryRun     bool
	path       []string
	nodes      int
	nest       int // JSON-in-string nesting of the value being walked
	parses     int // candidate strings parsed as SQL or shell
	nestedSize int
}

func newExtractor(f *Facts, prefix, tool, context string, exec bool) *extractor {
	named := isExecContext(context)
	return &extractor{
		f: f, prefix: prefix, tool: tool,
		sqlCtx: isSQLContext(context), execCtx: exec || named, namedExec: named,
		toolProg: toolProgram(tool), toolKind: describeTool(tool), dryRunKeys: dryRunKeysFor(context),
	}
}

// bodyDryRunAPIs are the APIs known to honour a dry-run field in the request body, each named
// by a marker of its host or path in the context and listing the fields. Elsewhere a dryRun
// field is the application's own and proves nothing: an endpoint that ignores it would run the
// statement.
var bodyDryRunAPIs = []struct {
	marker string
	fields []string
}{
	// BigQuery jobs.query (QueryRequest.dryRun) and jobs.insert (configuration.dryRun):
	// the query is validated and its cost estimated, nothing runs.
	{"bigquery.googleapis.com ", []string{"dryRun", "dry_run"}},
	{"/bigquery/v2/", []string{"dryRun", "dry_run"}},
}

func dryRunKeysFor(context string) []string {
	ctx := strings.ToLower(context)
	for _, api := range bodyDryRunAPIs {
		if strings.Contains(ctx, api.marker) {
			return api.fields
		}
	}
	return nil
}

// setsDryRun reports whether object m sets one of the dry-run fields to JSON true.
func (x *extractor) setsDryRun(m map[string]any) bool {
	for _, k := range x.dryRunKeys {
		if b, ok := m[k].(bool); ok && b {
			return true
		}
	}
	return false
}

// source names the field key under the current path.
func (x *extractor) source(key string) string {
	var b strings.Builder
	b.WriteString(x.prefix)
	for _, p := range x.path {
		if !strings.HasPrefix(p, "[") {
			b.WriteByte('.')
		}
		b.WriteString(p)
	}
	if key != "" {
		if !strings.HasPrefix(key, "[") {
			b.WriteByte('.')
		}
		b.WriteString(key)
	}
	return b.String()
}

func (x *extractor) full() bool {
	if len(x.f.Actions) >= maxActions {
		x.f.truncate("more than " + itoa(maxActions) + " actions in one exchange")
		return true
	}
	return false
}

// walk visits a decoded JSON value.
func (x *extractor) walk(v any, depth int) {
	x.nodes++
	switch {
	case depth > maxDepth:
		x.f.truncate("JSON nested deeper than " + itoa(maxDepth) + " levels")
		return
	case x.nodes > maxNodes:
		x.f.truncate("JSON has more than " + itoa(maxNodes) + " objects and arrays")
		return
	case x.full():
		return
	}
	switch t := v.(type) {
	case map[string]any:
		x.object(t, depth)
	case []any:
		x.array(t, depth, true)
	case string:
		// A value that is one string (MCP arguments or a tool's input sent as a JSON string):
		// the string is the payload, JSON inside it included.
		x.candidate("", t, depth)
	}
}

// array visits the elements of an array; strings are candidates unless the array's key was
// already read as SQL or a command (strs false).
func (x *extractor) array(t []any, depth int, strs bool) {
	x.nodes++
	if depth > maxDepth {
		x.f.truncate("JSON nested deeper than " + itoa(maxDepth) + " levels")
		return
	}
	for i, el := range t {
		x.path = append(x.path, "["+strconv.Itoa(i)+"]")
		switch e := el.(type) {
		case map[string]any, []any:
			x.walk(el, depth+1)
		case string:
			if strs {
				x.candidate("", e, depth+1)
			}
		}
		x.path = x.path[:len(x.path)-1]
	}
}

func (x *extractor) object(m map[string]any, depth int) {
	if !x.dryRun && x.setsDryRun(m) {
		x.dryRun = true // everything under this object is validated, not executed
		defer func() { x.dryRun = false }()
	}
	skip := x.commandWithArgs(m)
	x.embeddedHTTP(m)
	x.describedActions(m)
	code, argv := x.selectedScript(m)
	if argv != nil {
		x.argv(x.source(code), argv) // {"shell": "pwsh", "script": "..."}: judged as pwsh runs it
	} else if x.tool != "" {
		x.describedCode(m) // a python / execute_code tool's {"code": ...}; the key is read as usual too
	}
	for k, v := range m {
		if skip != "" && (k == skip || strings.EqualFold(k, "args") || strings.EqualFold(k, "arguments")) ||
			argv != nil && k == code {
			continue
		}
		key := strings.ToLower(k)
		switch t := v.(type) {
		case string:
			if !x.stringField(k, key, t) {
				x.path = append(x.path, k)
				x.candidate(key, t, depth+1)
				x.path = x.path[:len(x.path)-1]
			}
		case []any:
			handled := x.arrayField(k, key, t)
			x.path = append(x.path, k)
			x.array(t, depth+1, !handled)
			x.path = x.path[:len(x.path)-1]
		case map[string]any:
			x.path = append(x.path, k)
			x.walk(t, depth+1)
			x.path = x.path[:len(x.path)-1]
		}
	}
}

// commandWithArgs handles {"command": "rm", "args": ["-rf", "/"]} as one argv and returns the
// key of the command field it consumed ("" when the shape is absent).
func (x *extractor) commandWithArgs(m map[string]any) string {
	for _, ck := range []string{"command", "cmd", "program", "executable"} {
		for k, v := range m {
			prog, ok := v.(string)
			if !ok || !strings.EqualFold(k, ck) || !programLike(prog) {
				continue
			}
			for ak, av := range m {
				if !strings.EqualFold(ak, "args") && !strings.EqualFold(ak, "arguments") {
					continue
				}
				args, ok := stringList(av)
				if !ok {
					continue
				}
				argv := append([]string{prog}, args...)
				x.argvWorst(x.source(k), argv, x.toolArgv(argv))
				return k
			}
		}
	}
	return ""
}

// stringField reads a string under a key that names SQL or a command; it reports whether the
// key was one of those (other keys' strings are candidates, see candidate).
func (x *extractor) stringField(k, key, s string) bool {
	switch key {
	case "query", "sql", "sql_query", "sqlquery", "querystring", "statement", "statements":
		x.sqlField(x.source(k), s)
	case "command", "cmd", "shell":
		if key == "shell" && (shparse.IsShellName(s) || interpreterName(s)) {
			return true // {"shell": "bash", "script": "..."} names the interpreter of the script
		}
		x.shellField(x.source(k), s)
	case "script":
		if !x.execCtx && !shebangShell(s) {
			return false
		}
		x.shellField(x.source(k), s)
	default:
		return false
	}
	return true
}

// arrayField reads an array under a key that names SQL or commands and reports whether it did.
func (x *extractor) arrayField(k, key string, arr []any) bool {
	switch key {
	case "query", "sql", "statement", "statements":
		for i, el := range arr {
			if s, ok := el.(string); ok {
				x.sqlField(x.source(k+"["+strconv.Itoa(i)+"]"), s)
			}
		}
	case "argv", "command", "cmd", "args":
		if key == "args" && !x.execCtx {
			return false
		}
		argv, ok := stringList(arr)
		if !ok || len(argv) == 0 {
			return false
		}
		if x.toolProg != "" && argv[0] != x.toolProg && key != "command" {
			argv = append([]string{x.toolProg}, argv...) // a kubectl tool's args: ["delete", ...]
		}
		if !programLike(argv[0]) {
			return false
		}
		x.argv(x.source(k), argv)
	case "commands":
		for i, el := range arr {
			if s, ok := el.(string); ok {
				x.shellField(x.source(k+"["+strconv.Itoa(i)+"]"), s)
			}
		}
	default:
		return false
	}
	return true
}

// values reads form or query parameters with the same field rules.
func (x *extractor) values(v url.Values) {
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		vals := v[k]
		key := strings.ToLower(k)
		if len(vals) == 1 {
			if !x.stringField(k, key, vals[0]) {
				x.path = append(x.path, k)
				x.candidate(key, vals[0], 1)
				x.path = x.path[:len(x.path)-1]
			}
			continue
		}
		arr := make([]any, len(vals))
		for i, s := range vals {
			arr[i] = s
		}
		// A repeated parameter: every value is judged, never just the first or the last.
		handled := x.arrayField(k, key, arr)
		x.path = append(x.path, k)
		x.array(arr, 1, !handled)
		x.path = x.path[:len(x.path)-1]
	}
}

// sqlField adds s as SQL when the field is classified as SQL (doc.go).
func (x *extractor) sqlField(src, s string) {
	if strings.TrimSpace(s) == "" || x.full() {
		return
	}
	if argv, ok := dataStoreArgv(s); ok {
		// A query field holding a data store's own command (db.users.drop(), FLUSHALL).
		x.f.addShell(src, x.tool, s, shparse.AnalyzeArgv(argv))
		return
	}
	if t := strings.TrimSpace(s); strings.HasPrefix(t, "mutation") {
		saved := x.path
		x.path = nil
		prefix := x.prefix
		x.prefix = src
		judged := x.graphQLCandidate(t) // a query field holding a GraphQL mutation
		x.prefix, x.path = prefix, saved
		if judged {
			return
		}
	}
	if x.sqlCtx {
		x.sql(src, s)
		return
	}
	kw := leadingSQLKeyword(s)
	if kw == "" {
		return
	}
	res := sqlparse.Analyze(s)
	if (res.ParseError == "" && len(res.Statements) > 0) || sqlStructure(s, kw) {
		x.addSQL(src, s, res)
	}
}

// sql adds s as SQL unconditionally.
func (x *extractor) sql(src, s string) {
	if x.full() {
		return
	}
	x.addSQL(src, s, sqlparse.Analyze(s))
}

func (x *extractor) addSQL(src, s string, res sqlparse.Result) {
	x.f.Actions = append(x.f.Actions, Action{
		Kind: KindSQL, Source: src, Name: x.tool, Text: s,
		Destructive: res.Destructive, Reasons: res.Reasons, SQL: &res, DryRun: x.dryRun,
	})
}

// shellField adds s as a shell command line; outside an exec context, text that does not parse
// as shell is taken for something else (doc.go).
func (x *extractor) shellField(src, s string) {
	if strings.TrimSpace(s) == "" || x.full() {
		return
	}
	if x.toolProg != "" {
		if first, _, _ := strings.Cut(strings.TrimSpace(s), " "); first != x.toolProg {
			s = x.toolProg + " " + s // a kubectl tool's command: "delete ns prod"
		}
	}
	if argv, ok := dataStoreArgv(s); ok && x.toolProg == "" {
		x.f.addShell(src, x.tool, s, shparse.AnalyzeArgv(argv))
		return
	}
	res := shparse.Analyze(s)
	if res.ParseError != "" && !x.execCtx {
		return
	}
	x.f.addShell(src, x.tool, s, res)
}

// shell adds s as a shell command line unconditionally.
func (x *extractor) shell(src, s string) {
	if !x.full() {
		x.f.addShell(src, x.tool, s, shparse.Analyze(s))
	}
}

// argvWorst judges two readings of one command (as given, and as the tool's program or a data
// store's CLI runs it) and keeps the worse: a wrong guess must not hide a destructive reading.
func (x *extractor) argvWorst(src string, given, read []string) {
	if x.full() {
		return
	}
	res := shparse.AnalyzeArgv(given)
	if !res.Destructive && joinArgv(read) != joinArgv(given) {
		if alt := shparse.AnalyzeArgv(read); alt.Destructive {
			x.f.addShell(src, x.tool, joinArgv(read), alt)
			return
		}
	}
	x.f.addShell(src, x.tool, joinArgv(given), res)
}

func (x *extractor) argv(src string, argv []string) {
	if !x.full() {
		x.f.addShell(src, x.tool, joinArgv(argv), shparse.AnalyzeArgv(argv))
	}
}

// addShell adds a shell action and, as actions of their own, the SQL its commands carry.
func (f *Facts) addShell(src, tool, text string, res shparse.Result) {
	f.Actions = append(f.Actions, Action{
		Kind: KindShell, Source: src, Name: tool, Text: text,
		Destructive: res.Destructive, Reasons: res.Reasons, Shell: &res,
	})
	f.addCommandRequests(src, tool, res.HTTP)
	for i, e := range res.Embedded {
		if e.Kind != "sql" {
			continue
		}
		if len(f.Actions) >= maxActions {
			f.truncate("more than " + itoa(maxActions) + " actions in one exchange")
			break
		}
		sq := e.SQL
		f.Actions = append(f.Actions, Action{
			Kind: KindSQL, Source: src + ".embedded[" + strconv.Itoa(i) + "]", Name: tool, Text: e.Text,
			Destructive: sq.Destructive, Reasons: sq.Reasons, SQL: &sq,
		})
	}
}

func stringList(v any) ([]string, bool) {
	arr, ok := v.([]any)
	if !ok {
		return nil, false
	}
	out := make([]string, len(arr))
	for i, el := range arr {
		s, ok := el.(string)
		if !ok {
			return nil, false
		}
		out[i] = s
	}
	return out, true
}

// selectorKeys name the interpreter that runs the rest of a request ({"shell": "bash",
// "script": "..."}); a lone program name under them selects, it is not a command line.
var selectorKeys = map[string]bool{
	"shell": true, "interpreter": true, "lang": true, "language": true, "runtime": true,
	"kernel": true, "executor": true,
}

// selectorValue reports whether s is a lone program name or path ("bash", "/bin/zsh",
// "python3"): one word, nothing for the program to run.
func selectorValue(s string) bool {
	return programLike(strings.TrimSpace(s))
}

// interpreterName reports whether s names an interpreter warden reads code for (pwsh, python3,
// /usr/bin/node...). Only such a name under "shell" selects; any other lone program there
// ({"shell": "reboot"}) is a command and is judged as one.
func interpreterName(s string) bool {
	if !selectorValue(s) {
		return false
	}
	_, ok := selectorCodeFlags[strings.TrimSuffix(strings.ToLower(path.Base(strings.TrimSpace(s))), ".exe")]
	return ok
}
