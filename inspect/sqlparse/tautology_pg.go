package sqlparse

import (
	"strconv"

	pg "github.com/pganalyze/pg_query_go/v6"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// maxDisjuncts bounds the disjuncts of one OR that are compared pairwise.
const maxDisjuncts = 256

// orCoversAll reports whether the arguments of an OR (nested ORs flattened, constant parts
// folded away) cover every row (coversAll).
func (e *evaluator) orCoversAll(args []*pg.Node, depth int) bool {
	var atoms []atom
	var collect func(ns []*pg.Node, d int) bool
	collect = func(ns []*pg.Node, d int) bool {
		for _, n := range ns {
			if d > maxTruthDepth || len(atoms) > maxDisjuncts {
				return false
			}
			n = e.fold(n, d)
			if b := n.GetBoolExpr(); b != nil && b.GetBoolop() == pg.BoolExprType_OR_EXPR {
				if !collect(b.GetArgs(), d+1) {
					return false
				}
				continue
			}
			atoms = append(atoms, pgAtom(n))
		}
		return true
	}
	return collect(args, depth) && coversAll(atoms)
}

// fold drops the parts of an AND that are always true and of an OR that are always false, so
// that "(x IS NULL AND true)" compares as "x IS NULL".
func (e *evaluator) fold(n *pg.Node, depth int) *pg.Node {
	for i := 0; i < maxTruthDepth; i++ {
		b := n.GetBoolExpr()
		if b == nil || b.GetBoolop() == pg.BoolExprType_NOT_EXPR {
			return n
		}
		drop := alwaysTrue
		if b.GetBoolop() == pg.BoolExprType_OR_EXPR {
			drop = alwaysFalse
		}
		var kept []*pg.Node
		for _, a := range b.GetArgs() {
			if e.truth(a, depth) != drop {
				kept = append(kept, a)
			}
		}
		if len(kept) != 1 {
			return n
		}
		n = kept[0]
	}
	return n
}

// pgAtom reads one disjunct as an atom; a disjunct of another shape is "expr IS TRUE".
func pgAtom(n *pg.Node) atom {
	switch v := n.GetNode().(type) {
	case *pg.Node_NullTest:
		op := "notnull"
		if v.NullTest.GetNulltesttype() == pg.NullTestType_IS_NULL {
			op = "isnull"
		}
		return atom{subject: exprKey(v.NullTest.GetArg()), op: op}
	case *pg.Node_BooleanTest:
		ops := map[pg.BoolTestType]string{
			pg.BoolTestType_IS_TRUE: "istrue", pg.BoolTestType_IS_NOT_TRUE: "nottrue",
			pg.BoolTestType_IS_FALSE: "isfalse", pg.BoolTestType_IS_NOT_FALSE: "notfalse",
		}
		if op, ok := ops[v.BooleanTest.GetBooltesttype()]; ok {
			return atom{subject: exprKey(v.BooleanTest.GetArg()), op: op}
		}
		return atom{}
	case *pg.Node_BoolExpr:
		if v.BoolExpr.GetBoolop() == pg.BoolExprType_NOT_EXPR && len(v.BoolExpr.GetArgs()) == 1 {
			if a := pgAtom(v.BoolExpr.GetArgs()[0]); a.op != "" {
				return a.negate()
			}
		}
	case *pg.Node_AExpr:
		if a, ok := aExprAtom(v.AExpr); ok {
			return a
		}
	}
	return atom{subject: exprKey(n), op: "istrue"}
}

func aExprAtom(x *pg.A_Expr) (atom, bool) {
	op := ""
	if names := x.GetName(); len(names) > 0 {
		op = names[len(names)-1].GetString_().GetSval()
	}
	l, r := x.GetLexpr(), x.GetRexpr()
	switch x.GetKind() {
	case pg.A_Expr_Kind_AEXPR_OP:
		if op == "!=" {
			op = "<>"
		}
		if _, ok := flipped[op]; !ok {
			return atom{}, false
		}
		if constOf(l) != nil && constOf(r) == nil {
			l, r, op = r, l, flipped[op]
		}
		return atom{subject: exprKey(l), op: op, value: valueKey(r)}, true
	case pg.A_Expr_Kind_AEXPR_LIKE, pg.A_Expr_Kind_AEXPR_ILIKE:
		kind := "like"
		if op == "!~~" || op == "!~~*" {
			kind = "notlike"
		}
		return atom{subject: exprKey(l), op: kind, value: exprKey(r)}, true
	case pg.A_Expr_Kind_AEXPR_IN:
		kind := "in"
		if op == "<>" {
			kind = "notin"
		}
		return atom{subject: exprKey(l), op: kind, value: exprKey(r)}, true
	}
	return atom{}, false
}

// valueKey is a constant's number text (so that ranges compare) or the expression's key.
func valueKey(n *pg.Node) string {
	if c := constOf(n); c != nil {
		switch {
		case c.GetIval() != nil:
			return strconv.Itoa(int(c.GetIval().GetIval()))
		case c.GetFval() != nil:
			return c.GetFval().GetFval()
		}
	}
	return exprKey(n)
}

// exprKey is a canonical text of an expression that ignores source locations: two
// expressions have the same key when sameExpr holds.
func exprKey(n *pg.Node) string {
	if n == nil {
		return ""
	}
	c := proto.Clone(n)
	clearLocations(c.ProtoReflect(), 0)
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(c)
	if err != nil {
		return ""
	}
	return "\x00" + string(b) // never a number: ranges compare only constants
}

func clearLocations(m protoreflect.Message, depth int) {
	if depth > maxTruthDepth {
		return
	}
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		switch {
		case fd.Name() == "location":
			m.Clear(fd)
		case fd.IsList() && fd.Kind() == protoreflect.MessageKind:
			l := v.List()
			for i := 0; i < l.Len(); i++ {
				clearLocations(l.Get(i).Message(), depth+1)
			}
		case fd.Kind() == protoreflect.MessageKind && !fd.IsMap():
			clearLocations(v.Message(), depth+1)
		}
		return true
	})
}
