package shparse

import (
	"path"
	"strings"
)

// cliOp is one destructive operation of a command-line tool, as data. The catalogue below is the
// single list of such operations; catalogueRule matches a command against it.
type cliOp struct {
	// cli names the programs, "|"-separated ("gcloud|az").
	cli string
	// cmd is the command path: space-separated words, each a "|"-separated list of alternatives
	// that may use path.Match globs ("* delete-*|terminate-*"). A leading "**" lets the rest
	// match at any position of the command path (gcloud compute instances delete).
	cmd string
	// with, when set, names options of which at least one must be present, "|"-separated;
	// "name=value" requires that value (replicas=0).
	with string
	// why is the reason reported.
	why string
}

// catalogue lists the destructive operations of the CLIs agents run. Dry runs (dryRunFlags) and
// help output are never destructive. Commands whose meaning depends on more than their path and
// options (git push refspecs, kubectl delete of one pod, SQL and script text, HTTP requests) are
// judged by code in rules_ops.go, cli_more.go and interp.go.
var catalogue = []cliOp{
	// Cloud CLIs.
	{cli: "aws", cmd: "s3 rm", with: "recursive", why: "deletes every object under a prefix"},
	{cli: "aws", cmd: "s3 rb", why: "deletes a bucket"},
	{cli: "aws", cmd: "s3 sync|mv", with: "delete", why: "deletes objects missing from the source"},
	{
		cli: "aws", cmd: "* delete-*|terminate-*|deregister-*|remove-*|purge-*|destroy-*|batch-delete-*|" +
			"schedule-key-deletion|stop-logging|disable-key|delete|disable-logging|disassociate-*|" +
			"revoke-*|detach-*|cancel-*|stop-instances|reset-*|release-*|deactivate-*|leave-organization",
		why: "is a destructive AWS operation",
	},
	{
		cli: "gcloud|az|doctl|hcloud|linode-cli|oci|ibmcloud|scw|exo|civo|upcloud|vultr-cli|aliyun|tccli",
		cmd: "** delete|delete-*|*-delete|destroy|terminate|purge|remove|remove-*|rm|wipe|reset|" +
			"deprovision|disable|stop-logging|undeploy|uninstall|*:delete|*:destroy",
		why: "is a destructive cloud operation",
	},
	{
		cli: "heroku|fly|flyctl|vercel|netlify|railway|render|firebase|supabase|wrangler|amplify|eb|" +
			"serverless|sls|cdk|sam|copilot|eksctl|kind|minikube|k3d|argocd|flux|helmfile|skaffold|" +
			"tilt|okteto|gh|glab|hub|tea|nomad|mc|rclone|s3cmd|azcopy|" +
			"bq|cf|openstack|pscale|neonctl|turso|atlas|sfdx|sf|databricks|snow|dbt|doppler|ngrok",
		cmd: "** delete|destroy|terminate|purge|remove|rm|rb|del|wipe|nuke|down|teardown|uninstall|" +
			"*:delete|*:destroy|*:remove|*:reset|apps:destroy|delete-*|destroy-*|purge-*|rmdir|" +
			"deprovision|drop|disable|revoke",
		why: "is a destructive operation",
	},
	{cli: "gsutil", cmd: "rm", with: "recursive", why: "deletes every object under a prefix"},
	{cli: "gsutil", cmd: "rb", why: "deletes a bucket"},
	{cli: "rclone", cmd: "sync", why: "deletes files missing from the source"},
	{cli: "supabase", cmd: "db reset", why: "drops and recreates the database"},
	{cli: "prisma", cmd: "migrate reset", why: "drops the database"},
	{cli: "prisma", cmd: "db push", with: "force-reset|accept-data-loss", why: "drops data to match the schema"},
	{cli: "rails|rake|bin/rails", cmd: "db:drop|db:reset|db:schema:load|db:purge|db:truncate_all|db:migrate:reset", why: "drops or empties the database"},
	{cli: "dotnet", cmd: "ef database drop", why: "drops the database"},
	{cli: "sequelize|knex", cmd: "db:drop|migrate:undo:all|migrate:rollback", why: "drops the database or migrations"},
	{cli: "dropdb|dropuser", cmd: "*", why: "drops a database or role"},
	{cli: "mysqladmin|mariadb-admin", cmd: "** drop|shutdown|kill|purge", why: "is a destructive mysqladmin command"},
	{cli: "influx", cmd: "delete", why: "deletes time-series data"},
	{cli: "influx", cmd: "bucket|org delete", why: "deletes time-series data"},
	{cli: "etcdctl", cmd: "del", why: "deletes etcd keys"},
	{cli: "etcdctl", cmd: "lease revoke", why: "revokes a lease and deletes its keys"},
	{cli: "consul", cmd: "kv delete", why: "deletes Consul keys"},
	{cli: "vault", cmd: "** delete|destroy|disable|revoke|rotate|seal|step-down", why: "deletes or revokes Vault data"},
	{cli: "kubeadm", cmd: "reset", why: "wipes the Kubernetes node"},

	// Kubernetes and its tools (kubectl delete is judged in rules_ops.go).
	{cli: "kubectl|oc|kubecolor|k", cmd: "drain", why: "evicts every pod of a node"},
	{cli: "kubectl|oc|kubecolor|k", cmd: "scale", with: "replicas=0", why: "scales to zero replicas"},
	{cli: "kubectl|oc|kubecolor|k", cmd: "replace", with: "force", why: "deletes and recreates"},
	{cli: "kubectl|oc|kubecolor|k", cmd: "apply", with: "prune", why: "deletes resources missing from the manifest"},
	{cli: "helm", cmd: "uninstall|delete|del|un", why: "uninstalls a release"},
	{cli: "helmfile", cmd: "destroy|delete", why: "uninstalls releases"},

	// Infrastructure as code.
	{cli: "terraform|tofu|terragrunt", cmd: "destroy", why: "destroys infrastructure"},
	{cli: "terraform|tofu|terragrunt", cmd: "apply", with: "destroy", why: "destroys infrastructure"},
	{cli: "terraform|tofu|terragrunt", cmd: "state rm|push|replace-provider", why: "rewrites state"},
	{cli: "terraform|tofu|terragrunt", cmd: "workspace delete", why: "deletes a workspace"},
	{cli: "terragrunt", cmd: "run-all|run destroy", why: "destroys infrastructure"},
	{cli: "terragrunt", cmd: "destroy-all", why: "destroys infrastructure"},
	{cli: "terragrunt", cmd: "run-all|run apply", with: "destroy", why: "destroys infrastructure"},
	{cli: "pulumi", cmd: "destroy|down", why: "destroys a stack's resources"},
	{cli: "pulumi", cmd: "stack rm|remove", why: "removes a stack"},
	{cli: "pulumi", cmd: "state delete", why: "rewrites state"},
	{cli: "cdk|cdktf", cmd: "destroy", why: "destroys a stack"},

	// Containers.
	{cli: "docker|podman|nerdctl", cmd: "system prune", with: "all|volumes", why: "deletes images and volumes"},
	{cli: "docker|podman|nerdctl", cmd: "volume prune|rm", why: "deletes volumes"},
	{cli: "docker|podman|nerdctl", cmd: "compose down", with: "volumes|v|rmi", why: "deletes volumes"},
	{cli: "docker-compose|podman-compose", cmd: "down", with: "volumes|v|rmi", why: "deletes volumes"},
	{cli: "docker|podman|nerdctl", cmd: "rm", with: "volumes|v", why: "deletes volumes"},

	// Scheduling and cron.
	{cli: "crontab", cmd: "", with: "r|remove", why: "removes every cron job"},
	{cli: "atrm", cmd: "*", why: "removes scheduled jobs"},

	// Storage, volumes, services and firewalls of the host.
	{cli: "s5cmd", cmd: "rm|rb", why: "deletes objects or a bucket"},
	{cli: "zfs|zpool", cmd: "destroy", why: "destroys a dataset or pool"},
	{cli: "lvremove|vgremove|pvremove", cmd: "", why: "removes a logical volume, group or physical volume"},
	{cli: "btrfs", cmd: "subvolume delete", why: "deletes a subvolume"},
	{cli: "systemctl", cmd: "stop|disable|mask|kill", why: "stops or disables a service"},
	{cli: "service", cmd: "* stop", why: "stops a service"},
	{cli: "iptables|ip6tables", cmd: "", with: "flush|F", why: "flushes every firewall rule"},
	{cli: "nft", cmd: "flush ruleset", why: "flushes every firewall rule"},
	{cli: "ufw", cmd: "disable|reset", why: "turns the firewall off"},

	// Administrator grants: binding an agent or user to a role that administers everything.
	{cli: "kubectl|oc|kubecolor|k", cmd: "create clusterrolebinding|rolebinding", with: "clusterrole=cluster-admin|clusterrole=admin|group=system:masters", why: "binds an administrator role"},
	{cli: "oc", cmd: "adm policy add-cluster-role-to-user|add-cluster-role-to-group|add-role-to-user cluster-admin|admin", why: "binds an administrator role"},
	{cli: "gcloud", cmd: "** add-iam-policy-binding", with: "role=roles/owner|role=roles/editor|role=roles/resourcemanager.organizationAdmin|role=roles/iam.securityAdmin", why: "grants an owner or editor role"},
	{cli: "az", cmd: "role assignment create", with: "role=Owner|role=Contributor|role=User Access Administrator|role=owner|role=contributor", why: "assigns an administrator role"},
	{cli: "aws", cmd: "iam attach-user-policy|attach-role-policy|attach-group-policy", with: "policy-arn=arn:aws:iam::aws:policy/AdministratorAccess|policy-arn=arn:aws:iam::aws:policy/IAMFullAccess", why: "attaches an administrator policy"},

	// Mail queues, package stores, services: wipes that are not file deletions.
	{cli: "redis-cli|valkey-cli|keydb-cli", cmd: "flushall|flushdb|shutdown|FLUSHALL|FLUSHDB|SHUTDOWN|Flushall|Flushdb", why: "wipes or stops the Redis server"},
}

