package policy

import (
	"regexp"
	"strings"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/operators"
	"cel.dev/cel-go/common/types"
)

// A guard is the part of a rule's condition that Go can evaluate on the facts without CEL,
// proven from the checked expression at compile time. When it evaluates to false the
// condition is false, and Decide skips the rule. Where it cannot tell (a fact missing or of
// another type than the test expects, a function call, arithmetic), the value is unknown and
// the rule runs in CEL: a guard never decides anything CEL would not.
//
// The shapes it evaluates, P being a fact (llm, mcp, actions, inspection, or the element an
// exists() iterates) followed by field selects: P (a bool), !X, X && Y, X || Y, P == lit,
// P != lit (string or bool literals, compared only with a value of the same type),
// P in [string literals], P.startsWith("s"), P.matches("re") (Go's regexp, as CEL's),
// P.exists(v, X). A conjunction is read left to
// right and stops at the first unknown: CEL evaluates the conjuncts in that order, so an
// unknown (perhaps costly) conjunct before a false one could have hit the cost limit, which a
// skip must not hide. The same holds for disjunctions and for the elements of exists().
// For the same reason a rule gets a guard only when its estimated worst-case cost is within
// the run-time cost limit, and a guard reads only values within the sizes that estimate
// assumed (lists and strings up to maxListSize): whatever CEL evaluates up to the point the
// guard proves false then costs less than the limit. TestGuardsDecideAsFullEvaluation and
// FuzzGuards compare guarded Decide with Decide running every rule.
type guard struct {
	op   guardOp
	root string   // the variable P starts from; "" for the element being iterated
	path []string // the selects after root
	lit  any      // string or bool; for gIn a []string; for gMatches a *regexp.Regexp
	subs []*guard // gAnd, gOr: operands; gNot, gExists: subs[0]
}

type guardOp uint8

const (
	gUnknown guardOp = iota
	gBool            // P
	gNot             // !X
	gAnd             // X && Y && ...
	gOr              // X || Y
	gEq              // P == lit
	gNe              // P != lit
	gIn              // P in [lits]
	gPrefix          // P.startsWith(lit)
	gMatches         // P.matches(lit)
	gExists          // P.exists(v, X)
)

// tri is a three-valued truth: what the guard knows of the condition.
type tri uint8

const (
	unknown tri = iota
	isFalse
	isTrue
)

func triOf(b bool) tri {
	if b {
		return isTrue
	}
	return isFalse
}

// guardOf returns the guard of a rule's condition, or nil when it could never prove anything.
func guardOf(a *cel.Ast) *guard {
	g := guardExpr(a.NativeRep().Expr(), "", nil)
	if g.op == gUnknown {
		return nil
	}
	return g
}

