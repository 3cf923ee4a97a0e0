package shparse

import (
	"regexp"
	"strings"
)

// PowerShell and cmd.exe command lines that agents run through a shell tool. Their text is not
// parsed as bash; it is split into statements and words, and the destructive cmdlets and
// commands below are judged with Windows path rules.

// winDestroyers are PowerShell cmdlets and cmd commands that destroy by themselves.
var winDestroyers = map[string]string{
	"format-volume": "formats a volume", "clear-disk": "wipes a disk", "initialize-disk": "wipes a disk",
	"remove-partition": "deletes a partition", "stop-computer": "stops the machine",
	"restart-computer": "restarts the machine", "format": "formats a volume", "diskpart": "edits disks",
}

// winRemovers delete files; recursive with -Recurse (PowerShell) or /s (cmd).
var winRemovers = map[string]bool{
	"remove-item": true, "ri": true, "rm": true, "del": true, "erase": true, "rd": true,
	"rmdir": true, "rmd": true,
}

var winSplit = regexp.MustCompile(`\s*(?:;|&&|\|\||&|\|)\s*`)

func registerWindows() {
	for _, n := range []string{"powershell", "powershell.exe", "pwsh", "pwsh.exe"} {
		handlers[n] = rulePowerShell
	}
	for _, n := range []string{"cmd", "cmd.exe"} {
		handlers[n] = ruleCmdExe
	}
}

// rulePowerShell reads -Command/-c TEXT (or the words after the options); an encoded command
// cannot be read and fails closed.
func rulePowerShell(a *analyzer, c *call) {
	args := c.args[1:]
	for i := 0; i < len(args); i++ {
		o := strings.ToLower(args[i].val)
		switch {
		case strings.HasPrefix(o, "-e") && strings.HasPrefix("-encodedcommand", o) && len(o) >= 2:
			a.flag(c.name + " -EncodedCommand runs code warden cannot read")
			return
		case o == "-c" || o == "-command" || o == "/c" || o == "-commandwithargs" || o == "-cwa":
			a.windowsText(joinArgs(args[i+1:]), c, "powershell")
			return
		case o == "-file" || o == "-f":
			return // a script file warden cannot see
		case strings.HasPrefix(o, "-") && i+1 < len(args) && (o == "-executionpolicy" || o == "-ep" ||
			o == "-windowstyle" || o == "-w" || o == "-workingdirectory" || o == "-wd" || o == "-configurationname" ||
			o == "-outputformat" || o == "-inputformat" || o == "-settingsfile" || o == "-version" || o == "-psconsolefile"):
			i++
		case strings.HasPrefix(o, "-"):
		default:
			a.windowsText(joinArgs(args[i:]), c, "powershell")
			return
		}
	}
}

// ruleCmdExe reads cmd /c TEXT and cmd /k TEXT.
func ruleCmdExe(a *analyzer, c *call) {
	for i, x := range c.args[1:] {
		o := strings.ToLower(x.val)
		if o == "/c" || o == "/k" || o == "/r" {
			a.windowsText(joinArgs(c.args[i+2:]), c, "cmd")
			return
		}
	}
}

