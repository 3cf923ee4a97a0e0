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
	sub := parseOpts(gitSubSpecs[subName], c.p.pos[1:])
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
	}
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
	case "drain":
		a.flag(c.name + " drain " + joinArgs(rest))
	case "scale":
		if r, ok := c.p.val("replicas"); ok && r == "0" {
			a.flag(c.name + " scale --replicas=0")
		}
	case "replace":
		if c.p.set["force"] {
			a.flag(c.name + " replace --force deletes and recreates")
		}
	case "exec":
		kubectlExec(a, c)
	}
}

func kubectlDelete(a *analyzer, c *call, rest []arg) {
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

func ruleHelm(a *analyzer, c *call) {
	if len(c.p.pos) == 0 {
		return
	}
	switch c.p.pos[0].val {
	case "uninstall", "delete", "del", "un":
		a.flag("helm " + joinArgs(c.p.pos))
	}
}

func ruleTerraform(a *analyzer, c *call) {
	if len(c.p.pos) == 0 {
		return
	}
	sub := c.p.pos[0].val
	switch {
	case sub == "destroy":
		a.flag(c.name + " destroy")
	case sub == "apply" && c.p.set["destroy"]:
		a.flag(c.name + " apply -destroy")
	case sub == "state" && len(c.p.pos) > 1 && (c.p.pos[1].val == "rm" || c.p.pos[1].val == "push"):
		a.flag(c.name + " state " + c.p.pos[1].val)
	case sub == "workspace" && len(c.p.pos) > 1 && c.p.pos[1].val == "delete":
		a.flag(c.name + " workspace delete")
	}
}

func rulePulumi(a *analyzer, c *call) {
	p := c.p.pos
	switch {
	case len(p) > 0 && (p[0].val == "destroy" || p[0].val == "down"):
		a.flag("pulumi destroy")
	case len(p) > 1 && p[0].val == "stack" && (p[1].val == "rm" || p[1].val == "remove"):
		a.flag("pulumi stack rm")
	}
}

// ruleDocker: system prune -a/--volumes, volume prune/rm, and the command of docker exec.
func ruleDocker(a *analyzer, c *call) {
	p := c.p.pos
	if len(p) == 0 {
		return
	}
	words := []string{}
	for _, x := range p {
		words = append(words, x.val)
	}
	joined := strings.Join(words, " ")
	switch {
	case strings.HasPrefix(joined, "system prune") && (c.p.set["all"] || c.p.set["volumes"]):
		a.flag(c.name + " system prune " + map[bool]string{true: "-a", false: "--volumes"}[c.p.set["all"]])
	case strings.HasPrefix(joined, "volume prune") || strings.HasPrefix(joined, "volume rm"):
		a.flag(c.name + " " + joined)
	case p[0].val == "exec" || (p[0].val == "container" && len(p) > 1 && p[1].val == "exec"):
		dockerExec(a, c)
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

// ruleAWS: s3 rm --recursive, s3 rb, s3 sync --delete, and any delete-*/terminate-* operation.
func ruleAWS(a *analyzer, c *call) {
	p := c.p.pos
	if len(p) < 2 {
		return
	}
	svc, op := p[0].val, p[1].val
	if svc == "s3" {
		switch {
		case op == "rm" && c.p.set["recursive"]:
			a.flag("aws s3 rm --recursive")
		case op == "rb":
			a.flag("aws s3 rb deletes a bucket")
		case (op == "sync" || op == "mv") && c.p.set["delete"]:
			a.flag("aws s3 " + op + " --delete")
		}
		return
	}
	for _, pre := range []string{"delete-", "terminate-", "deregister-", "remove-", "purge-", "destroy-"} {
		if strings.HasPrefix(op, pre) {
			a.flag("aws " + svc + " " + op)
			return
		}
	}
}

// sqlClient describes where a database client takes SQL text from.
type sqlClient struct {
	spec     *optSpec
	opts     []string // option names whose value is SQL
	posFrom  int      // positionals from this index are SQL (-1: none)
	backtick bool     // MySQL dialect: `ident` is rewritten to "ident" before parsing
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
		opts: []string{"execute"}, posFrom: -1, backtick: true,
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
		opts: []string{"query"}, posFrom: -1, backtick: true,
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
		opts: []string{"query"}, posFrom: -1,
	},
	"usql":   {spec: &optSpec{valShort: "c", short: map[byte]string{'c': "command"}, valLong: []string{"command"}}, opts: []string{"command"}, posFrom: -1},
	"trino":  {spec: &optSpec{valLong: []string{"execute", "server", "catalog", "schema", "user"}}, opts: []string{"execute"}, posFrom: -1},
	"presto": {spec: &optSpec{valLong: []string{"execute", "server", "catalog", "schema", "user"}}, opts: []string{"execute"}, posFrom: -1},
	"bq":     {spec: &optSpec{}, posFrom: 1},
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
		src := t
		if cl.backtick {
			src = backticksToQuotes(src)
		}
		res := sqlparse.Analyze(src)
		a.res.Embedded = append(a.res.Embedded, Embedded{Kind: "sql", Text: t, SQL: res})
		for _, r := range res.Reasons {
			a.flag(c.name + ": " + r)
		}
	}
}

// backticksToQuotes rewrites MySQL `identifiers` as "identifiers" outside string literals, so that
// PostgreSQL's grammar reads MySQL statements that differ only in identifier quoting.
func backticksToQuotes(s string) string {
	if !strings.Contains(s, "`") {
		return s
	}
	b := []byte(s)
	var quote byte
	for i := 0; i < len(b); i++ {
		switch {
		case quote != 0:
			switch b[i] {
			case '\\':
				i++
			case quote:
				quote = 0
			}
		case b[i] == '\'' || b[i] == '"':
			quote = b[i]
		case b[i] == '`':
			b[i] = '"'
		}
	}
	return string(b)
}
