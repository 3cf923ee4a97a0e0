package inspect

import (
	"strings"

	"github.com/warden-gw/warden/inspect/shparse"
)

// The program of a code-interpreter tool, read as the interpreter runs it (docs/inspection.md,
// "Actions described by tool arguments").

// codeKeys hold the program a code-interpreter tool runs.
var codeKeys = []string{"code", "source", "source_code", "sourcecode", "program", "cell", "snippet", "python", "javascript", "js"}

// codeToolLanguages returns, from the words of a tool's name, the interpreters whose one-liner
// option reads its program: the language the name says (a python or run_javascript tool), both
// Python and JavaScript for a code tool that does not say (execute_code, code_interpreter,
// sandbox.run), nothing for a tool that does not run code (code_review, fs_read).
func codeToolLanguages(words []string) [][2]string {
	if readsCode(words) {
		return nil
	}
	generic := false
	for _, w := range words {
		switch w {
		case "python", "python3", "py", "ipython", "jupyter", "notebook", "pandas":
			return [][2]string{{"python3", "-c"}}
		case "node", "nodejs", "javascript", "js", "typescript", "ts", "deno":
			return [][2]string{{"node", "-e"}}
		case "code", "interpreter", "sandbox", "repl", "eval", "kernel":
			generic = true
		}
	}
	if generic {
		return [][2]string{{"python3", "-c"}, {"node", "-e"}}
	}
	return nil
}

// codeReadingWords name tools that read code without running it (code_review, lint_python,
// explain_code); codeRunningWords name tools that run it.
var (
	codeReadingWords = map[string]bool{
		"review": true, "lint": true, "explain": true, "format": true, "search": true, "analyze": true,
		"analyse": true, "translate": true, "summarize": true, "summarise": true, "diff": true,
		"highlight": true, "document": true, "docs": true, "complete": true, "completion": true,
		"suggest": true, "write": true, "save": true, "index": true,
	}
	codeRunningWords = map[string]bool{
		"run": true, "exec": true, "execute": true, "eval": true, "interpreter": true, "repl": true,
		"kernel": true, "sandbox": true, "runner": true,
	}
)

// readsCode reports whether a tool's name words say it reads code without running it.
func readsCode(words []string) bool {
	reads := false
	for _, w := range words {
		if codeRunningWords[w] {
			return false
		}
		reads = reads || codeReadingWords[w]
	}
	return reads
}

// describedCode reads the program of a code-interpreter tool ({"code": "import shutil..."} on a
// python or execute_code tool) as the interpreter runs it: shparse's conservative lexical scan
// of known destructive calls (shutil.rmtree, os.remove, subprocess.run([...]), requests.delete,
// fs.rmSync, execSync, ...). Objects that name their language ({"language": "python"}) are read
// by selectedScript already. It returns the key it read ("" when none).
func (x *extractor) describedCode(m map[string]any) string {
	langs := x.toolKind.code
	if len(langs) == 0 {
		return ""
	}
	for _, ck := range codeKeys {
		for k, v := range m {
			if !strings.EqualFold(k, ck) {
				continue
			}
			code, ok := v.(string)
			if lines, isList := v.([]any); isList {
				// A notebook cell's source is a list of lines.
				if code, ok = stringLines(lines); !ok {
					x.f.ambiguous("the " + k + " argument of the code tool " + x.tool + " is a list that is not lines of text")
					return k
				}
			}
			if !ok || strings.TrimSpace(code) == "" {
				continue
			}
			x.codeReadings(x.source(k), langs, code)
			return k
		}
	}
	return ""
}

// stringLines joins a list of lines (a Jupyter cell's "source") into program text; ok is false
// when an element is not a string.
func stringLines(lines []any) (string, bool) {
	var b strings.Builder
	for _, l := range lines {
		s, ok := l.(string)
		if !ok {
			return "", false
		}
		b.WriteString(s)
		if !strings.HasSuffix(s, "\n") {
			b.WriteByte('\n')
		}
	}
	return b.String(), true
}

// codeReadings judges code as each interpreter in langs would run it and keeps the worst
// reading: a destructive one, else one that sends HTTP requests (judged as requests), else the
// first.
func (x *extractor) codeReadings(src string, langs [][2]string, code string) {
	if x.full() {
		return
	}
	var best []string
	var bestRes shparse.Result
	for i, l := range langs {
		argv := []string{l[0], l[1], code}
		res := shparse.AnalyzeArgv(argv)
		if i == 0 || res.Destructive && !bestRes.Destructive ||
			!bestRes.Destructive && len(bestRes.HTTP) == 0 && len(res.HTTP) > 0 {
			best, bestRes = argv, res
		}
	}
	x.f.addShell(src, x.tool, joinArgv(best), bestRes)
}
