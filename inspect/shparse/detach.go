package shparse

import "strings"

// Schedulers and detachers: commands that run another command later, elsewhere or in the
// background. The command they run is analysed as if it ran now (Via names the wrapper).

// registerDetachers adds the scheduler and detacher handlers (called from peel.go's init, after
// handlers exists).
func registerDetachers() {
	for name, h := range map[string]handler{
		"at": peelAt, "batch": peelAt,
		"screen":   peelScreen,
		"tmux":     peelTmux,
		"parallel": peelParallel, "sem": peelParallel,
		"script":  peelScript,
		"crontab": peelCrontab,
		"nsenter": peelRest, "unshare": peelRest, "npx": peelRest, "bunx": peelRest, "pnpx": peelRest,
		"uvx": peelRest, "daemonize": peelRest, "disown": peelRest, "setpriv": peelRest,
		"microk8s": peelRest, "k3s": peelRest,
		"mongosh": ruleMongo, "mongo": ruleMongo,
	} {
		handlers[name] = h
	}
	specs["nsenter"] = &optSpec{valShort: "tSGTmuinpUCrw", valLong: []string{"target", "setuid", "setgid"}, stop: true}
	specs["unshare"] = &optSpec{valLong: []string{"propagation", "setgroups", "map-user", "map-group"}, stop: true}
	specs["npx"] = &optSpec{short: map[byte]string{'y': "yes", 'p': "package", 'c': "call"}, valShort: "pc", valLong: []string{"package", "call"}, stop: true}
	specs["screen"] = &optSpec{valShort: "SctpTXhe", stop: true}
	specs["at"] = &optSpec{valShort: "fqmt", stop: true}
	specs["script"] = &optSpec{short: map[byte]string{'c': "command"}, valShort: "cEITtOBm", valLong: []string{"command", "timing", "log-in", "log-out", "log-io", "echo"}}
	specs["setpriv"] = &optSpec{valLong: []string{"reuid", "regid", "groups", "inh-caps", "ambient-caps", "bounding-set", "securebits", "pdeathsig", "selinux-label", "apparmor-profile"}, stop: true}
}

// peelAt: at and batch read the job's commands from stdin (or -f FILE, which warden cannot see).
func peelAt(a *analyzer, c *call) {
	if c.p.set["f"] || c.p.set["l"] || c.p.set["r"] || c.p.set["d"] || c.p.set["c"] {
		return
	}
	in := c.ctx.stdin
	switch {
	case in == nil:
	case in.hidden != "":
		a.flag(in.hidden + " scheduled by " + c.name)
	case in.known:
		a.script(in.text, append(c.ctx.via, c.name), c.depth+1)
	}
}

// peelScreen: screen [-dmS NAME] CMD runs CMD in a detached session; -X stuff TEXT types TEXT into
// a session's shell.
func peelScreen(a *analyzer, c *call) {
	if x, ok := c.p.val("X"); ok {
		if strings.EqualFold(x, "stuff") && len(c.p.pos) > 0 {
			a.script(c.p.pos[0].val, append(c.ctx.via, "screen -X stuff"), c.depth+1)
		}
		return
	}
	a.command(c.p.pos, c.ctx.with("screen"), c.depth+1)
}

var tmuxSubSpec = &optSpec{valShort: "stncxyeFNTwLSf", stop: true}

// peelTmux: new-session/new-window/split-window/respawn-pane/run-shell run their shell-command;
// send-keys types its keys into a pane's shell.
func peelTmux(a *analyzer, c *call) {
	p := parseOpts(&optSpec{valShort: "LSfT", stop: true}, c.args[1:])
	if len(p.pos) == 0 {
		return
	}
	sub := p.pos[0].val
	q := parseOpts(tmuxSubSpec, p.pos[1:])
	var words []string
	for _, x := range q.pos {
		switch x.val {
		case "Enter", "C-m", "KPEnter", "C-j":
			words = append(words, "\n")
		default:
			words = append(words, x.val)
		}
	}
	text := strings.Join(words, " ")
	switch sub {
	case "new-session", "new", "new-window", "neww", "split-window", "splitw", "respawn-pane", "respawnp",
		"respawn-window", "respawnw", "run-shell", "run", "send-keys", "send", "pipe-pane", "pipep":
		if strings.TrimSpace(text) != "" {
			a.script(text, append(c.ctx.via, "tmux "+sub), c.depth+1)
		}
	}
}

