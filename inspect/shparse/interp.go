package shparse

import (
	"strconv"
	"strings"
)

// codeEffect is what a library call in an interpreter one-liner does.
type codeEffect uint8

const (
	effShell   codeEffect = iota + 1 // runs its argument as a shell command (or argv when a list)
	effArgv                          // runs a program with argument list
	effRmTree                        // deletes a directory tree
	effRmFile                        // deletes one file or empty directory
	effRmMaybe                       // deletes a tree when a "recursive" option is passed
	effEval                          // runs its argument as code of the same language
)

// codeCall is one library call of the catalogue of interpreter effects, as data.
type codeCall struct {
	langs  string // "python|perl"
	names  string // the called name (last component), "|"-separated
	effect codeEffect
}

// codeCalls lists the destructive and shell-out calls recognised in one-liners.
var codeCalls = []codeCall{
	{"python", "system|popen|getoutput|getstatusoutput|check_output|check_call|Popen|run|call|spawn", effShell},
	{"python", "execv|execve|execvp|execvpe|execl|execlp|spawnv|spawnvp|spawnl|spawnlp", effArgv},
	{"python", "rmtree", effRmTree},
	{"python", "remove|unlink|rmdir|removedirs", effRmFile},
	{"python", "exec|eval|compile", effEval},
	{"perl", "system|exec|readpipe", effShell},
	{"perl", "rmtree|remove_tree|rmdir_recursive", effRmTree},
	{"perl", "unlink|rmdir", effRmFile},
	{"perl", "eval", effEval},
	{"ruby", "system|exec|spawn|popen|capture2|capture2e|capture3|popen2|popen3|pipeline", effShell},
	{"ruby", "rm_rf|rm_r|remove_dir|remove_entry|remove_entry_secure|rmtree|rm_rf!", effRmTree},
	{"ruby", "rm|rm_f|delete|unlink|rmdir|remove_file|safe_unlink", effRmFile},
	{"ruby", "eval|instance_eval|class_eval", effEval},
	{"node", "exec|execSync|spawn|spawnSync|execFile|execFileSync|$|execa|execaSync|execaCommand|execaCommandSync", effShell},
	{"node", "rmSync|rm|rmdirSync|rmdir|remove|removeSync|emptyDir|emptyDirSync|rimraf|sync", effRmMaybe},
	{"node", "unlinkSync|unlink", effRmFile},
	{"node", "eval|Function", effEval},
	{"php", "system|exec|shell_exec|passthru|popen|proc_open|pcntl_exec", effShell},
	{"php", "unlink|rmdir", effRmFile},
	{"php", "eval|assert", effEval},
	{"lua", "execute|popen", effShell},
	{"lua", "remove", effRmFile},
	{"lua", "loadstring|load|dofile", effEval},
	{"awk", "system", effShell},
}

// weakNames are names that other libraries use too (asyncio.run, RegExp.exec, list.remove):
// they count only when their first argument is a literal.
var weakNames = map[string]bool{
	"python run": true, "python call": true, "python spawn": true, "python remove": true,
	"python unlink": true, "python rmdir": true, "python compile": true,
	"node exec": true, "node rm": true, "node remove": true, "node sync": true, "node $": true,
	"node spawn": true, "node rmdir": true, "node unlink": true,
	"ruby delete": true, "ruby rm": true, "ruby spawn": true, "ruby unlink": true,
	"lua remove": true, "lua load": true, "perl unlink": true, "perl rmdir": true,
}

var codeCallIndex = map[string]map[string]codeEffect{}

func init() {
	for _, c := range codeCalls {
		for _, lang := range strings.Split(c.langs, "|") {
			if codeCallIndex[lang] == nil {
				codeCallIndex[lang] = map[string]codeEffect{}
			}
			for _, n := range strings.Split(c.names, "|") {
				codeCallIndex[lang][n] = c.effect
			}
		}
	}
}

// registerInterpreters adds the awk handlers (called from peel.go's init).
func registerInterpreters() {
	for _, n := range []string{"awk", "gawk", "mawk", "nawk"} {
		handlers[n] = ruleAwk
	}
}

// interpSpecs read the options of interpreters: which one carries code on the command line.
var interpSpecs = map[string]struct {
	lang string
	spec *optSpec
	code []string // option names whose value is code
}{
	"python": {"python", &optSpec{short: map[byte]string{'c': "c", 'm': "m"}, valShort: "cmWX", stop: true}, []string{"c"}},
	"perl":   {"perl", &optSpec{short: map[byte]string{'e': "e", 'E': "e"}, valShort: "eEMmIx", stop: true}, []string{"e"}},
	"ruby":   {"ruby", &optSpec{short: map[byte]string{'e': "e"}, valShort: "eIrCEx", stop: true}, []string{"e"}},
	"node": {"node", &optSpec{
		short: map[byte]string{'e': "eval", 'p': "print", 'r': "require"}, valShort: "epr",
		valLong: []string{"eval", "print", "require", "import", "input-type"}, stop: true,
	}, []string{"eval", "print"}},
	"bun":  {"node", &optSpec{short: map[byte]string{'e': "eval", 'p': "print"}, valShort: "ep", valLong: []string{"eval", "print"}, stop: true}, []string{"eval", "print"}},
	"deno": {"node", &optSpec{stop: true}, nil},
	"php":  {"php", &optSpec{short: map[byte]string{'r': "r"}, valShort: "rdcfzB", stop: true}, []string{"r"}},
	"lua":  {"lua", &optSpec{short: map[byte]string{'e': "e"}, valShort: "el", stop: true}, []string{"e"}},
}

