package policy

import (
	"strings"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/operators"
	"cel.dev/cel-go/common/types"
)

// A guard is a cheap test of the facts, proven from a rule's expression at compile time, whose
// failure makes the rule's condition false: Decide then skips the rule without running CEL.
// Guards are taken only from positions CEL evaluates first (the leftmost conjunct of the
// condition, or of an exists() predicate), so that a skipped rule could neither have matched
// nor have failed (a CEL error or the cost limit) before that point: skipping changes no
// decision (TestGuardsDecideAsFullEvaluation, FuzzGuards).
//
// The shapes recognised, P being a fact (llm, mcp, actions, inspection, or the element an
// exists() is iterating) followed by field selects:
//
//	P                        false when P is the bool false
//	!P                       false when P is the bool true
//	P == "s", "s" == P       false when P is a string other than s (also for bool literals)
//	P != "s"                 false when P is the string s
//	P.startsWith("s")        false when P is a string without that prefix
//	P.exists(v, G && ...)    false when P is a list whose every element fails G
//
// A guard that cannot resolve P (a missing key, another type) proves nothing and the rule runs.
type guard struct {
	op   guardOp
	root string   // the variable P starts from; "" for the element being iterated
	path []string // the selects after root
	lit  any      // string or bool
	elem *guard   // gExists: the guard of each element
}

type guardOp uint8

const (
	gFalse  guardOp = iota + 1 // P
	gTrue                      // !P
	gEq                        // P == lit
	gNe                        // P != lit
	gPrefix                    // P.startsWith(lit)
	gExists                    // P.exists(v, elem...)
)

// maxGuardList bounds the lists a guard iterates: beyond it the rule runs in CEL, whose cost
// limit a very long list could reach.
const maxGuardList = 1024

// guardOf returns the guard of a rule's condition, or nil.
func guardOf(a *cel.Ast) *guard {
	return guardExpr(a.NativeRep().Expr(), "", nil)
}

// guardExpr builds the guard of e's leftmost conjunct. iterVar names the element an enclosing
// exists() iterates (it hides a fact variable of that name); hidden lists the other
// comprehension variables in scope, which resolve to nothing a guard can read.
func guardExpr(e ast.Expr, iterVar string, hidden []string) *guard {
	for isCall(e, operators.LogicalAnd, 2) {
		e = e.AsCall().Args()[0]
	}
	switch {
	case e.Kind() == ast.ComprehensionKind:
		return existsGuard(e.AsComprehension(), iterVar, hidden)
	case isCall(e, operators.LogicalNot, 1):
		if root, path, ok := factPath(e.AsCall().Args()[0], iterVar, hidden); ok {
			return &guard{op: gTrue, root: root, path: path}
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
		root, path, ok := factPath(lhs, iterVar, hidden)
		lit, lok := literalOf(rhs)
		if ok && lok {
			return &guard{op: op, root: root, path: path, lit: lit}
		}
	case e.Kind() == ast.CallKind && e.AsCall().FunctionName() == "startsWith" && e.AsCall().IsMemberFunction() && len(e.AsCall().Args()) == 1:
		root, path, ok := factPath(e.AsCall().Target(), iterVar, hidden)
		lit, lok := literalOf(e.AsCall().Args()[0])
		if s, isStr := lit.(string); ok && lok && isStr {
			return &guard{op: gPrefix, root: root, path: path, lit: s}
		}
	case e.Kind() == ast.SelectKind && !e.AsSelect().IsTestOnly():
		if root, path, ok := factPath(e, iterVar, hidden); ok {
			return &guard{op: gFalse, root: root, path: path}
		}
	}
	return nil
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
	inner := hidden
	if iterVar != "" {
		inner = append(append([]string(nil), hidden...), iterVar)
	}
	inner = append(inner, c.AccuVar())
	elem := guardExpr(step.AsCall().Args()[1], c.IterVar(), inner)
	if elem == nil {
		// No element test, but an empty list still makes exists() false.
		elem = &guard{}
	}
	return &guard{op: gExists, root: root, path: path, elem: elem}
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

// fails reports whether the guard proves the condition false on act; elem is the element
// being iterated, for guards inside an exists().
func (g *guard) fails(act *activation, elem any) bool {
	if g.op == 0 {
		return false // an exists() without an element test: only an empty list fails it
	}
	v, ok := g.resolve(act, elem)
	if !ok {
		return false
	}
	switch g.op {
	case gFalse, gTrue:
		b, isBool := v.(bool)
		return isBool && b == (g.op == gTrue)
	case gEq, gNe:
		switch lit := g.lit.(type) {
		case string:
			s, isStr := v.(string)
			return isStr && (s == lit) == (g.op == gNe)
		case bool:
			b, isBool := v.(bool)
			return isBool && (b == lit) == (g.op == gNe)
		}
	case gPrefix:
		s, isStr := v.(string)
		return isStr && !strings.HasPrefix(s, g.lit.(string))
	case gExists:
		l, isList := v.([]any)
		if !isList || len(l) > maxGuardList {
			return false
		}
		for _, e := range l {
			if !g.elem.fails(act, e) {
				return false
			}
		}
		return true
	}
	return false
}

// resolve reads P.
func (g *guard) resolve(act *activation, elem any) (any, bool) {
	var v any
	switch g.root {
	case "":
		v = elem
	case varActions:
		v = act.actions
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
