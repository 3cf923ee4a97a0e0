package sqlparse

import (
	"strconv"
	"strings"
)

// shapeProblem checks that a statement starting with a destructive verb has the shape SQL gives
// it, so that prose ("delete my account", "kill the process") is not taken for SQL. It returns
// why the statement is not understood, or "".
func shapeProblem(toks []lexTok, verb string) string {
	next := wordAt(toks, 1)
	switch verb {
	case "delete":
		return deleteShape(toks)
	case "update":
		if !wordsWithin(toks, 1, 12, "set") && !hasWord(toks, "where") {
			return "UPDATE without SET"
		}
	case "drop", "undrop":
		return dropShape(toks, verb)
	case "truncate":
		return truncateShape(toks)
	case "grant", "revoke", "deny":
		if !hasWord(toks, "to") && !hasWord(toks, "from") && !hasWord(toks, "on") {
			return strings.ToUpper(verb) + " without ON, TO or FROM"
		}
	case "merge":
		if !hasWord(toks, "using") {
			return "MERGE without USING"
		}
	case "kill":
		target := len(toks) >= 2 && (toks[1].kind == lkNumber || toks[1].kind == lkString ||
			oneOf(next, "query", "connection", "mutation", "session", "spid", "stats"))
		if !target {
			return "KILL without a session or query"
		}
	case "restore":
		if !oneOf(next, "database", "table", "log", "filelistonly", "headeronly", "verifyonly", "labelonly") {
			return "RESTORE of an unknown kind of object"
		}
	case "detach":
		if !oneOf(next, "table", "database", "view", "dictionary", "partition", "part") {
			return "DETACH of an unknown kind of object"
		}
	case "remove", "rm":
		stage := len(toks) >= 2 && (strings.HasPrefix(next, "@") || toks[1].kind == lkString)
		if !stage {
			return strings.ToUpper(verb) + " without a stage"
		}
	case "purge":
		if !oneOf(next, "binary", "master", "recyclebin", "dba_recyclebin", "table", "index", "tablespace") {
			return "PURGE of an unknown kind of object"
		}
	case "shutdown":
		if len(toks) > 1 && next != "with" {
			return "SHUTDOWN followed by " + strconv.Quote(next)
		}
	case "select", "insert", "create", "alter", "exec", "execute", "call", "copy":
		if len(toks) < 2 {
			return strings.ToUpper(verb) + " alone"
		}
	}
	return ""
}

func oneOf(w string, set ...string) bool {
	for _, s := range set {
		if w == s {
			return true
		}
	}
	return false
}

// afterTable are the words that may follow the table of a DELETE or TRUNCATE.
var afterTable = map[string]bool{
	"where": true, "using": true, "as": true, "from": true, "join": true, "inner": true, "left": true,
	"right": true, "output": true, "returning": true, "limit": true, "order": true, "partition": true,
	"on": true, "settings": true, "with": true, "cascade": true, "restrict": true, "restart": true,
	"continue": true, "drop": true, "reuse": true, "immediate": true, "all": true,
	"option": true, "preserve": true, "purge": true,
}

// tablePath skips a possibly qualified, possibly quoted name at toks[i]; it returns the index
// after it, or i when there is none.
func tablePath(toks []lexTok, i int) int {
	j := i
	for j < len(toks) {
		t := toks[j]
		if t.kind != lkWord && t.kind != lkQuotedIdent && t.kind != lkString || t.kind == lkWord && afterTable[t.word] && j > i {
			break
		}
		j++
		if j < len(toks) && toks[j].kind == lkPunct && (toks[j].word == "." || toks[j].word == ":") {
			j++
			continue
		}
		break
	}
	return j
}

func deleteShape(toks []lexTok) string {
	i := 1
	if wordAt(toks, i) == "top" { // T-SQL DELETE TOP (n) FROM
		i++
		if i < len(toks) && toks[i].kind == lkPunct && toks[i].word == "(" {
			for i < len(toks) && (toks[i].kind != lkPunct || toks[i].word != ")") {
				i++
			}
			i++
		} else {
			i++
		}
	}
	if wordAt(toks, i) == "from" {
		i++
	}
	j := tablePath(toks, i)
	if j == i {
		return "DELETE without a table"
	}
	if j == len(toks) || toks[j].kind == lkWord && (afterTable[toks[j].word] || verbClass[toks[j].word] != "") {
		return ""
	}
	// An alias, then the rest of the statement.
	if toks[j].kind == lkWord && (j+1 == len(toks) || toks[j+1].kind == lkWord && afterTable[toks[j+1].word]) {
		return ""
	}
	if toks[j].kind == lkPunct && toks[j].word == "," { // DELETE t1, t2 FROM … (MySQL multi-table)
		return ""
	}
	return "DELETE followed by " + strconv.Quote(toks[j].word)
}

// afterDropped are the words that may follow the names a DROP removes.
var afterDropped = map[string]bool{
	"cascade": true, "restrict": true, "purge": true, "on": true, "sync": true, "permanently": true,
	"force": true, "with": true, "from": true, "no_delay": true, "settings": true,
}

