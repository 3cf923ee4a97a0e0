package inspect

import (
	"path"
	"strings"
)

// redisCommands are Redis commands that a tool argument may hold on its own, without the
// redis-cli in front ({"command": "FLUSHALL"} for a cache tool). Read as redis-cli's
// arguments, the shell catalogue judges them like any redis-cli command line.
var redisCommands = map[string]bool{
	"FLUSHALL": true, "FLUSHDB": true, "SHUTDOWN": true, "SWAPDB": true, "DEBUG": true,
	"SCRIPT": true, "FUNCTION": true, "CONFIG": true, "CLUSTER": true, "DEL": true, "UNLINK": true,
	"FAILOVER": true, "REPLICAOF": true, "SLAVEOF": true, "MIGRATE": true,
}

// dataStoreArgv reads text written in a data store's own command language as the CLI that
// runs it: a Redis command ("FLUSHALL ASYNC" is redis-cli FLUSHALL ASYNC) or a MongoDB shell
// call ("db.users.deleteMany({})" is mongosh --eval ...). ok is false for other text. SQL is
// not handled here: it has its own reading.
func dataStoreArgv(text string) ([]string, bool) {
	t := strings.TrimSpace(text)
	if t == "" {
		return nil, false
	}
	if strings.HasPrefix(t, "db.") || strings.HasPrefix(t, "db[") {
		return []string{"mongosh", "--quiet", "--eval", t}, true
	}
	if first, _, _ := strings.Cut(t, " "); !redisCommands[strings.TrimSpace(first)] {
		return nil, false // the common case: no allocation
	}
	fields := strings.Fields(t)
	if !redisCommands[fields[0]] || !redisArgs(fields) {
		return nil, false
	}
	return append([]string{"redis-cli"}, fields...), true
}

// redisArgs reports whether words read as a Redis command line rather than prose that starts
// with a command's name: FLUSHALL/FLUSHDB take only ASYNC or SYNC, SHUTDOWN only its options,
// and no word of any command ends a sentence.
func redisArgs(fields []string) bool {
	switch fields[0] {
	case "FLUSHALL", "FLUSHDB":
		return wipesDataStore(strings.Join(fields, " "))
	case "SHUTDOWN":
		for _, w := range fields[1:] {
			switch strings.ToUpper(w) {
			case "NOSAVE", "SAVE", "NOW", "FORCE", "ABORT":
			default:
				return false
			}
		}
		return true
	}
	for _, w := range fields {
		if strings.ContainsAny(w[len(w)-1:], ",;!?") {
			return false
		}
	}
	return true
}

// wipesDataStore reports text that is, whatever carries it, a command that wipes a data
// store: FLUSHALL or FLUSHDB in capitals, alone or with ASYNC/SYNC (a Redis REST bridge such
// as Upstash or Webdis takes ["FLUSHALL"] as its body). These words are nothing else.
func wipesDataStore(t string) bool {
	if !strings.HasPrefix(strings.TrimSpace(t), "FLUSH") {
		return false // the common case: no allocation
	}
	f := strings.Fields(t)
	if len(f) == 0 || len(f) > 2 || f[0] != "FLUSHALL" && f[0] != "FLUSHDB" {
		return false // "FLUSHALL is dangerous, don't run it" is prose about the command
	}
	return len(f) == 1 || strings.EqualFold(f[1], "ASYNC") || strings.EqualFold(f[1], "SYNC")
}

// dataStoreArgvOf is dataStoreArgv for a command already split into words
// ({"command": "FLUSHALL", "args": ["ASYNC"]}).
func dataStoreArgvOf(argv []string) ([]string, bool) {
	if len(argv) == 0 {
		return nil, false
	}
	if redisCommands[strings.ToUpper(argv[0])] && argv[0] == strings.ToUpper(argv[0]) {
		return append([]string{"redis-cli"}, argv...), true
	}
	return nil, false
}

// toolArgv puts the program a tool is named for in front of argv when argv does not start
// with it (a "redis" tool's ["FLUSHALL"] is redis-cli FLUSHALL), and reads a bare data-store
// command as its CLI.
func (x *extractor) toolArgv(argv []string) []string {
	if len(argv) == 0 {
		return argv
	}
	if x.toolProg != "" && !strings.EqualFold(path.Base(argv[0]), x.toolProg) &&
		(x.toolProg != "redis-cli" || !strings.EqualFold(path.Base(argv[0]), "redis")) {
		return append([]string{x.toolProg}, argv...)
	}
	if ds, ok := dataStoreArgvOf(argv); ok {
		return ds
	}
	return argv
}
