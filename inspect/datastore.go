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
	if strings.HasPrefix(t, "db.") || strings.HasPrefix(t, "db[") || strings.HasPrefix(t, "db.getSiblingDB(") {
		return []string{"mongosh", "--quiet", "--eval", t}, true
	}
	fields := strings.Fields(t)
	if redisCommands[strings.ToUpper(fields[0])] && fields[0] == strings.ToUpper(fields[0]) {
		return append([]string{"redis-cli"}, fields...), true
	}
	return nil, false
}

// wipesDataStore reports text that is, whatever carries it, a command that wipes a data
// store: FLUSHALL or FLUSHDB in capitals as the first word (a Redis REST bridge such as
// Upstash or Webdis takes ["FLUSHALL"] as its body). These words are nothing else.
func wipesDataStore(t string) bool {
	first, _, _ := strings.Cut(strings.TrimSpace(t), " ")
	return first == "FLUSHALL" || first == "FLUSHDB"
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
		!(x.toolProg == "redis-cli" && strings.EqualFold(path.Base(argv[0]), "redis")) {
		return append([]string{x.toolProg}, argv...)
	}
	if ds, ok := dataStoreArgvOf(argv); ok {
		return ds
	}
	return argv
}