func interpFamily(name string) string {
	for _, p := range []string{"python", "perl", "ruby", "node", "php", "lua", "deno", "bun"} {
		if strings.HasPrefix(name, p) {
			return p
		}
	}
	return ""
}

// ruleInterpreter reads code an interpreter gets on its command line (python -c, perl -e, node -e,
// deno eval …) or from a here-document, and judges the calls in it.
func ruleInterpreter(a *analyzer, c *call) {
	fam := interpFamily(c.name)
	is, ok := interpSpecs[fam]
	if !ok {
		return
	}
	p := parseOpts(is.spec, c.args[1:])
	var codes []string
	for _, o := range is.code {
		codes = append(codes, p.vals[o]...)
	}
	if fam == "deno" && len(p.pos) > 1 && p.pos[0].val == "eval" {
		codes = append(codes, p.pos[1].val)
	}
	// No code option and no script file, or "-" (python3 - <<EOF): the script is stdin.
	fromStdin := len(p.pos) == 0 || p.pos[0].val == "-"
	if len(codes) == 0 && fromStdin && c.ctx.stdin != nil && c.ctx.stdin.known {
		codes = append(codes, c.ctx.stdin.text)
		a.res.Commands[c.idx].ScriptAnalysed = true
	}
	for _, code := range codes {
		a.code(is.lang, code, c, c.name+" "+codeOpt(is.lang), 0)
	}
}

func codeOpt(lang string) string {
	switch lang {
	case "python":
		return "-c"
	case "php":
		return "-r"
	}
	return "-e"
}

// ruleAwk judges the program text of awk: system() calls and output piped into a command.
func ruleAwk(a *analyzer, c *call) {
	p := parseOpts(&optSpec{valShort: "fvF", valLong: []string{"file", "assign", "field-separator"}}, c.args[1:])
	if p.set["f"] || p.set["file"] || len(p.pos) == 0 {
		return
	}
	prog := p.pos[0].val
	a.code("awk", prog, c, c.name, 0)
	toks := lexCode("awk", prog)
	for i := 0; i+1 < len(toks); i++ {
		if toks[i].kind == tokPunct && toks[i].val == "|" && toks[i+1].kind == tokStr {
			a.script(toks[i+1].val, append(c.ctx.via, c.name+" |"), c.depth+1)
		}
	}
}

// maxCodeDepth bounds eval("…") inside one-liners.
const maxCodeDepth = 3

// code judges one program text of language lang run by command c.
func (a *analyzer) code(lang, code string, c *call, via string, level int) {
	if level > maxCodeDepth {
		a.flag(via + ": eval nested more than " + strconv.Itoa(maxCodeDepth) + " levels cannot be analysed")
		return
	}
	if !a.step() {
		return // the step budget sets ParseError
	}
	calls := codeCallIndex[lang]
	toks := lexCode(lang, code)
	if len(toks) >= maxCodeTokens {
		a.flag(via + ": code longer than " + strconv.Itoa(maxCodeTokens) + " tokens cannot be analysed")
	}
	ctx := c.ctx.with(via)
	ctx.stdin = nil
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if t.kind == tokShell {
			a.script(t.val, append(c.ctx.via, via), c.depth+1)
			continue
		}
		if t.kind != tokIdent {
			continue
		}
		if next, ok := a.codeHTTP(lang, toks, i, via); ok {
			i = next - 1
			continue
		}
		eff, ok := calls[t.val]
		if !ok || i > 0 && toks[i-1].kind == tokPunct && toks[i-1].val == "def" {
			continue
		}
		args, next, ok := callArgs(lang, toks, i+1)
		if !ok || weakNames[lang+" "+t.val] && (len(args) == 0 || !args[0].literal && args[0].list == nil) {
			continue // a common name (run, exec, remove) counts only with a literal argument
		}
		a.codeEffect(lang, eff, args, ctx, c, via, level)
		i = next - 1
	}
}

// codeArg is one argument of a call: its text with run-time parts as dynMarker, or a list.
type codeArg struct {
	text    string
	literal bool      // some part of it is a literal
	list    []codeArg // set for [a, b] / (a, b) / qw(...) list arguments
	toks    []codeTok // the raw tokens
}

