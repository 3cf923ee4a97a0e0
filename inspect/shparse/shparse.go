package shparse

import (
	"fmt"
	"strings"

	"mvdan.cc/sh/v3/syntax"

	"github.com/warden-gw/warden/inspect/sqlparse"
)

// Limits that keep Analyze bounded on hostile input.
const (
	// MaxInputBytes is the largest shell text Analyze parses; longer text gets ParseError.
	MaxInputBytes = 64 << 10
	// maxDepth bounds nested interpretation (bash -c inside sudo inside ssh ...). Deeper nesting
	// is reported as destructive: warden cannot see what it runs.
	maxDepth = 8
	// maxCommands bounds the commands one Analyze call records; past it the Result gets ParseError.
	maxCommands = 4096
	// maxBraceWords bounds what one word may brace-expand into; the rest is dropped.
	maxBraceWords = 64
	// maxSteps bounds the work of one Analyze call (syntax nodes visited plus words resolved);
	// past it the Result gets ParseError. Ordinary command lines use a few hundred steps.
	maxSteps = 200_000
	// maxSubstDepth bounds how deep static command substitutions $(echo $(echo ...)) are evaluated.
	maxSubstDepth = 4
)

// Result is what a shell text means.
type Result struct {
	// Commands lists every simple command found, in source order, with wrappers peeled.
	Commands []Command
	// ParseError is set when the text is not valid bash (or exceeds a limit).
	ParseError string
	// Destructive is true when any command is destructive.
	Destructive bool
	// Reasons are short human strings, one per destructive finding, e.g. "rm -r -f on /".
	Reasons []string
	// Embedded lists other languages carried by commands (psql -c, kubectl exec ... --).
	Embedded []Embedded
	// HTTP lists the HTTP requests commands send (curl, wget, httpie, gh api), for the caller to
	// judge as it judges requests through the gateway. At most 16 are recorded.
	HTTP []HTTPRequest
}

// Command is one simple command.
type Command struct {
	// Name is the basename of argv[0] ("rm" for /bin/rm, \rm, "rm").
	Name string
	// Argv is the command's words with quotes resolved where static.
	Argv []string
	// Flags are the command's options, normalised: long names where known (-rf → recursive,
	// force), else the short letter; long options without their "=value".
	Flags []string
	// Via lists the wrappers peeled to reach this command, outermost first: "sudo", "env",
	// "bash -c", "xargs", "find -exec", "ssh", "kubectl exec", ...
	Via []string
	// Dynamic is true when the command name is not static (a variable or command substitution
	// warden could not resolve).
	Dynamic bool
}

// Embedded is text in another language that a command carries.
type Embedded struct {
	// Kind is "sql" (psql -c, mysql -e, sqlite3, ...), "k8s-exec" (kubectl exec ... -- cmd, whose
	// command is also analysed as a Command with Via "kubectl exec"), or "shell-unparsed" (text
	// a wrapper hands to a shell, such as bash -c '...', that does not parse; the shell would
	// reject it too).
	Kind string
	// Text is the embedded text (the SQL, or the in-pod argv joined by spaces).
	Text string
	// SQL is the analysis of Text when Kind is "sql".
	SQL sqlparse.Result
}

// Analyze parses src as bash and classifies every command in it. It never panics.
func Analyze(src string) Result {
	var res Result
	if len(src) > MaxInputBytes {
		res.ParseError = fmt.Sprintf("shell text is %d bytes, more than the %d-byte limit", len(src),
			MaxInputBytes)
		return res
	}
	a := newAnalyzer(&res)
	a.script(src, nil, 0)
	res.finish()
	return res
}

// AnalyzeArgv classifies a command given as an argv array (exec without a shell). argv[0] is the
// program; no word is re-parsed as shell unless a wrapper (bash -c, ssh, eval ...) would do so.
func AnalyzeArgv(argv []string) Result {
	var res Result
	total := 0
	for _, s := range argv {
		total += len(s)
	}
	if total > MaxInputBytes {
		res.ParseError = fmt.Sprintf("argv is %d bytes, more than the %d-byte limit", total, MaxInputBytes)
		return res
	}
	a := newAnalyzer(&res)
	args := make([]arg, len(argv))
	for i, s := range argv {
		args[i] = arg{val: s}
	}
	a.command(args, &cmdCtx{}, 0)
	res.finish()
	return res
}

