package shparse

import (
	"strings"

	"github.com/warden-gw/warden/inspect/sqlparse"
)

// ruleGit: force pushes, remote deletions, reset --hard, clean -f, branch -D, history rewrites.
func ruleGit(a *analyzer, c *call) {
	if len(c.p.pos) == 0 {
		return
	}
	subName := c.p.pos[0].val
	if gitInlineAlias(a, c, subName) {
		return
	}
	sub := parseOpts(gitSubSpecs[subName], c.p.pos[1:])
	if sub.set["dry-run"] {
		return
	}
	a.addFlags(c, sub.flags)
	switch subName {
	case "push":
		for _, f := range []string{"force", "force-with-lease", "force-if-includes", "mirror"} {
			if sub.set[f] {
				a.flag("git push --" + f)
			}
		}
		if sub.set["delete"] {
			a.flag("git push --delete")
		}
		for i, x := range sub.pos {
			if i == 0 && len(sub.pos) > 1 {
				continue // the remote
			}
			switch {
			case strings.HasPrefix(x.val, "+"):
				a.flag("git push +" + strings.TrimPrefix(x.val, "+") + " (force)")
			case strings.HasPrefix(x.val, ":") && len(x.val) > 1:
				a.flag("git push " + x.val + " (deletes a remote ref)")
			}
		}
	case "reset":
		if sub.set["hard"] {
			a.flag("git reset --hard discards uncommitted work")
		}
	case "clean":
		if sub.set["force"] && !sub.set["dry-run"] {
			a.flag("git clean -f deletes untracked files")
		}
	case "branch":
		if sub.set["delete"] && sub.set["force"] {
			a.flag("git branch -D")
		}
	case "filter-branch", "filter-repo":
		a.flag("git " + subName + " rewrites history")
	case "update-ref", "symbolic-ref":
		if sub.set["d"] || sub.set["delete"] {
			a.flag("git " + subName + " -d deletes a ref")
		}
	case "reflog":
		if len(sub.pos) > 0 && (sub.pos[0].val == "expire" || sub.pos[0].val == "delete") {
			a.flag("git reflog " + sub.pos[0].val + " destroys recovery points")
		}
	case "stash":
		if len(sub.pos) > 0 && sub.pos[0].val == "clear" {
			a.flag("git stash clear discards every stash")
		}
	case "checkout", "restore":
		if sub.set["force"] && len(sub.pos) == 0 || len(sub.pos) > 0 && sub.pos[len(sub.pos)-1].val == "." && subName == "checkout" {
			a.flag("git " + subName + " discards uncommitted work")
		}
	}
}

// gitCommandConfigs are git settings whose value git runs as a shell command.
var gitCommandConfigs = map[string]bool{
	"core.sshcommand": true, "core.pager": true, "core.editor": true, "core.fsmonitor": true,
	"sequence.editor": true, "diff.external": true, "credential.helper": true, "core.askpass": true,
	"gpg.program": true, "core.hookspath": false,
}

// gitInlineAlias expands an alias defined on the command line (git -c alias.x='!rm -rf /' x):
// "!" aliases run their text as shell with the arguments appended, others run as git.
func gitInlineAlias(a *analyzer, c *call, subName string) bool {
	for _, kv := range c.p.vals["c"] {
		k, v, ok := strings.Cut(kv, "=")
		if ok && gitCommandConfigs[strings.ToLower(k)] {
			a.script(strings.TrimPrefix(v, "!"), append(append([]string(nil), c.ctx.via...), "git -c "+k), c.depth+1)
		}
		if !ok || !strings.EqualFold(k, "alias."+subName) {
			continue
		}
		rest := joinArgs(c.p.pos[1:])
		via := append(append([]string(nil), c.ctx.via...), "git alias "+subName)
		if body, ok := strings.CutPrefix(v, "!"); ok {
			a.script(strings.TrimSpace(body+" "+rest), via, c.depth+1)
		} else {
			a.script(strings.TrimSpace("git "+v+" "+rest), via, c.depth+1)
		}
		return true
	}
	return false
}

// ruleKubectl: delete (except single named pods/jobs), drain, scale to zero, replace --force,
// and the command of kubectl exec, analysed as the pod would run it.
func ruleKubectl(a *analyzer, c *call) {
	if len(c.p.pos) == 0 {
		return
	}
	sub := c.p.pos[0].val
	rest := c.p.pos[1:]
	switch sub {
	case "delete":
		kubectlDelete(a, c, rest)
	case "exec":
		kubectlExec(a, c)
	}
}

func kubectlDelete(a *analyzer, c *call, rest []arg) {
	if isDryRun(c.p) {
		return
	}
	for _, f := range []string{"all", "all-namespaces", "selector", "field-selector", "filename", "kustomize", "raw"} {
		if c.p.set[f] {
			a.flag(c.name + " delete --" + f)
			return
		}
	}
	if len(rest) == 0 {
		return
	}
	kind := strings.ToLower(rest[0].val)
	name := ""
	if k, n, ok := strings.Cut(kind, "/"); ok {
		kind, name = k, n
	} else if len(rest) > 1 {
		name = rest[1].val
	}
	switch strings.Split(kind, ".")[0] {
	case "pod", "pods", "po", "job", "jobs", "event", "events", "ev":
		if name != "" && !strings.Contains(kind, ",") {
			return // a single workload object that its controller recreates or that is disposable
		}
	}
	a.flag(c.name + " delete " + joinArgs(rest))
}

