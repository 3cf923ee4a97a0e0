package inspect

import (
	"path"
	"strings"
)

// selectorCodeFlags maps an interpreter a request selects ({"shell": "pwsh", "script": ...},
// {"language": "python", "code": ...}) to the option with which its command line carries code.
// The script is then judged as that interpreter would run it. POSIX shells are absent: their
// scripts are read as shell by the field rules already (with parse errors kept).
var selectorCodeFlags = map[string]string{
	"powershell": "-Command", "pwsh": "-Command", "cmd": "/c",
	"python": "-c", "python2": "-c", "python3": "-c", "pypy": "-c", "pypy3": "-c",
	"node": "-e", "nodejs": "-e", "bun": "-e", "perl": "-e", "ruby": "-e", "php": "-r",
}

// selectorScriptKeys are the sibling fields that hold the code a selected interpreter runs, in
// order of preference.
var selectorScriptKeys = []string{"script", "code", "source", "command", "cmd", "program", "stdin", "input"}

// selectedScript finds, in an object on an executing endpoint or tool call, an interpreter
// selector and the code beside it, and returns the code's key and the argv that runs it
// ("pwsh", "-Command", code). It returns "" and nil when the object has no such pair.
func (x *extractor) selectedScript(m map[string]any) (string, []string) {
	if !x.execCtx {
		return "", nil
	}
	for k, v := range m {
		prog, ok := v.(string)
		if !ok || !selectorKeys[strings.ToLower(k)] || !selectorValue(prog) {
			continue
		}
		name := strings.TrimSuffix(strings.ToLower(path.Base(strings.TrimSpace(prog))), ".exe")
		flag, ok := selectorCodeFlags[name]
		if !ok {
			continue
		}
		for _, sk := range selectorScriptKeys {
			for ck, cv := range m {
				code, ok := cv.(string)
				if ok && strings.EqualFold(ck, sk) && strings.TrimSpace(code) != "" {
					return ck, []string{strings.TrimSpace(prog), flag, code}
				}
			}
		}
	}
	return "", nil
}
