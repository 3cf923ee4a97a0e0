package policycli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/warden-gw/warden/cel/policy"
	"github.com/warden-gw/warden/exchange"
)

// ErrTestsFailed is returned by `policy test` when a case fails.
var ErrTestsFailed = errors.New("policy tests failed")

const policyUsage = `usage:
  warden policy test [--policy PATH]... FILE|DIR...   run PolicyTest cases (policies: --policy,
                                                     else the Policy documents among the
                                                     arguments, else the embedded pack)
  warden policy lint PATH...                         compile and check policy files
  warden policy diff --policy PATH (--dir SPOOL | --bundle FILE | --brokers B | --input FILE) [--json] [--html FILE]
                                                     re-decide recorded exchanges with candidate
                                                     policies and show what changes`

// Policy is `warden policy test|lint`.
func Policy(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, policyUsage)
		return errors.New("policy: name a subcommand: test, lint or diff")
	}
	switch args[0] {
	case "test":
		return policyTest(ctx, args[1:], stdout, stderr)
	case "lint":
		return policyLint(args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprintln(stdout, policyUsage)
		return nil
	}
	fmt.Fprintln(stderr, policyUsage)
	return fmt.Errorf("policy: unknown subcommand %q: use test, lint or diff", args[0])
}

// testFile is one PolicyTest document with its cases.
type testFile struct {
	doc  *policy.Document
	spec *policy.TestSpec
}

func policyTest(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("policy test", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var policies stringsFlag
	fs.Var(&policies, "policy", "policy file or folder to test (repeatable)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return errors.New("policy test: name PolicyTest files or folders")
	}
	srcs, err := policy.ReadSources(fs.Args()...)
	if err != nil {
		return err
	}
	tests, hasPolicy, err := readTests(srcs)
	if err != nil {
		return err
	}
	if len(tests) == 0 {
		return fmt.Errorf("policy test: no document of kind PolicyTest in %s", strings.Join(fs.Args(), ", "))
	}
	var ps *policy.Set
	switch {
	case len(policies) > 0:
		ps, err = policy.Load(policies...)
	case hasPolicy:
		ps, err = policy.Compile(policy.Limits{}, srcs...)
	default:
		ps, err = policy.Default()
	}
	if err != nil {
		return fmt.Errorf("load policy: %w", err)
	}
	passed, failed := 0, 0
	for _, tf := range tests {
		for _, c := range tf.spec.Cases {
			where := fmt.Sprintf("%s:%d", tf.doc.File, c.Line)
			got, err := runCase(ctx, ps, c)
			switch {
			case err != nil:
				failed++
				fmt.Fprintf(stdout, "FAIL %s %s/%s: invalid input: %v\n", where, tf.doc.Metadata.Name, c.Name, err)
			case got.Action != c.Expect.Action || (c.Expect.Rule != "" && got.Rule != c.Expect.Rule):
				failed++
				fmt.Fprintf(stdout, "FAIL %s %s/%s: got %s by rule %q (%s), want %s%s\n", where, tf.doc.Metadata.Name, c.Name,
					got.Action, got.Rule, got.Reason, c.Expect.Action, ruleSuffix(c.Expect.Rule))
			default:
				passed++
				fmt.Fprintf(stdout, "PASS %s %s/%s\n", where, tf.doc.Metadata.Name, c.Name)
			}
		}
	}
	fmt.Fprintf(stdout, "%d passed, %d failed\n", passed, failed)
	if failed > 0 {
		return fmt.Errorf("%w: %d of %d", ErrTestsFailed, failed, passed+failed)
	}
	return nil
}

func ruleSuffix(rule string) string {
	if rule == "" {
		return ""
	}
	return fmt.Sprintf(" by rule %q", rule)
}

func readTests(srcs []policy.Source) ([]testFile, bool, error) {
	var tests []testFile
	hasPolicy := false
	for _, src := range srcs {
		docs, err := policy.ParseDocuments(src.Name, src.Data)
		if err != nil {
			return nil, false, err
		}
		for _, d := range docs {
			if d.Kind != policy.KindPolicyTest {
				hasPolicy = true
				continue
			}
			spec, err := d.TestSpec()
			if err != nil {
				return nil, false, err
			}
			tests = append(tests, testFile{doc: d, spec: spec})
		}
	}
	return tests, hasPolicy, nil
}

// runCase decides one test case through the same code path as `warden check`.
func runCase(ctx context.Context, ps *policy.Set, c policy.TestCase) (exchange.Decision, error) {
	line, err := json.Marshal(c.Input)
	if err != nil {
		return exchange.Decision{}, fmt.Errorf("input is not JSON-compatible: %w", err)
	}
	x, err := ParseInput(line)
	if err != nil {
		return exchange.Decision{}, err
	}
	return Decide(ctx, ps, x, x.Response.Status != 0), nil
}

func policyLint(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New("policy lint: name policy files or folders")
	}
	srcs, err := policy.ReadSources(args...)
	if err != nil {
		return err
	}
	if _, _, err := readTests(srcs); err != nil {
		fmt.Fprintln(stderr, err)
		return err
	}
	ps, err := policy.Compile(policy.Limits{}, srcs...)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return err
	}
	warnings := 0
	rules := 0
	for _, phase := range []exchange.Phase{exchange.PhaseRequest, exchange.PhaseResponse} {
		seen := map[string]*policy.Rule{}
		for _, r := range ps.Rules(phase) {
			rules++
			for _, w := range lintRule(r, seen) {
				warnings++
				fmt.Fprintf(stdout, "warning: %s: policy %q rule %q: %s\n", r.File, r.Policy, r.Name(), w)
			}
		}
	}
	fmt.Fprintf(stdout, "ok: %d files, %d policies, %d rules, %d warnings\n", len(ps.Files()), len(ps.Versions()), rules, warnings)
	return nil
}

// lintRule finds rules that can never matter or that match everything.
func lintRule(r *policy.Rule, seen map[string]*policy.Rule) []string {
	var out []string
	when := strings.Join(strings.Fields(r.Spec.When.Value), " ")
	switch when {
	case "false":
		out = append(out, "when is always false: the rule never matches")
	case "true":
		if r.Spec.Mode == policy.Enforce && r.Spec.Action != exchange.Allow {
			out = append(out, fmt.Sprintf("when is always true: every %s is %s", r.Spec.Phase, r.Spec.Action))
		}
	}
	key := string(r.Spec.Mode) + "\x00" + when
	if prev, ok := seen[key]; ok {
		out = append(out, fmt.Sprintf("same condition as rule %q of policy %q: only the stronger action of the two can ever govern", prev.Name(), prev.Policy))
	} else {
		seen[key] = r
	}
	return out
}
