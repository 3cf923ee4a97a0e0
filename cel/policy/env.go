package policy

import (
	"fmt"
	"sort"
	"strings"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/cost"
	"cel.dev/cel-go/ext"

	"github.com/warden-gw/warden/inspect"
)

// Limits bound what a rule may cost. The zero value means the defaults.
type Limits struct {
	// CostBudget refuses, at load time, a rule whose estimated worst-case cost is higher.
	// Default DefaultCostBudget.
	CostBudget uint64
	// CostLimit stops a rule at run time once its actual cost passes it; the rule then fails
	// (fail closed). Default DefaultCostLimit.
	CostLimit uint64
	// InterruptEvery is how many comprehension iterations run between checks of the context.
	// Default 64.
	InterruptEvery uint
}

// The default limits. A cost unit is roughly one CEL operation or one traversed list element;
// string functions cost one unit per 10 bytes scanned. Estimates assume the sizes in
// sizeHints (1 MiB for bodies and texts, 256 elements for lists), so the budget admits one
// nested comprehension over a payload's actions but not unbounded nesting.
const (
	DefaultCostBudget     = 50_000_000
	DefaultCostLimit      = 5_000_000
	defaultInterruptEvery = 64
)

func (l Limits) withDefaults() Limits {
	if l.CostBudget == 0 {
		l.CostBudget = DefaultCostBudget
	}
	if l.CostLimit == 0 {
		l.CostLimit = DefaultCostLimit
	}
	if l.InterruptEvery == 0 {
		l.InterruptEvery = defaultInterruptEvery
	}
	return l
}

// The CEL variables every rule may read.
const (
	varRequest  = "request"
	varResponse = "response"
	varIdentity = "identity"
	varLLM      = "llm"
	varMCP      = "mcp"
	varActions  = "actions"
	varCreds    = "creds"
	// varInspection says how completely inspection understood the exchange:
	// {truncated, ambiguous, executing, reasons} (inspect.Inspection).
	varInspection = "inspection"
)

// knownFields lists the fields of the map variables, so that a rule reading a misspelt field
// is refused at load time instead of failing (and so denying) on every request.
var knownFields = map[string][]string{
	varRequest:                {"method", "scheme", "host", "port", "path", "query", "headers", "body"},
	varRequest + ".body":      {"raw", "json", "form"},
	varResponse:               {"status", "headers", "body"},
	varResponse + ".body":     {"raw", "json"},
	varIdentity:               {"subject", "issuer", "groups", "agent", "on_behalf_of", "session", "method", "claims"},
	varCreds:                  {"role"},
	varRequest + ".headers":   nil, // any key
	varRequest + ".query":     nil,
	varResponse + ".headers":  nil,
	varRequest + ".body.json": nil,
}

func init() {
	// llm and mcp have the keys inspect.Facts gives them; take them from the source.
	vars := (&inspect.Facts{}).CEL()
	for _, v := range []string{varLLM, varMCP, varInspection} {
		m, _ := vars[v].(map[string]any)
		keys := make(map[string]bool, len(m))
		for k := range m {
			keys[k] = true
		}
		knownFields[v] = sortedKeys(keys)
	}
}

// NewEnv returns the CEL environment warden rules are compiled in.
func NewEnv() (*cel.Env, error) {
	mapSD := cel.MapType(cel.StringType, cel.DynType)
	opts := []cel.EnvOption{
		cel.Variable(varRequest, mapSD),
		cel.Variable(varResponse, mapSD),
		cel.Variable(varIdentity, mapSD),
		cel.Variable(varLLM, mapSD),
		cel.Variable(varMCP, mapSD),
		cel.Variable(varActions, cel.ListType(mapSD)),
		cel.Variable(varCreds, mapSD),
		cel.Variable(varInspection, mapSD),
		ext.Strings(),
		cel.CrossTypeNumericComparisons(true),
	}
	opts = append(opts, library()...)
	env, err := cel.NewEnv(opts...)
	if err != nil {
		return nil, fmt.Errorf("build the CEL environment: %w", err)
	}
	return env, nil
}

// checkFields walks a checked expression and reports the first select of a field that the
// variable's shape does not have, e.g. request.methd.
func checkFields(a *cel.Ast) (ast.Expr, string) {
	var badExpr ast.Expr
	var msg string
	visitor := ast.NewExprVisitor(func(e ast.Expr) {
		if badExpr != nil || e.Kind() != ast.SelectKind {
			return
		}
		path, ok := selectPath(e.AsSelect().Operand())
		if !ok {
			return
		}
		fields, known := knownFields[path]
		if !known || fields == nil {
			return
		}
		field := e.AsSelect().FieldName()
		for _, f := range fields {
			if f == field {
				return
			}
		}
		badExpr = e
		msg = fmt.Sprintf("%s has no field %q (fields: %s)", path, field, strings.Join(fields, ", "))
	})
	ast.PostOrderVisit(a.NativeRep().Expr(), visitor)
	return badExpr, msg
}

// selectPath returns "request.body" for the operand request.body, ok=false for anything that is
// not a chain of selects on a variable.
func selectPath(e ast.Expr) (string, bool) {
	switch e.Kind() {
	case ast.IdentKind:
		return e.AsIdent(), true
	case ast.SelectKind:
		p, ok := selectPath(e.AsSelect().Operand())
		if !ok {
			return "", false
		}
		return p + "." + e.AsSelect().FieldName(), true
	}
	return "", false
}

// usedFields returns every field name selected anywhere in the expression, so that Decide can
// skip work (parsing a body as JSON, a form) that no rule reads.
func usedFields(a *cel.Ast, into map[string]bool) {
	ast.PostOrderVisit(a.NativeRep().Expr(), ast.NewExprVisitor(func(e ast.Expr) {
		if e.Kind() == ast.SelectKind {
			if p, ok := selectPath(e); ok {
				into[p] = true
			}
		}
	}))
}

// sizeHints is the cost estimator: sizes of the variables (which are dyn to the type checker,
// so CEL cannot know them) and costs of warden's functions.
type sizeHints struct{}

// textFields are the fields that may hold a whole payload.
var textFields = map[string]bool{
	"raw": true, "text": true, "prompt": true, "arguments": true, "body": true, "json": true,
}

const (
	maxTextSize = 1 << 20
	maxListSize = 256
)

func (sizeHints) EstimateSize(n cost.AstNode) *cost.SizeEstimate {
	p := n.Path()
	if len(p) == 0 {
		return nil
	}
	last := p[len(p)-1]
	if textFields[last] {
		s := cost.RangedSizeEstimate(0, maxTextSize)
		return &s
	}
	s := cost.RangedSizeEstimate(0, maxListSize)
	return &s
}

func (sizeHints) EstimateCallCost(function, _ string, _ *cost.AstNode, args []cost.AstNode) *cost.CallEstimate {
	switch function {
	case fnSQL, fnShell:
		// The parsers are linear in their input: one unit per byte, like a string scan x10.
		in := cost.RangedSizeEstimate(0, maxTextSize)
		if len(args) > 0 {
			if sz := args[0].ComputedSize(); sz != nil {
				in = *sz
			}
		}
		c := in.MultiplyByCostFactor(1)
		return cost.NewCallEstimate(c, nil)
	case fnK8s, fnGlob:
		return cost.NewCallEstimate(cost.RangedCostEstimate(1, 1+maxTextSize/10), nil)
	}
	return nil
}

// sortedKeys is for stable messages.
func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
