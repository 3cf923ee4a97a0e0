package policy

import (
	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/ast"
)

// FactProjection is the part of an exchange's facts (the variables llm, mcp, actions and
// inspection) that the rules of a Set can read, worked out from their checked expressions.
// Facts cut down to it decide exactly as the whole facts do: `warden policy diff` decodes only
// this part of each recorded input.
//
// A node is read whole (Whole) when an expression uses its value other than by selecting a
// field of it or iterating over it: compared, passed to a function, indexed, tested with
// has(), returned. A node whose value is iterated (Iterated: a comprehension's range) has its
// elements projected by Elem when the value is a list; a map that is iterated is read whole,
// since iteration sees its keys. Fields lists the members selected from the node. Anything a
// reader of the projection does not recognise (a node with nothing set) is to be read whole.
type FactProjection struct {
	Whole    bool
	Iterated bool
	Fields   map[string]*FactProjection
	Elem     *FactProjection
}

// factVars are the variables that come from the facts (see activation.setFacts).
var factVars = map[string]bool{varLLM: true, varMCP: true, varActions: true, varInspection: true}

// FactProjection returns the projection of the facts that the set's rules (both phases,
// enforce and shadow) read. Its root's Fields are among llm, mcp, actions and inspection.
func (ps *Set) FactProjection() *FactProjection {
	root := &FactProjection{Fields: map[string]*FactProjection{}}
	for _, rules := range ps.rules {
		for _, r := range rules {
			projectRule(root, r.ast)
		}
	}
	// Decide itself reads nothing of the facts beyond what the rules read: its guards are
	// parts of the rules' own expressions.
	return root
}

// projectRule adds what the expression of a reads to root.
func projectRule(root *FactProjection, a *cel.Ast) {
	if a == nil {
		return
	}
	p := projector{root: root}
	p.visit(a.NativeRep().Expr(), nil)
}

func (n *FactProjection) field(name string) *FactProjection {
	if n.Fields == nil {
		n.Fields = map[string]*FactProjection{}
	}
	c := n.Fields[name]
	if c == nil {
		c = &FactProjection{}
		n.Fields[name] = c
	}
	return c
}

func (n *FactProjection) elem() *FactProjection {
	if n.Elem == nil {
		n.Elem = &FactProjection{}
	}
	return n.Elem
}

// scope binds the iteration and accumulator variables of the enclosing comprehensions, inner
// first. A variable bound to nil holds no projected fact (an accumulator, an element of a
// list that is not a fact), but it still hides a fact variable of the same name.
type scope struct {
	name string
	node *FactProjection
	next *scope
}

func (s *scope) with(name string, n *FactProjection) *scope {
	if name == "" {
		return s
	}
	return &scope{name: name, node: n, next: s}
}

func (s *scope) lookup(name string) (*FactProjection, bool) {
	for ; s != nil; s = s.next {
		if s.name == name {
			return s.node, true
		}
	}
	return nil, false
}

type projector struct {
	root *FactProjection
}

// path returns the projection node of e when e is a fact variable (or an iteration variable
// bound to one) followed by field selects, creating the nodes on the way; nil otherwise.
func (p projector) path(e ast.Expr, sc *scope) *FactProjection {
	switch e.Kind() {
	case ast.IdentKind:
		name := e.AsIdent()
		if n, bound := sc.lookup(name); bound {
			return n
		}
		if factVars[name] {
			return p.root.field(name)
		}
	case ast.SelectKind:
		s := e.AsSelect()
		if base := p.path(s.Operand(), sc); base != nil {
			if base.Whole {
				return base
			}
			return base.field(s.FieldName())
		}
	}
	return nil
}

// visit records what e reads. A path visited as a value is read whole.
func (p projector) visit(e ast.Expr, sc *scope) {
	switch e.Kind() {
	case ast.IdentKind, ast.SelectKind:
		if n := p.path(e, sc); n != nil {
			n.Whole = true
			return
		}
		if e.Kind() == ast.SelectKind {
			p.visit(e.AsSelect().Operand(), sc)
		}
	case ast.CallKind:
		c := e.AsCall()
		if c.IsMemberFunction() {
			p.visit(c.Target(), sc)
		}
		for _, arg := range c.Args() {
			p.visit(arg, sc)
		}
	case ast.ComprehensionKind:
		p.comprehension(e.AsComprehension(), sc)
	case ast.ListKind:
		for _, el := range e.AsList().Elements() {
			p.visit(el, sc)
		}
	case ast.MapKind:
		for _, ent := range e.AsMap().Entries() {
			m := ent.AsMapEntry()
			p.visit(m.Key(), sc)
			p.visit(m.Value(), sc)
		}
	case ast.StructKind:
		for _, f := range e.AsStruct().Fields() {
			p.visit(f.AsStructField().Value(), sc)
		}
	}
}

// comprehension binds the iteration variable to the elements of the range when the range is
// a fact path; a two-variable comprehension reads its range whole.
func (p projector) comprehension(c ast.ComprehensionExpr, sc *scope) {
	var elem *FactProjection
	rng := p.path(c.IterRange(), sc)
	switch {
	case rng == nil:
		p.visit(c.IterRange(), sc)
	case c.HasIterVar2() || rng.Whole:
		rng.Whole = true
	default:
		rng.Iterated = true
		elem = rng.elem()
	}
	if elem != nil && elem.Whole {
		elem = nil // the elements are read whole already: nothing below them to add
	}
	p.visit(c.AccuInit(), sc)
	inner := sc.with(c.IterVar(), elem)
	if c.HasIterVar2() {
		inner = inner.with(c.IterVar2(), nil)
	}
	inner = inner.with(c.AccuVar(), nil)
	p.visit(c.LoopCondition(), inner)
	p.visit(c.LoopStep(), inner)
	p.visit(c.Result(), sc.with(c.AccuVar(), nil))
}
