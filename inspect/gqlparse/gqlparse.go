// Package gqlparse tells warden's policies what a GraphQL request does: its operations, the
// top-level fields of each (for a mutation, the mutations it runs), and whether running it can
// destroy data, history or protection.
//
// Documents are parsed by github.com/vektah/gqlparser/v2 (the parser of gqlgen) without a schema:
// warden does not know every API's schema, and the operation type and field names are what the
// classification needs. Fragments (named and inline) are expanded, aliases are ignored (the field
// name is what runs), and arguments are resolved against the request's variables.
//
// # Destructive operations
//
// Mutations named in the catalogue (catalogue.go) are destructive: GitHub's ref, repository,
// issue, project, branch-protection, ruleset, environment and discussion deletions; updateRef and
// updateRefs with force (or a ref update to the zero object id, which deletes the ref); and
// branch protection rules created or updated to allow force pushes or deletions, or to stop
// applying to administrators. Any other mutation whose name says it deletes (delete*, destroy*,
// drop*, purge*, truncate*, wipe*, erase*, in camel or snake case) is destructive too. Queries
// and subscriptions are never destructive. An argument the catalogue looks at whose value is a
// variable the request does not supply is treated as the worst value (fail closed).
//
// # Limits
//
// Documents over MaxInputBytes (256 KiB) or over maxTokens tokens are not parsed (ParseError);
// fragments are followed maxFragmentDepth levels deep; at most maxFields top-level fields are
// judged, beyond which ParseError is set. Analyze never panics and is safe for concurrent use.
package gqlparse

