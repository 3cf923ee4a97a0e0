package sqlparse

import (
	"math/big"
	"strings"

	pg "github.com/pganalyze/pg_query_go/v6"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// tri is a three-valued truth: what can be proven about a predicate without data.
type tri int

const (
	unknown tri = iota
	alwaysTrue
	alwaysFalse
)

func (t tri) not() tri {
	switch t {
	case alwaysTrue:
		return alwaysFalse
	case alwaysFalse:
		return alwaysTrue
	}
	return unknown
}

// realWhere reports whether a WHERE clause restricts rows: present and not provably true. A
// predicate nested deeper than maxTruthDepth is not accepted as real (no honest WHERE is).
func realWhere(n *pg.Node) bool {
	if n == nil {
		return false
	}
	var e evaluator
	return e.truth(n, 0) != alwaysTrue && !e.tooDeep
}

// evaluator proves predicates; tooDeep records that the depth limit was hit.
type evaluator struct {
	tooDeep bool
}

// maxTruthDepth bounds the evaluator's recursion; deeper expressions count as unknown (real).
const maxTruthDepth = 200

// truth proves a predicate always true or always false when it depends on no row data.
func (e *evaluator) truth(n *pg.Node, depth int) tri {
	if n == nil {
		return unknown
	}
	if depth > maxTruthDepth {
		e.tooDeep = true
		return unknown
	}
	depth++
	switch v := n.GetNode().(type) {
	case *pg.Node_AConst:
		return constTruth(v.AConst)
	case *pg.Node_TypeCast:
		return e.truth(v.TypeCast.GetArg(), depth)
	case *pg.Node_BoolExpr:
		return e.boolExprTruth(v.BoolExpr, depth)
	case *pg.Node_AExpr:
		return e.aExprTruth(v.AExpr, depth)
	case *pg.Node_NullTest:
		return nullTestTruth(v.NullTest)
	case *pg.Node_BooleanTest:
		return e.booleanTestTruth(v.BooleanTest, depth)
	case *pg.Node_SubLink:
		return e.subLinkTruth(v.SubLink, depth)
	}
	return unknown
}

func constTruth(c *pg.A_Const) tri {
	if c.GetIsnull() {
		return alwaysFalse // WHERE NULL selects nothing
	}
	switch {
	case c.GetBoolval() != nil:
		return fromBool(c.GetBoolval().GetBoolval())
	case c.GetIval() != nil:
		return fromBool(c.GetIval().GetIval() != 0)
	case c.GetFval() != nil:
		f, ok := new(big.Float).SetString(c.GetFval().GetFval())
		if ok {
			return fromBool(f.Sign() != 0)
		}
	case c.GetSval() != nil:
		switch strings.ToLower(strings.TrimSpace(c.GetSval().GetSval())) {
		case "t", "true", "y", "yes", "on", "1":
			return alwaysTrue
		case "f", "false", "n", "no", "off", "0":
			return alwaysFalse
		}
	}
	return unknown
}

func fromBool(b bool) tri {
	if b {
		return alwaysTrue
	}
	return alwaysFalse
}

func (e *evaluator) boolExprTruth(b *pg.BoolExpr, depth int) tri {
	args := b.GetArgs()
	switch b.GetBoolop() {
	case pg.BoolExprType_NOT_EXPR:
		if len(args) == 1 {
			return e.truth(args[0], depth).not()
		}
	case pg.BoolExprType_OR_EXPR:
		res := alwaysFalse
		for _, a := range args {
			switch e.truth(a, depth) {
			case alwaysTrue:
				return alwaysTrue
			case unknown:
				res = unknown
			}
		}
		if res == unknown && e.orCoversAll(args, depth) {
			return alwaysTrue // x IS NULL OR x IS NOT NULL, x < 5 OR x >= 5, ...
		}
		return res
	case pg.BoolExprType_AND_EXPR:
		res := alwaysTrue
		for _, a := range args {
			switch e.truth(a, depth) {
			case alwaysFalse:
				return alwaysFalse
			case unknown:
				res = unknown
			}
		}
		return res
	}
	return unknown
}

func (e *evaluator) aExprTruth(x *pg.A_Expr, depth int) tri {
	op := ""
	if names := x.GetName(); len(names) > 0 {
		op = names[len(names)-1].GetString_().GetSval()
	}
	l, r := x.GetLexpr(), x.GetRexpr()
	switch x.GetKind() {
	case pg.A_Expr_Kind_AEXPR_OP:
		return e.compareTruth(op, l, r)
	case pg.A_Expr_Kind_AEXPR_NOT_DISTINCT:
		if sameExpr(l, r) {
			return alwaysTrue
		}
		return e.compareTruth("=", l, r)
	case pg.A_Expr_Kind_AEXPR_DISTINCT:
		if sameExpr(l, r) {
			return alwaysFalse
		}
		return e.compareTruth("<>", l, r)
	case pg.A_Expr_Kind_AEXPR_LIKE, pg.A_Expr_Kind_AEXPR_ILIKE:
		// x LIKE '%' matches every non-NULL value.
		if p, ok := constString(r); ok && strings.Trim(p, "%") == "" && p != "" {
			return fromBool(op == "~~" || op == "~~*")
		}
	case pg.A_Expr_Kind_AEXPR_IN:
		for _, item := range r.GetList().GetItems() {
			if e.compareTruth("=", l, item) == alwaysTrue {
				return fromBool(op == "=")
			}
		}
	}
	return unknown
}

// compareTruth evaluates a comparison between constants, or between an expression and itself.
func (e *evaluator) compareTruth(op string, l, r *pg.Node) tri {
	if sameExpr(l, r) && !volatile(l) {
		switch op {
		case "=", "<=", ">=":
			return alwaysTrue
		case "<>", "!=", "<", ">":
			return alwaysFalse
		}
		return unknown
	}
	cmp, ok := compareConsts(l, r)
	if !ok {
		return unknown
	}
	switch op {
	case "=":
		return fromBool(cmp == 0)
	case "<>", "!=":
		return fromBool(cmp != 0)
	case "<":
		return fromBool(cmp < 0)
	case "<=":
		return fromBool(cmp <= 0)
	case ">":
		return fromBool(cmp > 0)
	case ">=":
		return fromBool(cmp >= 0)
	}
	return unknown
}

// compareConsts orders two non-NULL constants of the same family (numbers, strings, booleans).
func compareConsts(l, r *pg.Node) (int, bool) {
	a, b := constOf(l), constOf(r)
	if a == nil || b == nil || a.GetIsnull() || b.GetIsnull() {
		return 0, false
	}
	if x, y := numOf(a), numOf(b); x != nil && y != nil {
		return x.Cmp(y), true
	}
	if a.GetSval() != nil && b.GetSval() != nil {
		return strings.Compare(a.GetSval().GetSval(), b.GetSval().GetSval()), true
	}
	if a.GetBoolval() != nil && b.GetBoolval() != nil {
		x, y := a.GetBoolval().GetBoolval(), b.GetBoolval().GetBoolval()
		if x == y {
			return 0, true
		}
		if !x {
			return -1, true
		}
		return 1, true
	}
	return 0, false
}

func constOf(n *pg.Node) *pg.A_Const {
	for n.GetTypeCast() != nil {
		n = n.GetTypeCast().GetArg()
	}
	return n.GetAConst()
}

func numOf(c *pg.A_Const) *big.Float {
	switch {
	case c.GetIval() != nil:
		return new(big.Float).SetInt64(int64(c.GetIval().GetIval()))
	case c.GetFval() != nil:
		f, ok := new(big.Float).SetString(c.GetFval().GetFval())
		if ok {
			return f
		}
	}
	return nil
}

func nullTestTruth(t *pg.NullTest) tri {
	c := constOf(t.GetArg())
	if c == nil {
		return unknown
	}
	isNull := c.GetIsnull()
	if t.GetNulltesttype() == pg.NullTestType_IS_NULL {
		return fromBool(isNull)
	}
	return fromBool(!isNull)
}

func (e *evaluator) booleanTestTruth(t *pg.BooleanTest, depth int) tri {
	v := e.truth(t.GetArg(), depth)
	if v == unknown {
		return unknown
	}
	switch t.GetBooltesttype() {
	case pg.BoolTestType_IS_TRUE, pg.BoolTestType_IS_NOT_FALSE:
		return fromBool(v == alwaysTrue)
	case pg.BoolTestType_IS_FALSE, pg.BoolTestType_IS_NOT_TRUE:
		return fromBool(v == alwaysFalse)
	}
	return unknown
}

// subLinkTruth proves EXISTS (SELECT 1) true: a sub-select with no FROM and no real WHERE.
func (e *evaluator) subLinkTruth(s *pg.SubLink, depth int) tri {
	if s.GetSubLinkType() != pg.SubLinkType_EXISTS_SUBLINK {
		return unknown
	}
	sel := s.GetSubselect().GetSelectStmt()
	if sel == nil || len(sel.GetFromClause()) > 0 || sel.GetLimitCount() != nil ||
		sel.GetHavingClause() != nil || sel.GetOp() != pg.SetOperation_SETOP_NONE {
		return unknown
	}
	if w := sel.GetWhereClause(); w != nil {
		return e.truth(w, depth)
	}
	return alwaysTrue
}

// sameExpr compares two expressions structurally, ignoring source locations.
func sameExpr(a, b *pg.Node) bool {
	if a == nil || b == nil {
		return false
	}
	return sameMsg(a.ProtoReflect(), b.ProtoReflect(), 0)
}

func sameMsg(a, b protoreflect.Message, depth int) bool {
	if depth > maxTruthDepth || a.Descriptor() != b.Descriptor() {
		return false
	}
	if a.Descriptor() == nodeDesc {
		fa, fb := a.WhichOneof(nodeOneof), b.WhichOneof(nodeOneof)
		if fa == nil || fa != fb {
			return false
		}
		return sameMsg(a.Get(fa).Message(), b.Get(fb).Message(), depth+1)
	}
	fields := a.Descriptor().Fields()
	for i := 0; i < fields.Len(); i++ {
		fd := fields.Get(i)
		if fd.Name() == "location" {
			continue
		}
		if a.Has(fd) != b.Has(fd) {
			return false
		}
		if !a.Has(fd) {
			continue
		}
		if !sameValue(fd, a.Get(fd), b.Get(fd), depth) {
			return false
		}
	}
	return true
}

func sameValue(fd protoreflect.FieldDescriptor, x, y protoreflect.Value, depth int) bool {
	if fd.IsList() {
		lx, ly := x.List(), y.List()
		if lx.Len() != ly.Len() {
			return false
		}
		for i := 0; i < lx.Len(); i++ {
			if fd.Kind() == protoreflect.MessageKind {
				if !sameMsg(lx.Get(i).Message(), ly.Get(i).Message(), depth+1) {
					return false
				}
			} else if !lx.Get(i).Equal(ly.Get(i)) {
				return false
			}
		}
		return true
	}
	if fd.Kind() == protoreflect.MessageKind {
		return sameMsg(x.Message(), y.Message(), depth+1)
	}
	return x.Equal(y)
}

// volatile reports whether an expression calls a function (random(), nextval(), ...), which may
// return different values on each side of a comparison.
func volatile(n *pg.Node) bool {
	found := false
	walk(n.ProtoReflect(), func(m protoreflect.Message) bool {
		if _, ok := m.Interface().(*pg.FuncCall); ok {
			found = true
		}
		return !found
	})
	return found
}
