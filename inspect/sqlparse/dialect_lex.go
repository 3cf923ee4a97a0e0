package sqlparse

import "strings"

// Dialect names the SQL grammar a text was read with.
type Dialect string

// Dialects. PostgreSQL and MySQL have real grammars; the others are read by the lexical
// classifier (dialect.go), as is SQL whose dialect is unknown (DialectGeneric).
const (
	DialectPostgres   Dialect = "postgresql"
	DialectMySQL      Dialect = "mysql"
	DialectBigQuery   Dialect = "bigquery"
	DialectSnowflake  Dialect = "snowflake"
	DialectTSQL       Dialect = "tsql"
	DialectClickHouse Dialect = "clickhouse"
	DialectTrino      Dialect = "trino"
	DialectGeneric    Dialect = "sql"
)

// Class is what a statement does, whatever its dialect.
type Class string

// Statement classes.
const (
	ClassRead      Class = "read"      // SELECT, SHOW, DESCRIBE, EXPLAIN without ANALYZE
	ClassWrite     Class = "write"     // INSERT, UPDATE, DELETE, MERGE, COPY, LOAD
	ClassDDL       Class = "ddl"       // CREATE, ALTER, DROP, TRUNCATE, RENAME
	ClassPrivilege Class = "privilege" // GRANT, REVOKE, DENY, roles
	ClassSession   Class = "session"   // SET, USE, BEGIN, COMMIT, control flow
	ClassExecute   Class = "execute"   // CALL, EXECUTE, DO: runs code stored elsewhere
	ClassAdmin     Class = "admin"     // KILL, SYSTEM, OPTIMIZE, VACUUM
	ClassUnknown   Class = "unknown"   // not understood
)

// lexTok is one token of the lexical classifier.
type lexTok struct {
	kind  lexKind
	word  string // lower-cased word, or the string's content, or the punctuation
	depth int    // parenthesis depth
	line  bool   // first token of its line
}

type lexKind uint8

const (
	lkWord lexKind = iota
	lkNumber
	lkString
	lkQuotedIdent
	lkPunct
)

// lexRules are what differs between dialects for splitting text into tokens.
type lexRules struct {
	backslash  bool // backslash escapes in '…' strings
	dqString   bool // "…" is a string (else a quoted identifier)
	hashComm   bool // # starts a line comment
	slashComm  bool // // starts a line comment (Snowflake)
	brackets   bool // [ident] quoting (T-SQL)
	tripleQ    bool // '''…''' and """…""" (BigQuery)
	dollar     bool // $$…$$ strings (Snowflake, PostgreSQL)
	execComm   bool // /*! … */ content is code (MySQL)
	goBatches  bool // GO on its own line ends a batch (T-SQL)
	nestedComm bool // /* nests */
}

var dialectRules = map[Dialect]lexRules{
	DialectMySQL:      {backslash: true, dqString: true, hashComm: true, execComm: true},
	DialectBigQuery:   {backslash: true, dqString: true, hashComm: true, tripleQ: true},
	DialectSnowflake:  {backslash: true, slashComm: true, dollar: true},
	DialectTSQL:       {brackets: true, goBatches: true, nestedComm: true},
	DialectClickHouse: {backslash: true, hashComm: true},
	DialectTrino:      {},
	DialectGeneric:    {backslash: true, dollar: true, execComm: true, brackets: true, goBatches: true},
	DialectPostgres:   {dollar: true, nestedComm: true},
}

// maxLexTokens bounds the tokens of one text; longer text is not understood.
const maxLexTokens = 200_000

// lexSQL splits src into tokens under rules. ok is false when a string, identifier or comment
// does not end, or the text has too many tokens: its extent is then unknown.
func lexSQL(src string, r lexRules) (toks []lexTok, ok bool) {
	depth := 0
	lineStart := true
	i := 0
	for i < len(src) {
		if len(toks) >= maxLexTokens {
			return nil, false
		}
		c := src[i]
		switch {
		case c == '\n':
			lineStart = true
			i++
			continue
		case c == ' ' || c == '\t' || c == '\r' || c == '\f':
			i++
			continue
		case c == '-' && strings.HasPrefix(src[i:], "--"), c == '#' && r.hashComm,
			c == '/' && r.slashComm && strings.HasPrefix(src[i:], "//"):
			j := strings.IndexByte(src[i:], '\n')
			if j < 0 {
				return toks, true
			}
			i += j
			continue
		case c == '/' && strings.HasPrefix(src[i:], "/*"):
			if r.execComm && (strings.HasPrefix(src[i:], "/*!") || strings.HasPrefix(src[i:], "/*M!")) {
				// MySQL runs the content: skip the marker and its version number, and the matching
				// "*/" is dropped below.
				i += strings.Index(src[i:], "!") + 1
				for i < len(src) && src[i] >= '0' && src[i] <= '9' {
					i++
				}
				continue
			}
			n, ok := skipComment(src[i:], r.nestedComm)
			if !ok {
				return nil, false
			}
			i += n
			continue
		case c == '*' && r.execComm && strings.HasPrefix(src[i:], "*/"):
			i += 2 // the end of an executable comment
			continue
		}
		tok := lexTok{depth: depth, line: lineStart}
		lineStart = false
		n, ok := lexOne(src[i:], r, &tok)
		if !ok {
			return nil, false
		}
		if tok.kind == lkPunct {
			switch tok.word {
			case "(":
				depth++
			case ")":
				depth--
				tok.depth = depth
			}
		}
		toks = append(toks, tok)
		i += n
	}
	return toks, true
}

