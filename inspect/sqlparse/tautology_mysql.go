package sqlparse

import (
	vt "vitess.io/vitess/go/vt/sqlparser"
)

// mysqlCoversAll reports whether a MySQL OR (nested ORs flattened) covers every row
// (coversAll).
func mysqlCoversAll(e *vt.OrExpr) bool {
	var atoms []atom
	var collect func(x vt.Expr, depth int) bool
	collect = func(x vt.Expr, depth int) bool {
		if depth > 200 || len(atoms) > maxDisjuncts {
			return false
		}
		if x, ok := x.(*vt.OrExpr); ok {
			return collect(x.Left, depth+1) && collect(x.Right, depth+1)
		}
		atoms = append(atoms, mysqlAtom(x, 0))
		return true
	}
	return collect(e, 0) && coversAll(atoms)
}

// mysqlComparisonOps names the comparison operators as atoms do.
var mysqlComparisonOps = map[vt.ComparisonExprOperator]string{
	vt.EqualOp: "=", vt.NotEqualOp: "<>", vt.LessThanOp: "<", vt.LessEqualOp: "<=",
	vt.GreaterThanOp: ">", vt.GreaterEqualOp: ">=", vt.LikeOp: "like", vt.NotLikeOp: "notlike",
	vt.InOp: "in", vt.NotInOp: "notin",
}

var mysqlIsOps = map[vt.IsExprOperator]string{
	vt.IsNullOp: "isnull", vt.IsNotNullOp: "notnull", vt.IsTrueOp: "istrue", vt.IsNotTrueOp: "nottrue",
	vt.IsFalseOp: "isfalse", vt.IsNotFalseOp: "notfalse",
}

// mysqlAtom reads one disjunct as an atom; a disjunct of another shape is "expr IS TRUE".
func mysqlAtom(e vt.Expr, depth int) atom {
	if depth > 200 {
		return atom{}
	}
	switch x := e.(type) {
	case *vt.IsExpr:
		if op, ok := mysqlIsOps[x.Right]; ok {
			return atom{subject: vt.String(x.Left), op: op}
		}
	case *vt.NotExpr:
		if a := mysqlAtom(x.Expr, depth+1); a.op != "" {
			return a.negate()
		}
	case *vt.ComparisonExpr:
		op, ok := mysqlComparisonOps[x.Operator]
		if !ok || x.Escape != nil {
			return atom{}
		}
		l, r := x.Left, x.Right
		_, lLit := l.(*vt.Literal)
		_, rLit := r.(*vt.Literal)
		if f, canFlip := flipped[op]; canFlip && lLit && !rLit {
			l, r, op = r, l, f
		}
		value := vt.String(r)
		if lit, ok := r.(*vt.Literal); ok && (lit.Type == vt.IntVal || lit.Type == vt.FloatVal || lit.Type == vt.DecimalVal) {
			value = lit.Val
		} else {
			value = "\x00" + value // only number literals compare as ranges
		}
		return atom{subject: vt.String(l), op: op, value: value}
	}
	return atom{subject: vt.String(e), op: "istrue"}
}