// dropShape accepts DROP [kind words] [IF EXISTS] name[, name...] [CASCADE|ON CLUSTER …|…]: "DROP
// TABLE in logs" is prose.
func dropShape(toks []lexTok, verb string) string {
	i := 1
	kinds := 0
	for i < len(toks) && toks[i].kind == lkWord && (ddlObjects[toks[i].word] || toks[i].word == "exists" ||
		toks[i].word == "view" || toks[i].word == "all") {
		i++
		kinds++
	}
	if kinds == 0 {
		return strings.ToUpper(verb) + " of an unknown kind of object " + strconv.Quote(wordAt(toks, 1))
	}
	for {
		j := tablePath(toks, i)
		if j == i {
			if i == len(toks) && kinds > 0 && wordAt(toks, 1) == "owned" {
				return ""
			}
			return strings.ToUpper(verb) + " without a name"
		}
		if j == len(toks) || toks[j].kind == lkWord && (afterDropped[toks[j].word] || verbClass[toks[j].word] != "") {
			return ""
		}
		if toks[j].kind == lkPunct && (toks[j].word == "," || toks[j].word == "(") {
			if toks[j].word == "(" { // DROP FUNCTION f(int)
				return ""
			}
			i = j + 1
			continue
		}
		return strings.ToUpper(verb) + " followed by " + strconv.Quote(toks[j].word)
	}
}

func truncateShape(toks []lexTok) string {
	i := 1
	if wordAt(toks, i) == "table" {
		i++
	}
	if wordAt(toks, i) == "if" && wordAt(toks, i+1) == "exists" {
		i += 2
	}
	for {
		j := tablePath(toks, i)
		if j == i {
			return "TRUNCATE without a table"
		}
		if j == len(toks) || toks[j].kind == lkWord && afterTable[toks[j].word] {
			return ""
		}
		if toks[j].kind == lkPunct && toks[j].word == "," {
			i = j + 1
			continue
		}
		return "TRUNCATE followed by " + strconv.Quote(toks[j].word)
	}
}

// stopWords end a DELETE/UPDATE's search for its WHERE at the statement's level: the start of
// another statement (T-SQL needs no semicolons) or a block's end.
var stopWords = map[string]bool{
	"drop": true, "truncate": true, "delete": true, "insert": true, "merge": true,
	"create": true, "alter": true, "grant": true, "revoke": true, "exec": true, "execute": true,
	"select": true, "end": true, "else": true, "when": true, "go": true, "begin": true, "if": true,
	"declare": true, "print": true, "return": true, "call": true,
}

// whereEnd are the clauses that end a WHERE condition.
var whereEnd = map[string]bool{
	"order": true, "limit": true, "returning": true, "output": true, "group": true, "option": true,
	"settings": true, "having": true, "window": true, "qualify": true,
}

// realLexWhere finds the WHERE of the DELETE/UPDATE at toks[i] and reports whether it is a real
// predicate (present and not a tautology).
func realLexWhere(toks []lexTok, i int) (real bool, found bool) {
	d := toks[i].depth
	for j := i + 1; j < len(toks); j++ {
		t := toks[j]
		if t.depth < d || t.kind != lkWord || t.depth != d {
			continue
		}
		if t.word == "update" && toks[i].word == "update" || t.word == "delete" && toks[i].word == "delete" {
			return false, false
		}
		if stopWords[t.word] && t.word != "select" || t.word == "select" && toks[i].word == "delete" {
			return false, false
		}
		if t.word == "where" {
			k := j + 1
			for k < len(toks) && !endsWhere(toks[k], d) && toks[k].depth >= d {
				k++
			}
			cond := toks[j+1 : k]
			return len(cond) > 0 && !lexTautology(cond, 0), true
		}
	}
	return false, false
}

// mergeUnbounded reports whether a MERGE at toks[i] deletes or updates with an ON condition that
// is always true.
func mergeUnbounded(toks []lexTok, i int) bool {
	d := toks[i].depth
	acts := false
	for j := i + 1; j < len(toks); j++ {
		if toks[j].kind == lkWord && (toks[j].word == "delete" || toks[j].word == "update") && wordAt(toks, j-1) == "then" {
			acts = true
		}
	}
	if !acts {
		return false
	}
	for j := i + 1; j < len(toks); j++ {
		if toks[j].depth == d && toks[j].kind == lkWord && toks[j].word == "on" {
			k := j + 1
			for k < len(toks) && !isWordAt(toks[k], d, "when") {
				k++
			}
			return lexTautology(toks[j+1:k], 0)
		}
	}
	return true
}

