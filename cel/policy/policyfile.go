package policy

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/warden-gw/warden/exchange"
)

// APIVersion is the apiVersion every warden policy document carries.
const APIVersion = "warden.dev/v1"

// The document kinds a policy file may hold.
const (
	KindPolicy     = "Policy"
	KindPolicyTest = "PolicyTest"
)

// Mode says whether a rule is enforced or only reported.
type Mode string

// The rule modes.
const (
	Enforce Mode = "enforce"
	Shadow  Mode = "shadow"
)

// Document is one YAML document of a policy file, before its spec is interpreted.
type Document struct {
	File       string    `yaml:"-"`
	APIVersion string    `yaml:"apiVersion"`
	Kind       string    `yaml:"kind"`
	Metadata   Metadata  `yaml:"metadata"`
	Spec       yaml.Node `yaml:"spec"`
	// Version is the short sha256 of the whole file the document came from.
	Version string `yaml:"-"`
	line    int
	src     []byte
}

// Metadata names a document.
type Metadata struct {
	Name        string `yaml:"name"`
	Description string `yaml:"description,omitempty"`
}

// Spec is the spec of a Policy document.
type Spec struct {
	DefaultAction exchange.Action `yaml:"defaultAction,omitempty"`
	Rules         []RuleSpec      `yaml:"rules"`
}

// RuleSpec is one rule as written in a policy file.
type RuleSpec struct {
	Name        string          `yaml:"name"`
	Description string          `yaml:"description,omitempty"`
	Phase       exchange.Phase  `yaml:"phase,omitempty"`
	When        yaml.Node       `yaml:"when"`
	Action      exchange.Action `yaml:"action"`
	Message     string          `yaml:"message,omitempty"`
	Mode        Mode            `yaml:"mode,omitempty"`
	line, col   int
}

// TestSpec is the spec of a PolicyTest document.
type TestSpec struct {
	Cases []TestCase `yaml:"cases"`
}

// TestCase is one case of a PolicyTest: a `warden check` input and the decision it must get.
type TestCase struct {
	Name   string         `yaml:"name"`
	Input  map[string]any `yaml:"input"`
	Expect TestExpect     `yaml:"expect"`
	Line   int            `yaml:"-"`
}

// TestExpect is what a test case expects. Rule is only compared when set.
type TestExpect struct {
	Action exchange.Action `yaml:"action"`
	Rule   string          `yaml:"rule,omitempty"`
}

// FileError is an error at a position of a policy file.
type FileError struct {
	File      string
	Line, Col int
	Msg       string
}