// dryRunFlags are options with which a tool only reports what it would do.
var dryRunFlags = []string{"dry-run", "dryrun", "dry_run", "preview-only", "what-if", "whatif"}

// helpFlags are options with which a tool only prints help (not -h: it is --host for many).
var helpFlags = []string{"help"}

// compiledOp is a cliOp split once at init.
type compiledOp struct {
	op       cliOp
	anywhere bool
	words    [][]string // alternatives per command word
	with     []string
}

var opsByCLI = map[string][]compiledOp{}

func init() {
	for _, op := range catalogue {
		if op.why == "" {
			continue
		}
		c := compiledOp{op: op}
		fields := strings.Fields(op.cmd)
		if len(fields) > 0 && fields[0] == "**" {
			c.anywhere, fields = true, fields[1:]
		}
		for _, f := range fields {
			c.words = append(c.words, strings.Split(f, "|"))
		}
		if op.with != "" {
			c.with = strings.Split(op.with, "|")
		}
		for _, name := range strings.Split(op.cli, "|") {
			opsByCLI[name] = append(opsByCLI[name], c)
		}
	}
}

// realRunValue are values of a dry-run option that turn the dry run off.
var realRunValue = map[string]bool{"none": true, "false": true, "0": true, "no": true, "off": true}

// isDryRun reports whether a command only reports what it would do, or only prints help.
func isDryRun(p parsedArgs) bool {
	for _, f := range dryRunFlags {
		if !p.set[f] {
			continue
		}
		// kubectl --dry-run=none (and the legacy =false) really runs; with the option given twice
		// the last value counts, as the tools' flag parsers do.
		if vs := p.vals[f]; len(vs) > 0 && realRunValue[strings.ToLower(vs[len(vs)-1])] {
			continue
		}
		return true
	}
	for _, f := range helpFlags {
		if p.set[f] {
			return true
		}
	}
	return false
}

