package sqlparse

import (
	"fmt"
	"strconv"
	"strings"
)

// The lexical classifier reads SQL of dialects without a Go grammar (BigQuery, Snowflake, T-SQL,
// ClickHouse, Trino) and SQL whose dialect is unknown. It tokenises with the dialect's quoting and
// comment rules, splits statements at top-level semicolons (and T-SQL's GO), and judges every
// verb wherever it stands, so that statements without semicolons (T-SQL) and statements inside
// BEGIN … END blocks are all seen. It is conservative: a statement whose first word it does not
// know, or whose destructive verb is not followed by the shape SQL gives it ("delete my account"
// is not DELETE), is not understood and the Result gets a ParseError.

// verbClass maps the words that start statements to what they do.
var verbClass = map[string]Class{
	"select": ClassRead, "with": ClassRead, "values": ClassRead, "show": ClassRead,
	"describe": ClassRead, "desc": ClassRead, "explain": ClassRead, "list": ClassRead, "ls": ClassRead,
	"get": ClassRead, "assert": ClassRead, "from": ClassRead, "table": ClassRead, "summarize": ClassRead,
	"insert": ClassWrite, "update": ClassWrite, "delete": ClassWrite, "merge": ClassWrite,
	"upsert": ClassWrite, "replace": ClassWrite, "copy": ClassWrite, "load": ClassWrite,
	"put": ClassWrite, "export": ClassWrite, "unload": ClassWrite, "bulk": ClassWrite,
	"create": ClassDDL, "alter": ClassDDL, "drop": ClassDDL, "truncate": ClassDDL, "rename": ClassDDL,
	"undrop": ClassDDL, "comment": ClassDDL, "attach": ClassDDL, "detach": ClassDDL,
	"exchange": ClassDDL, "remove": ClassDDL, "rm": ClassDDL,
	"grant": ClassPrivilege, "revoke": ClassPrivilege, "deny": ClassPrivilege,
	"set": ClassSession, "use": ClassSession, "begin": ClassSession, "commit": ClassSession,
	"rollback": ClassSession, "start": ClassSession, "end": ClassSession, "declare": ClassSession,
	"if": ClassSession, "else": ClassSession, "elseif": ClassSession, "elsif": ClassSession,
	"while": ClassSession, "loop": ClassSession, "for": ClassSession, "repeat": ClassSession,
	"return": ClassSession, "leave": ClassSession, "iterate": ClassSession, "raise": ClassSession,
	"print": ClassSession, "go": ClassSession, "savepoint": ClassSession, "release": ClassSession,
	"lock": ClassSession, "unlock": ClassSession, "open": ClassSession, "close": ClassSession,
	"fetch": ClassSession, "deallocate": ClassSession, "waitfor": ClassSession, "throw": ClassSession,
	"break": ClassSession, "continue": ClassSession, "exception": ClassSession, "when": ClassSession,
	"case": ClassSession, "let": ClassSession, "pragma": ClassSession, "reset": ClassSession,
	"call": ClassExecute, "exec": ClassExecute, "execute": ClassExecute, "do": ClassExecute,
	"prepare": ClassExecute,
	"msck":    ClassAdmin, "refresh": ClassAdmin, "analyze": ClassAdmin, "optimize": ClassAdmin,
	"vacuum": ClassAdmin, "system": ClassAdmin, "kill": ClassAdmin, "shutdown": ClassAdmin,
	"dbcc": ClassAdmin, "backup": ClassAdmin, "restore": ClassAdmin, "checkpoint": ClassAdmin,
	"reconfigure": ClassAdmin, "cache": ClassAdmin, "uncache": ClassAdmin, "purge": ClassAdmin,
	"check": ClassAdmin, "flush": ClassAdmin, "repair": ClassAdmin,
}

// destructiveVerbs are statements that destroy by themselves, with their reason.
var destructiveVerbs = map[string]string{
	"shutdown": "SHUTDOWN stops the server",
	"kill":     "KILL ends a session or query",
	"restore":  "RESTORE overwrites a database",
	"detach":   "DETACH takes a table or database offline",
	"remove":   "REMOVE deletes staged files",
	"rm":       "RM deletes staged files",
	"purge":    "PURGE deletes data permanently",
}

