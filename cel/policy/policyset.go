package policy

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/interpreter"

	"github.com/warden-gw/warden/cel/pack"
	"github.com/warden-gw/warden/exchange"
)

// Rule is a compiled rule.
type Rule struct {
	Policy  string
	Version string
	File    string
	Spec    RuleSpec
	Cost    uint64 // estimated worst-case cost
	prg     cel.Program
	ast     *cel.Ast
	// guard, when set, is a test of the facts whose failure makes the condition false, so
	// that Decide skips the rule without running CEL (see guard.go).
	guard *guard
}

// Name returns the rule's name.
func (r *Rule) Name() string { return r.Spec.Name }

// Set is a compiled, immutable set of policies. It is safe for concurrent use.
type Set struct {
	rules         map[exchange.Phase][]*Rule // enforce and shadow, in (file name, rule) order
	defaultAction exchange.Action
	defaultFrom   string // the policy that set defaultAction, "" when implicit
	versions      map[string]string
	files         []string
	needs         needs
	limits        Limits
	fingerprint   []byte // of the sources, for the Watcher
}

// Source is one policy file's content.
type Source struct {
	Name string // file name as shown in errors
	Data []byte
}

// Load reads policy files and folders (every *.yaml and *.yml directly inside, PolicyTest
// documents skipped) and compiles them with the default limits. An error names file:line:col.
func Load(paths ...string) (*Set, error) {
	return LoadWithLimits(Limits{}, paths...)
}

// LoadWithLimits is Load with explicit cost limits.
func LoadWithLimits(limits Limits, paths ...string) (*Set, error) {
	srcs, err := ReadSources(paths...)
	if err != nil {
		return nil, err
	}
	return Compile(limits, srcs...)
}

// Default returns the embedded default policy pack.
func Default() (*Set, error) {
	srcs, err := readFS(pack.FS, ".")
	if err != nil {
		return nil, err
	}
	return Compile(Limits{}, srcs...)
}

// ReadSources reads the policy files named by paths: files as given, folders as the *.yaml
// and *.yml files directly inside them.
func ReadSources(paths ...string) ([]Source, error) {
	if len(paths) == 0 {
		return nil, errors.New("no policy path given: name a policy file or a folder of *.yaml files")
	}
	var srcs []Source
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("read policy %s: %w", p, err)
		}
		if !st.IsDir() {
			data, err := os.ReadFile(p)
			if err != nil {
				return nil, fmt.Errorf("read policy %s: %w", p, err)
			}
			srcs = append(srcs, Source{Name: p, Data: data})
			continue
		}
		more, err := readFS(os.DirFS(p), ".")
		if err != nil {
			return nil, fmt.Errorf("read policy folder %s: %w", p, err)
		}
		for i := range more {
			more[i].Name = filepath.Join(p, more[i].Name)
		}
		if len(more) == 0 {
			return nil, fmt.Errorf("policy folder %s has no *.yaml or *.yml file", p)
		}
		srcs = append(srcs, more...)
	}
	return srcs, nil
}

func readFS(fsys fs.FS, dir string) ([]Source, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, err
	}
	var srcs []Source
	for _, e := range entries {
		ext := filepath.Ext(e.Name())
		if e.IsDir() || (ext != ".yaml" && ext != ".yml") {
			continue
		}
		data, err := fs.ReadFile(fsys, filepath.ToSlash(filepath.Join(dir, e.Name())))
		if err != nil {
			return nil, err
		}
		srcs = append(srcs, Source{Name: e.Name(), Data: data})
	}
	return srcs, nil
}

// Compile parses and compiles policy sources. Files are ordered by base name (then full name),
// which is the tie-break order of the conflict rule.
func Compile(limits Limits, srcs ...Source) (*Set, error) {
	limits = limits.withDefaults()
	env, err := NewEnv()
	if err != nil {
		return nil, err
	}
	fp := fingerprintOf(srcs, nil)
	srcs = append([]Source(nil), srcs...)
	sort.SliceStable(srcs, func(i, j int) bool {
		bi, bj := filepath.Base(srcs[i].Name), filepath.Base(srcs[j].Name)
		if bi != bj {
			return bi < bj
		}
		return srcs[i].Name < srcs[j].Name
	})
	ps := &Set{
		rules:         map[exchange.Phase][]*Rule{},
		defaultAction: exchange.Allow,
		versions:      map[string]string{},
		limits:        limits,
		fingerprint:   fp,
	}
	fields := map[string]bool{}
	policyFile := map[string]string{}
	for _, src := range srcs {
		docs, err := ParseDocuments(src.Name, src.Data)
		if err != nil {
			return nil, err
		}
		ps.files = append(ps.files, src.Name)
		for _, d := range docs {
			if d.Kind != KindPolicy {
				continue
			}
			if prev, dup := policyFile[d.Metadata.Name]; dup {
				return nil, d.errorf(d.line, 0, "policy %q is also defined in %s: policy names must be unique", d.Metadata.Name, prev)
			}
			policyFile[d.Metadata.Name] = src.Name
			if err := ps.addPolicy(env, d, fields); err != nil {
				return nil, err
			}
		}
	}
	if len(ps.versions) == 0 {
		return nil, fmt.Errorf("%w: no document of kind Policy in %s", ErrInvalidPolicy, strings.Join(ps.files, ", "))
	}
	ps.needs = needsOf(fields)
	return ps, nil
}