// lexTautology reports whether a condition is true without looking at data.
func lexTautology(cond []lexTok, level int) bool {
	if level > 50 || len(cond) == 0 {
		return false
	}
	cond = stripParens(cond)
	if len(cond) == 0 {
		return false
	}
	if parts := splitAtWord(cond, "or"); len(parts) > 1 {
		for _, p := range parts {
			if lexTautology(p, level+1) {
				return true
			}
		}
		return lexCoversAll(parts) // x IS NULL OR x IS NOT NULL, x < 5 OR x >= 5, ...
	}
	if parts := splitAtWord(cond, "and"); len(parts) > 1 {
		for _, p := range parts {
			if !lexTautology(p, level+1) {
				return false
			}
		}
		return true
	}
	if cond[0].kind == lkWord && cond[0].word == "not" {
		return lexFalse(cond[1:], level+1)
	}
	if len(cond) == 1 {
		return lexConstTruth(cond[0]) == 1
	}
	return lexCompareTrue(cond)
}

func lexFalse(cond []lexTok, level int) bool {
	cond = stripParens(cond)
	if len(cond) == 1 {
		return lexConstTruth(cond[0]) == 0
	}
	if level > 50 {
		return false
	}
	if len(cond) > 1 && cond[0].kind == lkWord && cond[0].word == "not" {
		return lexTautology(cond[1:], level+1)
	}
	return false
}

// lexConstTruth is 1 for a constant that is true, 0 for one that is false, -1 otherwise.
func lexConstTruth(t lexTok) int {
	switch t.kind {
	case lkNumber:
		if f, err := strconv.ParseFloat(t.word, 64); err == nil {
			if f != 0 {
				return 1
			}
			return 0
		}
	case lkWord:
		switch t.word {
		case "true":
			return 1
		case "false", "null":
			return 0
		}
	case lkString:
		switch strings.ToLower(t.word) {
		case "t", "true", "1", "y", "yes", "on":
			return 1
		case "f", "false", "0", "n", "no", "off", "":
			return 0
		}
	}
	return -1
}

// lexCompareTrue reads "A op B" where A and B are single tokens.
func lexCompareTrue(cond []lexTok) bool {
	opStart, opEnd := 1, 1
	for opEnd < len(cond) && cond[opEnd].kind == lkPunct && strings.Contains("=<>!", cond[opEnd].word) {
		opEnd++
	}
	if opEnd == opStart && opEnd < len(cond) && cond[opEnd].kind == lkWord && (cond[opEnd].word == "like" || cond[opEnd].word == "ilike") {
		opEnd++
	}
	if opEnd == opStart || len(cond) != opEnd+1 {
		return false
	}
	var op strings.Builder
	for _, t := range cond[opStart:opEnd] {
		op.WriteString(t.word)
	}
	a, b := cond[0], cond[opEnd]
	o := op.String()
	if o == "like" || o == "ilike" {
		return b.kind == lkString && strings.Trim(b.word, "%") == ""
	}
	same := a.kind == b.kind && a.word == b.word
	literal := (a.kind == lkNumber || a.kind == lkString) && (b.kind == lkNumber || b.kind == lkString)
	switch o {
	case "=", "==", ">=", "<=", "<=>":
		if same && (a.kind != lkWord || a.word != "null") {
			return true
		}
	}
	if !literal {
		return false
	}
	cmp := strings.Compare(a.word, b.word)
	x, errA := strconv.ParseFloat(a.word, 64)
	y, errB := strconv.ParseFloat(b.word, 64)
	if errA == nil && errB == nil {
		cmp = 0
		if x < y {
			cmp = -1
		} else if x > y {
			cmp = 1
		}
	}
	switch o {
	case "=", "==", "<=>":
		return cmp == 0
	case "!=", "<>":
		return cmp != 0
	case "<":
		return cmp < 0
	case ">":
		return cmp > 0
	case "<=":
		return cmp <= 0
	case ">=":
		return cmp >= 0
	}
	return false
}

func stripParens(c []lexTok) []lexTok {
	for len(c) >= 2 && c[0].kind == lkPunct && c[0].word == "(" && c[len(c)-1].kind == lkPunct &&
		c[len(c)-1].word == ")" && c[len(c)-1].depth == c[0].depth {
		closesEarly := false
		for _, t := range c[1 : len(c)-1] {
			if t.depth < c[0].depth+1 {
				closesEarly = true
				break
			}
		}
		if closesEarly {
			break
		}
		c = c[1 : len(c)-1]
	}
	return c
}

// splitAtWord splits a condition at a keyword at its own parenthesis level.
func splitAtWord(c []lexTok, w string) [][]lexTok {
	if len(c) == 0 {
		return nil
	}
	d := c[0].depth
	for _, t := range c {
		if t.depth < d {
			d = t.depth
		}
	}
	var out [][]lexTok
	start := 0
	for i, t := range c {
		if t.kind == lkWord && t.word == w && t.depth == d {
			out = append(out, c[start:i])
			start = i + 1
		}
	}
	return append(out, c[start:])
}

// endsWhere reports whether t, at the statement's level d, ends a WHERE condition.
func endsWhere(t lexTok, d int) bool {
	return t.depth == d && t.kind == lkWord && (whereEnd[t.word] || stopWords[t.word])
}

// isWordAt reports whether t is the keyword w at parenthesis level d.
func isWordAt(t lexTok, d int, w string) bool {
	return t.depth == d && t.kind == lkWord && t.word == w
}
