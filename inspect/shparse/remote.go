package shparse

// ansibleSpec reads ansible's ad-hoc options: -m/--module-name and -a/--args take values.
var ansibleSpec = &optSpec{
	short:    map[byte]string{'m': "module-name", 'a': "args", 'i': "inventory", 'u': "user", 'b': "become"},
	valShort: "maiuelfMtTkKcCP",
	valLong:  []string{"module-name", "args", "inventory", "user", "extra-vars", "limit", "forks", "become-user", "connection", "private-key"},
}

// peelAnsible parses the command an ansible ad-hoc run sends to every host: the -a argument of
// the shell, command and raw modules (command is the default module).
func peelAnsible(a *analyzer, c *call) {
	p := parseOpts(ansibleSpec, c.args[1:])
	module := "command"
	if m := p.vals["module-name"]; len(m) > 0 {
		module = m[len(m)-1]
	}
	switch module {
	case "shell", "command", "raw", "ansible.builtin.shell", "ansible.builtin.command", "ansible.builtin.raw":
	default:
		catalogueRule(a, c)
		return
	}
	for _, s := range p.vals["args"] {
		a.script(s, append(c.ctx.via, "ansible -m "+module), c.depth+1)
	}
}