// dangerWords are identifiers whose mere use destroys or escalates.
var dangerWords = map[string]string{
	"xp_cmdshell":         "xp_cmdshell runs an operating-system command",
	"sp_oacreate":         "sp_OACreate runs code outside the database",
	"expire_snapshots":    "expire_snapshots deletes table history",
	"remove_orphan_files": "remove_orphan_files deletes data files",
	"accountadmin":        "grants or uses an administrative role (ACCOUNTADMIN)",
	"securityadmin":       "grants or uses an administrative role (SECURITYADMIN)",
	"sysadmin":            "grants or uses an administrative role (sysadmin)",
	"db_owner":            "grants an administrative role (db_owner)",
	"sp_addsrvrolemember": "grants a server role",
	"outfile":             "writes a server file (INTO OUTFILE)",
	"dumpfile":            "writes a server file (INTO DUMPFILE)",
}

// ddlObjects are the words that may follow CREATE/ALTER/DROP (after OR REPLACE, TEMPORARY, …).
var ddlObjects = map[string]bool{
	"table": true, "view": true, "database": true, "schema": true, "index": true, "function": true,
	"procedure": true, "proc": true, "trigger": true, "sequence": true, "user": true, "role": true,
	"login": true, "warehouse": true, "stage": true, "stream": true, "task": true, "pipe": true,
	"dataset": true, "model": true, "materialized": true, "dictionary": true, "column": true,
	"partition": true, "share": true, "integration": true, "type": true, "external": true,
	"temporary": true, "temp": true, "transient": true, "or": true, "if": true, "unique": true,
	"clustered": true, "nonclustered": true, "snapshot": true, "catalog": true, "tag": true,
	"policy": true, "row": true, "masking": true, "network": true, "file": true, "format": true,
	"sequence_": true, "live": true, "quota": true, "settings": true, "profile": true,
	"dynamic": true, "iceberg": true, "hybrid": true, "secure": true, "recursive": true,
	"constraint": true, "key": true, "primary": true, "foreign": true, "search": true,
	"capability": true, "reservation": true, "assignment": true, "event": true, "server": true,
	"connection": true, "synonym": true, "assembly": true, "certificate": true, "credential": true,
	"global": true, "local": true, "aggregate": true, "macro": true, "secret": true, "alert": true,
	"notebook": true, "application": true, "account": true, "organization": true, "replication": true,
	"resource": true, "monitor": true, "compute": true, "pool": true, "api": true, "branch": true,
	"extension": true, "domain": true, "owned": true, "tablespace": true, "unlogged": true,
	"definer": true, "algorithm": true, "sql": true, "security": true, "distributed": true,
}

// analyzeLexical classifies src with the lexical rules of dialect d. For DialectGeneric, whose
// string escapes are unknown, the text is read both with and without backslash escapes and the
// worse reading wins.
func analyzeLexical(src string, d Dialect, depth int) Result {
	rules, ok := dialectRules[d]
	if !ok {
		rules = dialectRules[DialectGeneric]
	}
	res := lexicalResult(src, d, rules, depth)
	if d == DialectGeneric {
		rules.backslash = false
		alt := lexicalResult(src, d, rules, depth)
		if worse(alt, res) {
			res = alt
		}
	}
	return res
}

// worse reports whether a is a more severe reading than b (not understood, then destructive).
func worse(a, b Result) bool {
	switch {
	case a.ParseError != "" && b.ParseError == "":
		return true
	case b.ParseError != "":
		return false
	}
	return a.Destructive && !b.Destructive
}

func lexicalResult(src string, d Dialect, rules lexRules, depth int) Result {
	res := Result{Dialect: d}
	toks, ok := lexSQL(src, rules)
	if !ok {
		res.ParseError = fmt.Sprintf("not understood as %s SQL: a string, quoted name or comment does not end", d)
		return res
	}
	if !parensBalance(toks) {
		// A statement cut short reads as bounded ("WHERE id IN (SELECT id FROM t"): words alone
		// cannot say where its WHERE ends, so it is not understood.
		res.ParseError = fmt.Sprintf("not understood as %s SQL: parentheses do not balance", d)
		return res
	}
	var stmts []Statement
	for _, part := range splitLex(toks, rules) {
		st := classifyLexical(part, d, depth)
		if st.Class == ClassUnknown {
			res.ParseError = fmt.Sprintf("not understood as %s SQL: %s", d, st.Reason)
			return Result{Dialect: d, ParseError: res.ParseError}
		}
		stmts = append(stmts, st)
	}
	for _, st := range stmts {
		res.add(st)
	}
	return res
}