// catalogueRule judges a command against the catalogue; it is the handler of every CLI listed
// there that has no rule of its own, and rules of their own call it too.
func catalogueRule(a *analyzer, c *call) {
	if isDryRun(c.p) {
		return
	}
	words := make([]string, 0, len(c.p.pos))
	for _, x := range c.p.pos {
		words = append(words, x.val)
	}
	for _, op := range opsByCLI[c.name] {
		if at, end, opt, ok := op.match(words, c.p); ok {
			if op.anywhere {
				at = 0 // name the whole command path: gcloud compute instances delete
			}
			parts := append([]string{c.name}, words[at:min(end, len(words))]...)
			if opt != "" {
				parts = append(parts, optionAsWritten(c, opt))
			}
			a.flag(strings.Join(parts, " ") + " " + op.op.why)
			return
		}
	}
}

// optionAsWritten finds how the normalised option name was written on the command line
// ("-a" for all, "--replicas=0", "-destroy").
func optionAsWritten(c *call, name string) string {
	spec := specFor(c.name)
	for _, x := range c.args[1:] {
		w := x.val
		if !strings.HasPrefix(w, "-") || w == "-" || w == "--" {
			continue
		}
		n, _, _ := strings.Cut(strings.TrimLeft(w, "-"), "=")
		if n == name {
			return w
		}
		if strings.HasPrefix(w, "--") || spec.singleDashLong {
			continue
		}
		for i := 1; i < len(w); i++ {
			if long, ok := spec.short[w[i]]; ok && long == name || string(w[i]) == name {
				return "-" + string(w[i])
			}
		}
	}
	return "--" + name
}

