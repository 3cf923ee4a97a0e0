package sqlparse

import (
	"fmt"
	"log/slog"
	"strings"
	"sync"

	vtlog "vitess.io/vitess/go/vt/log"
	vt "vitess.io/vitess/go/vt/sqlparser"
)

// MySQL is read with vitess's MySQL grammar (vitess.io/vitess/go/vt/sqlparser, pure Go), which
// also executes the content of /*! … */ and /*!NNNNN … */ comments as MySQL does. Statements the
// grammar accepts only as "other admin" (GRANT, REPAIR, …) go to the lexical classifier.

var (
	mysqlOnce   sync.Once
	mysqlParser *vt.Parser
	mysqlErr    error
)

func mysql() (*vt.Parser, error) {
	mysqlOnce.Do(func() {
		// vitess logs its parse warnings (with the SQL text, which may hold secrets) through its
		// own logger; warden reports parse errors itself.
		vtlog.SwapLogger(slog.New(slog.DiscardHandler))
		mysqlParser, mysqlErr = vt.New(vt.Options{MySQLServerVersion: "8.0.40"})
	})
	return mysqlParser, mysqlErr
}

// hasExecutableComment reports whether src has a MySQL executable comment (/*! … */ or MariaDB's
// /*M! … */), whose content MySQL runs and PostgreSQL ignores.
func hasExecutableComment(src string) bool {
	return strings.Contains(src, "/*!") || strings.Contains(src, "/*M!")
}

// analyzeMySQL parses src with the MySQL grammar. ok is false when the grammar rejects it, or
// when vitess panics: its SplitStatementToPieces indexes out of range on some unterminated
// strings (found by FuzzAnalyzeDialect, see testdata/fuzz), which must not take the server down.
func analyzeMySQL(src string, depth int) (res Result, ok bool) {
	defer func() {
		if r := recover(); r != nil {
			res, ok = Result{}, false
		}
	}()
	p, err := mysql()
	if err != nil {
		return Result{}, false
	}
	if strings.Contains(src, "/*M!") { // MariaDB's form runs like MySQL's
		src = strings.ReplaceAll(src, "/*M!", "/*!")
	}
	pieces, err := p.SplitStatementToPieces(src)
	if err != nil {
		return Result{}, false
	}
	res.Dialect = DialectMySQL
	for _, piece := range pieces {
		if strings.TrimSpace(piece) == "" {
			continue
		}
		// Strict: vitess's Parse returns a partly read DDL statement and drops the rest.
		stmt, err := p.ParseStrictDDL(piece)
		if err != nil {
			return Result{}, false
		}
		switch stmt.(type) {
		case *vt.CommentOnly:
			continue
		case *vt.OtherAdmin:
			for _, st := range lexicalStatements(piece, DialectMySQL, depth) {
				res.add(st)
			}
			continue
		}
		res.add(classifyMySQL(stmt, depth))
	}
	for _, st := range res.Statements {
		if st.Class == ClassUnknown {
			res.ParseError = fmt.Sprintf("MySQL statement %q is not understood", st.Kind)
		}
	}
	return res, true
}