// lexicalStatements classifies one statement text (used for MySQL statements vitess only knows
// as "other admin"); a statement not understood is returned with ClassUnknown.
func lexicalStatements(src string, d Dialect, depth int) []Statement {
	toks, ok := lexSQL(src, dialectRules[d])
	if !ok {
		return []Statement{{Kind: "unknown", Class: ClassUnknown, Reason: "unterminated quote or comment"}}
	}
	var out []Statement
	for _, part := range splitLex(toks, dialectRules[d]) {
		out = append(out, classifyLexical(part, d, depth))
	}
	return out
}

// splitLex splits tokens into statements at top-level semicolons and T-SQL's GO lines.
func splitLex(toks []lexTok, r lexRules) [][]lexTok {
	var out [][]lexTok
	start := 0
	for i, t := range toks {
		sep := t.kind == lkPunct && t.word == ";" && t.depth <= 0
		goLine := r.goBatches && t.kind == lkWord && t.word == "go" && t.line &&
			(i+1 == len(toks) || toks[i+1].line || toks[i+1].kind == lkNumber)
		if sep || goLine {
			if i > start {
				out = append(out, toks[start:i])
			}
			start = i + 1
		}
	}
	if start < len(toks) {
		out = append(out, toks[start:])
	}
	return out
}

// classifyLexical judges one statement's tokens.
func classifyLexical(toks []lexTok, d Dialect, depth int) Statement {
	first := 0
	for first < len(toks) && toks[first].kind == lkPunct && toks[first].word == "(" {
		first++
	}
	if first >= len(toks) {
		return Statement{Kind: "unknown", Class: ClassUnknown, Reason: "a statement without a verb"}
	}
	verb := toks[first].word
	class, known := verbClass[verb]
	if toks[first].kind != lkWord || !known {
		return Statement{Kind: "unknown", Class: ClassUnknown, Reason: "a statement starting with " + strconv.Quote(verb)}
	}
	st := Statement{Kind: verb, Class: class}
	if why := shapeProblem(toks[first:], verb); why != "" {
		return Statement{Kind: verb, Class: ClassUnknown, Reason: why}
	}
	stageRemove := verb != "remove" || d == DialectSnowflake || d == DialectGeneric
	if r, ok := destructiveVerbs[verb]; ok && stageRemove {
		st.Destructive, st.Reason = true, r
	}
	if verb == "vacuum" && hasWord(toks, "retain") {
		st.Destructive, st.Reason = true, "VACUUM … RETAIN deletes table history"
	}
	if verb == "create" && (hasWord(toks, "procedure") || hasWord(toks, "function") || hasWord(toks, "task")) {
		// A body given as a string ($$ … $$, '…') runs later: SQL in it counts now.
		if bad, why, _ := procedureSQL(toks[first:], d, depth); bad {
			st.Destructive, st.Reason = true, "CREATE "+strings.ToUpper(wordAt(toks, first+1))+" body: "+why
		}
	}
	hasWhere := false
	for i := first; i < len(toks) && !st.Destructive; i++ {
		t := toks[i]
		if t.kind != lkWord {
			continue
		}
		if r, ok := dangerWords[t.word]; ok {
			st.Destructive, st.Reason = true, r
			break
		}
		bad, reason, where := verbDanger(toks, i, verb, d, depth)
		hasWhere = hasWhere || where
		if bad {
			st.Destructive, st.Reason = true, reason
		}
	}
	st.HasWhere = hasWhere && !st.Destructive
	return st
}

// verbDanger judges the word at toks[i] in its statement (whose first verb is verb).
func verbDanger(toks []lexTok, i int, verb string, d Dialect, depth int) (bad bool, reason string, where bool) {
	w := toks[i].word
	prev, next := wordAt(toks, i-1), wordAt(toks, i+1)
	switch w {
	case "drop":
		if verb == "system" && hasWord(toks, "cache") {
			return false, "", false
		}
		return true, strings.TrimSpace("DROP " + strings.ToUpper(next)), false
	case "truncate":
		if next == "(" {
			return false, "", false
		}
		return true, "TRUNCATE", false
	case "delete", "update":
		if next == "(" || prev == "on" || prev == "for" || prev == "of" || prev == "then" || prev == "no" ||
			prev == "before" || prev == "after" || prev == "instead" || prev == "or" || prev == "," || prev == "grant" {
			return false, "", false
		}
		if verb == "grant" || verb == "revoke" || verb == "deny" || verb == "create" && hasWord(toks, "trigger") {
			return false, "", false
		}
		if real, _ := realLexWhere(toks, i); !real {
			return true, strings.ToUpper(w) + " without a real WHERE", false
		}
		return false, "", true
	case "merge":
		if mergeUnbounded(toks, i) {
			return true, "MERGE … DELETE/UPDATE without a real ON condition", false
		}
	case "grant", "revoke":
		if next == "all" {
			return true, strings.ToUpper(w) + " ALL", false
		}
		if w == "grant" && hasWordAfter(toks, i, "to") && hasWordAfter(toks, i, "public") {
			return true, "GRANT to PUBLIC", false
		}
	case "create":
		if next == "or" && wordAt(toks, i+2) == "replace" && wordsWithin(toks, i+3, 4, "table") {
			return true, "CREATE OR REPLACE TABLE replaces a table and its data", false
		}
	case "immediate", "exec", "execute", "sp_executesql":
		return execDanger(toks, i, d, depth)
	}
	return false, "", false
}

