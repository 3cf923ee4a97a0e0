package shparse

import "strings"

// optSpec describes how one command reads its options.
type optSpec struct {
	short    map[byte]string // letter → normalised long name(s), comma-separated
	valShort string          // letters that take a value (attached or next word)
	valLong  []string        // long options that take the next word as value
	// stop ends option parsing at the first positional (POSIX and wrappers: the rest is a
	// command); otherwise options are permuted as GNU tools do (rm / -rf).
	stop bool
	// singleDashLong reads -name as a long option (terraform, find).
	singleDashLong bool
}

// parsedArgs is a command's arguments after option parsing.
type parsedArgs struct {
	flags []string            // normalised, in order, without duplicates
	set   map[string]bool     // the same as a set
	vals  map[string][]string // option values by normalised name
	pos   []arg               // positionals (with stop: everything from the first positional)
}

func (p *parsedArgs) add(name string) {
	for _, n := range strings.Split(name, ",") {
		if !p.set[n] {
			p.set[n] = true
			p.flags = append(p.flags, n)
		}
	}
}

func (p *parsedArgs) val(name string) (string, bool) {
	v := p.vals[name]
	if len(v) == 0 {
		return "", false
	}
	return v[len(v)-1], true
}

var defaultSpec = &optSpec{}

func parseOpts(spec *optSpec, args []arg) parsedArgs {
	if spec == nil {
		spec = defaultSpec
	}
	p := parsedArgs{set: map[string]bool{}, vals: map[string][]string{}}
	for i := 0; i < len(args); i++ {
		s := args[i].val
		switch {
		case s == "--":
			p.pos = append(p.pos, args[i+1:]...)
			return p
		case args[i].dyn || len(s) < 2 || s[0] != '-':
			if spec.stop {
				p.pos = append(p.pos, args[i:]...)
				return p
			}
			p.pos = append(p.pos, args[i])
		case strings.HasPrefix(s, "--") || spec.singleDashLong:
			name, value, hasValue := strings.Cut(strings.TrimLeft(s, "-"), "=")
			p.add(name)
			if !hasValue && contains(spec.valLong, name) && i+1 < len(args) {
				i++
				value, hasValue = args[i].val, true
			}
			if hasValue {
				p.vals[name] = append(p.vals[name], value)
			}
		default:
			i = p.shortGroup(spec, s, args, i)
		}
	}
	return p
}