func skipComment(s string, nested bool) (int, bool) {
	depth := 0
	for i := 0; i+1 < len(s); i++ {
		switch {
		case s[i] == '/' && s[i+1] == '*':
			if depth == 0 || nested {
				depth++
			}
			i++
		case s[i] == '*' && s[i+1] == '/':
			depth--
			i++
			if depth == 0 {
				return i + 1, true
			}
		}
	}
	return 0, false
}

// lexOne reads the token at s[0] into tok and returns its length.
func lexOne(s string, r lexRules, tok *lexTok) (int, bool) {
	c := s[0]
	switch {
	case r.tripleQ && (strings.HasPrefix(s, "'''") || strings.HasPrefix(s, `"""`)):
		end := strings.Index(s[3:], s[:3])
		if end < 0 {
			return 0, false
		}
		tok.kind, tok.word = lkString, s[3:3+end]
		return end + 6, true
	case c == '\'' || c == '"' && r.dqString:
		body, n, ok := quoted(s, c, r.backslash)
		tok.kind, tok.word = lkString, body
		return n, ok
	case c == '"' || c == '`':
		body, n, ok := quoted(s, c, false)
		tok.kind, tok.word = lkQuotedIdent, body
		return n, ok
	case c == '[' && r.brackets:
		end := strings.IndexByte(s, ']')
		if end < 0 {
			return 0, false
		}
		tok.kind, tok.word = lkQuotedIdent, s[1:end]
		return end + 1, true
	case c == '$' && r.dollar && len(s) > 1 && (s[1] == '$' || isLexWordByte(s[1])):
		end := strings.IndexByte(s[1:], '$')
		if end >= 0 && !strings.ContainsAny(s[1:1+end], " \t\n;") {
			tag := s[:end+2]
			close := strings.Index(s[len(tag):], tag)
			if close < 0 {
				return 0, false
			}
			tok.kind, tok.word = lkString, s[len(tag):len(tag)+close]
			return len(tag) + close + len(tag), true
		}
	case c >= '0' && c <= '9' || c == '.' && len(s) > 1 && s[1] >= '0' && s[1] <= '9':
		j := 1
		for j < len(s) && (isLexWordByte(s[j]) || s[j] == '.') {
			j++
		}
		tok.kind, tok.word = lkNumber, s[:j]
		return j, true
	case isLexWordByte(c):
		j := 1
		for j < len(s) && isLexWordByte(s[j]) {
			j++
		}
		w := strings.ToLower(s[:j])
		// String prefixes: N'…' (T-SQL), r'…' / b'…' (BigQuery), E'…', X'…'.
		if j < len(s) && (s[j] == '\'' || s[j] == '"' && r.dqString) && len(w) <= 2 && strings.Trim(w, "nrbex") == "" {
			body, n, ok := quoted(s[j:], s[j], r.backslash && !strings.Contains(w, "r"))
			tok.kind, tok.word = lkString, body
			return j + n, ok
		}
		tok.kind, tok.word = lkWord, w
		return j, true
	}
	tok.kind, tok.word = lkPunct, string(c)
	return 1, true
}

func isLexWordByte(c byte) bool {
	return c|0x20 >= 'a' && c|0x20 <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '@' || c >= 0x80
}

// quoted reads a string or identifier quoted by q at s[0]; a doubled quote is one quote.
func quoted(s string, q byte, backslash bool) (string, int, bool) {
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch {
		case s[i] == '\\' && backslash && i+1 < len(s):
			b.WriteByte(s[i+1])
			i++
		case s[i] == q && i+1 < len(s) && s[i+1] == q:
			b.WriteByte(q)
			i++
		case s[i] == q:
			return b.String(), i + 1, true
		default:
			b.WriteByte(s[i])
		}
	}
	return "", 0, false
}
