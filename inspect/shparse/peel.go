package shparse

import (
	"strings"

	"mvdan.cc/sh/v3/syntax"
)

// call is one command being analysed.
type call struct {
	name  string
	args  []arg // argv, argv[0] included
	p     parsedArgs
	ctx   *cmdCtx
	depth int
	idx   int // index of the recorded Command in Result.Commands
}

type handler func(a *analyzer, c *call)

// handlers maps command names to wrapper peeling and destructive rules.
var handlers map[string]handler

func init() {
	handlers = map[string]handler{
		"sudo": peelSudo, "doas": peelSudo,
		"env":   peelEnv,
		"nohup": peelRest, "setsid": peelRest, "builtin": peelRest, "unbuffer": peelRest,
		"fakeroot": peelRest, "proxychains": peelRest, "proxychains4": peelRest, "torsocks": peelRest,
		"caffeinate": peelRest, "nice": peelRest, "stdbuf": peelRest, "exec": peelRest, "time": peelRest,
		"systemd-run": peelRest, "busybox": peelRest, "toybox": peelRest, "catchsegv": peelRest,
		"command": peelCommand,
		"ionice":  peelPIDOr(0), "chrt": peelPIDOr(1), "taskset": peelPIDOr(1),
		"timeout": peelSkip(1), "chroot": peelSkip(1),
		"flock": peelFlock,
		"watch": peelWatch,
		"su":    peelSu, "runuser": peelSu,
		"xargs":   peelXargs,
		"eval":    peelEval,
		"ssh":     peelSSH,
		"ansible": peelAnsible,
		"source":  peelSource, ".": peelSource,
		"alias": defineAlias,
	}
	for name, h := range ruleHandlers {
		handlers[name] = h
	}
	registerDetachers()
	registerInterpreters()
	registerWindows()
}

// command records one command and applies wrappers and rules to it.
func (a *analyzer) command(args []arg, ctx *cmdCtx, depth int) {
	if len(args) == 0 || a.full {
		return
	}
	if depth > maxDepth {
		a.flag("shell nested more than 8 levels deep cannot be analysed")
		return
	}
	name := baseName(args[0].val)
	if strings.HasPrefix(name, "-") { // exec -a style argv0 or "-bash" login shells
		name = strings.TrimLeft(name, "-")
	}
	c := &call{name: name, args: args, ctx: ctx, depth: depth}
	c.p = parseOpts(specFor(name), args[1:])
	argv := make([]string, len(args))
	for i, x := range args {
		argv[i] = x.val
	}
	via := append([]string(nil), ctx.via...)
	if !a.record(Command{
		Name: name, Argv: argv, Flags: c.p.flags, Via: via,
		Dynamic: args[0].dyn || args[0].glob,
	}) {
		return
	}
	c.idx = len(a.res.Commands) - 1
	for _, x := range args {
		if x.hidden != "" && (isShell(name) || isInterpreter(name) || name == "eval" || name == "source" || name == ".") {
			a.flag(x.hidden + " run by " + name)
		}
	}
	if args[0].dyn || args[0].glob {
		// $SHELL -c 'script': whatever the shell is, the script is shell.
		if len(args) > 2 && args[1].val == "-c" {
			a.script(args[2].val, append(ctx.via, args[0].val+" -c"), depth+1)
		}
		return
	}
	if a.expandAlias(c) {
		return
	}
	if h, ok := handlers[name]; ok {
		h(a, c)
	} else {
		switch {
		case isShell(name):
			peelShell(a, c)
		case isInterpreter(name):
			if c.ctx.stdin != nil && c.ctx.stdin.hidden != "" && len(c.p.pos) == 0 {
				a.flag(c.ctx.stdin.hidden + " piped into " + name)
			}
			ruleInterpreter(a, c)
		default:
			ruleByPrefix(a, c)
		}
	}
	if _, ok := opsByCLI[name]; ok {
		catalogueRule(a, c)
	}
	switch name {
	case "curl", "wget", "http", "https", "xh", "xhs", "gh":
		a.httpRequests(c)
	}
}

// expandAlias runs an alias defined earlier in the text (alias ls='rm -rf /') with its arguments.
func (a *analyzer) expandAlias(c *call) bool {
	body, ok := a.aliases[c.name]
	if !ok || a.expanding[c.name] {
		return false
	}
	text := body
	for _, x := range c.args[1:] {
		q, err := syntax.Quote(x.val, syntax.LangBash)
		if err != nil {
			q = "''"
		}
		text += " " + q
	}
	a.expanding[c.name] = true
	a.script(text, append(c.ctx.via, "alias "+c.name), c.depth+1)
	delete(a.expanding, c.name)
	return true
}