// finish normalises nil slices so Map and callers see empty lists.
func (r *Result) finish() {
	if r.ParseError != "" && len(r.Commands) == 0 {
		r.Destructive = false
		r.Reasons = nil
	}
}

// Map returns the Result as CEL values: {"commands": [{"name", "argv", "flags", "via",
// "dynamic"}], "destructive", "reasons", "parse_error", "embedded": [{"kind", "text", "sql"}],
// "http_requests": [{"tool", "method", "url", "headers", "body", "dynamic"}]}.
func (r Result) Map() map[string]any {
	cmds := make([]any, 0, len(r.Commands))
	for _, c := range r.Commands {
		cmds = append(cmds, map[string]any{
			"name":    c.Name,
			"argv":    strings2any(c.Argv),
			"flags":   strings2any(c.Flags),
			"via":     strings2any(c.Via),
			"dynamic": c.Dynamic,
		})
	}
	emb := make([]any, 0, len(r.Embedded))
	for _, e := range r.Embedded {
		emb = append(emb, map[string]any{"kind": e.Kind, "text": e.Text, "sql": e.SQL.Map()})
	}
	reqs := make([]any, 0, len(r.HTTP))
	for _, h := range r.HTTP {
		reqs = append(reqs, map[string]any{
			"tool": h.Tool, "method": h.Method, "url": h.URL, "headers": strings2any(h.Headers),
			"body": h.Body, "dynamic": h.Dynamic,
		})
	}
	return map[string]any{
		"http_requests": reqs,
		"commands":      cmds,
		"destructive":   r.Destructive,
		"reasons":       strings2any(r.Reasons),
		"parse_error":   r.ParseError,
		"embedded":      emb,
	}
}

func strings2any(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// analyzer carries the state of one Analyze call.
type analyzer struct {
	res  *Result
	vars map[string]string // static variable assignments seen so far (X=rm)
	full bool              // maxCommands reached
	// aliases defined in the text, and those being expanded (an alias may not expand itself).
	aliases    map[string]string
	expanding  map[string]bool
	steps      int
	substDepth int
}

// step counts one unit of work and reports whether the budget allows more.
func (a *analyzer) step() bool {
	a.steps++
	if a.steps <= maxSteps {
		return true
	}
	if !a.full {
		a.full = true
		a.res.ParseError = fmt.Sprintf("shell text too complex: over %d analysis steps", maxSteps)
	}
	return false
}

func newAnalyzer(res *Result) *analyzer {
	return &analyzer{
		res: res, vars: map[string]string{}, aliases: map[string]string{},
		expanding: map[string]bool{},
	}
}

func (a *analyzer) flag(reason string) {
	a.res.Destructive = true
	for _, r := range a.res.Reasons {
		if r == reason {
			return
		}
	}
	a.res.Reasons = append(a.res.Reasons, reason)
}

// script parses src as bash and analyses it; via names the wrappers that carried it.
func (a *analyzer) script(src string, via []string, depth int) {
	if depth > maxDepth {
		a.flag("shell nested more than 8 levels deep cannot be analysed")
		return
	}
	p := syntax.NewParser(syntax.Variant(syntax.LangBash))
	f, err := p.Parse(strings.NewReader(src), "")
	if err != nil {
		if depth == 0 {
			a.res.ParseError = "not valid bash: " + err.Error()
		} else {
			// Text a wrapper hands to a shell that does not parse: the wrapper would fail too,
			// but warden cannot tell what it would do; report it without failing the outer text.
			a.res.Embedded = append(a.res.Embedded, Embedded{Kind: "shell-unparsed", Text: src})
		}
		return
	}
	a.file(f, via, depth)
}

// record appends a command unless the budget is spent.
func (a *analyzer) record(c Command) bool {
	if len(a.res.Commands) >= maxCommands {
		if !a.full {
			a.full = true
			a.res.ParseError = fmt.Sprintf("more than %d commands; warden does not analyse further",
				maxCommands)
		}
		return false
	}
	a.res.Commands = append(a.res.Commands, c)
	return true
}
