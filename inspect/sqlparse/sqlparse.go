package sqlparse

import (
	"fmt"
	"strings"

	pg "github.com/pganalyze/pg_query_go/v6"
)

// MaxInputBytes is the largest SQL text Analyze parses. Longer input is not parsed: the Result
// carries a ParseError and the policy decides (the default pack fails closed on parse errors).
const MaxInputBytes = 1 << 20

// maxNesting bounds how deep Analyze follows SQL carried inside SQL (DO blocks, function bodies,
// dblink_exec strings, EXPLAIN ANALYZE, PREPARE). Deeper text is reported as opaque.
const maxNesting = 4

// Result is what a SQL text means.
type Result struct {
	// Statements are the statements the parser found, in order.
	Statements []Statement
	// ParseError is the parser's message when the text is not valid PostgreSQL; then Statements
	// is empty and Destructive is false.
	ParseError string
	// Destructive is true when any statement is destructive.
	Destructive bool
	// Reasons lists the Reason of each destructive statement, in order, without duplicates.
	Reasons []string
	// Dialect is the grammar the text was read with: PostgreSQL first, then MySQL (vitess), then
	// the lexical classifier; "" when nothing was read.
	Dialect Dialect
}

// Statement is one SQL statement.
type Statement struct {
	// Kind is the statement's lower-case verb: select insert update delete merge drop truncate
	// alter grant revoke create copy call set show begin commit rollback do explain ...
	Kind string
	// Tables are the relations the statement names, schema-qualified as written, without CTE names.
	Tables []string
	// HasWhere is true when the statement has a WHERE (or MERGE ON) clause that is a real
	// predicate: present and not a tautology such as 1=1, true, 'a'='a', x=x or "... OR true".
	HasWhere bool
	// Destructive is true when running the statement can destroy data, schema or access control.
	Destructive bool
	// Reason says why the statement is destructive, e.g. "DELETE without a real WHERE"; "" if not.
	Reason string
	// Class is what the statement does: read, write, ddl, privilege, session, execute, admin.
	Class Class
}

// Analyze parses src as SQL of any dialect and classifies every statement: with PostgreSQL's own
// parser first; text PostgreSQL rejects, and text with MySQL executable comments (which
// PostgreSQL would skip and MySQL runs), with vitess's MySQL grammar; what neither grammar reads,
// with the lexical classifier (dialect.go). ParseError is set only when none of them understands
// every statement. It never panics; oversized input yields a Result with ParseError set.
func Analyze(src string) Result {
	return analyze(src, 0)
}

// AnalyzeDialect reads src as SQL of dialect d, when the caller knows it (bq query, snowsql,
// sqlcmd, a BigQuery endpoint). PostgreSQL and MySQL use their grammars; for the other dialects a
// grammar that reads the text is tried first and the lexical classifier reads the rest.
func AnalyzeDialect(src string, d Dialect) Result {
	return analyzeDialect(src, d, 0)
}

func analyze(src string, depth int) Result {
	if err := checkInput(src); err != "" {
		return Result{ParseError: err}
	}
	if hasExecutableComment(src) {
		return analyzeDialect(src, DialectMySQL, depth)
	}
	res := analyzeFast(src, depth)
	if res.ParseError == "" {
		res.Dialect = DialectPostgres
		return res
	}
	if my, ok := analyzeMySQL(src, depth); ok {
		return my
	}
	if lex := analyzeLexical(src, DialectGeneric, depth); lex.ParseError == "" {
		return lex
	}
	return res // PostgreSQL's message: the closest grammar
}

func analyzeDialect(src string, d Dialect, depth int) Result {
	if err := checkInput(src); err != "" {
		return Result{ParseError: err}
	}
	switch d {
	case DialectPostgres:
		res := analyzeFast(src, depth)
		if res.ParseError == "" {
			res.Dialect = DialectPostgres
		}
		return res
	case DialectMySQL:
		if my, ok := analyzeMySQL(src, depth); ok {
			return my
		}
		return analyzeLexical(src, DialectMySQL, depth)
	}
	if _, ok := dialectRules[d]; !ok {
		return analyze(src, depth)
	}
	return analyzeLexical(src, d, depth)
}

// analyzeFull parses the whole text with PostgreSQL's parser and classifies every statement.
func analyzeFull(src string, depth int) Result {
	if err := checkInput(src); err != "" {
		return Result{ParseError: err}
	}
	tree, err := pg.Parse(src)
	if err != nil {
		return Result{ParseError: fmt.Sprintf("not valid PostgreSQL: %v", err)}
	}
	var res Result
	for _, raw := range tree.GetStmts() {
		st := classify(raw.GetStmt(), depth)
		res.add(st)
	}
	return res
}

func checkInput(src string) string {
	if len(src) > MaxInputBytes {
		return fmt.Sprintf("SQL text is %d bytes, more than the %d-byte limit; "+
			"send smaller statements", len(src), MaxInputBytes)
	}
	if strings.IndexByte(src, 0) >= 0 {
		return "SQL text contains a NUL byte, which PostgreSQL rejects"
	}
	return ""
}

func (r *Result) add(st Statement) {
	if st.Class == "" {
		st.Class = classOfKind(st.Kind)
	}
	r.Statements = append(r.Statements, st)
	if !st.Destructive {
		return
	}
	r.Destructive = true
	r.addReason(st.Reason)
}

func (r *Result) addReason(reason string) {
	for _, have := range r.Reasons {
		if have == reason {
			return
		}
	}
	r.Reasons = append(r.Reasons, reason)
}

// Map returns the Result as CEL values: {"statements": [{"kind", "tables", "has_where",
// "destructive", "reason", "class"}], "destructive", "reasons", "parse_error", "dialect"}.
func (r Result) Map() map[string]any {
	stmts := make([]any, 0, len(r.Statements))
	for _, s := range r.Statements {
		stmts = append(stmts, map[string]any{
			"kind":        s.Kind,
			"tables":      strings2any(s.Tables),
			"has_where":   s.HasWhere,
			"destructive": s.Destructive,
			"reason":      s.Reason,
			"class":       string(s.Class),
		})
	}
	return map[string]any{
		"dialect":     string(r.Dialect),
		"statements":  stmts,
		"destructive": r.Destructive,
		"reasons":     strings2any(r.Reasons),
		"parse_error": r.ParseError,
	}
}

func strings2any(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// classOfKind gives the class of a statement read by PostgreSQL's grammar from its verb.
func classOfKind(kind string) Class {
	switch kind {
	case "select", "show", "explain", "values", "table", "fetch":
		return ClassRead
	case "insert", "update", "delete", "merge", "copy", "refresh":
		return ClassWrite
	case "create", "alter", "drop", "truncate", "comment", "rename", "reindex", "cluster", "security":
		return ClassDDL
	case "grant", "revoke", "reassign":
		return ClassPrivilege
	case "set", "reset", "begin", "commit", "rollback", "savepoint", "release", "discard", "lock",
		"listen", "unlisten", "notify", "declare", "close", "deallocate", "load", "transaction", "variable":
		return ClassSession
	case "do", "call", "execute", "prepare":
		return ClassExecute
	case "vacuum", "checkpoint", "analyze", "alter_system", "vacuum_analyze":
		return ClassAdmin
	}
	if verbClass[kind] != "" {
		return verbClass[kind]
	}
	return ClassAdmin
}