func (ps *Set) addPolicy(env *cel.Env, d *Document, fields map[string]bool) error {
	spec, err := d.PolicySpec()
	if err != nil {
		return err
	}
	if spec.DefaultAction != "" {
		if ps.defaultFrom != "" && spec.DefaultAction != ps.defaultAction {
			return d.errorf(d.Spec.Line, d.Spec.Column, "spec.defaultAction %s conflicts with defaultAction %s of policy %q: set it in one policy only",
				spec.DefaultAction, ps.defaultAction, ps.defaultFrom)
		}
		ps.defaultAction, ps.defaultFrom = spec.DefaultAction, d.Metadata.Name
	}
	ps.versions[d.Metadata.Name] = d.Version
	for i := range spec.Rules {
		r, err := compileRule(env, d, spec.Rules[i], ps.limits)
		if err != nil {
			return err
		}
		usedFields(r.ast, fields)
		ps.rules[r.Spec.Phase] = append(ps.rules[r.Spec.Phase], r)
	}
	return nil
}

func compileRule(env *cel.Env, d *Document, rs RuleSpec, limits Limits) (*Rule, error) {
	when := &rs.When
	a, iss := env.Compile(when.Value)
	if iss != nil && iss.Err() != nil {
		e := iss.Errors()[0]
		line, col := exprPosition(d, when, e.Location.Line(), e.Location.Column())
		return nil, d.errorf(line, col, "rule %q: when: %s", rs.Name, e.Message)
	}
	if t := a.OutputType(); t != cel.BoolType && t != cel.DynType {
		line, col := exprPosition(d, when, 1, 0)
		return nil, d.errorf(line, col, "rule %q: when must be a bool expression, it is %s", rs.Name, t)
	}
	if bad, msg := checkFields(a); bad != nil {
		loc := a.NativeRep().SourceInfo().GetStartLocation(bad.ID())
		line, col := exprPosition(d, when, loc.Line(), loc.Column())
		return nil, d.errorf(line, col, "rule %q: when: %s", rs.Name, msg)
	}
	est, err := env.EstimateCost(a, sizeHints{})
	if err != nil {
		return nil, d.errorf(rs.line, rs.col, "rule %q: estimate its cost: %v", rs.Name, err)
	}
	if est.Max > limits.CostBudget {
		line, col := exprPosition(d, when, 1, 0)
		return nil, d.errorf(line, col, "rule %q: worst-case cost %d exceeds the budget %d: iterate over fewer or smaller lists, or raise the cost budget",
			rs.Name, est.Max, limits.CostBudget)
	}
	prg, err := env.Program(a,
		cel.CostLimit(limits.CostLimit),
		cel.CostTracking(actualCost{}),
		cel.InterruptCheckFrequency(limits.InterruptEvery),
		cel.EvalOptions(cel.OptOptimize),
		cel.OptimizeRegex(interpreter.MatchesRegexOptimization),
	)
	if err != nil {
		return nil, d.errorf(rs.line, rs.col, "rule %q: %v", rs.Name, err)
	}
	r := &Rule{Policy: d.Metadata.Name, Version: d.Version, File: d.File, Spec: rs, Cost: est.Max, prg: prg, ast: a}
	if est.Max <= limits.CostLimit {
		r.guard = guardOf(a) // see guard: skipping must not hide a cost-limit failure
	}
	return r, nil
}

// rank orders actions by the conflict rule: deny beats require_approval beats allow.
func rank(a exchange.Action) int {
	switch a {
	case exchange.Deny:
		return 3
	case exchange.RequireApproval:
		return 2
	case exchange.Allow:
		return 1
	}
	return 0
}

// Decide evaluates every rule of phase against x and returns the governing decision (see
// docs/policy.md for the order and the conflict rule). It reads x.Request, x.Response,
// x.Identity, x.Credentials and x.Facts (an inspect.Facts, or anything with CEL() map[string]any);
// without facts it inspects x itself. A rule that fails to evaluate (cost limit, cancelled
// ctx, type error) decides deny with reason "policy_error: ...", and so does a ctx that is
// already done.
func (ps *Set) Decide(ctx context.Context, x *exchange.Exchange, phase exchange.Phase) exchange.Decision {
	rules := ps.rules[phase]
	if len(rules) == 0 {
		return ps.defaultDecision(phase)
	}
	if err := ctx.Err(); err != nil {
		return exchange.Decision{
			Action: exchange.Deny, Code: exchange.CodePolicyError, Phase: phase,
			Reason: fmt.Sprintf("policy error: decision abandoned: %v", context.Cause(ctx)),
		}
	}
	act := newActivation(x, phase, ps.needs)
	defer act.release()
	var best *exchange.Decision
	var shadowed []exchange.Decision
	enforceDone := false
	for _, r := range rules {
		shadow := r.Spec.Mode == Shadow
		if (!shadow && enforceDone) || (r.guard != nil && r.guard.fails(act)) {
			continue
		}
		d, matched := r.eval(ctx, act, phase)
		if !matched {
			continue
		}
		if shadow {
			d.Shadow = true
			shadowed = append(shadowed, d)
			continue
		}
		if best == nil || rank(d.Action) > rank(best.Action) {
			best = &d
		}
		// A deny cannot be beaten, and ties go to the first: later enforce rules cannot
		// change the outcome.
		enforceDone = best.Action == exchange.Deny
	}
	out := ps.defaultDecision(phase)
	if best != nil {
		out = *best
	}
	out.Shadowed = shadowed
	return out
}