// guardExpr builds the guard of e. iterVar names the element an enclosing exists() iterates
// (it hides a fact variable of that name); hidden lists the other comprehension variables in
// scope, which resolve to nothing a guard can read.
func guardExpr(e ast.Expr, iterVar string, hidden []string) *guard {
	path := func(x ast.Expr) (string, []string, bool) { return factPath(x, iterVar, hidden) }
	switch {
	case e.Kind() == ast.ComprehensionKind:
		if g := existsGuard(e.AsComprehension(), iterVar, hidden); g != nil {
			return g
		}
	case isCall(e, operators.LogicalAnd, 2), isCall(e, operators.LogicalOr, 2):
		op := gAnd
		if e.AsCall().FunctionName() == operators.LogicalOr {
			op = gOr
		}
		l := guardExpr(e.AsCall().Args()[0], iterVar, hidden)
		if l.op == gUnknown {
			return l // evaluation stops at the first unknown operand
		}
		r := guardExpr(e.AsCall().Args()[1], iterVar, hidden)
		subs := []*guard{l}
		if l.op == op {
			subs = l.subs // flatten a && b && c
		}
		return &guard{op: op, subs: append(append([]*guard(nil), subs...), r)}
	case isCall(e, operators.LogicalNot, 1):
		if x := guardExpr(e.AsCall().Args()[0], iterVar, hidden); x.op != gUnknown {
			return &guard{op: gNot, subs: []*guard{x}}
		}
	case isCall(e, operators.Equals, 2), isCall(e, operators.NotEquals, 2):
		op := gEq
		if e.AsCall().FunctionName() == operators.NotEquals {
			op = gNe
		}
		lhs, rhs := e.AsCall().Args()[0], e.AsCall().Args()[1]
		if lhs.Kind() == ast.LiteralKind {
			lhs, rhs = rhs, lhs
		}
		root, p, ok := path(lhs)
		lit, lok := literalOf(rhs)
		if ok && lok {
			return &guard{op: op, root: root, path: p, lit: lit}
		}
	case isCall(e, operators.In, 2):
		root, p, ok := path(e.AsCall().Args()[0])
		if lits, lok := stringList(e.AsCall().Args()[1]); ok && lok {
			return &guard{op: gIn, root: root, path: p, lit: lits}
		}
	case e.Kind() == ast.CallKind && e.AsCall().FunctionName() == "startsWith" && e.AsCall().IsMemberFunction() && len(e.AsCall().Args()) == 1:
		root, p, ok := path(e.AsCall().Target())
		lit, lok := literalOf(e.AsCall().Args()[0])
		if s, isStr := lit.(string); ok && lok && isStr {
			return &guard{op: gPrefix, root: root, path: p, lit: s}
		}
	case e.Kind() == ast.CallKind && e.AsCall().FunctionName() == "matches" && e.AsCall().IsMemberFunction() && len(e.AsCall().Args()) == 1:
		root, p, ok := path(e.AsCall().Target())
		lit, lok := literalOf(e.AsCall().Args()[0])
		if s, isStr := lit.(string); ok && lok && isStr {
			if re, err := regexp.Compile(s); err == nil {
				return &guard{op: gMatches, root: root, path: p, lit: re}
			}
		}
	case e.Kind() == ast.SelectKind && !e.AsSelect().IsTestOnly():
		if root, p, ok := path(e); ok {
			return &guard{op: gBool, root: root, path: p}
		}
	}
	return &guard{op: gUnknown}
}

// existsGuard recognises the expansion of P.exists(v, pred): the accumulator starts false,
// each step is `accu || pred` and the result is the accumulator.
func existsGuard(c ast.ComprehensionExpr, iterVar string, hidden []string) *guard {
	if c.HasIterVar2() {
		return nil
	}
	init, step, res := c.AccuInit(), c.LoopStep(), c.Result()
	if init.Kind() != ast.LiteralKind || init.AsLiteral() != types.False ||
		res.Kind() != ast.IdentKind || res.AsIdent() != c.AccuVar() || !isCall(step, operators.LogicalOr, 2) {
		return nil
	}
	if acc := step.AsCall().Args()[0]; acc.Kind() != ast.IdentKind || acc.AsIdent() != c.AccuVar() {
		return nil
	}
	root, path, ok := factPath(c.IterRange(), iterVar, hidden)
	if !ok {
		return nil
	}
	inner := append([]string(nil), hidden...)
	if iterVar != "" {
		inner = append(inner, iterVar)
	}
	inner = append(inner, c.AccuVar())
	elem := guardExpr(step.AsCall().Args()[1], c.IterVar(), inner)
	return &guard{op: gExists, root: root, path: path, subs: []*guard{elem}}
}

// stringList returns the elements of a list literal of strings.
func stringList(e ast.Expr) ([]string, bool) {
	if e.Kind() != ast.ListKind {
		return nil, false
	}
	var out []string
	for _, el := range e.AsList().Elements() {
		lit, ok := literalOf(el)
		s, isStr := lit.(string)
		if !ok || !isStr {
			return nil, false
		}
		out = append(out, s)
	}
	return out, true
}

func isCall(e ast.Expr, fn string, args int) bool {
	return e.Kind() == ast.CallKind && e.AsCall().FunctionName() == fn && len(e.AsCall().Args()) == args && !e.AsCall().IsMemberFunction()
}

func literalOf(e ast.Expr) (any, bool) {
	if e.Kind() != ast.LiteralKind {
		return nil, false
	}
	switch v := e.AsLiteral().(type) {
	case types.String:
		return string(v), true
	case types.Bool:
		return bool(v), true
	}
	return nil, false
}

