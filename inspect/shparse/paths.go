package shparse

import (
	"path"
	"strings"
)

// tempRoots are directories whose contents are disposable.
var tempRoots = []string{"/tmp", "/var/tmp", "/dev/shm", "/private/tmp", "/private/var/tmp"}

// systemRoots are directories whose files the system needs.
var systemRoots = []string{
	"/etc", "/boot", "/bin", "/sbin", "/usr", "/lib", "/lib32", "/lib64",
	"/libx32", "/var/lib", "/root", "/sys", "/proc", "/opt", "/srv", "/System", "/Library",
}

// harmlessDevices can be written without damage.
var harmlessDevices = []string{
	"/dev/null", "/dev/zero", "/dev/random", "/dev/urandom", "/dev/full",
	"/dev/stdout", "/dev/stderr", "/dev/stdin", "/dev/tty", "/dev/console",
}

// symbolic resolves the variables whose meaning is known without their value.
func symbolic(v string) string {
	for _, r := range []struct{ from, to string }{
		{"$HOME", "~"},
		{"$TMPDIR", "/tmp"},
		{"$TMP", "/tmp"},
		{"$TEMP", "/tmp"},
		{"$PWD", "."},
		{"$XDG_RUNTIME_DIR", "/tmp"},
		{"$USER", "user"},
	} {
		if strings.HasPrefix(v, r.from) {
			rest := v[len(r.from):]
			if rest == "" || rest[0] == '/' {
				return r.to + rest
			}
		}
	}
	return v
}

// deletionRisk says whether deleting p recursively destroys something that matters, and names it.
// Temporary directories and relative paths inside the working directory are safe; the root, the
// home directory, system directories, any other absolute path, the working directory itself and
// paths warden cannot resolve are not.
func deletionRisk(x arg) (bool, string) {
	v := symbolic(x.val)
	if i := strings.IndexByte(v, '$'); i >= 0 {
		prefix := v[:i]
		if prefix == "" || !strings.Contains(prefix, "/") {
			return true, "an unresolved path " + x.val
		}
		// Judge by the static directory prefix: /tmp/$X is temporary, /var/$X is not.
		v = prefix[:strings.LastIndexByte(prefix, '/')+1] + "x"
	}
	if v == "~" || strings.HasPrefix(v, "~") {
		return true, x.val
	}
	if strings.HasPrefix(v, "/") {
		c := path.Clean(v)
		for _, t := range tempRoots {
			if strings.HasPrefix(c, t+"/") {
				return false, ""
			}
		}
		return true, x.val
	}
	c := path.Clean(v)
	if c == "." || c == "*" || c == ".*" || allDotDot(c) {
		return true, x.val
	}
	return false, ""
}

func allDotDot(c string) bool {
	for _, p := range strings.Split(c, "/") {
		if p != ".." {
			return false
		}
	}
	return true
}

// isSystemPath reports whether p is the root, a system directory or a file below one.
func isSystemPath(p string) bool {
	p = symbolic(p)
	if !strings.HasPrefix(p, "/") {
		return false
	}
	c := path.Clean(p)
	if c == "/" {
		return true
	}
	for _, s := range systemRoots {
		if c == s || strings.HasPrefix(c, s+"/") {
			return true
		}
	}
	return false
}

// isProtectedDir reports whether p is the root, a home directory or a top-level system directory.
func isProtectedDir(p string) bool {
	p = symbolic(p)
	if p == "~" || p == "~/" || (strings.HasPrefix(p, "~") && !strings.Contains(p, "/")) {
		return true
	}
	if !strings.HasPrefix(p, "/") {
		return false
	}
	c := path.Clean(p)
	if c == "/" || c == "/home" || c == "/Users" || c == "/var" || c == "/*" {
		return true
	}
	for _, s := range systemRoots {
		if c == s || c == s+"/*" {
			return true
		}
	}
	return false
}

// isDevice reports whether p is a device node other than the harmless ones (/dev/null ...).
func isDevice(p string) bool {
	if !strings.HasPrefix(p, "/dev/") {
		return false
	}
	c := path.Clean(p)
	for _, h := range harmlessDevices {
		if c == h {
			return false
		}
	}
	for _, pre := range []string{"/dev/fd/", "/dev/pts/", "/dev/shm/", "/dev/tty", "/dev/std"} {
		if strings.HasPrefix(c, pre) {
			return false
		}
	}
	return true
}

// sensitiveFiles are files where even appending changes who can do what.
var sensitiveFiles = []string{
	"/etc/sudoers", "/etc/passwd", "/etc/shadow", "/etc/group",
	"/etc/crontab", "/etc/ld.so.preload", "/root/.ssh/authorized_keys", "/etc/ssh/sshd_config",
}

// writeTargetRisk judges an output redirection or write target; "" when harmless.
func writeTargetRisk(p string, truncate bool) string {
	switch {
	case isDevice(p):
		return "writes to device " + p
	case truncate && isSystemPath(p):
		return "truncates system file " + p
	}
	if isSensitiveFile(p) {
		return "modifies " + p
	}
	return ""
}

// isSensitiveFile reports whether p controls who may log in or run what (sudoers, passwd, shadow,
// cron, authorized_keys, sshd_config, ld.so.preload).
func isSensitiveFile(p string) bool {
	c := path.Clean(symbolic(p))
	for _, s := range sensitiveFiles {
		if c == s {
			return true
		}
	}
	return strings.HasPrefix(c, "/etc/sudoers.d/") || strings.HasPrefix(c, "/etc/cron.") ||
		strings.HasSuffix(c, "/.ssh/authorized_keys")
}