// maxLeadingValues is how many leading positionals a command path may be preceded by: values of
// global options warden does not know take a value (gh -R owner/repo repo delete).
const maxLeadingValues = 2

// match finds the op's command path in words and checks its options; the path is words[at:end].
func (op compiledOp) match(words []string, p parsedArgs) (at, end int, opt string, ok bool) {
	opt, ok = op.hasWith(p)
	if !ok {
		return 0, 0, "", false
	}
	if len(op.words) == 0 {
		return 0, 0, opt, true
	}
	last := maxLeadingValues
	if op.anywhere {
		last = len(words)
	}
	for start := 0; start <= last && start < len(words); start++ {
		if n, ok := op.matchAt(words[start:]); ok {
			return start, start + n, opt, true
		}
	}
	return 0, 0, "", false
}

// matchAt matches the command path at the start of words. Between two path words it skips at
// most maxLeadingValues words that look like option values warden does not know take a value
// (docker compose -f prod.yml down): a file, path, URL, key=value or number, never a bare word.
func (op compiledOp) matchAt(words []string) (int, bool) {
	j, skipped := 0, 0
	for i, alts := range op.words {
		for i > 0 && j < len(words) && !matchWord(alts, words[j]) && skipped < maxLeadingValues && valueLike(words[j]) {
			j++
			skipped++
		}
		if j >= len(words) || !matchWord(alts, words[j]) {
			return 0, false
		}
		j++
	}
	return j, true
}

func valueLike(w string) bool {
	if w == "" {
		return false
	}
	if strings.ContainsAny(w, "./=:@") {
		return true
	}
	for _, r := range w {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func matchWord(alts []string, w string) bool {
	lw := strings.ToLower(w)
	for _, alt := range alts {
		if alt == w || alt == lw {
			return true
		}
		if strings.ContainsAny(alt, "*?[") {
			if ok, _ := path.Match(alt, lw); ok {
				return true
			}
		}
	}
	return false
}

func (op compiledOp) hasWith(p parsedArgs) (string, bool) {
	if len(op.with) == 0 {
		return "", true
	}
	for _, w := range op.with {
		name, want, hasWant := strings.Cut(w, "=")
		if !p.set[name] {
			continue
		}
		if !hasWant {
			return name, true
		}
		for _, v := range p.vals[name] {
			if v == want {
				return name, true
			}
		}
		if len(p.vals[name]) == 0 {
			// An option warden does not know takes a value ("--role Owner"): its value was read
			// as a positional word.
			for _, x := range p.pos {
				if x.val == want {
					return name, true
				}
			}
		}
	}
	return "", false
}
