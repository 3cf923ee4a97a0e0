package shparse

import "strings"

// ruleHandlers hold the destructive-command rules, by command name.
var ruleHandlers = map[string]handler{
	"rm": ruleRm, "srm": ruleRm, "unlink": ruleRm,
	"find":  ruleFind,
	"dd":    ruleDd,
	"shred": ruleShred,
	"chmod": ruleChmod, "chown": ruleChmod, "chgrp": ruleChmod,
	"mv": ruleMv, "cp": ruleCp, "tee": ruleTee, "truncate": ruleTruncate, "rsync": ruleRsync,
	"wipefs": ruleDisk, "blkdiscard": ruleDisk, "mkswap": ruleDisk,
	"fdisk": rulePartition, "sfdisk": rulePartition, "gdisk": rulePartition, "sgdisk": rulePartition,
	"cfdisk": rulePartition, "parted": rulePartition,
	"shutdown": rulePower, "reboot": rulePower, "halt": rulePower, "poweroff": rulePower,
	"init": ruleInit, "telinit": ruleInit,
	"systemctl": ruleSystemctl,
	"kill":      ruleKill, "killall5": func(a *analyzer, c *call) { a.flag("killall5 kills every process") },
	"git":     ruleGit,
	"kubectl": ruleKubectl, "oc": ruleKubectl, "kubecolor": ruleKubectl, "k": ruleKubectl,
	"docker": ruleDocker, "podman": ruleDocker, "nerdctl": ruleDocker,
}

// ruleByPrefix covers command families named by prefix (mkfs.ext4, mke2fs, ...) and SQL clients.
func ruleByPrefix(a *analyzer, c *call) {
	switch {
	case strings.HasPrefix(c.name, "mkfs") || c.name == "mke2fs" || c.name == "mkntfs" ||
		c.name == "mkdosfs" || c.name == "newfs":
		a.flag(c.name + " on " + firstOr(c.p.pos, "a device"))
	default:
		ruleSQLClient(a, c)
	}
}

func firstOr(xs []arg, def string) string {
	for _, x := range xs {
		if strings.HasPrefix(x.val, "/dev/") {
			return x.val
		}
	}
	if len(xs) > 0 {
		return xs[len(xs)-1].val
	}
	return def
}

func flagWords(c *call, names ...string) string {
	var parts []string
	short := map[string]string{"recursive": "-r", "force": "-f", "no-preserve-root": "--no-preserve-root"}
	for _, n := range names {
		if c.p.set[n] {
			parts = append(parts, short[n])
		}
	}
	return strings.Join(append([]string{c.name}, parts...), " ")
}

// ruleRm: recursive deletion of anything but temporary or relative working paths; deletion of
// system files; --no-preserve-root.
func ruleRm(a *analyzer, c *call) {
	what := flagWords(c, "recursive", "force")
	if c.p.set["no-preserve-root"] {
		a.flag(c.name + " --no-preserve-root")
	}
	recursive := c.p.set["recursive"] || c.name == "srm"
	for _, t := range c.p.pos {
		if recursive {
			if bad, label := deletionRisk(t); bad {
				a.flag(what + " on " + label)
			}
			continue
		}
		if (isSystemPath(t.val) && !isProtectedDir(t.val)) || isDevice(t.val) {
			a.flag(what + " of system file " + t.val)
		}
	}
}

// findRoots returns the starting points of a find command (its words before the expression).
func findRoots(args []arg) []arg {
	var roots []arg
	for i := 0; i < len(args); i++ {
		v := args[i].val
		switch {
		case v == "-H" || v == "-L" || v == "-P" || strings.HasPrefix(v, "-O"):
		case v == "-D" && i+1 < len(args):
			i++
		case strings.HasPrefix(v, "-") || v == "(" || v == "!" || v == "\\(":
			return roots
		default:
			roots = append(roots, args[i])
		}
	}
	return roots
}