func (a *analyzer) codeEffect(lang string, eff codeEffect, args []codeArg, ctx *cmdCtx, c *call, via string, level int) {
	if len(args) == 0 {
		return
	}
	first := args[0]
	switch eff {
	case effShell, effArgv:
		switch {
		case first.list != nil:
			a.command(argList(first.list), ctx, c.depth+1)
		case eff == effArgv || len(args) > 1 && allLiteral(args[1:]) && (lang == "perl" || lang == "ruby"):
			a.command(argList(args), ctx, c.depth+1)
		case !first.literal:
			a.command([]arg{{val: "$(…)", dyn: true}}, ctx, c.depth+1)
		default:
			a.script(first.text, append(c.ctx.via, via), c.depth+1)
		}
	case effRmTree, effRmFile, effRmMaybe:
		argv := []arg{{val: "rm"}}
		if eff == effRmTree || eff == effRmMaybe && mentions(args, "recursive") {
			argv = append(argv, arg{val: "-rf"})
		}
		targets := args[:1]
		if lang == "perl" || lang == "ruby" {
			targets = args // unlink LIST, FileUtils.rm_rf(a, b)
		}
		for _, t := range targets {
			if t.list != nil {
				argv = append(argv, argList(t.list)...)
				continue
			}
			argv = append(argv, codeArgToArg(t))
		}
		a.command(argv, ctx, c.depth+1)
	case effEval:
		if !first.literal || strings.Contains(first.text, dynMarker) {
			a.command([]arg{{val: "$(…)", dyn: true}}, ctx, c.depth+1)
			return
		}
		a.code(lang, first.text, c, via, level+1)
	}
}

func codeArgToArg(t codeArg) arg {
	if !t.literal {
		return arg{val: dynMarker, dyn: true}
	}
	return arg{val: t.text, dyn: strings.Contains(t.text, dynMarker)}
}

func argList(list []codeArg) []arg {
	out := make([]arg, 0, len(list))
	for _, x := range list {
		out = append(out, codeArgToArg(x))
	}
	return out
}

func allLiteral(args []codeArg) bool {
	for _, x := range args {
		if !x.literal || x.list != nil {
			return false
		}
	}
	return true
}

func mentions(args []codeArg, word string) bool {
	for _, x := range args {
		for _, t := range x.toks {
			if t.kind == tokIdent && t.val == word || t.kind == tokStr && t.val == word {
				return true
			}
		}
	}
	return false
}

// callArgs reads the arguments after a called name at toks[i]: "(a, b)", or for perl, ruby and
// awk a bare argument list up to the end of the statement. next is the index after them.
func callArgs(lang string, toks []codeTok, i int) (args []codeArg, next int, ok bool) {
	if i >= len(toks) {
		return nil, i, false
	}
	if toks[i].kind == tokPunct && toks[i].val == "(" {
		end := matching(toks, i)
		return splitArgs(toks[i+1 : end]), end + 1, true
	}
	if lang != "perl" && lang != "ruby" && lang != "lua" || toks[i].kind != tokStr && toks[i].kind != tokIdent {
		return nil, i, false
	}
	end := i
	for end < len(toks) && !closesCall(toks[end]) {
		end++
	}
	return splitArgs(toks[i:end]), end, true
}

// matching returns the index of the bracket closing toks[i] (or len(toks)).
func matching(toks []codeTok, i int) int {
	depth := 0
	for j := i; j < len(toks); j++ {
		if toks[j].kind != tokPunct {
			continue
		}
		switch toks[j].val {
		case "(", "[", "{":
			depth++
		case ")", "]", "}":
			depth--
			if depth == 0 {
				return j
			}
		}
	}
	return len(toks)
}

func splitArgs(toks []codeTok) []codeArg {
	var out []codeArg
	start, depth := 0, 0
	for j := 0; j <= len(toks); j++ {
		if j < len(toks) && toks[j].kind == tokPunct {
			switch toks[j].val {
			case "(", "[", "{":
				depth++
			case ")", "]", "}":
				depth--
			}
		}
		if j == len(toks) || depth == 0 && toks[j].kind == tokPunct && toks[j].val == "," {
			if j > start {
				out = append(out, oneArg(toks[start:j]))
			}
			start = j + 1
		}
	}
	return out
}

// oneArg reads one argument: a list literal, or an expression whose string literals are
// concatenated with the run-time parts between them as dynMarker.
func oneArg(toks []codeTok) codeArg {
	x := codeArg{toks: toks}
	if len(toks) > 0 && toks[0].kind == tokPunct && toks[0].val == "[" {
		end := matching(toks, 0) // len(toks) when the list does not close
		x.list = splitArgs(toks[1:end])
		if x.list == nil {
			x.list = []codeArg{}
		}
		return x
	}
	var b strings.Builder
	lastDyn := false
	for _, t := range toks {
		switch {
		case t.kind == tokStr || t.kind == tokShell:
			b.WriteString(t.val)
			x.literal, lastDyn = true, false
		case t.kind == tokPunct && (t.val == "+" || t.val == "." || t.val == "~"):
		case t.kind == tokIdent && (t.val == "shell" || t.val == "True" || t.val == "true"):
		case !lastDyn:
			b.WriteString(dynMarker)
			lastDyn = true
		}
	}
	x.text = b.String()
	return x
}

// closesCall reports whether t ends a bare argument list (a closing parenthesis or brace).
func closesCall(t codeTok) bool {
	return t.kind == tokPunct && (t.val == ")" || t.val == "}")
}