var parallelSpec = &optSpec{
	valShort: "jSadIinNLCEsX",
	valLong: []string{
		"jobs", "sshlogin", "arg-file", "delimiter", "replace", "max-args", "max-lines", "colsep",
		"eof", "max-chars", "timeout", "joblog", "results", "tmpdir", "workdir", "retries", "delay",
		"memfree", "load", "tag-string", "tagstring", "halt", "env", "basefile", "transfer-file",
	}, stop: true,
}

// maxParallelArgs bounds how many ::: arguments of parallel are substituted and analysed.
const maxParallelArgs = 16

// peelParallel: parallel CMD ::: ARGS runs CMD with each argument ({} replaced, else appended);
// without ::: the arguments come from stdin, like xargs.
func peelParallel(a *analyzer, c *call) {
	p := parseOpts(parallelSpec, c.args[1:])
	var cmd, vals []arg
	sep := false
	for _, x := range p.pos {
		switch {
		case x.val == ":::" || x.val == "::::" || x.val == ":::+" || x.val == "::::+":
			sep = true
		case sep:
			vals = append(vals, x)
		default:
			cmd = append(cmd, x)
		}
	}
	if len(cmd) == 0 {
		return
	}
	ctx := c.ctx.with(c.name)
	ctx.stdin = nil
	if len(vals) == 0 {
		vals = []arg{{val: "$(parallel input)", dyn: true}}
		if c.ctx.stdin != nil && len(c.ctx.stdin.roots) > 0 {
			vals = c.ctx.stdin.roots
		}
	}
	for i, v := range vals {
		if i >= maxParallelArgs {
			break
		}
		text := joinArgs(cmd)
		if len(cmd) == 1 || strings.Contains(text, "{}") {
			if strings.Contains(text, "{}") {
				text = strings.ReplaceAll(text, "{}", quoteWord(v))
			} else {
				text += " " + quoteWord(v)
			}
			a.script(text, append(c.ctx.via, c.name), c.depth+1)
			continue
		}
		a.command(append(append([]arg(nil), cmd...), v), ctx, c.depth+1)
	}
}

// quoteWord renders a resolved word back as shell text; unresolved words stay a variable.
func quoteWord(x arg) string {
	if x.dyn {
		return "\"$WARDEN_UNKNOWN\""
	}
	return "'" + strings.ReplaceAll(x.val, "'", `'\''`) + "'"
}

// peelScript: script -c CMD runs CMD under a pseudo-terminal.
func peelScript(a *analyzer, c *call) {
	if s, ok := c.p.val("command"); ok {
		a.script(s, append(c.ctx.via, "script -c"), c.depth+1)
	}
}

// peelCrontab installs the crontab it reads (from stdin with "-" or no file); every job's command
// is analysed as if it ran now. crontab -r is in the catalogue.
func peelCrontab(a *analyzer, c *call) {
	if c.p.set["l"] || c.p.set["r"] || c.p.set["e"] {
		return
	}
	if len(c.p.pos) > 0 && c.p.pos[0].val != "-" {
		return // a file warden cannot see
	}
	in := c.ctx.stdin
	if in == nil {
		return
	}
	if in.hidden != "" {
		a.flag(in.hidden + " installed as a cron job")
		return
	}
	if !in.known {
		return
	}
	for _, line := range strings.Split(in.text, "\n") {
		if cmd := cronCommand(line); cmd != "" {
			a.script(cmd, append(c.ctx.via, "crontab"), c.depth+1)
		}
	}
}

// cronCommand returns the command of a crontab line ("" for comments, blank lines and settings).
func cronCommand(line string) string {
	line = strings.TrimSpace(line)
	if line == "" || strings.HasPrefix(line, "#") {
		return ""
	}
	fields := strings.Fields(line)
	n := 5
	if strings.HasPrefix(fields[0], "@") {
		n = 1
	} else if strings.Contains(fields[0], "=") {
		return ""
	}
	if len(fields) <= n {
		return ""
	}
	rest := line
	for i := 0; i < n; i++ {
		rest = strings.TrimSpace(rest)
		rest = rest[len(strings.Fields(rest)[0]):]
	}
	return strings.TrimSpace(rest)
}