// ruleFind: -delete under a protected root; -exec/-execdir/-ok commands run with {} replaced by
// an entry below the root (find / -exec rm -rf {} \; reads as rm -rf /{}: the matched entries,
// not the search root, so find /tmp -name x -exec rm {} \; stays inside /tmp).
func ruleFind(a *analyzer, c *call) {
	args := c.args[1:]
	roots := findRoots(args)
	if len(roots) == 0 {
		roots = []arg{{val: "."}}
	}
	if c.ctx.xargs {
		roots = append(roots, arg{val: "$(xargs input)", dyn: true})
	}
	for i := 0; i < len(args); i++ {
		switch args[i].val {
		case "-delete":
			for _, r := range roots {
				if bad, label := findRootRisk(r); bad {
					a.flag("find -delete under " + label)
				}
			}
		case "-exec", "-execdir", "-ok", "-okdir":
			j := i + 1
			var inner []arg
			for ; j < len(args) && args[j].val != ";" && args[j].val != "+"; j++ {
				x := args[j]
				if strings.Contains(x.val, "{}") {
					x = arg{val: strings.ReplaceAll(x.val, "{}", matchedEntry(roots[0].val)), dyn: x.dyn || roots[0].dyn}
				}
				inner = append(inner, x)
			}
			if len(inner) > 0 {
				switch baseName(inner[0].val) {
				case "rm", "unlink", "shred", "srm":
					for _, r := range roots {
						if bad, label := findRootRisk(r); bad {
							a.flag("find " + args[i].val + " " + baseName(inner[0].val) + " under " + label)
						}
					}
				}
			}
			a.command(inner, c.ctx.with("find "+args[i].val), c.depth+1)
			i = j
		}
	}
}

// findRootRisk judges deleting what find matches below a starting point: relative roots select
// files inside the working directory and are safe; entries below absolute roots follow
// deletionRisk (below /tmp is safe, below / or /home is not).
func findRootRisk(r arg) (bool, string) {
	v := symbolic(r.val)
	if !strings.HasPrefix(v, "/") && !strings.HasPrefix(v, "~") && !strings.HasPrefix(v, "$") {
		return false, ""
	}
	if bad, _ := deletionRisk(arg{val: matchedEntry(r.val), dyn: r.dyn}); !bad {
		return false, ""
	}
	return true, r.val
}

// matchedEntry names an entry find matches below root.
func matchedEntry(root string) string {
	return strings.TrimSuffix(root, "/") + "/{}"
}

// ruleDd: of= a device or a system file.
func ruleDd(a *analyzer, c *call) {
	for _, x := range c.args[1:] {
		if of, ok := strings.CutPrefix(x.val, "of="); ok {
			if isDevice(of) {
				a.flag("dd writes to device " + of)
			} else if isSystemPath(of) {
				a.flag("dd overwrites system file " + of)
			}
		}
	}
}

func ruleShred(a *analyzer, c *call) {
	for _, t := range c.p.pos {
		if isDevice(t.val) || isSystemPath(t.val) {
			a.flag("shred of " + t.val)
		}
	}
}

// ruleChmod: recursive mode/owner changes on protected directories, and chmod 777 of the root.
func ruleChmod(a *analyzer, c *call) {
	targets := c.p.pos
	if len(targets) > 0 && !c.p.set["reference"] {
		targets = targets[1:] // the mode or owner
	}
	for _, t := range targets {
		switch {
		case c.p.set["recursive"] && (isProtectedDir(t.val) || isSystemPath(t.val)):
			a.flag(c.name + " -R on " + t.val)
		case isProtectedDir(t.val):
			a.flag(c.name + " on " + t.val)
		case isSensitiveFile(t.val):
			a.flag(c.name + " on " + t.val)
		}
	}
}

func ruleMv(a *analyzer, c *call) {
	if len(c.p.pos) < 2 {
		return
	}
	for _, s := range c.p.pos[:len(c.p.pos)-1] {
		if isProtectedDir(s.val) {
			a.flag("mv of " + s.val)
		}
	}
	if dst := c.p.pos[len(c.p.pos)-1].val; isDevice(dst) || isSystemPath(dst) && !isProtectedDir(dst) {
		a.flag("mv overwrites " + dst)
	}
}