// factPath returns the root and selects of e when e is a fact variable or the iterated element
// followed by field selects.
func factPath(e ast.Expr, iterVar string, hidden []string) (string, []string, bool) {
	var path []string
	for e.Kind() == ast.SelectKind {
		if e.AsSelect().IsTestOnly() {
			return "", nil, false
		}
		path = append(path, e.AsSelect().FieldName())
		e = e.AsSelect().Operand()
	}
	if e.Kind() != ast.IdentKind {
		return "", nil, false
	}
	for i, j := 0, len(path)-1; i < j; i, j = i+1, j-1 {
		path[i], path[j] = path[j], path[i]
	}
	name := e.AsIdent()
	switch {
	case name == iterVar && iterVar != "":
		return "", path, true
	case !factVars[name]:
		return "", nil, false
	}
	for _, h := range hidden {
		if h == name {
			return "", nil, false
		}
	}
	return name, path, true
}

// fails reports whether the guard proves the condition false on act.
func (g *guard) fails(act *activation) bool { return g.eval(act, nil) == isFalse }

// eval evaluates the guard on act; elem is the element being iterated, for guards inside an
// exists().
func (g *guard) eval(act *activation, elem any) tri {
	switch g.op {
	case gAnd, gOr:
		stop := isFalse // the value that decides a conjunction
		if g.op == gOr {
			stop = isTrue
		}
		for _, s := range g.subs {
			switch v := s.eval(act, elem); v {
			case unknown, stop:
				return v
			}
		}
		return triOf(g.op == gAnd)
	case gNot:
		switch g.subs[0].eval(act, elem) {
		case isTrue:
			return isFalse
		case isFalse:
			return isTrue
		}
		return unknown
	case gUnknown:
		return unknown
	}
	v, ok := g.resolve(act, elem)
	if !ok {
		return unknown
	}
	switch g.op {
	case gBool:
		if b, isBool := v.(bool); isBool {
			return triOf(b)
		}
	case gEq, gNe:
		eq := unknown
		switch lit := g.lit.(type) {
		case string:
			if s, isStr := v.(string); isStr && len(s) <= maxListSize {
				eq = triOf(s == lit)
			}
		case bool:
			if b, isBool := v.(bool); isBool {
				eq = triOf(b == lit)
			}
		}
		if eq != unknown && g.op == gNe {
			eq = triOf(eq == isFalse)
		}
		return eq
	case gIn:
		if s, isStr := v.(string); isStr && len(s) <= maxListSize {
			for _, l := range g.lit.([]string) {
				if s == l {
					return isTrue
				}
			}
			return isFalse
		}
	case gPrefix:
		if s, isStr := v.(string); isStr && len(s) <= maxListSize {
			return triOf(strings.HasPrefix(s, g.lit.(string)))
		}
	case gMatches:
		if s, isStr := v.(string); isStr && len(s) <= maxListSize {
			return triOf(g.lit.(*regexp.Regexp).MatchString(s))
		}
	case gExists:
		return g.exists(act, v)
	}
	return unknown
}

// exists is P.exists(v, X) over the list v: true once an element is true (after an unknown one
// CEL could have failed first, which running the rule will show), false when every element is.
func (g *guard) exists(act *activation, v any) tri {
	l, isList := v.([]any)
	if !isList || len(l) > maxListSize {
		return unknown
	}
	for _, e := range l {
		switch g.subs[0].eval(act, e) {
		case isTrue:
			return isTrue
		case unknown:
			return unknown
		}
	}
	return isFalse
}

// resolve reads P.
func (g *guard) resolve(act *activation, elem any) (any, bool) {
	var v any
	switch g.root {
	case "":
		v = elem
	case varActions:
		v = act.actionsVal // boxed once: boxing the slice again would allocate
	case varLLM:
		v = act.llm
	case varMCP:
		v = act.mcp
	case varInspection:
		v = act.inspection
	default:
		return nil, false
	}
	for _, f := range g.path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = m[f]; !ok {
			return nil, false
		}
	}
	return v, true
}
