package shparse

import (
	"regexp"
	"strings"
)

// mongoDanger are the MongoDB shell calls that destroy data or stop the server, as data: a
// pattern over the --eval script (or the script piped in) and the reason.
var mongoDanger = []struct {
	re  *regexp.Regexp
	why string
}{
	{regexp.MustCompile(`\.\s*(dropDatabase|drop|dropIndexes|dropIndex|dropUser|dropAllUsers|dropRole|dropAllRoles)\s*\(`), "drops a database, collection, index or user"},
	{regexp.MustCompile(`\.\s*(deleteMany|remove|updateMany|update|replaceOne|findOneAndDelete)\s*\(\s*\{\s*\}`), "deletes or rewrites every document (empty filter)"},
	{regexp.MustCompile(`\.\s*(deleteMany|remove)\s*\(\s*\)`), "deletes every document (no filter)"},
	{regexp.MustCompile(`(?i)shutdownServer\s*\(|\{\s*["']?shutdown["']?\s*:`), "shuts the server down"},
	{regexp.MustCompile(`\{\s*["']?(dropDatabase|drop|renameCollection|dropIndexes|dropAllUsersFromDatabase|dropAllRolesFromDatabase|dropUser|dropRole)["']?\s*:`), "runs a drop command"},
}

var mongoSpec = &optSpec{valLong: []string{
	"eval", "host", "port", "username", "password", "authenticationDatabase", "file", "tlsCAFile",
}, short: map[byte]string{'u': "username", 'p': "password", 'f': "file"}, valShort: "upf"}

// ruleMongo judges the script of mongosh/mongo --eval (or one piped in).
func ruleMongo(a *analyzer, c *call) {
	p := parseOpts(mongoSpec, c.args[1:])
	scripts := append([]string(nil), p.vals["eval"]...)
	if len(scripts) == 0 && c.ctx.stdin != nil && c.ctx.stdin.known {
		scripts = append(scripts, c.ctx.stdin.text)
	}
	for _, s := range scripts {
		a.res.Embedded = append(a.res.Embedded, Embedded{Kind: "mongo", Text: s})
		for _, d := range mongoDanger {
			if m := d.re.FindString(s); m != "" {
				a.flag(c.name + " --eval " + strings.TrimSpace(strings.Trim(m, ".({:"+" ")) + " " + d.why)
				break
			}
		}
	}
}
