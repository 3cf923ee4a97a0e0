package inspect

import (
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/warden-gw/warden/inspect/shparse"
	"github.com/warden-gw/warden/inspect/sqlparse"
)

// Bounds on the work one body may cause.
const (
	maxDepth   = 32    // JSON nesting followed
	maxNodes   = 20000 // objects and arrays visited per extractor
	maxActions = 64    // actions per exchange; more set Facts.Truncated
)

// extractor finds SQL and shell in decoded JSON, form or query values, under one context.
type extractor struct {
	f       *Facts
	prefix  string // source prefix: "request.body", "mcp.arguments", "llm.tool_calls[0].arguments"
	tool    string // MCP or LLM tool carrying the values
	sqlCtx  bool   // the context says SQL (see doc.go)
	execCtx bool   // the context says commands are executed
	path    []string
	nodes   int
}

func newExtractor(f *Facts, prefix, tool, context string, exec bool) *extractor {
	return &extractor{
		f: f, prefix: prefix, tool: tool,
		sqlCtx: isSQLContext(context), execCtx: exec || isExecContext(context),
	}
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
		x.f.Truncated = true
		return true
	}
	return false
}

// walk visits a decoded JSON value.
func (x *extractor) walk(v any, depth int) {
	x.nodes++
	if depth > maxDepth || x.nodes > maxNodes || x.full() {
		if depth > maxDepth || x.nodes > maxNodes {
			x.f.Truncated = true
		}
		return
	}
	switch t := v.(type) {
	case map[string]any:
		x.object(t, depth)
	case []any:
		for i, el := range t {
			switch el.(type) {
			case map[string]any, []any:
				x.path = append(x.path, "["+strconv.Itoa(i)+"]")
				x.walk(el, depth+1)
				x.path = x.path[:len(x.path)-1]
			}
		}
	}
}

func (x *extractor) object(m map[string]any, depth int) {
	skip := x.commandWithArgs(m)
	for k, v := range m {
		if skip != "" && (k == skip || strings.EqualFold(k, "args") || strings.EqualFold(k, "arguments")) {
			continue
		}
		key := strings.ToLower(k)
		switch t := v.(type) {
		case string:
			x.stringField(k, key, t)
		case []any:
			x.arrayField(k, key, t)
			x.path = append(x.path, k)
			x.walk(t, depth+1)
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
				x.argv(x.source(k), argv)
				return k
			}
		}
	}
	return ""
}

func (x *extractor) stringField(k, key, s string) {
	switch key {
	case "query", "sql", "sql_query", "sqlquery", "querystring", "statement", "statements":
		x.sqlField(x.source(k), s)
	case "command", "cmd", "shell":
		x.shellField(x.source(k), s)
	case "script":
		if x.execCtx || shebangShell(s) {
			x.shellField(x.source(k), s)
		}
	}
}

func (x *extractor) arrayField(k, key string, arr []any) {
	switch key {
	case "query", "sql", "statement", "statements":
		for i, el := range arr {
			if s, ok := el.(string); ok {
				x.sqlField(x.source(k+"["+strconv.Itoa(i)+"]"), s)
			}
		}
	case "argv", "command", "cmd", "args":
		if key == "args" && !x.execCtx {
			return
		}
		if argv, ok := stringList(arr); ok && len(argv) > 0 && programLike(argv[0]) {
			x.argv(x.source(k), argv)
		}
	case "commands":
		for i, el := range arr {
			if s, ok := el.(string); ok {
				x.shellField(x.source(k+"["+strconv.Itoa(i)+"]"), s)
			}
		}
	}
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
			x.stringField(k, key, vals[0])
			continue
		}
		arr := make([]any, len(vals))
		for i, s := range vals {
			arr[i] = s
		}
		x.arrayField(k, key, arr)
	}
}

// sqlField adds s as SQL when the field is classified as SQL (doc.go).
func (x *extractor) sqlField(src, s string) {
	if strings.TrimSpace(s) == "" || x.full() {
		return
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
		Destructive: res.Destructive, Reasons: res.Reasons, SQL: &res,
	})
}

// shellField adds s as a shell command line; outside an exec context, text that does not parse
// as shell is taken for something else (doc.go).
func (x *extractor) shellField(src, s string) {
	if strings.TrimSpace(s) == "" || x.full() {
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
		if e.Kind != "sql" || len(f.Actions) >= maxActions {
			continue
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
