package sqlparse

// fastParser reads one statement's tokens with a conservative subset of PostgreSQL's grammar.
// Anything outside the subset, or anything the subset cannot prove to be read exactly as
// PostgreSQL reads it, bails: the statement then goes to the full parser. A statement the fast
// parser accepts is guaranteed (and checked by FuzzFastPathAgreesWithFullParse) to be valid
// PostgreSQL with the same Statement as the full analysis.
type fastParser struct {
	toks   []token
	i      int
	depth  int
	tables []string
	ctes   []string
	arena  []string // backing store of the Tables of the statements parsed with this parser
	ors    int      // OR operators parsed (a WHERE with one goes to where.go's evaluator)
}

// bailout is the panic value that abandons the fast path for one statement.
type bailout struct{}

func (p *fastParser) bail() { panic(bailout{}) }

func (p *fastParser) enter() {
	p.depth++
	if p.depth > maxFastDepth {
		p.bail()
	}
}

func (p *fastParser) leave() { p.depth-- }

var eofToken = token{kind: tkPunct, text: ";"}

func (p *fastParser) peek() token { return p.peekAt(0) }

func (p *fastParser) peekAt(k int) token {
	if p.i+k < len(p.toks) {
		return p.toks[p.i+k]
	}
	return eofToken
}

func (p *fastParser) next() token {
	t := p.peek()
	p.i++
	return t
}

func (p *fastParser) isKw(w string) bool {
	if p.i >= len(p.toks) {
		return false // eofToken is no word
	}
	t := &p.toks[p.i] // not peek: it copies the token, and this runs at every expression level
	return t.kind == tkIdent && !t.quoted && t.text == w
}

func (p *fastParser) acceptKw(w string) bool {
	if p.isKw(w) {
		p.i++
		return true
	}
	return false
}

func (p *fastParser) expectKw(w string) {
	if !p.acceptKw(w) {
		p.bail()
	}
}

func (p *fastParser) isPunct(s string) bool {
	if p.i >= len(p.toks) {
		return s == eofToken.text
	}
	t := &p.toks[p.i]
	return t.kind == tkPunct && t.text == s
}

func (p *fastParser) acceptPunct(s string) bool {
	if p.isPunct(s) {
		p.i++
		return true
	}
	return false
}

func (p *fastParser) expectPunct(s string) {
	if !p.acceptPunct(s) {
		p.bail()
	}
}

func (p *fastParser) atEnd() bool { return p.i >= len(p.toks) }

// nameWord: a word usable as a column, function or (after AS) alias name on the fast path:
// quoted, not a keyword, or an unreserved keyword that the grammar's look-ahead does not
// combine with the next word.
func nameWord(t token) bool {
	if t.kind != tkIdent {
		return false
	}
	if t.quoted || t.kw == kwNone {
		return true
	}
	switch t.text {
	case "nulls", "format", "without", "collation", "cube", "rollup", "grouping", "sets":
		return false
	}
	return t.kw == kwUnreserved
}

// plainName: a word usable as a table name or bare alias: quoted or not a keyword at all.
func plainName(t token) bool {
	return t.kind == tkIdent && (t.quoted || t.kw == kwNone)
}

// fastStatement classifies one statement, or reports false when the full parser must.
func fastStatement(toks []token) (Statement, bool) {
	var p fastParser
	return p.run(toks)
}

// run is fastStatement reusing p's buffers.
func (p *fastParser) run(toks []token) (st Statement, ok bool) {
	p.toks, p.i, p.depth, p.tables, p.ctes = toks, 0, 0, p.tables[:0], p.ctes[:0]
	defer func() {
		if r := recover(); r != nil {
			if _, is := r.(bailout); !is {
				panic(r)
			}
			ok = false
		}
	}()
	st = p.statement()
	if !p.atEnd() {
		return Statement{}, false
	}
	st.Tables = p.finishTables()
	return st, true
}

func (p *fastParser) statement() Statement {
	t := p.peek()
	if t.kind != tkIdent || t.quoted {
		p.bail()
	}
	switch t.text {
	case "select", "values":
		q := p.query(true)
		return Statement{Kind: "select", HasWhere: q.hasWhere}
	case "with":
		p.with()
		if p.startsQuery() {
			q := p.query(true)
			return Statement{Kind: "select", HasWhere: q.hasWhere}
		}
		return p.dml()
	case "insert", "update", "delete":
		return p.dml()
	case "create":
		return p.create()
	case "alter":
		return p.alter()
	case "show":
		p.show()
		return Statement{Kind: "show"}
	case "set":
		p.set()
		return Statement{Kind: "set"}
	case "drop":
		p.drop()
		return Statement{Kind: "drop", Destructive: true, Reason: "DROP TABLE"}
	case "truncate":
		p.truncate()
		return Statement{Kind: "truncate", Destructive: true, Reason: "TRUNCATE"}
	}
	if k := p.transaction(); k != "" {
		return Statement{Kind: k}
	}
	p.bail()
	return Statement{}
}

func (p *fastParser) dml() Statement {
	switch {
	case p.isKw("insert"):
		p.insert()
		return Statement{Kind: "insert"}
	case p.isKw("update"):
		return p.update()
	case p.isKw("delete"):
		return p.delete()
	}
	p.bail()
	return Statement{}
}