// execDanger judges EXEC/EXECUTE IMMEDIATE/sp_executesql: a literal is analysed as SQL; a
// variable is dynamic SQL warden cannot see.
func execDanger(toks []lexTok, i int, d Dialect, depth int) (bool, string, bool) {
	w := toks[i].word
	j := i + 1
	if w != "immediate" && wordAt(toks, j) == "immediate" {
		return false, "", false // judged at IMMEDIATE
	}
	if wordAt(toks, j) == "sp_executesql" {
		return false, "", false // judged at sp_executesql
	}
	if j < len(toks) && toks[j].kind == lkPunct && toks[j].word == "(" {
		j++
	}
	if j >= len(toks) {
		return false, "", false
	}
	t := toks[j]
	switch {
	case t.kind == lkString:
		if depth >= maxNesting {
			return true, "EXECUTE nested too deep to analyse", false
		}
		in := analyzeDialect(t.word, d, depth+1)
		if in.Destructive {
			return true, "EXECUTE: " + in.Reasons[0], false
		}
		if in.ParseError != "" {
			return true, "EXECUTE of SQL warden cannot read", false
		}
	case t.kind == lkWord && (strings.HasPrefix(t.word, "@") || strings.HasPrefix(t.word, "$") ||
		w == "immediate" || w == "sp_executesql"):
		return true, "runs dynamic SQL (EXECUTE of a variable)", false
	case t.kind == lkWord:
		return procedureSQL(toks[j:], d, depth)
	}
	return false, "", false
}

// procedureSQL judges SQL passed as a string to a procedure (T-SQL sp_MSforeachtable
// 'DELETE FROM ?', sp_MSforeachdb, job steps): a literal that reads as SQL is analysed, with the
// procedure's ? placeholder standing for a table.
func procedureSQL(toks []lexTok, d Dialect, depth int) (bool, string, bool) {
	if depth >= maxNesting {
		return true, "EXEC nested too deep to analyse", false
	}
	for _, t := range toks[1:] {
		if t.kind != lkString {
			continue
		}
		text := strings.ReplaceAll(t.word, "?", "warden_each")
		lt, ok := lexSQL(text, dialectRules[d])
		if !ok || len(lt) == 0 || lt[0].kind != lkWord || verbClass[lt[0].word] == "" {
			continue
		}
		if in := analyzeDialect(text, d, depth+1); in.Destructive {
			return true, "EXEC " + toks[0].word + ": " + in.Reasons[0], false
		}
	}
	return false, "", false
}

func wordAt(toks []lexTok, i int) string {
	if i < 0 || i >= len(toks) {
		return ""
	}
	return toks[i].word
}

func hasWord(toks []lexTok, w string) bool {
	return hasWordAfter(toks, -1, w)
}

func hasWordAfter(toks []lexTok, i int, w string) bool {
	for _, t := range toks[i+1:] {
		if t.kind == lkWord && t.word == w {
			return true
		}
	}
	return false
}

func wordsWithin(toks []lexTok, from, n int, w string) bool {
	for i := from; i < len(toks) && i < from+n; i++ {
		if toks[i].kind == lkWord && toks[i].word == w {
			return true
		}
	}
	return false
}

// parensBalance reports whether every parenthesis of toks is closed, and none before it opens.
func parensBalance(toks []lexTok) bool {
	n := 0
	for _, t := range toks {
		if t.kind != lkPunct {
			continue
		}
		switch t.word {
		case "(":
			n++
		case ")":
			if n--; n < 0 {
				return false
			}
		}
	}
	return n == 0
}