// classifyMySQL judges one MySQL statement.
func classifyMySQL(stmt vt.Statement, depth int) Statement {
	st := Statement{Tables: mysqlTables(stmt)}
	switch s := stmt.(type) {
	case *vt.Select, *vt.Union:
		st.Kind, st.Class = "select", ClassRead
		if sel, ok := s.(*vt.Select); ok {
			st.HasWhere = sel.Where != nil && !mysqlTautology(sel.Where.Expr, 0)
			if sel.Into != nil && sel.Into.FileName != "" {
				st.Kind, st.Class = "select", ClassWrite
				st.Destructive, st.Reason = true, "SELECT … INTO OUTFILE writes a server file"
			}
		}
	case *vt.Insert:
		st.Kind, st.Class = "insert", ClassWrite
		if s.Action == vt.ReplaceAct {
			st.Kind = "replace"
		}
	case *vt.Update:
		st.Kind, st.Class = "update", ClassWrite
		st.HasWhere = s.Where != nil && !mysqlTautology(s.Where.Expr, 0)
		if !st.HasWhere {
			st.Destructive, st.Reason = true, "UPDATE without a real WHERE"
		}
	case *vt.Delete:
		st.Kind, st.Class = "delete", ClassWrite
		st.HasWhere = s.Where != nil && !mysqlTautology(s.Where.Expr, 0)
		if !st.HasWhere {
			st.Destructive, st.Reason = true, "DELETE without a real WHERE"
		}
	case *vt.DropTable:
		st.Kind, st.Class, st.Destructive, st.Reason = "drop", ClassDDL, true, "DROP TABLE"
	case *vt.DropView:
		st.Kind, st.Class, st.Destructive, st.Reason = "drop", ClassDDL, true, "DROP VIEW"
	case *vt.DropDatabase:
		st.Kind, st.Class, st.Destructive, st.Reason = "drop", ClassDDL, true, "DROP DATABASE"
	case *vt.DropProcedure:
		st.Kind, st.Class, st.Destructive, st.Reason = "drop", ClassDDL, true, "DROP PROCEDURE"
	case *vt.TruncateTable:
		st.Kind, st.Class, st.Destructive, st.Reason = "truncate", ClassDDL, true, "TRUNCATE"
	case *vt.AlterTable:
		st.Kind, st.Class = "alter", ClassDDL
		st.Destructive, st.Reason = mysqlAlterDanger(s)
	case *vt.CreateTable, *vt.CreateView, *vt.CreateDatabase, *vt.AlterView, *vt.AlterDatabase,
		*vt.RenameTable, *vt.CreateProcedure:
		st.Kind, st.Class = kindFromType(stmt), ClassDDL
	case *vt.Set, *vt.Use, *vt.Begin, *vt.Commit, *vt.Rollback, *vt.SRollback, *vt.Savepoint,
		*vt.Release, *vt.LockTables, *vt.UnlockTables, *vt.DeallocateStmt:
		st.Kind, st.Class = kindFromType(stmt), ClassSession
	case *vt.Show, *vt.ExplainTab, *vt.Analyze:
		st.Kind, st.Class = kindFromType(stmt), ClassRead
	case *vt.ExplainStmt:
		st.Kind, st.Class = "explain", ClassRead
		if s.Type == vt.AnalyzeType && s.Statement != nil && depth < maxNesting {
			if in := classifyMySQL(s.Statement, depth+1); in.Destructive {
				st.Destructive, st.Reason = true, "EXPLAIN ANALYZE: "+in.Reason
			}
		}
	case *vt.PrepareStmt:
		st.Kind, st.Class = "prepare", ClassExecute
		st.Destructive, st.Reason = mysqlPrepared(s, depth)
	case *vt.ExecuteStmt, *vt.CallProc:
		st.Kind, st.Class = kindFromType(stmt), ClassExecute
	case *vt.Load:
		st.Kind, st.Class = "load", ClassWrite
	case *vt.Kill:
		st.Kind, st.Class, st.Destructive, st.Reason = "kill", ClassAdmin, true, "KILL ends a session or query"
	case *vt.PurgeBinaryLogs:
		st.Kind, st.Class, st.Destructive, st.Reason = "purge", ClassAdmin, true, "PURGE BINARY LOGS deletes the binary log"
	case *vt.Flush:
		st.Kind, st.Class = "flush", ClassAdmin
	default:
		st.Kind, st.Class = kindFromType(stmt), ClassUnknown
	}
	return st
}

// kindFromType names a vitess statement's verb: *sqlparser.CreateTable → "create".
func kindFromType(stmt vt.Statement) string {
	return firstWord(strings.TrimPrefix(fmt.Sprintf("%T", stmt), "*sqlparser."))
}

func mysqlAlterDanger(a *vt.AlterTable) (bool, string) {
	for _, o := range a.AlterOptions {
		switch o.(type) {
		case *vt.DropColumn:
			return true, "ALTER TABLE … DROP COLUMN"
		case *vt.DropKey:
			return true, "ALTER TABLE … DROP KEY/CONSTRAINT"
		}
	}
	if ps := a.PartitionSpec; ps != nil {
		switch ps.Action {
		case vt.DropAction:
			return true, "ALTER TABLE … DROP PARTITION"
		case vt.TruncateAction:
			return true, "ALTER TABLE … TRUNCATE PARTITION"
		case vt.DiscardAction:
			return true, "ALTER TABLE … DISCARD TABLESPACE"
		case vt.ExchangeAction:
			return true, "ALTER TABLE … EXCHANGE PARTITION"
		}
	}
	return false, ""
}

// mysqlPrepared judges PREPARE name FROM 'text': the text is what EXECUTE will run. Text held in
// a variable is opaque.
func mysqlPrepared(s *vt.PrepareStmt, depth int) (bool, string) {
	lit, ok := s.Statement.(*vt.Literal)
	if !ok {
		return true, "PREPARE from a variable: the statement is not visible"
	}
	if depth >= maxNesting {
		return true, "PREPARE nested too deep to analyse"
	}
	in := analyzeDialect(lit.Val, DialectMySQL, depth+1)
	if in.Destructive {
		return true, "PREPARE: " + in.Reasons[0]
	}
	if in.ParseError != "" {
		return true, "PREPARE of a statement warden cannot read"
	}
	return false, ""
}