// addTable records a relation name the way walk.go's rangeVarName joins it.
func (p *fastParser) addTable(name string) {
	p.tables = append(p.tables, name)
}

// finishTables drops CTE names and repeats, as walk.go's tables does.
func (p *fastParser) finishTables() []string {
	if len(p.tables) == 0 {
		return nil
	}
	if cap(p.arena)-len(p.arena) < len(p.tables) {
		p.arena = make([]string, 0, max(64, 2*len(p.tables)))
	}
	start := len(p.arena)
	out := p.arena[start:start:cap(p.arena)]
	for _, t := range p.tables {
		dup := false
		for _, c := range p.ctes {
			dup = dup || c == t
		}
		for _, o := range out {
			dup = dup || o == t
		}
		if !dup {
			out = append(out, t)
		}
	}
	p.arena = p.arena[:start+len(out)]
	return out[:len(out):len(out)] // a caller's append must not write into the next statement's
}

// qualifiedName reads name[.name[.name]] and returns the parts joined by dots.
func (p *fastParser) qualifiedName() string {
	t := p.next()
	if !plainName(t) {
		p.bail()
	}
	name := t.text
	for n := 1; p.acceptPunct("."); n++ {
		part := p.next()
		if !plainName(part) || n == 3 {
			p.bail()
		}
		name += "." + part.text
	}
	return name
}

// relation reads a table name with an optional alias, and records it.
func (p *fastParser) relation() {
	if p.isKw("only") || p.isKw("lateral") {
		p.bail()
	}
	p.addTable(p.qualifiedName())
	if p.peek().kind == tkOp && p.peek().text == "*" {
		p.bail()
	}
	p.alias(false)
}

// alias reads [AS] alias [(columns)]. Bare aliases must be plain names.
func (p *fastParser) alias(columns bool) {
	if p.acceptKw("as") {
		if !plainName(p.next()) {
			p.bail()
		}
	} else if plainName(p.peek()) {
		p.i++
	} else {
		return
	}
	if columns && p.acceptPunct("(") {
		p.nameList()
	}
}

// nameList reads name, ... ) — the closing parenthesis included.
func (p *fastParser) nameList() {
	for {
		if !plainName(p.next()) {
			p.bail()
		}
		if !p.acceptPunct(",") {
			break
		}
	}
	p.expectPunct(")")
}

func (p *fastParser) show() {
	p.expectKw("show")
	if p.acceptKw("all") {
		return
	}
	p.qualifiedName()
}

// set reads SET [SESSION | LOCAL] name {TO | =} value, ... for ordinary settings.
func (p *fastParser) set() {
	p.expectKw("set")
	if !p.acceptKw("session") {
		p.acceptKw("local")
	}
	p.qualifiedName()
	if !p.acceptKw("to") {
		if t := p.next(); t.kind != tkOp || t.text != "=" {
			p.bail()
		}
	}
	for {
		t := p.next()
		switch {
		case t.kind == tkNumber || t.kind == tkString || plainName(t):
		case t.kind == tkIdent && !t.quoted && (t.text == "true" || t.text == "false" ||
			t.text == "on" || t.text == "default"):
		default:
			p.bail()
		}
		if !p.acceptPunct(",") {
			return
		}
	}
}

// transaction reads the bare transaction-control statements and returns their kind.
func (p *fastParser) transaction() string {
	var kind string
	switch {
	case p.acceptKw("begin"):
		kind = "begin"
	case p.acceptKw("start"):
		p.expectKw("transaction")
		return "begin"
	case p.acceptKw("commit") || p.acceptKw("end"):
		kind = "commit"
	case p.acceptKw("rollback") || p.acceptKw("abort"):
		kind = "rollback"
	case p.acceptKw("savepoint"):
		p.savepointName()
		return "savepoint"
	case p.acceptKw("release"):
		p.acceptKw("savepoint")
		p.savepointName()
		return "release"
	default:
		return ""
	}
	if !p.acceptKw("work") {
		p.acceptKw("transaction")
	}
	if kind == "rollback" && p.acceptKw("to") {
		p.acceptKw("savepoint")
		p.savepointName()
	}
	return kind
}

func (p *fastParser) savepointName() {
	if !plainName(p.next()) {
		p.bail()
	}
}

// drop reads DROP TABLE [IF EXISTS] name, ... [CASCADE | RESTRICT].
func (p *fastParser) drop() {
	p.expectKw("drop")
	p.expectKw("table")
	if p.acceptKw("if") {
		p.expectKw("exists")
	}
	p.tableList()
	if !p.acceptKw("cascade") {
		p.acceptKw("restrict")
	}
}

// truncate reads TRUNCATE [TABLE] name, ... [RESTART | CONTINUE IDENTITY] [CASCADE | RESTRICT].
func (p *fastParser) truncate() {
	p.expectKw("truncate")
	p.acceptKw("table")
	p.tableList()
	if p.acceptKw("restart") || p.acceptKw("continue") {
		p.expectKw("identity")
	}
	if !p.acceptKw("cascade") {
		p.acceptKw("restrict")
	}
}

func (p *fastParser) tableList() {
	for {
		p.addTable(p.qualifiedName())
		if !p.acceptPunct(",") {
			return
		}
	}
}