// defineAlias records alias NAME=VALUE definitions.
func defineAlias(a *analyzer, c *call) {
	for _, x := range c.args[1:] {
		if name, value, ok := strings.Cut(x.val, "="); ok && name != "" && !x.dyn {
			a.aliases[name] = value
		}
	}
}

// addFlags adds flags found by a handler (git push --force) to the recorded command.
func (a *analyzer) addFlags(c *call, flags []string) {
	cmd := &a.res.Commands[c.idx]
	for _, f := range flags {
		if !contains(cmd.Flags, f) {
			cmd.Flags = append(cmd.Flags, f)
		}
	}
}

// IsShellName reports whether s is just the name or path of a shell (bash, /bin/sh, zsh), as
// tool arguments use to pick the interpreter of a script given beside it.
func IsShellName(s string) bool {
	s = strings.TrimSpace(s)
	return s != "" && !strings.ContainsAny(s, " \t\n;|&") && isShell(baseName(s))
}

func isShell(name string) bool {
	switch name {
	case "sh", "bash", "zsh", "dash", "ksh", "ash", "mksh", "yash", "fish", "rbash", "busybox-sh":
		return true
	}
	return false
}

func isInterpreter(name string) bool {
	for _, p := range []string{"python", "perl", "ruby", "node", "php", "lua", "deno", "bun"} {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

func joinArgs(args []arg) string {
	parts := make([]string, len(args))
	for i, x := range args {
		parts[i] = x.val
	}
	return strings.Join(parts, " ")
}

// peelShell handles sh/bash/zsh: -c SCRIPT is parsed, stdin text is parsed, remote stdin is flagged.
func peelShell(a *analyzer, c *call) {
	switch {
	case c.p.set["command"]:
		if len(c.p.pos) > 0 {
			a.script(c.p.pos[0].val, append(c.ctx.via, c.name+" -c"), c.depth+1)
		}
	case len(c.p.pos) > 0 && !c.p.set["s"] && c.p.pos[0].val != "-" && c.p.pos[0].val != "/dev/stdin":
		// A script file: its content is not visible to warden.
	case c.ctx.stdin != nil && c.ctx.stdin.hidden != "":
		a.flag(c.ctx.stdin.hidden + " piped into " + c.name)
	case c.ctx.stdin != nil && c.ctx.stdin.known:
		a.res.Commands[c.idx].ScriptAnalysed = true
		a.script(c.ctx.stdin.text, append(c.ctx.via, c.name+" stdin"), c.depth+1)
	}
}

func peelSudo(a *analyzer, c *call) {
	if c.p.set["edit"] || c.p.set["list"] || c.p.set["validate"] || len(c.p.pos) == 0 {
		return
	}
	if c.p.set["shell"] || c.p.set["login"] {
		a.script(joinArgs(c.p.pos), append(c.ctx.via, c.name+" -s"), c.depth+1)
		return
	}
	a.command(c.p.pos, c.ctx.with(c.name), c.depth+1)
}

func peelEnv(a *analyzer, c *call) {
	rest := c.p.pos
	for len(rest) > 0 && strings.Contains(rest[0].val, "=") && !strings.HasPrefix(rest[0].val, "=") {
		rest = rest[1:]
	}
	if s, ok := c.p.val("split-string"); ok {
		var split []arg
		for _, f := range strings.Fields(s) {
			split = append(split, arg{val: f})
		}
		rest = append(split, rest...)
	}
	a.command(rest, c.ctx.with("env"), c.depth+1)
}

func peelRest(a *analyzer, c *call) {
	a.command(c.p.pos, c.ctx.with(c.name), c.depth+1)
}

// peelCommand: `command -v rm` only looks rm up; `command rm` runs it.
func peelCommand(a *analyzer, c *call) {
	if c.p.set["v"] || c.p.set["V"] {
		return
	}
	peelRest(a, c)
}

// peelSkip drops n positionals (timeout's DURATION, chroot's NEWROOT) before the command.
func peelSkip(n int) handler {
	return func(a *analyzer, c *call) {
		if len(c.p.pos) > n {
			a.command(c.p.pos[n:], c.ctx.with(c.name), c.depth+1)
		}
	}
}

// peelPIDOr: with -p the tool acts on running processes; otherwise skip n positionals.
func peelPIDOr(n int) handler {
	return func(a *analyzer, c *call) {
		if c.p.set["pid"] || c.p.set["pgid"] || c.p.set["uid"] {
			return
		}
		peelSkip(n)(a, c)
	}
}

func peelFlock(a *analyzer, c *call) {
	if s, ok := c.p.val("command"); ok {
		a.script(s, append(c.ctx.via, "flock -c"), c.depth+1)
		return
	}
	if len(c.p.pos) > 1 {
		rest := parseOpts(specs["flock"], c.p.pos[1:])
		if s, ok := rest.val("command"); ok {
			a.script(s, append(c.ctx.via, "flock -c"), c.depth+1)
			return
		}
		a.command(rest.pos, c.ctx.with("flock"), c.depth+1)
	}
}

func peelWatch(a *analyzer, c *call) {
	if c.p.set["exec"] {
		a.command(c.p.pos, c.ctx.with("watch"), c.depth+1)
		return
	}
	if len(c.p.pos) > 0 {
		a.script(joinArgs(c.p.pos), append(c.ctx.via, "watch"), c.depth+1)
	}
}

func peelSu(a *analyzer, c *call) {
	if s, ok := c.p.val("command"); ok {
		a.script(s, append(c.ctx.via, c.name+" -c"), c.depth+1)
		return
	}
	if _, ok := c.p.val("user"); ok && len(c.p.pos) > 0 { // runuser -u USER -- cmd
		a.command(c.p.pos, c.ctx.with(c.name), c.depth+1)
		return
	}
	// su [-] USER -c CMD: options may follow the user name.
	for i := 1; i < len(c.args); i++ {
		v := c.args[i].val
		switch {
		case (v == "-c" || v == "--command") && i+1 < len(c.args):
			a.script(c.args[i+1].val, append(c.ctx.via, c.name+" -c"), c.depth+1)
			return
		case strings.HasPrefix(v, "--command="):
			a.script(strings.TrimPrefix(v, "--command="), append(c.ctx.via, c.name+" -c"), c.depth+1)
			return
		}
	}
}

// peelXargs runs xargs's command with the paths xargs would read appended: the producer's
// static paths when the pipe's left side lists them (find ROOT, echo PATH), else an unknown path.
func peelXargs(a *analyzer, c *call) {
	inner := c.p.pos
	if len(inner) == 0 {
		inner = []arg{{val: "echo"}}
	}
	var extra []arg
	if c.ctx.stdin != nil && len(c.ctx.stdin.roots) > 0 {
		extra = c.ctx.stdin.roots
	} else {
		extra = []arg{{val: "$(xargs input)", dyn: true}}
	}
	ctx := c.ctx.with("xargs")
	ctx.xargs = true
	ctx.stdin = nil
	if repl, ok := c.p.val("replace"); ok && repl != "" {
		out := make([]arg, 0, len(inner))
		for _, x := range inner {
			if strings.Contains(x.val, repl) {
				x = arg{val: strings.ReplaceAll(x.val, repl, extra[0].val), dyn: x.dyn || extra[0].dyn}
			}
			out = append(out, x)
		}
		a.command(out, ctx, c.depth+1)
		return
	}
	a.command(append(append([]arg(nil), inner...), extra...), ctx, c.depth+1)
}

func peelEval(a *analyzer, c *call) {
	if len(c.args) > 1 {
		a.script(joinArgs(c.args[1:]), append(c.ctx.via, "eval"), c.depth+1)
	}
}

// peelSSH parses the remote command (the words after the host, joined as the remote shell would).
func peelSSH(a *analyzer, c *call) {
	if len(c.p.pos) > 1 {
		a.script(joinArgs(c.p.pos[1:]), append(c.ctx.via, "ssh"), c.depth+1)
		return
	}
	if len(c.p.pos) == 1 && c.ctx.stdin != nil && c.ctx.stdin.known {
		a.script(c.ctx.stdin.text, append(c.ctx.via, "ssh"), c.depth+1)
	}
}

func peelSource(a *analyzer, c *call) {
	if len(c.args) > 1 && (c.args[1].val == "/dev/stdin" || c.args[1].val == "-") &&
		c.ctx.stdin != nil && c.ctx.stdin.hidden != "" {
		a.flag(c.ctx.stdin.hidden + " sourced by " + c.name)
	}
}