import (
	"fmt"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

// Limits that keep Analyze bounded on hostile input.
const (
	// MaxInputBytes is the largest document Analyze parses.
	MaxInputBytes  = 256 << 10
	maxTokens      = 100_000
	maxFragmentDep = 16
	maxFields      = 1024
	maxValueDepth  = 64
)

// Result is what a GraphQL request means.
type Result struct {
	// Operations are the document's operations, in order.
	Operations []Operation
	// ParseError is set when the document is not valid GraphQL or exceeds a limit; then
	// Operations is empty and Destructive false (the policy decides).
	ParseError string
	// Destructive is true when any operation is.
	Destructive bool
	// Reasons are the reasons of the destructive fields, without duplicates.
	Reasons []string
}

// Operation is one operation of a document.
type Operation struct {
	// Type is "query", "mutation" or "subscription".
	Type string
	// Name is the operation's name ("" when anonymous).
	Name string
	// Fields are the top-level field names the operation selects, fragments expanded.
	Fields []string
	// Destructive is true when running the operation can destroy data, history or protection.
	Destructive bool
	// Reason says why, e.g. "deleteRef deletes a branch or tag".
	Reason string
}

// Analyze parses doc and judges its operations; variables are the request's "variables".
func Analyze(doc string, variables map[string]any) Result {
	if len(doc) > MaxInputBytes {
		return Result{ParseError: fmt.Sprintf("GraphQL document is %d bytes, more than the %d-byte limit", len(doc), MaxInputBytes)}
	}
	qd, err := parseDoc(doc)
	if err != nil {
		return Result{ParseError: "not valid GraphQL: " + err.Error()}
	}
	if len(qd.Operations) == 0 {
		return Result{ParseError: "GraphQL document without an operation"}
	}
	var res Result
	for _, op := range qd.Operations {
		o, err := judgeOperation(qd, op, variables)
		if err != nil {
			return Result{ParseError: err.Error()}
		}
		res.Operations = append(res.Operations, o)
		if o.Destructive {
			res.Destructive = true
			res.addReason(o.Reason)
		}
	}
	return res
}

// parseDoc parses with a token limit and turns a parser panic (none is known) into an error.
func parseDoc(doc string) (qd *ast.QueryDocument, err error) {
	defer func() {
		if r := recover(); r != nil {
			qd, err = nil, fmt.Errorf("parser failed: %v", r)
		}
	}()
	qd, gerr := parser.ParseQueryWithTokenLimit(&ast.Source{Input: doc}, maxTokens)
	if gerr != nil {
		return nil, gerr
	}
	return qd, nil
}

func (r *Result) addReason(s string) {
	for _, have := range r.Reasons {
		if have == s {
			return
		}
	}
	r.Reasons = append(r.Reasons, s)
}

func judgeOperation(qd *ast.QueryDocument, op *ast.OperationDefinition, vars map[string]any) (Operation, error) {
	o := Operation{Type: string(op.Operation), Name: op.Name}
	if o.Type == "" {
		o.Type = "query"
	}
	fields, err := topFields(qd, op.SelectionSet, 0, nil)
	if err != nil {
		return o, err
	}
	scope := &valueScope{vars: vars, defs: op.VariableDefinitions}
	for _, f := range fields {
		o.Fields = append(o.Fields, f.Name)
		if o.Type != "mutation" || o.Destructive {
			continue
		}
		if bad, why := judgeMutation(f, scope); bad {
			o.Destructive, o.Reason = true, why
		}
	}
	return o, nil
}

// topFields expands fragments and returns the fields selected at the top of a selection set.
func topFields(qd *ast.QueryDocument, set ast.SelectionSet, depth int, out []*ast.Field) ([]*ast.Field, error) {
	if depth > maxFragmentDep {
		return nil, fmt.Errorf("GraphQL fragments nested more than %d levels", maxFragmentDep)
	}
	for _, s := range set {
		switch x := s.(type) {
		case *ast.Field:
			if len(out) >= maxFields {
				return nil, fmt.Errorf("more than %d top-level GraphQL fields", maxFields)
			}
			out = append(out, x)
		case *ast.InlineFragment:
			var err error
			if out, err = topFields(qd, x.SelectionSet, depth+1, out); err != nil {
				return nil, err
			}
		case *ast.FragmentSpread:
			fr := qd.Fragments.ForName(x.Name)
			if fr == nil {
				return nil, fmt.Errorf("GraphQL fragment %q is not defined", x.Name)
			}
			var err error
			if out, err = topFields(qd, fr.SelectionSet, depth+1, out); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// valueScope resolves argument values against the request's variables and the operation's
// defaults.
type valueScope struct {
	vars map[string]any
	defs ast.VariableDefinitionList
}

// unknown stands for a variable the request does not supply.
type unknown struct{}

func (s *valueScope) value(v *ast.Value, depth int) any {
	if v == nil || depth > maxValueDepth {
		return unknown{}
	}
	switch v.Kind {
	case ast.Variable:
		if x, ok := s.vars[v.Raw]; ok {
			return x
		}
		if d := s.defs.ForName(v.Raw); d != nil && d.DefaultValue != nil {
			return s.value(d.DefaultValue, depth+1)
		}
		return unknown{}
	case ast.BooleanValue:
		return v.Raw == "true"
	case ast.NullValue:
		return nil
	case ast.ListValue:
		out := make([]any, 0, len(v.Children))
		for _, c := range v.Children {
			out = append(out, s.value(c.Value, depth+1))
		}
		return out
	case ast.ObjectValue:
		out := make(map[string]any, len(v.Children))
		for _, c := range v.Children {
			out[c.Name] = s.value(c.Value, depth+1)
		}
		return out
	}
	return v.Raw
}

// args returns a field's arguments as values; the conventional single "input" object is merged
// in, so input.force and force read alike.
func (s *valueScope) args(f *ast.Field) map[string]any {
	out := map[string]any{}
	for _, a := range f.Arguments {
		val := s.value(a.Value, 0)
		out[a.Name] = val
		if a.Name == "input" {
			switch in := val.(type) {
			case map[string]any:
				for k, v := range in {
					if _, dup := out[k]; !dup {
						out[k] = v
					}
				}
			case unknown:
				out["input"] = unknown{}
			}
		}
	}
	return out
}

// Map returns the Result as CEL values: {"operations": [{"type", "name", "fields",
// "destructive", "reason"}], "destructive", "reasons", "parse_error"}.
func (r Result) Map() map[string]any {
	ops := make([]any, 0, len(r.Operations))
	for _, o := range r.Operations {
		fields := make([]any, len(o.Fields))
		for i, f := range o.Fields {
			fields[i] = f
		}
		ops = append(ops, map[string]any{
			"type": o.Type, "name": o.Name, "fields": fields, "destructive": o.Destructive, "reason": o.Reason,
		})
	}
	reasons := make([]any, len(r.Reasons))
	for i, s := range r.Reasons {
		reasons[i] = s
	}
	return map[string]any{
		"operations": ops, "destructive": r.Destructive, "reasons": reasons, "parse_error": r.ParseError,
	}
}

// LooksLikeDocument reports whether s starts like a GraphQL document (an operation keyword, a
// selection set or a fragment), after blanks and # comments.
func LooksLikeDocument(s string) bool {
	for {
		s = strings.TrimLeft(s, " \t\r\n,\ufeff")
		if !strings.HasPrefix(s, "#") {
			break
		}
		if i := strings.IndexByte(s, '\n'); i >= 0 {
			s = s[i+1:]
		} else {
			return false
		}
	}
	if strings.HasPrefix(s, "{") {
		return true
	}
	for _, kw := range []string{"query", "mutation", "subscription", "fragment"} {
		if rest, ok := strings.CutPrefix(s, kw); ok && (rest == "" || strings.IndexByte(" \t\r\n{($@", rest[0]) >= 0) {
			return true
		}
	}
	return false
}
