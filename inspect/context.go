package inspect

import (
	"strings"
)

// sqlSubstrings name SQL engines and APIs wherever they appear in a context.
var sqlSubstrings = []string{
	"sql", "postgres", "mariadb", "sqlite", "snowflake", "bigquery", "redshift", "clickhouse",
	"duckdb", "athena", "trino", "presto", "databricks", "cockroach", "spanner", "statement",
	"supabase", "timescale", "tidb",
}

// sqlTokens must be whole words of a context ("db" in db-gateway, not in feedback).
var sqlTokens = map[string]bool{
	"db": true, "database": true, "databases": true, "warehouse": true, "rdbms": true, "pg": true,
	"dwh": true,
}

var execSubstrings = []string{
	"exec", "shell", "bash", "command", "terminal", "ssh", "console", "script", "spawn",
	"sandbox", "container",
}

var execTokens = map[string]bool{
	"run": true, "runner": true, "runs": true, "cmd": true, "sh": true, "zsh": true, "job": true,
	"jobs": true, "task": true, "tasks": true, "pod": true, "pods": true, "process": true,
	"ci": true, "invoke": true, "cli": true,
}

// isSQLContext reports whether a context (host and path, or tool name) names a SQL service.
func isSQLContext(ctx string) bool {
	return matchContext(strings.ToLower(ctx), sqlSubstrings, sqlTokens)
}

// isExecContext reports whether a context names something that executes commands.
func isExecContext(ctx string) bool {
	return matchContext(strings.ToLower(ctx), execSubstrings, execTokens)
}

func matchContext(ctx string, subs []string, tokens map[string]bool) bool {
	for _, s := range subs {
		if strings.Contains(ctx, s) {
			return true
		}
	}
	start := -1
	for i := 0; i <= len(ctx); i++ {
		alnum := i < len(ctx) && (ctx[i] >= 'a' && ctx[i] <= 'z' || ctx[i] >= '0' && ctx[i] <= '9')
		switch {
		case alnum && start < 0:
			start = i
		case !alnum && start >= 0:
			if tokens[ctx[start:i]] {
				return true
			}
			start = -1
		}
	}
	return false
}

// sqlKeywords start SQL statements (PostgreSQL, MySQL, SQLite, Snowflake, ClickHouse, T-SQL).
var sqlKeywords = map[string]bool{
	"select": true, "insert": true, "update": true, "delete": true, "merge": true, "upsert": true,
	"replace": true, "drop": true, "truncate": true, "alter": true, "create": true, "grant": true,
	"revoke": true, "with": true, "copy": true, "call": true, "exec": true, "execute": true,
	"set": true, "reset": true, "begin": true, "start": true, "commit": true, "rollback": true,
	"savepoint": true, "release": true, "end": true, "abort": true, "vacuum": true, "analyze": true,
	"explain": true, "show": true, "describe": true, "desc": true, "use": true, "lock": true,
	"comment": true, "reindex": true, "cluster": true, "refresh": true, "discard": true,
	"listen": true, "notify": true, "prepare": true, "deallocate": true, "declare": true,
	"do": true, "values": true, "table": true, "pragma": true, "attach": true, "detach": true,
	"rename": true, "optimize": true, "kill": true, "system": true, "load": true, "unload": true,
	"import": true, "reassign": true, "security": true, "checkpoint": true, "undrop": true,
}

// leadingSQLKeyword returns the first word of s in lower case when it is a SQL keyword, skipping
// blanks, -- and /* */ comments, and opening parentheses.
func leadingSQLKeyword(s string) string {
	i := 0
	for i < len(s) {
		switch c := s[i]; {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '(' || c == '\f' || c == ';':
			i++
		case strings.HasPrefix(s[i:], "--"):
			j := strings.IndexByte(s[i:], '\n')
			if j < 0 {
				return ""
			}
			i += j + 1
		case strings.HasPrefix(s[i:], "/*"):
			j := strings.Index(s[i+2:], "*/")
			if j < 0 {
				return ""
			}
			i += j + 4
		default:
			j := i
			for j < len(s) && (s[j]|0x20 >= 'a' && s[j]|0x20 <= 'z') {
				j++
			}
			if j == i || j-i > 12 {
				return ""
			}
			w := strings.ToLower(s[i:j])
			if j < len(s) && (s[j] == '_' || s[j] >= '0' && s[j] <= '9') {
				return "" // an identifier such as select_all
			}
			if sqlKeywords[w] {
				return w
			}
			return ""
		}
	}
	return ""
}