// kubectlExec analyses the in-pod command after "--" (or after the pod name in the old syntax).
func kubectlExec(a *analyzer, c *call) {
	args := c.args[1:]
	var inner []arg
	for i, x := range args {
		if x.val == "--" {
			inner = args[i+1:]
			break
		}
	}
	if inner == nil && len(c.p.pos) > 2 {
		inner = c.p.pos[2:]
	}
	if len(inner) == 0 {
		return
	}
	a.res.Embedded = append(a.res.Embedded, Embedded{Kind: "k8s-exec", Text: joinArgs(inner)})
	a.command(inner, c.ctx.with(c.name+" exec"), c.depth+1)
}

// ruleDocker: the command of docker exec, and host mounts of the root or system directories
// (the catalogue has prune, volume rm and compose down -v).
func ruleDocker(a *analyzer, c *call) {
	p := c.p.pos
	if len(p) == 0 {
		return
	}
	switch {
	case p[0].val == "exec" || (p[0].val == "container" && len(p) > 1 && p[1].val == "exec"):
		dockerExec(a, c)
	case p[0].val == "run" || p[0].val == "create" ||
		(p[0].val == "container" && len(p) > 1 && (p[1].val == "run" || p[1].val == "create")):
		dockerRun(a, c)
	}
}

var dockerRunSpec = &optSpec{
	short: map[byte]string{
		'v': "volume", 'e': "env", 'p': "publish", 'u': "user", 'w': "workdir", 'l': "label",
		'm': "memory", 'c': "cpu-shares", 'h': "hostname", 'i': "interactive", 't': "tty", 'd': "detach",
		'P': "publish-all",
	},
	valShort: "vepuwlmch", valLong: []string{
		"volume", "mount", "env", "publish", "user", "workdir", "label", "memory",
		"name", "network", "entrypoint", "env-file", "hostname", "platform", "pull", "restart",
		"cap-add", "cap-drop", "device", "pid", "ipc", "uts", "userns", "security-opt", "volumes-from",
		"add-host", "dns", "cpus", "gpus", "log-driver", "log-opt", "runtime", "tmpfs", "ulimit",
	}, stop: true,
}

// hostMountRisk names a bind-mount source that hands the container the host's root, system
// directories, devices or the container runtime's socket.
func hostMountRisk(src string) string {
	switch {
	case src == "" || !strings.HasPrefix(src, "/") && !strings.HasPrefix(src, "~") && !strings.HasPrefix(src, "$"):
		return "" // a named volume or relative path
	case strings.HasSuffix(src, ".sock"):
		return "the host's " + src + " (control of the host's containers)"
	case isProtectedDir(src) || isSystemPath(src) || isDevice(src) || src == "/dev" || src == "/var/run" || src == "/run":
		return "the host's " + src
	}
	return ""
}

func dockerRun(a *analyzer, c *call) {
	for i, x := range c.args {
		if x.val != "run" && x.val != "create" {
			continue
		}
		p := parseOpts(dockerRunSpec, c.args[i+1:])
		for _, v := range p.vals["volume"] {
			src, _, _ := strings.Cut(v, ":")
			if r := hostMountRisk(src); r != "" {
				a.flag(c.name + " run mounts " + r + " read-write into a container")
			}
		}
		for _, m := range p.vals["mount"] {
			for _, kv := range strings.Split(m, ",") {
				k, v, _ := strings.Cut(kv, "=")
				if k == "source" || k == "src" {
					if r := hostMountRisk(v); r != "" && !strings.Contains(m, "readonly") && !strings.Contains(m, "ro=true") {
						a.flag(c.name + " run mounts " + r + " into a container")
					}
				}
			}
		}
		return
	}
}

var dockerExecSpec = &optSpec{
	short:    map[byte]string{'i': "interactive", 't': "tty", 'd': "detach"},
	valShort: "euw", valLong: []string{"env", "user", "workdir", "env-file", "detach-keys"}, stop: true,
}

func dockerExec(a *analyzer, c *call) {
	for i, x := range c.args {
		if x.val == "exec" {
			p := parseOpts(dockerExecSpec, c.args[i+1:])
			if len(p.pos) > 1 {
				a.command(p.pos[1:], c.ctx.with(c.name+" exec"), c.depth+1)
			}
			return
		}
	}
}

// sqlClient describes where a database client takes SQL text from.
type sqlClient struct {
	spec    *optSpec
	opts    []string // option names whose value is SQL
	posFrom int      // positionals from this index are SQL (-1: none)
	dialect sqlparse.Dialect
}

