package redact

import "bytes"

// Argv arrays: a flag naming a secret and its value as two elements of a
// command's argument list, as MCP server configurations, Docker and
// Kubernetes `args`, subprocess calls and CI files write them:
//
//	"args": ["mcp-atlassian", "--jira-token", "V"]
//	subprocess.run(["tool", "--api-key", "V"])
//	args: ["--auth-token", "V"]
//
// In text the flag string, a comma and the quoted value are read across
// line breaks (argv-flag-secret); in JSON the element after such a flag takes
// the flag's name as its key (argvFlag, called by RedactJSON).

const argvMax = 64 + 8 + 64 + maxKeyedValue

func argvRules() []*rule {
	return []*rule{
		custom("argv-flag-secret", Secret, argvMax, matchArgvFlag,
			`token"`, `key"`, `secret"`, `password"`, `passwd"`, `passphrase"`, `credential"`, `credentials"`, `pat"`,
			`token'`, `key'`, `secret'`, `password'`, `pass"`, `pass'`).lowPrecedence(),
	}
}

func matchArgvFlag(_ *rule, b []byte, ks, ke int) (int, int, int) {
	q := b[ke-1]
	ns := ks
	for ns > 0 && ks-ns < 64 && nameByte(b[ns-1]) {
		ns--
	}
	if ns == 0 || b[ns-1] != q || b[ns] != '-' {
		return -1, -1, -1 // not a quoted flag
	}
	j := ke
	for k := 0; j < len(b) && k < 64 && (b[j] == ' ' || b[j] == '\t' || b[j] == '\n' || b[j] == '\r'); k++ {
		j++
	}
	if j >= len(b) {
		return -1, -1, pendIfNear(b, ks, argvMax)
	}
	if b[j] != ',' {
		return -1, -1, -1
	}
	j = skipBlank(b, j+1)
	if j >= len(b) {
		return -1, -1, pendIfNear(b, ks, argvMax)
	}
	if b[j] != q {
		return -1, -1, -1
	}
	vs := j + 1
	ve := vs
	for ve < len(b) && ve-vs <= maxKeyedValue && b[ve] != q && b[ve] != '\n' {
		if b[ve] == '\\' {
			ve++
		}
		ve++
	}
	if ve >= len(b) {
		return -1, -1, pendIfNear(b, ks, argvMax)
	}
	if b[ve] != q {
		return -1, -1, -1
	}
	v := b[vs:ve]
	if len(v) < 8 || v[0] == '-' || proseWord(v) {
		return -1, -1, -1
	}
	secret, password := secretKeyName(bytes.TrimLeft(b[ns:ke-1], "-"))
	if !secret || !credibleValue(v, password) && !uuidShape.Match(v) {
		return -1, -1, -1
	}
	return vs, ve, -1
}

// argvFlag remembers a JSON array element that is a flag naming a secret,
// so that the element after it is read under the flag's name.
type argvFlag struct {
	depth, index, end int
	name              string
}

// key returns the key to scan the string v (at b[start:end], path) under:
// the preceding flag's name when v is the element right after one, else
// key. It records v when v is such a flag.
func (f *argvFlag) key(path []pathElem, b []byte, start, end int, v []byte, key string) string {
	n := len(path)
	if n == 0 || path[n-1].isKey {
		f.end = 0
		return key
	}
	out := key
	if f.end > 0 && f.depth == n && path[n-1].index == f.index+1 && len(bytes.Trim(b[f.end:start], " \t\r\n,")) == 0 {
		out = f.name
	}
	f.end = 0
	if len(v) > 2 && len(v) <= 64 && v[0] == '-' && bytes.IndexByte(v, '=') < 0 {
		name := bytes.TrimLeft(v, "-")
		if s, _ := secretKeyName(name); s {
			f.depth, f.index, f.end, f.name = n, path[n-1].index, end, string(name)
		}
	}
	return out
}