// objectWords follow DROP / CREATE / ALTER in SQL.
var objectWords = map[string]bool{
	"table": true, "database": true, "schema": true, "index": true, "view": true, "user": true,
	"role": true, "function": true, "procedure": true, "trigger": true, "sequence": true,
	"extension": true, "owned": true, "materialized": true, "type": true, "domain": true,
	"policy": true, "temporary": true, "temp": true, "unique": true, "or": true, "if": true,
	"column": true, "tablespace": true, "warehouse": true, "stage": true, "stream": true,
	"unlogged": true, "external": true, "transient": true, "dictionary": true, "keyspace": true,
}

// sqlStructure reports whether text that starts with keyword kw reads as SQL even though the
// parser refused it (dialect syntax such as MySQL backquotes): DROP TABLE ..., DELETE FROM ...,
// UPDATE ... SET, INSERT INTO, SELECT ... FROM, GRANT ... ON ... TO, MERGE INTO, TRUNCATE x.
// Natural language that starts with the same word ("delete my account", "show me pizza") does
// not have these shapes.
func sqlStructure(text, kw string) bool {
	words := sqlWords(text, 64)
	if len(words) < 2 {
		return false
	}
	has := func(w string) bool {
		for _, x := range words[1:] {
			if x == w {
				return true
			}
		}
		return false
	}
	switch kw {
	case "drop", "create", "alter", "undrop":
		return objectWords[words[1]]
	case "delete":
		return words[1] == "from"
	case "update":
		return has("set")
	case "insert", "replace", "upsert", "merge":
		return words[1] == "into"
	case "select":
		return has("from")
	case "grant", "revoke":
		return words[1] == "all" || has("on") && (has("to") || has("from"))
	case "truncate":
		return words[1] == "table" || len(words) <= 3
	case "with":
		return has("as") && (has("select") || has("delete") || has("update") || has("insert"))
	}
	return false
}

// sqlWords lowercases the first max words of s (letters, digits, _ and quoted identifiers as
// words; everything else separates).
func sqlWords(s string, limit int) []string {
	var out []string
	i := 0
	for i < len(s) && len(out) < limit {
		c := s[i]
		if isWordByte(c) {
			j := i
			for j < len(s) && isWordByte(s[j]) {
				j++
			}
			out = append(out, strings.ToLower(s[i:j]))
			i = j
			continue
		}
		i++
	}
	return out
}

func isWordByte(c byte) bool {
	return c|0x20 >= 'a' && c|0x20 <= 'z' || c >= '0' && c <= '9' || c == '_' || c >= 0x80
}

// programByte reports whether c may appear in a program name or path.
func programByte(c byte) bool {
	return isWordByte(c) && c < 0x80 || c == '.' || c == '/' || c == '-' || c == '+' || c == '~'
}

// programLike reports whether s can be argv[0]: a program name or path.
func programLike(s string) bool {
	if s == "" || s[0] == '-' || len(s) > 256 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !programByte(c) {
			return false
		}
	}
	return true
}

// shebangShell reports whether a script starts with a shell interpreter line.
func shebangShell(s string) bool {
	if !strings.HasPrefix(s, "#!") {
		return false
	}
	line, _, _ := strings.Cut(s, "\n")
	for _, sh := range []string{"/sh", "bash", "zsh", "/ksh", "/dash", "env sh"} {
		if strings.Contains(line, sh) {
			return true
		}
	}
	return false
}

// joinArgv renders argv as a shell command line, quoting words that need it.
func joinArgv(argv []string) string {
	var b strings.Builder
	for i, a := range argv {
		if i > 0 {
			b.WriteByte(' ')
		}
		if a != "" && strings.IndexFunc(a, needsQuote) < 0 {
			b.WriteString(a)
			continue
		}
		b.WriteByte('\'')
		b.WriteString(strings.ReplaceAll(a, "'", `'\''`))
		b.WriteByte('\'')
	}
	return b.String()
}

func needsQuote(r rune) bool {
	safe := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' ||
		strings.ContainsRune("-_./=:,+@%~", r)
	return !safe
}