// shortGroup reads "-rf" or "-n5" or "-n 5" and returns the index of the last word consumed.
func (p *parsedArgs) shortGroup(spec *optSpec, s string, args []arg, i int) int {
	for j := 1; j < len(s); j++ {
		c := s[j]
		name := string(c)
		if long, ok := spec.short[c]; ok {
			name = long
		}
		p.add(name)
		if strings.IndexByte(spec.valShort, c) < 0 {
			continue
		}
		first := strings.Split(name, ",")[0]
		if j+1 < len(s) {
			p.vals[first] = append(p.vals[first], s[j+1:])
		} else if i+1 < len(args) {
			i++
			p.vals[first] = append(p.vals[first], args[i].val)
		}
		break
	}
	return i
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// specs are the option tables of the commands whose flags matter. Commands not listed are parsed
// GNU-style with every short letter a flag of its own.
var specs = map[string]*optSpec{
	"rm": {short: map[byte]string{
		'r': "recursive", 'R': "recursive", 'f': "force", 'i': "interactive",
		'I': "interactive-once", 'd': "dir", 'v': "verbose",
	}},
	"chmod": {
		short:   map[byte]string{'R': "recursive", 'f': "silent", 'v': "verbose", 'c': "changes"},
		valLong: []string{"reference"},
	},
	"chown": {short: map[byte]string{
		'R': "recursive", 'f': "silent", 'v': "verbose", 'c': "changes",
		'h': "no-dereference",
	}, valLong: []string{"from", "reference"}},
	"cp": {
		short: map[byte]string{
			'r': "recursive", 'R': "recursive", 'f': "force", 'a': "archive",
			'i': "interactive", 'n': "no-clobber", 'v': "verbose", 't': "target-directory",
		},
		valShort: "tS", valLong: []string{"target-directory", "suffix"},
	},
	"mv": {short: map[byte]string{
		'f': "force", 'i': "interactive", 'n': "no-clobber", 'v': "verbose",
		't': "target-directory",
	}, valShort: "tS", valLong: []string{"target-directory", "suffix"}},
	"shred": {short: map[byte]string{
		'u': "remove", 'z': "zero", 'n': "iterations", 'f': "force",
		'v': "verbose", 's': "size",
	}, valShort: "ns", valLong: []string{"iterations", "size", "random-source"}},
	"git": {
		short: map[byte]string{'C': "C", 'c': "c", 'p': "paginate", 'P': "no-pager"}, valShort: "Cc",
		valLong: []string{"git-dir", "work-tree", "namespace", "config-env", "exec-path"}, stop: true,
	},
	"kubectl": {
		short: map[byte]string{
			'A': "all-namespaces", 'n': "namespace", 'l': "selector",
			'f': "filename", 'o': "output", 'c': "container", 'i': "stdin", 't': "tty", 'R': "recursive",
			'w': "watch", 'k': "kustomize", 's': "server", 'q': "quiet",
		},
		valShort: "nlfocks", valLong: []string{
			"namespace", "selector", "field-selector", "filename",
			"output", "container", "context", "cluster", "user", "kubeconfig", "server", "token", "as",
			"as-group", "grace-period", "timeout", "replicas", "kustomize", "request-timeout",
			"pod-running-timeout", "template", "image", "type",
		},
	},
	"terraform": {singleDashLong: true, valLong: []string{
		"var", "var-file", "target", "state", "out",
		"parallelism", "lock-timeout", "replace", "backend-config", "state-out",
	}},
	"docker": {
		short:    map[byte]string{'a': "all", 'f': "force", 'v': "volumes", 'q': "quiet"},
		valShort: "H", valLong: []string{"filter", "format", "context", "config", "host", "log-level"},
	},
	"aws": {valLong: []string{
		"region", "profile", "output", "endpoint-url", "query", "color",
		"ca-bundle", "cli-read-timeout", "cli-connect-timeout", "cli-binary-format", "exclude",
		"include", "storage-class", "acl", "sse", "expires", "grants", "page-size",
	}},
	"gcloud":  {valLong: []string{"project", "zone", "region", "format", "account", "configuration", "filter"}},
	"gsutil":  {short: map[byte]string{'r': "recursive", 'R': "recursive", 'f': "force", 'm': "parallel"}, valShort: "ho"},
	"sudo":    sudoSpec,
	"doas":    {short: map[byte]string{'s': "shell", 'u': "user", 'n': "non-interactive"}, valShort: "uC", stop: true},
	"env":     {short: map[byte]string{'i': "ignore-environment", '0': "null", 'u': "unset", 'C': "chdir", 'S': "split-string", 'v': "debug"}, valShort: "uCSP", valLong: []string{"unset", "chdir", "split-string"}, stop: true},
	"xargs":   {short: map[byte]string{'0': "null", 'r': "no-run-if-empty", 't': "verbose", 'p': "interactive", 'x': "exit", 'I': "replace", 'n': "max-args", 'P': "max-procs", 'L': "max-lines", 'd': "delimiter", 'a': "arg-file", 's': "max-chars", 'E': "eof"}, valShort: "ILnPsdEa", valLong: []string{"max-args", "max-procs", "max-lines", "delimiter", "arg-file", "max-chars", "eof", "process-slot-var"}, stop: true},
	"timeout": {short: map[byte]string{'s': "signal", 'k': "kill-after", 'v': "verbose"}, valShort: "sk", valLong: []string{"signal", "kill-after"}, stop: true},
	"nice":    {short: map[byte]string{'n': "adjustment"}, valShort: "n", valLong: []string{"adjustment"}, stop: true},
	"ionice":  {short: map[byte]string{'c': "class", 'n': "classdata", 'p': "pid", 'P': "pgid", 'u': "uid", 't': "ignore"}, valShort: "cnpPu", valLong: []string{"class", "classdata", "pid", "pgid", "uid"}, stop: true},
	"stdbuf":  {short: map[byte]string{'i': "input", 'o': "output", 'e': "error"}, valShort: "ioe", stop: true},
	"chrt":    {short: map[byte]string{'p': "pid"}, valShort: "TPD", stop: true},
	"taskset": {short: map[byte]string{'p': "pid", 'c': "cpu-list", 'a': "all-tasks"}, stop: true},
	"flock":   {short: map[byte]string{'c': "command", 'w': "timeout", 'E': "conflict-exit-code"}, valShort: "cwE", valLong: []string{"command", "timeout", "conflict-exit-code"}, stop: true},
	"chroot":  {valLong: []string{"userspec", "groups"}, stop: true},
	"watch":   {short: map[byte]string{'n': "interval", 'x': "exec", 'd': "differences"}, valShort: "nq", valLong: []string{"interval"}, stop: true},
	"su":      {short: map[byte]string{'c': "command", 's': "shell", 'l': "login", 'g': "group", 'G': "supp-group", 'm': "preserve-environment", 'p': "preserve-environment"}, valShort: "csgG", valLong: []string{"command", "shell", "group", "supp-group", "session-command"}, stop: true},
	"runuser": {short: map[byte]string{'c': "command", 'u': "user", 's': "shell", 'l': "login", 'g': "group"}, valShort: "cusgG", valLong: []string{"command", "user", "shell", "group"}, stop: true},
	"ssh":     {valShort: "BbcDEeFIiJLlmOopQRSWw", stop: true},
	"command": {short: map[byte]string{'v': "v", 'V': "V", 'p': "p"}, stop: true},
	"exec":    {valShort: "a", stop: true},
	"time":    {valShort: "fo", valLong: []string{"format", "output"}, stop: true},
	"systemd-run": {valShort: "pEuM", valLong: []string{
		"unit", "property", "description", "uid", "gid",
		"working-directory", "setenv", "machine", "slice",
	}, stop: true},
	"find":      {stop: true},
	"redis-cli": {valShort: "hpanuc", short: map[byte]string{'c': "cluster"}, valLong: []string{"user", "pass", "tls", "cacert"}, stop: true},
	"gh":        {short: map[byte]string{'R': "repo", 'X': "method", 'H': "header", 'f': "raw-field", 'F': "field"}, valShort: "RXHfFpqt", valLong: []string{"repo", "method", "header", "field", "raw-field", "input", "jq", "template", "hostname", "cache"}},
	"helm":      {short: map[byte]string{'n': "namespace"}, valShort: "n", valLong: []string{"namespace", "kube-context", "kubeconfig"}},
	"pulumi":    {short: map[byte]string{'s': "stack", 'C': "cwd", 'y': "yes"}, valShort: "sC", valLong: []string{"stack", "cwd", "config-file"}},
	"az":        {valLong: []string{"subscription", "resource-group", "name", "output", "query", "g", "n"}, short: map[byte]string{'g': "resource-group", 'n': "name", 'o': "output", 'y': "yes"}, valShort: "gno"},
}

func init() {
	// Transparent wrappers: their options end at the wrapped command.
	for _, n := range []string{
		"nohup", "setsid", "builtin", "unbuffer", "fakeroot", "proxychains",
		"proxychains4", "torsocks", "caffeinate", "busybox", "toybox", "catchsegv", "eval",
	} {
		if _, ok := specs[n]; !ok {
			specs[n] = &optSpec{stop: true}
		}
	}
}

var sudoSpec = &optSpec{
	short: map[byte]string{
		's': "shell", 'i': "login", 'u': "user", 'g': "group",
		'E': "preserve-env", 'H': "set-home", 'n': "non-interactive", 'b': "background", 'e': "edit",
		'l': "list", 'v': "validate", 'k': "reset-timestamp", 'S': "stdin", 'C': "close-from",
		'D': "chdir", 'h': "host", 'p': "prompt", 'r': "role", 't': "type", 'T': "command-timeout",
		'U': "other-user", 'R': "chroot", 'P': "preserve-groups", 'A': "askpass", 'K': "remove-timestamp",
	},
	valShort: "ugCDhprtTUR", valLong: []string{
		"user", "group", "close-from", "chdir", "host", "prompt",
		"role", "type", "command-timeout", "other-user", "chroot",
	}, stop: true,
}

// shellSpec reads sh/bash/zsh options: -c is a flag here; the script is the first positional.
var shellSpec = &optSpec{
	short: map[byte]string{'c': "command"}, valShort: "oO",
	valLong: []string{"rcfile", "init-file"}, stop: true,
}

// gitSubSpecs are the option tables of the git subcommands that matter.
var gitSubSpecs = map[string]*optSpec{
	"push": {
		short: map[byte]string{
			'f': "force", 'd': "delete", 'u': "set-upstream", 'n': "dry-run",
			'q': "quiet", 'v': "verbose", 'o': "push-option",
		}, valShort: "o",
		valLong: []string{"receive-pack", "exec", "repo", "push-option"},
	},
	"clean": {short: map[byte]string{
		'f': "force", 'n': "dry-run", 'i': "interactive", 'q': "quiet",
		'e': "exclude",
	}, valShort: "e", valLong: []string{"exclude"}},
	"branch": {
		short: map[byte]string{
			'd': "delete", 'D': "delete,force", 'f': "force", 'm': "move",
			'M': "move,force", 'c': "copy", 'C': "copy,force", 'r': "remotes", 'a': "all", 'v': "verbose",
			'q': "quiet", 'u': "set-upstream-to", 't': "track",
		}, valShort: "u",
		valLong: []string{"set-upstream-to", "contains", "merged", "no-merged", "points-at", "sort", "format"},
	},
	"reset":    {short: map[byte]string{'q': "quiet", 'p': "patch"}},
	"checkout": {short: map[byte]string{'f': "force", 'b': "b", 'B': "B", 'q': "quiet", 'p': "patch"}, valShort: "bB"},
}

func specFor(name string) *optSpec {
	if s, ok := specs[name]; ok {
		return s
	}
	switch {
	case isShell(name):
		return shellSpec
	case name == "tofu" || name == "terragrunt":
		return specs["terraform"]
	case name == "podman" || name == "nerdctl":
		return specs["docker"]
	case name == "oc" || name == "k" || name == "kubecolor":
		return specs["kubectl"]
	}
	return defaultSpec
}