func mysqlTables(stmt vt.Statement) []string {
	var out []string
	seen := map[string]bool{}
	_ = vt.Walk(func(n vt.SQLNode) (bool, error) {
		if t, ok := n.(vt.TableName); ok && !t.Name.IsEmpty() {
			name := t.Name.String()
			if !t.Qualifier.IsEmpty() {
				name = t.Qualifier.String() + "." + name
			}
			if !seen[name] {
				seen[name] = true
				out = append(out, name)
			}
		}
		return true, nil
	}, stmt)
	return out
}

// mysqlTautology reports whether a WHERE expression is true without looking at data: constants,
// comparisons of constants, an expression compared with itself, x LIKE '%', and AND/OR/NOT
// combinations of those.
func mysqlTautology(e vt.Expr, depth int) bool {
	if depth > 200 {
		return false
	}
	switch x := e.(type) {
	case vt.BoolVal:
		return bool(x)
	case *vt.Literal:
		return literalTrue(x)
	case *vt.OrExpr:
		return mysqlTautology(x.Left, depth+1) || mysqlTautology(x.Right, depth+1) || mysqlCoversAll(x)
	case *vt.AndExpr:
		return mysqlTautology(x.Left, depth+1) && mysqlTautology(x.Right, depth+1)
	case *vt.NotExpr:
		return mysqlFalse(x.Expr, depth+1)
	case *vt.ComparisonExpr:
		return comparisonAlwaysTrue(x)
	}
	return false
}

func mysqlFalse(e vt.Expr, depth int) bool {
	switch x := e.(type) {
	case vt.BoolVal:
		return !bool(x)
	case *vt.Literal:
		return !literalTrue(x)
	case *vt.NotExpr:
		return mysqlTautology(x.Expr, depth+1)
	case *vt.AndExpr:
		return mysqlFalse(x.Left, depth+1) || mysqlFalse(x.Right, depth+1)
	case *vt.OrExpr:
		return mysqlFalse(x.Left, depth+1) && mysqlFalse(x.Right, depth+1)
	}
	return false
}

func literalTrue(l *vt.Literal) bool {
	v := strings.TrimSpace(l.Val)
	switch l.Type {
	case vt.StrVal:
		v = strings.TrimLeft(v, " ")
	}
	// MySQL converts strings and numbers to a number: '1', 1, 1.5 are true; 0, '0', '' false.
	v = strings.TrimLeft(v, "+")
	if v == "" {
		return false
	}
	for _, r := range v {
		if r >= '1' && r <= '9' {
			return true
		}
		if r != '0' && r != '.' && r != '-' {
			break
		}
	}
	return false
}

func comparisonAlwaysTrue(c *vt.ComparisonExpr) bool {
	ls, rs := vt.String(c.Left), vt.String(c.Right)
	_, lLit := c.Left.(*vt.Literal)
	_, rLit := c.Right.(*vt.Literal)
	switch c.Operator {
	case vt.EqualOp, vt.NullSafeEqualOp, vt.LessEqualOp, vt.GreaterEqualOp:
		if ls == rs {
			return true
		}
		if lLit && rLit {
			return constCompare(c.Left.(*vt.Literal), c.Right.(*vt.Literal), c.Operator)
		}
	case vt.NotEqualOp, vt.LessThanOp, vt.GreaterThanOp:
		if lLit && rLit {
			return constCompare(c.Left.(*vt.Literal), c.Right.(*vt.Literal), c.Operator)
		}
	case vt.LikeOp:
		if l, ok := c.Right.(*vt.Literal); ok && strings.Trim(l.Val, "%") == "" {
			return true
		}
	}
	return false
}

// constCompare compares two literals the way a reader would: numbers as numbers, else strings.
func constCompare(l, r *vt.Literal, op vt.ComparisonExprOperator) bool {
	var a, b float64
	_, errA := fmt.Sscanf(l.Val, "%g", &a)
	_, errB := fmt.Sscanf(r.Val, "%g", &b)
	cmp := strings.Compare(l.Val, r.Val)
	if errA == nil && errB == nil {
		switch {
		case a < b:
			cmp = -1
		case a > b:
			cmp = 1
		default:
			cmp = 0
		}
	}
	switch op {
	case vt.EqualOp, vt.NullSafeEqualOp:
		return cmp == 0
	case vt.NotEqualOp:
		return cmp != 0
	case vt.LessThanOp:
		return cmp < 0
	case vt.GreaterThanOp:
		return cmp > 0
	case vt.LessEqualOp:
		return cmp <= 0
	case vt.GreaterEqualOp:
		return cmp >= 0
	}
	return false
}
