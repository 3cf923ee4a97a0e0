package sqlparse

import (
	"strings"
	"unicode"

	pg "github.com/pganalyze/pg_query_go/v6"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// classify builds the Statement for one top-level (or nested) parse node.
func classify(n *pg.Node, depth int) Statement {
	st := Statement{Kind: kindOf(n), Tables: tables(n)}
	destructive, reason := judge(n, &st, depth)
	if !destructive {
		// A data-modifying CTE or a dangerous function anywhere in the statement.
		destructive, reason = nestedDanger(n, depth)
	}
	st.Destructive, st.Reason = destructive, reason
	return st
}

// judge decides the statement-level rules and fills HasWhere.
func judge(n *pg.Node, st *Statement, depth int) (bool, string) {
	switch s := n.GetNode().(type) {
	case *pg.Node_DeleteStmt:
		st.HasWhere = realWhere(s.DeleteStmt.GetWhereClause())
		if !st.HasWhere {
			return true, "DELETE without a real WHERE"
		}
	case *pg.Node_UpdateStmt:
		st.HasWhere = realWhere(s.UpdateStmt.GetWhereClause())
		if !st.HasWhere {
			return true, "UPDATE without a real WHERE"
		}
	case *pg.Node_SelectStmt:
		st.HasWhere = realWhere(s.SelectStmt.GetWhereClause())
	case *pg.Node_MergeStmt:
		return judgeMerge(s.MergeStmt, st)
	case *pg.Node_DropStmt:
		return true, "DROP " + objectTypeWords(s.DropStmt.GetRemoveType())
	case *pg.Node_DropdbStmt:
		return true, "DROP DATABASE"
	case *pg.Node_DropRoleStmt:
		return true, "DROP ROLE"
	case *pg.Node_DropTableSpaceStmt:
		return true, "DROP TABLESPACE"
	case *pg.Node_DropOwnedStmt:
		return true, "DROP OWNED"
	case *pg.Node_DropSubscriptionStmt:
		return true, "DROP SUBSCRIPTION"
	case *pg.Node_DropUserMappingStmt:
		return true, "DROP USER MAPPING"
	case *pg.Node_TruncateStmt:
		return true, "TRUNCATE"
	case *pg.Node_AlterTableStmt:
		return judgeAlterTable(s.AlterTableStmt)
	case *pg.Node_GrantStmt:
		return judgeGrant(s.GrantStmt)
	case *pg.Node_AlterRoleStmt:
		return judgeRoleOptions("ALTER ROLE", s.AlterRoleStmt.GetOptions())
	case *pg.Node_CreateRoleStmt:
		return judgeRoleOptions("CREATE ROLE", s.CreateRoleStmt.GetOptions())
	case *pg.Node_CopyStmt:
		return judgeCopy(s.CopyStmt)
	case *pg.Node_DoStmt:
		return judgeDo(s.DoStmt, depth)
	case *pg.Node_CreateFunctionStmt:
		return judgeFunction(s.CreateFunctionStmt, depth)
	case *pg.Node_ExplainStmt:
		return judgeExplain(s.ExplainStmt, depth)
	case *pg.Node_PrepareStmt:
		return judgeInner("PREPARE", s.PrepareStmt.GetQuery(), depth)
	case *pg.Node_CreateTableAsStmt:
		return judgeInner("CREATE TABLE AS", s.CreateTableAsStmt.GetQuery(), depth)
	case *pg.Node_RuleStmt:
		// A rule runs its actions later, on every matching statement: judge them now.
		for _, act := range s.RuleStmt.GetActions() {
			if bad, why := judgeInner("CREATE RULE", act, depth); bad {
				return true, why
			}
		}
	}
	return false, ""
}

// judgeInner classifies a statement carried by another one and passes its verdict up.
func judgeInner(outer string, inner *pg.Node, depth int) (bool, string) {
	if inner == nil || depth >= maxNesting {
		return false, ""
	}
	in := classify(inner, depth+1)
	if in.Destructive {
		return true, outer + ": " + in.Reason
	}
	return false, ""
}

func judgeMerge(m *pg.MergeStmt, st *Statement) (bool, string) {
	st.HasWhere = realWhere(m.GetJoinCondition())
	for _, w := range m.GetMergeWhenClauses() {
		wc := w.GetMergeWhenClause()
		if wc == nil {
			continue
		}
		bounded := st.HasWhere || realWhere(wc.GetCondition())
		switch wc.GetCommandType() {
		case pg.CmdType_CMD_DELETE:
			if !bounded {
				return true, "MERGE … DELETE without a real ON condition"
			}
		case pg.CmdType_CMD_UPDATE:
			if !bounded {
				return true, "MERGE … UPDATE without a real ON condition"
			}
		}
	}
	return false, ""
}

func judgeAlterTable(a *pg.AlterTableStmt) (bool, string) {
	for _, c := range a.GetCmds() {
		cmd := c.GetAlterTableCmd()
		if cmd == nil {
			continue
		}
		switch cmd.GetSubtype() {
		case pg.AlterTableType_AT_DropColumn:
			return true, "ALTER TABLE … DROP COLUMN"
		case pg.AlterTableType_AT_DropConstraint:
			return true, "ALTER TABLE … DROP CONSTRAINT"
		case pg.AlterTableType_AT_DetachPartition:
			return true, "ALTER TABLE … DETACH PARTITION"
		case pg.AlterTableType_AT_DisableRowSecurity, pg.AlterTableType_AT_NoForceRowSecurity:
			return true, "ALTER TABLE … DISABLE ROW LEVEL SECURITY"
		}
	}
	return false, ""
}

// judgeGrant flags GRANT ALL, grants to PUBLIC and REVOKE ALL (which can lock an application out).
func judgeGrant(g *pg.GrantStmt) (bool, string) {
	all := len(g.GetPrivileges()) == 0 // the parser leaves privileges empty for ALL [PRIVILEGES]
	if !g.GetIsGrant() {
		if all {
			return true, "REVOKE ALL"
		}
		return false, ""
	}
	if all {
		return true, "GRANT ALL"
	}
	for _, r := range g.GetGrantees() {
		if r.GetRoleSpec().GetRoletype() == pg.RoleSpecType_ROLESPEC_PUBLIC {
			return true, "GRANT to PUBLIC"
		}
	}
	return false, ""
}

// judgeRoleOptions flags roles given SUPERUSER, BYPASSRLS, CREATEROLE or REPLICATION.
func judgeRoleOptions(verb string, opts []*pg.Node) (bool, string) {
	for _, o := range opts {
		d := o.GetDefElem()
		if d == nil {
			continue
		}
		switch d.GetDefname() {
		case "superuser", "bypassrls", "createrole", "isreplication":
			if d.GetArg() == nil || d.GetArg().GetBoolean().GetBoolval() || d.GetArg().GetInteger().GetIval() != 0 {
				return true, verb + " grants " + strings.ToUpper(strings.TrimPrefix(d.GetDefname(), "is"))
			}
		}
	}
	return false, ""
}

func judgeCopy(c *pg.CopyStmt) (bool, string) {
	switch {
	case c.GetIsProgram():
		return true, "COPY … PROGRAM runs a shell command on the server"
	case !c.GetIsFrom() && c.GetFilename() != "":
		return true, "COPY … TO a server file"
	}
	return false, ""
}

func judgeExplain(e *pg.ExplainStmt, depth int) (bool, string) {
	for _, o := range e.GetOptions() {
		if d := o.GetDefElem(); d != nil && d.GetDefname() == "analyze" {
			if d.GetArg() != nil && !defTrue(d.GetArg()) {
				continue
			}
			return judgeInner("EXPLAIN ANALYZE", e.GetQuery(), depth)
		}
	}
	return false, ""
}

func defTrue(n *pg.Node) bool {
	if b := n.GetBoolean(); b != nil {
		return b.GetBoolval()
	}
	if s := n.GetString_(); s != nil {
		v := strings.ToLower(s.GetSval())
		return v == "true" || v == "on" || v == "1" || v == "yes"
	}
	return n.GetInteger().GetIval() != 0
}

// kindOf names the statement's verb in lower case.
func kindOf(n *pg.Node) string {
	switch s := n.GetNode().(type) {
	case *pg.Node_GrantStmt:
		if !s.GrantStmt.GetIsGrant() {
			return "revoke"
		}
		return "grant"
	case *pg.Node_GrantRoleStmt:
		if !s.GrantRoleStmt.GetIsGrant() {
			return "revoke"
		}
		return "grant"
	case *pg.Node_TransactionStmt:
		return transactionKind(s.TransactionStmt.GetKind())
	case *pg.Node_SelectStmt:
		if s.SelectStmt.GetIntoClause() != nil {
			return "create"
		}
		return "select"
	case *pg.Node_VariableSetStmt:
		return "set"
	case *pg.Node_VariableShowStmt:
		return "show"
	case *pg.Node_IndexStmt, *pg.Node_ViewStmt, *pg.Node_CreateTableAsStmt, *pg.Node_DefineStmt,
		*pg.Node_CompositeTypeStmt, *pg.Node_RuleStmt:
		return "create"
	case *pg.Node_RenameStmt:
		return "alter"
	case *pg.Node_DropdbStmt, *pg.Node_DropRoleStmt:
		return "drop"
	case *pg.Node_ExecuteStmt:
		return "execute"
	case nil:
		return "unknown"
	}
	return firstWord(innerName(n))
}

func transactionKind(k pg.TransactionStmtKind) string {
	switch k {
	case pg.TransactionStmtKind_TRANS_STMT_BEGIN, pg.TransactionStmtKind_TRANS_STMT_START:
		return "begin"
	case pg.TransactionStmtKind_TRANS_STMT_COMMIT, pg.TransactionStmtKind_TRANS_STMT_COMMIT_PREPARED:
		return "commit"
	case pg.TransactionStmtKind_TRANS_STMT_ROLLBACK, pg.TransactionStmtKind_TRANS_STMT_ROLLBACK_TO,
		pg.TransactionStmtKind_TRANS_STMT_ROLLBACK_PREPARED:
		return "rollback"
	case pg.TransactionStmtKind_TRANS_STMT_SAVEPOINT:
		return "savepoint"
	case pg.TransactionStmtKind_TRANS_STMT_RELEASE:
		return "release"
	case pg.TransactionStmtKind_TRANS_STMT_PREPARE:
		return "prepare"
	}
	return "transaction"
}

// innerName is the protobuf message name of the node's payload, e.g. "AlterTableStmt".
func innerName(n *pg.Node) string {
	m := n.ProtoReflect()
	od := m.Descriptor().Oneofs().Get(0)
	fd := m.WhichOneof(od)
	if fd == nil || fd.Kind() != protoreflect.MessageKind {
		return ""
	}
	return string(m.Get(fd).Message().Descriptor().Name())
}

// firstWord lower-cases the first CamelCase word: "AlterTableStmt" → "alter".
func firstWord(name string) string {
	name = strings.TrimSuffix(name, "Stmt")
	for i, r := range name {
		if i > 0 && unicode.IsUpper(r) {
			return strings.ToLower(name[:i])
		}
	}
	if name == "" {
		return "unknown"
	}
	return strings.ToLower(name)
}

// objectTypeWords turns OBJECT_FOREIGN_TABLE into "FOREIGN TABLE".
func objectTypeWords(t pg.ObjectType) string {
	return strings.ReplaceAll(strings.TrimPrefix(t.String(), "OBJECT_"), "_", " ")
}
