package sqlparse

import (
	"sort"
	"strings"

	pg "github.com/pganalyze/pg_query_go/v6"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// walk calls fn for every message in the tree below m (m included), depth first. fn returns
// false to skip a message's children.
func walk(m protoreflect.Message, fn func(protoreflect.Message) bool) {
	if !m.IsValid() {
		return
	}
	if m.Descriptor() == nodeDesc {
		// A Node is a oneof of ~250 message types: go straight to the one that is set instead of
		// letting Range test every field.
		if fd := m.WhichOneof(nodeOneof); fd != nil {
			walk(m.Get(fd).Message(), fn)
		}
		return
	}
	if !fn(m) {
		return
	}
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		if fd.Kind() != protoreflect.MessageKind || fd.IsMap() {
			return true
		}
		if fd.IsList() {
			l := v.List()
			for i := 0; i < l.Len(); i++ {
				walk(l.Get(i).Message(), fn)
			}
			return true
		}
		walk(v.Message(), fn)
		return true
	})
}

var (
	nodeDesc  = (&pg.Node{}).ProtoReflect().Descriptor()
	nodeOneof = nodeDesc.Oneofs().Get(0)
)

// tables lists the relations a statement names, without CTE names, in order of appearance.
func tables(n *pg.Node) []string {
	type named struct {
		name string
		loc  int32
	}
	var found []named
	ctes := map[string]bool{}
	addName := func(name string, loc int32) {
		if name != "" {
			found = append(found, named{name, loc})
		}
	}
	walk(n.ProtoReflect(), func(m protoreflect.Message) bool {
		switch v := m.Interface().(type) {
		case *pg.RangeVar:
			addName(rangeVarName(v), v.GetLocation())
		case *pg.CommonTableExpr:
			ctes[v.GetCtename()] = true
		case *pg.DropStmt:
			if relationType(v.GetRemoveType()) {
				for _, o := range v.GetObjects() {
					addName(qualifiedName(o.GetList().GetItems()), 0)
				}
			}
		}
		return true
	})
	sort.SliceStable(found, func(i, j int) bool { return found[i].loc < found[j].loc })
	var out []string
	seen := map[string]bool{}
	for _, f := range found {
		if !ctes[f.name] && !seen[f.name] {
			seen[f.name] = true
			out = append(out, f.name)
		}
	}
	return out
}

func rangeVarName(v *pg.RangeVar) string {
	parts := make([]string, 0, 3)
	for _, p := range []string{v.GetCatalogname(), v.GetSchemaname(), v.GetRelname()} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, ".")
}

func qualifiedName(items []*pg.Node) string {
	parts := make([]string, 0, len(items))
	for _, it := range items {
		if s := it.GetString_(); s != nil {
			parts = append(parts, s.GetSval())
		}
	}
	return strings.Join(parts, ".")
}

func relationType(t pg.ObjectType) bool {
	switch t {
	case pg.ObjectType_OBJECT_TABLE, pg.ObjectType_OBJECT_VIEW, pg.ObjectType_OBJECT_MATVIEW,
		pg.ObjectType_OBJECT_FOREIGN_TABLE, pg.ObjectType_OBJECT_SEQUENCE, pg.ObjectType_OBJECT_INDEX:
		return true
	}
	return false
}

// dangerousFuncs are functions whose call destroys data or availability by itself.
var dangerousFuncs = map[string]string{
	"pg_terminate_backend":     "pg_terminate_backend kills sessions",
	"pg_drop_replication_slot": "pg_drop_replication_slot",
	"lo_unlink":                "lo_unlink deletes a large object",
	"pg_file_unlink":           "pg_file_unlink deletes a server file",
	"pg_file_write":            "pg_file_write writes a server file",
	"pg_file_rename":           "pg_file_rename renames a server file",
}

// nestedDanger finds destructive work nested in a statement: data-modifying CTEs, dangerous
// function calls and SQL sent through dblink.
func nestedDanger(n *pg.Node, depth int) (bool, string) {
	if n.GetExplainStmt() != nil {
		return false, "" // EXPLAIN without ANALYZE runs nothing; judgeExplain handles ANALYZE.
	}
	var found bool
	var reason string
	walk(n.ProtoReflect(), func(m protoreflect.Message) bool {
		if found {
			return false
		}
		switch v := m.Interface().(type) {
		case *pg.CommonTableExpr:
			if depth < maxNesting && v.GetCtequery() != nil {
				if in := classify(v.GetCtequery(), depth+1); in.Destructive {
					found, reason = true, "CTE "+v.GetCtename()+": "+in.Reason
				}
			}
			return false
		case *pg.FuncCall:
			found, reason = judgeFuncCall(v, depth)
		}
		return !found
	})
	return found, reason
}

func judgeFuncCall(f *pg.FuncCall, depth int) (bool, string) {
	name := ""
	if fn := f.GetFuncname(); len(fn) > 0 {
		name = strings.ToLower(fn[len(fn)-1].GetString_().GetSval())
	}
	if r, ok := dangerousFuncs[name]; ok {
		return true, r
	}
	if name != "dblink_exec" && name != "dblink" {
		return false, ""
	}
	args := f.GetArgs()
	if len(args) == 0 {
		return false, ""
	}
	// The SQL is the last string argument in both dblink(conn, sql) and dblink_exec(conn, sql).
	text, ok := constString(args[len(args)-1])
	if !ok {
		return true, name + " with SQL that is not a constant"
	}
	if depth >= maxNesting {
		return true, name + " nested too deep to analyse"
	}
	in := analyze(text, depth+1)
	if in.Destructive {
		return true, name + ": " + in.Reasons[0]
	}
	return false, ""
}

func constString(n *pg.Node) (string, bool) {
	if tc := n.GetTypeCast(); tc != nil {
		n = tc.GetArg()
	}
	if c := n.GetAConst(); c != nil {
		if s := c.GetSval(); s != nil {
			return s.GetSval(), true
		}
	}
	return "", false
}