// windowsText judges PowerShell or cmd text statement by statement.
func (a *analyzer) windowsText(text string, c *call, shell string) {
	via := append(append([]string(nil), c.ctx.via...), c.name)
	for _, stmt := range winSplit.Split(text, -1) {
		words := winWords(stmt)
		if len(words) == 0 || !a.step() {
			continue
		}
		name := strings.ToLower(words[0])
		name = strings.TrimSuffix(name, ".exe")
		argv := append([]string(nil), words...)
		if winNative(name) {
			// A program, not a cmdlet or a cmd built-in (kubectl, git, aws, psql...): judged by
			// the same rules as when a POSIX shell runs it.
			args := make([]arg, len(words))
			for i, w := range words {
				args[i] = arg{val: w}
			}
			a.command(args, &cmdCtx{via: via}, 1)
			continue
		}
		// Invoke-Expression runs a string as code: what it runs is computed, as with eval.
		dynamic := name == "iex" || name == "invoke-expression"
		if !a.record(Command{Name: name, Argv: argv, Via: via, Dynamic: dynamic}) {
			return
		}
		if why, ok := winDestroyers[name]; ok {
			a.flag(shell + " " + words[0] + " " + why)
			continue
		}
		if !winRemovers[name] {
			continue
		}
		recursive := false
		var targets []string
		for _, w := range words[1:] {
			lw := strings.ToLower(w)
			switch {
			case lw == "-recurse" || lw == "-r" || lw == "/s" || lw == "-rf" || lw == "-fr":
				recursive = true
			case strings.HasPrefix(lw, "-") || strings.HasPrefix(lw, "/") && len(lw) == 2:
			default:
				targets = append(targets, w)
			}
		}
		for _, t := range targets {
			if winPathRisk(t, recursive) {
				a.flag(shell + " " + words[0] + map[bool]string{true: " recursive", false: ""}[recursive] + " on " + t)
			}
		}
	}
}

// winWords splits a Windows command into words, honouring double and single quotes.
func winWords(s string) []string {
	var out []string
	var cur strings.Builder
	var quote byte
	has := false
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case quote != 0 && ch == quote:
			quote = 0
		case quote != 0:
			cur.WriteByte(ch)
		case ch == '"' || ch == '\'':
			quote, has = ch, true
		case ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r':
			if has {
				out = append(out, cur.String())
				cur.Reset()
				has = false
			}
		default:
			cur.WriteByte(ch)
			has = true
		}
	}
	if has {
		out = append(out, cur.String())
	}
	return out
}

var winTemp = []string{`\temp\`, `\tmp\`, `$env:temp`, `$env:tmp`, `%temp%`, `%tmp%`, `\appdata\local\temp`}

// winPathRisk mirrors deletionRisk for Windows paths: absolute paths (drive roots above all),
// the profile and unresolved variables are at risk when deleted recursively; system directories
// even file by file; temporary directories and relative paths are not.
func winPathRisk(p string, recursive bool) bool {
	lp := strings.ToLower(strings.ReplaceAll(p, "/", `\`))
	for _, t := range winTemp {
		if strings.Contains(lp+`\`, t) {
			return false
		}
	}
	abs := len(lp) >= 2 && lp[1] == ':' || strings.HasPrefix(lp, `\\`) || strings.HasPrefix(lp, `\`) ||
		strings.HasPrefix(lp, "$env:") || strings.HasPrefix(lp, "%") || strings.HasPrefix(lp, "~") ||
		strings.HasPrefix(lp, "$home")
	system := strings.Contains(lp, `:\windows`) || strings.Contains(lp, `:\program files`) ||
		strings.Contains(lp, "systemroot") || len(strings.TrimRight(lp, `\*`)) <= 2 && abs
	if system {
		return true
	}
	return recursive && (abs || lp == "." || lp == "*" || lp == `.\*`)
}

// winBuiltins are cmd built-ins and PowerShell aliases that are not programs of their own.
var winBuiltins = map[string]bool{
	"echo": true, "dir": true, "cd": true, "chdir": true, "cls": true, "copy": true, "move": true,
	"ren": true, "rename": true, "type": true, "set": true, "md": true, "mkdir": true, "pushd": true,
	"popd": true, "ls": true, "cat": true, "gci": true, "gc": true, "iex": true, "exit": true,
	"start": true, "call": true, "if": true, "for": true, "write-output": true, "write-host": true,
}

// winNative reports whether a Windows statement runs a program by name: not a cmdlet
// (Verb-Noun), not a built-in, not a remover or destroyer judged here.
func winNative(name string) bool {
	if name == "" || strings.Contains(name, "-") || winBuiltins[name] || winRemovers[name] {
		return false
	}
	if _, ok := winDestroyers[name]; ok {
		return false
	}
	return name[0] != '$' && name[0] != '(' && name[0] != '&' && name[0] != '.'
}