func (e *FileError) Error() string {
	switch {
	case e.Line > 0 && e.Col > 0:
		return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg)
	case e.Line > 0:
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

// ErrInvalidPolicy is wrapped by every error about the content of a policy file.
var ErrInvalidPolicy = errors.New("invalid policy")

// Is lets errors.Is(err, ErrInvalidPolicy) match a FileError.
func (e *FileError) Is(target error) bool { return target == ErrInvalidPolicy }

var (
	nameRE     = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9._-]{0,127}$`)
	yamlLineRE = regexp.MustCompile(`^yaml: (?:unmarshal errors:\n\s*)?line (\d+): (.*)$`)
)

// ParseDocuments splits a policy file into its YAML documents and checks their header
// (apiVersion, kind, metadata.name). Unknown fields are errors.
func ParseDocuments(file string, data []byte) ([]*Document, error) {
	sum := sha256.Sum256(data)
	version := hex.EncodeToString(sum[:])[:12]
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var docs []*Document
	for {
		var node yaml.Node
		err := dec.Decode(&node)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, yamlError(file, err)
		}
		if len(node.Content) == 0 {
			continue
		}
		doc := &Document{File: file, Version: version, line: node.Line, src: data}
		if err := strictDecode(&node, doc); err != nil {
			return nil, yamlError(file, err)
		}
		if err := doc.checkHeader(); err != nil {
			return nil, err
		}
		docs = append(docs, doc)
	}
	if len(docs) == 0 {
		return nil, &FileError{File: file, Msg: "no YAML document: expected `apiVersion: " + APIVersion + "` and `kind: Policy`"}
	}
	return docs, nil
}

func (d *Document) checkHeader() error {
	switch {
	case d.APIVersion != APIVersion:
		return d.errorf(d.line, 0, "apiVersion is %q, want %q", d.APIVersion, APIVersion)
	case d.Kind != KindPolicy && d.Kind != KindPolicyTest:
		return d.errorf(d.line, 0, "kind is %q, want %s or %s", d.Kind, KindPolicy, KindPolicyTest)
	case !nameRE.MatchString(d.Metadata.Name):
		return d.errorf(d.line, 0, "metadata.name %q must be 1-128 letters, digits, '.', '_' or '-'", d.Metadata.Name)
	case d.Spec.Kind == 0:
		return d.errorf(d.line, 0, "%s %q has no spec", d.Kind, d.Metadata.Name)
	}
	return nil
}

func (d *Document) errorf(line, col int, format string, args ...any) error {
	return &FileError{File: d.File, Line: line, Col: col, Msg: fmt.Sprintf(format, args...)}
}

// PolicySpec decodes the spec of a Policy document and checks every rule's fields (not its CEL).
func (d *Document) PolicySpec() (*Spec, error) {
	var spec Spec
	if err := strictDecode(&d.Spec, &spec); err != nil {
		return nil, yamlError(d.File, err)
	}
	switch spec.DefaultAction {
	case "", exchange.Allow, exchange.Deny, exchange.RequireApproval:
	default:
		return nil, d.errorf(d.Spec.Line, d.Spec.Column, "spec.defaultAction %q must be allow, deny or require_approval", spec.DefaultAction)
	}
	if len(spec.Rules) == 0 {
		return nil, d.errorf(d.Spec.Line, d.Spec.Column, "policy %q has no rules", d.Metadata.Name)
	}
	ruleNodes := mappingValue(&d.Spec, "rules")
	seen := make(map[string]bool, len(spec.Rules))
	for i := range spec.Rules {
		r := &spec.Rules[i]
		if ruleNodes != nil && i < len(ruleNodes.Content) {
			r.line, r.col = ruleNodes.Content[i].Line, ruleNodes.Content[i].Column
		}
		if err := d.checkRule(r, seen); err != nil {
			return nil, err
		}
	}
	return &spec, nil
}

func (d *Document) checkRule(r *RuleSpec, seen map[string]bool) error {
	if !nameRE.MatchString(r.Name) {
		return d.errorf(r.line, r.col, "rule name %q must be 1-128 letters, digits, '.', '_' or '-'", r.Name)
	}
	if seen[r.Name] {
		return d.errorf(r.line, r.col, "rule %q is defined twice in policy %q", r.Name, d.Metadata.Name)
	}
	seen[r.Name] = true
	if r.Phase == "" {
		r.Phase = exchange.PhaseRequest
	}
	if r.Mode == "" {
		r.Mode = Enforce
	}
	switch {
	case r.Phase != exchange.PhaseRequest && r.Phase != exchange.PhaseResponse:
		return d.errorf(r.line, r.col, "rule %q: phase %q must be request or response", r.Name, r.Phase)
	case r.Action != exchange.Allow && r.Action != exchange.Deny && r.Action != exchange.RequireApproval:
		return d.errorf(r.line, r.col, "rule %q: action %q must be allow, deny or require_approval", r.Name, r.Action)
	case r.Mode != Enforce && r.Mode != Shadow:
		return d.errorf(r.line, r.col, "rule %q: mode %q must be enforce or shadow", r.Name, r.Mode)
	case r.When.Kind != yaml.ScalarNode || strings.TrimSpace(r.When.Value) == "":
		return d.errorf(r.line, r.col, "rule %q: `when` must be a CEL expression (a string)", r.Name)
	}
	return nil
}

// TestSpec decodes the spec of a PolicyTest document.
func (d *Document) TestSpec() (*TestSpec, error) {
	var spec TestSpec
	if err := strictDecode(&d.Spec, &spec); err != nil {
		return nil, yamlError(d.File, err)
	}
	cases := mappingValue(&d.Spec, "cases")
	for i := range spec.Cases {
		c := &spec.Cases[i]
		if cases != nil && i < len(cases.Content) {
			c.Line = cases.Content[i].Line
		}
		switch c.Expect.Action {
		case exchange.Allow, exchange.Deny, exchange.RequireApproval:
		default:
			return nil, d.errorf(c.Line, 0, "case %q: expect.action %q must be allow, deny or require_approval", c.Name, c.Expect.Action)
		}
		if c.Name == "" || c.Input == nil {
			return nil, d.errorf(c.Line, 0, "case %d: name and input are required", i+1)
		}
	}
	return &spec, nil
}

// strictDecode decodes a node into v, refusing mapping keys that v's type does not have, with
// the line and column of the offending key.
func strictDecode(node *yaml.Node, v any) error {
	if err := checkKnownFields(node, reflect.TypeOf(v)); err != nil {
		return err
	}
	return node.Decode(v)
}

var yamlNodeType = reflect.TypeOf(yaml.Node{})

// unknownFieldError is a mapping key the target type does not have.
type unknownFieldError struct {
	line, col int
	field     string
	allowed   []string
}

func (e *unknownFieldError) Error() string {
	return fmt.Sprintf("line %d: unknown field %q (allowed: %s)", e.line, e.field, strings.Join(e.allowed, ", "))
}

func checkKnownFields(node *yaml.Node, t reflect.Type) error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if node.Kind == yaml.DocumentNode && len(node.Content) > 0 {
		node = node.Content[0]
	}
	if node.Kind == yaml.AliasNode && node.Alias != nil {
		node = node.Alias
	}
	if t == yamlNodeType {
		return nil
	}
	switch {
	case t.Kind() == reflect.Struct && node.Kind == yaml.MappingNode:
		fields := map[string]reflect.Type{}
		var names []string
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			tag := strings.Split(f.Tag.Get("yaml"), ",")[0]
			if tag == "" || tag == "-" || !f.IsExported() {
				continue
			}
			fields[tag] = f.Type
			names = append(names, tag)
		}
		for i := 0; i+1 < len(node.Content); i += 2 {
			k := node.Content[i]
			ft, ok := fields[k.Value]
			if !ok {
				return &unknownFieldError{line: k.Line, col: k.Column, field: k.Value, allowed: names}
			}
			if err := checkKnownFields(node.Content[i+1], ft); err != nil {
				return err
			}
		}
	case t.Kind() == reflect.Slice && node.Kind == yaml.SequenceNode:
		for _, c := range node.Content {
			if err := checkKnownFields(c, t.Elem()); err != nil {
				return err
			}
		}
	}
	return nil
}

// yamlError turns a yaml.v3 error into a FileError with the line it names.
func yamlError(file string, err error) error {
	var ue *unknownFieldError
	if errors.As(err, &ue) {
		return &FileError{File: file, Line: ue.line, Col: ue.col, Msg: strings.TrimPrefix(ue.Error(), fmt.Sprintf("line %d: ", ue.line))}
	}
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		e := te.Errors[0]
		var line int
		if _, scanErr := fmt.Sscanf(e, "line %d:", &line); scanErr == nil {
			msg := strings.TrimSpace(e[strings.Index(e, ":")+1:])
			return &FileError{File: file, Line: line, Msg: msg}
		}
		return &FileError{File: file, Msg: e}
	}
	if m := yamlLineRE.FindStringSubmatch(err.Error()); m != nil {
		var line int
		fmt.Sscanf(m[1], "%d", &line) //nolint:errcheck // the regexp matched digits
		return &FileError{File: file, Line: line, Msg: m[2]}
	}
	return &FileError{File: file, Msg: strings.TrimPrefix(err.Error(), "yaml: ")}
}

// mappingValue returns the value node of key in a mapping node, or nil.
func mappingValue(m *yaml.Node, key string) *yaml.Node {
	if m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// exprPosition maps a position inside a CEL expression (line 1-based, column 0-based) to the
// line and column (1-based) of the policy file. For a plain or quoted scalar on one line the
// mapping is exact; for block scalars (| and >) the expression's lines are the block's lines.
func exprPosition(d *Document, when *yaml.Node, line, col int) (int, int) {
	if line < 1 {
		line = 1
	}
	switch when.Style {
	case yaml.LiteralStyle, yaml.FoldedStyle:
		fileLine := when.Line + line
		return fileLine, blockIndent(d.src, when.Line+1) + col + 1
	case yaml.DoubleQuotedStyle, yaml.SingleQuotedStyle:
		if line == 1 {
			return when.Line, when.Column + 1 + col
		}
	default:
		if line == 1 {
			return when.Line, when.Column + col
		}
	}
	return when.Line + line - 1, 0
}

// blockIndent returns the indentation of the first non-blank line at or after line (1-based).
func blockIndent(src []byte, line int) int {
	lines := strings.Split(string(src), "\n")
	for i := line - 1; i >= 0 && i < len(lines); i++ {
		l := lines[i]
		if strings.TrimSpace(l) == "" {
			continue
		}
		return len(l) - len(strings.TrimLeft(l, " "))
	}
	return 0
}
