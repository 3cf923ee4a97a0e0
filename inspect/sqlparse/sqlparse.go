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
}

// Analyze parses src with PostgreSQL's own parser and classifies every statement. It never
// panics; invalid or oversized input yields a Result with ParseError set.
func Analyze(src string) Result {
	return analyze(src, 0)
}

func analyze(src string, depth int) Result {
	if err := checkInput(src); err != "" {
		return Result{ParseError: err}
	}
	return analyzeFast(src, depth)
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
// "destructive", "reason"}], "destructive", "reasons", "parse_error"}.
func (r Result) Map() map[string]any {
	stmts := make([]any, 0, len(r.Statements))
	for _, s := range r.Statements {
		stmts = append(stmts, map[string]any{
			"kind":        s.Kind,
			"tables":      strings2any(s.Tables),
			"has_where":   s.HasWhere,
			"destructive": s.Destructive,
			"reason":      s.Reason,
		})
	}
	return map[string]any{
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