var sqlClients = map[string]sqlClient{
	"psql": {spec: &optSpec{
		short:    map[byte]string{'c': "command", 'f': "file", 'd': "dbname"},
		valShort: "cfdhpUvoLTFRP", valLong: []string{
			"command", "file", "dbname", "host", "port",
			"username", "set", "variable", "output", "log-file",
		},
	}, opts: []string{"command"}, posFrom: -1},
	"mysql": {
		spec: &optSpec{
			short: map[byte]string{'e': "execute"}, valShort: "eDhPSuO",
			valLong: []string{"execute", "database", "host", "port", "socket", "user"},
		},
		opts: []string{"execute"}, posFrom: -1, dialect: sqlparse.DialectMySQL,
	},
	"sqlite3": {spec: &optSpec{singleDashLong: true, valLong: []string{
		"cmd", "init", "separator",
		"nullvalue", "newline",
	}}, opts: []string{"cmd"}, posFrom: 1},
	"duckdb": {
		spec: &optSpec{singleDashLong: true, valLong: []string{"c", "cmd", "init", "s"}},
		opts: []string{"c", "cmd", "s"}, posFrom: 1,
	},
	"clickhouse-client": {
		spec: &optSpec{
			short: map[byte]string{'q': "query"}, valShort: "qhdu",
			valLong: []string{"query", "host", "database", "user", "password", "port"},
		},
		opts: []string{"query"}, posFrom: -1, dialect: sqlparse.DialectClickHouse,
	},
	"cockroach": {spec: &optSpec{
		short: map[byte]string{'e': "execute"}, valShort: "e",
		valLong: []string{"execute", "url", "host", "database", "user"},
	}, opts: []string{"execute"}, posFrom: -1},
	"snowsql": {
		spec: &optSpec{
			short: map[byte]string{'q': "query"}, valShort: "qaudsrw",
			valLong: []string{"query", "accountname", "username", "dbname", "schemaname"},
		},
		opts: []string{"query"}, posFrom: -1, dialect: sqlparse.DialectSnowflake,
	},
	"usql":   {spec: &optSpec{valShort: "c", short: map[byte]string{'c': "command"}, valLong: []string{"command"}}, opts: []string{"command"}, posFrom: -1},
	"trino":  {spec: &optSpec{valLong: []string{"execute", "server", "catalog", "schema", "user"}}, opts: []string{"execute"}, posFrom: -1, dialect: sqlparse.DialectTrino},
	"presto": {spec: &optSpec{valLong: []string{"execute", "server", "catalog", "schema", "user"}}, opts: []string{"execute"}, posFrom: -1, dialect: sqlparse.DialectTrino},
	"bq":     {spec: &optSpec{}, posFrom: 1, dialect: sqlparse.DialectBigQuery},
	"sqlcmd": {spec: &optSpec{
		short: map[byte]string{'Q': "query", 'q': "query"}, valShort: "QqSdUPioHtlswAacfhkLmrVWxXyYz",
		valLong: []string{"query"},
	}, opts: []string{"query"}, posFrom: -1, dialect: sqlparse.DialectTSQL},
	"cqlsh": {spec: &optSpec{
		short:    map[byte]string{'e': "execute", 'u': "username", 'p': "password", 'k': "keyspace", 'f': "file"},
		valShort: "eupkf", valLong: []string{"execute", "username", "password", "keyspace", "file"},
	}, opts: []string{"execute"}, posFrom: -1, dialect: sqlparse.DialectGeneric},
	"databricks-sql": {spec: &optSpec{valLong: []string{"execute", "query"}}, opts: []string{"execute", "query"}, posFrom: -1, dialect: sqlparse.DialectGeneric},
}

// ruleSQLClient analyses SQL carried by database clients: psql -c, mysql -e, sqlite3 DB SQL,
// and SQL piped or here-doc'ed into them.
func ruleSQLClient(a *analyzer, c *call) {
	name := c.name
	if name == "mariadb" {
		name = "mysql"
	}
	cl, ok := sqlClients[name]
	if !ok {
		return
	}
	p := parseOpts(cl.spec, c.args[1:])
	a.addFlags(c, p.flags)
	var texts []string
	for _, o := range cl.opts {
		texts = append(texts, p.vals[o]...)
	}
	if cl.posFrom >= 0 && len(p.pos) > cl.posFrom {
		if name == "bq" {
			if p.pos[0].val != "query" {
				return
			}
		}
		for _, x := range p.pos[cl.posFrom:] {
			if !strings.HasPrefix(x.val, ".") {
				texts = append(texts, x.val)
			}
		}
	}
	if len(texts) == 0 && c.ctx.stdin != nil && c.ctx.stdin.known && len(p.vals["file"]) == 0 {
		texts = append(texts, c.ctx.stdin.text)
	}
	for _, t := range texts {
		res := sqlparse.Analyze(t)
		if cl.dialect != "" {
			res = sqlparse.AnalyzeDialect(t, cl.dialect)
		}
		a.res.Embedded = append(a.res.Embedded, Embedded{Kind: "sql", Text: t, SQL: res})
		for _, r := range res.Reasons {
			a.flag(c.name + ": " + r)
		}
	}
}