// eval runs one rule. matched is true when the rule applies: its condition is true, or it
// failed (and so decides deny).
func (r *Rule) eval(ctx context.Context, act *activation, phase exchange.Phase) (exchange.Decision, bool) {
	d := exchange.Decision{
		Action: r.Spec.Action, Code: ruleCode(r.Spec.Action), Phase: phase, Policy: r.Policy, Rule: r.Spec.Name, PolicyVersion: r.Version,
	}
	val, _, err := r.prg.ContextEval(ctx, act)
	if err == nil {
		b, ok := val.(types.Bool)
		if !ok {
			d.Action, d.Code = exchange.Deny, exchange.CodePolicyError
			d.Reason = fmt.Sprintf("policy error: rule %q of policy %q failed: when returned a %s, not a bool", r.Spec.Name, r.Policy, val.Type().TypeName())
			return d, true
		} else if !bool(b) {
			return d, false
		}
	}
	if err != nil {
		d.Action, d.Code = exchange.Deny, exchange.CodePolicyError
		d.Reason = fmt.Sprintf("policy error: rule %q of policy %q failed: %s", r.Spec.Name, r.Policy, evalErrorText(err))
		return d, true
	}
	d.Reason = r.Spec.Message
	if d.Reason == "" {
		d.Reason = fmt.Sprintf("rule %q of policy %q matched", r.Spec.Name, r.Policy)
	}
	return d, true
}

// ruleCode is the code of a decision taken by a matching rule.
func ruleCode(a exchange.Action) exchange.DecisionCode {
	switch a {
	case exchange.Allow:
		return exchange.CodeRuleAllowed
	case exchange.RequireApproval:
		return exchange.CodeApprovalRequired
	}
	return exchange.CodeRuleDenied
}

// evalErrorText is what a decision may say about an evaluation error. The reason goes to the
// client and into the audit record, and CEL's error texts can quote the data being evaluated
// (a regular expression built from a header, a missing map key), so only the interruptions,
// whose texts are fixed, are named; any other error is reported without its text.
func evalErrorText(err error) string {
	msg := err.Error()
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) ||
		strings.HasPrefix(msg, "operation cancelled") || strings.HasPrefix(msg, "operation interrupted") {
		return msg
	}
	return "evaluation error (its text is not shown: it can quote request data)"
}

// defaultDecision is the decision when no enforce rule matches. defaultAction applies to the
// request phase only: a response to an admitted request is allowed unless a response rule
// matches.
func (ps *Set) defaultDecision(phase exchange.Phase) exchange.Decision {
	if phase != exchange.PhaseRequest {
		return exchange.Decision{Action: exchange.Allow, Code: exchange.CodeDefault, Phase: phase}
	}
	d := exchange.Decision{Action: ps.defaultAction, Code: exchange.CodeDefault, Phase: phase}
	if d.Action == exchange.RequireApproval {
		d.Code = exchange.CodeApprovalRequired
	}
	if ps.defaultFrom != "" {
		d.Policy = ps.defaultFrom
		d.PolicyVersion = ps.versions[ps.defaultFrom]
		d.Reason = fmt.Sprintf("no rule matched: default action of policy %q", ps.defaultFrom)
	}
	return d
}

// HasPhase reports whether any rule (enforce or shadow) applies to phase, so that the caller
// can skip a phase no rule reads. A non-allow default action makes the request phase count.
func (ps *Set) HasPhase(phase exchange.Phase) bool {
	return len(ps.rules[phase]) > 0 || (phase == exchange.PhaseRequest && ps.defaultAction != exchange.Allow)
}

// Versions returns the content hash (short sha256 of the file) of every policy, by name.
func (ps *Set) Versions() map[string]string {
	out := make(map[string]string, len(ps.versions))
	for k, v := range ps.versions {
		out[k] = v
	}
	return out
}

// Rules returns the compiled rules of a phase in evaluation order.
func (ps *Set) Rules(phase exchange.Phase) []*Rule {
	return append([]*Rule(nil), ps.rules[phase]...)
}

// Files returns the policy files the set was compiled from, in evaluation order.
func (ps *Set) Files() []string { return append([]string(nil), ps.files...) }