func ruleCp(a *analyzer, c *call) {
	if len(c.p.pos) < 2 {
		return
	}
	if dst := c.p.pos[len(c.p.pos)-1].val; isDevice(dst) {
		a.flag("cp writes to device " + dst)
	} else if isSystemPath(dst) && !isProtectedDir(dst) && !strings.HasSuffix(dst, "/") {
		a.flag("cp overwrites system file " + dst)
	}
}

func ruleTee(a *analyzer, c *call) {
	for _, t := range c.p.pos {
		if r := writeTargetRisk(t.val, !c.p.set["a"] && !c.p.set["append"]); r != "" {
			a.flag("tee " + r)
		}
	}
}

func ruleTruncate(a *analyzer, c *call) {
	for _, t := range c.p.pos {
		if isSystemPath(t.val) || isDevice(t.val) {
			a.flag("truncate of system file " + t.val)
		}
	}
}

func ruleRsync(a *analyzer, c *call) {
	del := false
	for _, f := range c.p.flags {
		if strings.HasPrefix(f, "delete") || f == "remove-source-files" {
			del = true
		}
	}
	if !del || len(c.p.pos) < 2 || isDryRun(c.p) || c.p.set["n"] {
		return
	}
	dst := c.p.pos[len(c.p.pos)-1]
	if strings.Contains(dst.val, ":") && !strings.HasPrefix(dst.val, "/") {
		return // remote destination: not judged here
	}
	if bad, label := deletionRisk(dst); bad {
		a.flag("rsync --delete into " + label)
	}
}

func ruleDisk(a *analyzer, c *call) {
	a.flag(c.name + " on " + firstOr(c.p.pos, "a device"))
}

// listOnly are the options with which partition tools only read.
var listOnly = map[string][]string{
	"fdisk":  {"l", "list", "V", "version", "h", "help"},
	"sfdisk": {"l", "list", "d", "dump", "s", "show-size", "V", "verify", "J", "json", "g", "show-geometry", "list-free", "F", "h", "help", "v", "version"},
	"gdisk":  {"l", "h", "help"},
	"sgdisk": {"p", "print", "v", "verify", "i", "info", "O", "print-mbr", "h", "help", "V", "version"},
	"parted": {"l", "list", "h", "help", "v", "version"},
}

// rulePartition: partition editors, unless only listing or printing.
func rulePartition(a *analyzer, c *call) {
	for _, f := range listOnly[c.name] {
		if c.p.set[f] {
			return
		}
	}
	if c.name == "parted" && len(c.p.pos) > 1 {
		switch c.p.pos[1].val {
		case "print", "p", "help", "unit":
			return
		}
	}
	a.flag(c.name + " on " + firstOr(c.p.pos, "a disk"))
}

func rulePower(a *analyzer, c *call) {
	if c.p.set["c"] || c.p.set["help"] || c.p.set["k"] {
		return
	}
	a.flag(c.name + " stops the machine")
}

func ruleInit(a *analyzer, c *call) {
	if len(c.p.pos) > 0 && (c.p.pos[0].val == "0" || c.p.pos[0].val == "6") {
		a.flag(c.name + " " + c.p.pos[0].val + " stops the machine")
	}
}

func ruleSystemctl(a *analyzer, c *call) {
	for _, x := range c.p.pos {
		switch x.val {
		case "poweroff", "reboot", "halt", "kexec", "emergency", "rescue", "soft-reboot":
			a.flag("systemctl " + x.val + " stops the machine")
			return
		}
	}
}

// ruleKill: kill -9 -1 signals every process the user can reach.
func ruleKill(a *analyzer, c *call) {
	for i, x := range c.args[1:] {
		if x.val == "-1" && (i > 0 || len(c.args) == 2) {
			a.flag("kill -1 kills every process")
		}
	}
	for _, x := range c.p.pos {
		if x.val == "-1" {
			a.flag("kill -1 kills every process")
		}
	}
}
