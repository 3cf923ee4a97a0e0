package sqlparse

import "strings"

// exprInfo is what the fast path knows about a parsed expression: enough to tell, the way
// where.go's evaluator would, that a WHERE clause cannot be proven always true.
type exprInfo struct {
	kind exprKind
	// ref is the column reference's token range [from, to) when kind is exColumn.
	from, to int
	// notTrue: where.go's evaluator cannot find this expression always true.
	notTrue bool
}

type exprKind uint8

const (
	exOther  exprKind = iota
	exColumn          // a bare column reference
	exConst           // a literal, possibly cast: may be proven true or false
)

// maxFastDepth bounds expression nesting on the fast path; where.go's evaluator stops at 200
// levels and the fast path must never reach that.
const maxFastDepth = 32

// expr parses an a_expr: OR of ANDs.
func (p *fastParser) expr() exprInfo {
	p.enter()
	if p.literalItem() {
		p.leave()
		return exprInfo{kind: exConst}
	}
	in := p.orExpr()
	p.leave()
	return in
}

// literalItem consumes a number or string literal that is a whole list item: followed by a
// comma or a closing parenthesis, which no operator level below expr consumes, so the descent
// would return exactly exprInfo{kind: exConst}. It makes VALUES rows and IN lists cheap.
func (p *fastParser) literalItem() bool {
	if p.i+1 >= len(p.toks) {
		return false
	}
	t, next := &p.toks[p.i], &p.toks[p.i+1]
	if (t.kind != tkNumber && t.kind != tkString) || next.kind != tkPunct ||
		(next.text != "," && next.text != ")") {
		return false
	}
	p.i++
	return true
}

func (p *fastParser) orExpr() exprInfo {
	left := p.andExpr()
	if !p.isKw("or") {
		return left
	}
	all := left.notTrue
	for p.acceptKw("or") {
		p.ors++
		all = p.andExpr().notTrue && all
	}
	return exprInfo{notTrue: all}
}

func (p *fastParser) andExpr() exprInfo {
	left := p.notExpr()
	if !p.isKw("and") {
		return left
	}
	any := left.notTrue
	for p.acceptKw("and") {
		any = p.notExpr().notTrue || any
	}
	return exprInfo{notTrue: any}
}

func (p *fastParser) notExpr() exprInfo {
	if p.acceptKw("not") {
		p.enter()
		p.notExpr()
		p.leave()
		return exprInfo{}
	}
	return p.isExpr()
}

// isExpr: IS [NOT] NULL. Chains (x IS NULL IS NULL) are left to PostgreSQL.
func (p *fastParser) isExpr() exprInfo {
	left := p.cmpExpr()
	if !p.acceptKw("is") {
		return left
	}
	p.acceptKw("not")
	if !p.acceptKw("null") {
		p.bail()
	}
	if p.isKw("is") {
		p.bail()
	}
	return exprInfo{notTrue: left.kind != exConst}
}

func isCmpOp(t token) bool {
	if t.kind != tkOp {
		return false
	}
	switch t.text {
	case "=", "<>", "!=", "<", ">", "<=", ">=":
		return true
	}
	return false
}

// cmpExpr: a comparison. Comparisons do not chain in PostgreSQL (a = b = c is an error).
func (p *fastParser) cmpExpr() exprInfo {
	left := p.likeExpr()
	if !isCmpOp(p.peek()) {
		return left
	}
	p.i++
	right := p.likeExpr()
	if isCmpOp(p.peek()) {
		p.bail()
	}
	return exprInfo{notTrue: p.columnVsOther(left, right) || p.columnVsOther(right, left)}
}

// columnVsOther: a column compared with anything but itself is unknown to the evaluator.
func (p *fastParser) columnVsOther(a, b exprInfo) bool {
	return a.kind == exColumn && (b.kind != exColumn || !p.sameRef(a, b))
}

// sameRef compares two column references part by part, as folded names.
func (p *fastParser) sameRef(a, b exprInfo) bool {
	if a.to-a.from != b.to-b.from {
		return false
	}
	for i := 0; i < a.to-a.from; i++ {
		if p.toks[a.from+i].text != p.toks[b.from+i].text {
			return false
		}
	}
	return true
}

// likeExpr: [NOT] LIKE | ILIKE | IN | BETWEEN, which do not chain either.
func (p *fastParser) likeExpr() exprInfo {
	left := p.arith()
	not := false
	if p.isKw("not") {
		switch p.peekAt(1).text {
		case "like", "ilike", "in", "between":
			if p.peekAt(1).kind == tkIdent && !p.peekAt(1).quoted {
				p.i++
				not = true
			}
		}
	}
	var res exprInfo
	switch {
	case p.acceptKw("like") || p.acceptKw("ilike"):
		pat := p.peek()
		right := p.arith()
		// x LIKE '%' is a tautology; any other literal pattern is not, and NOT LIKE never is.
		res.notTrue = right.kind == exConst && pat.kind == tkString && !pat.esc &&
			(not || strings.Trim(pat.text, "%") != "" || pat.text == "")
	case p.acceptKw("in"):
		res.notTrue = p.inList(left) || not
	case p.acceptKw("between"):
		p.arith()
		p.expectKw("and")
		p.arith()
		res.notTrue = true // the evaluator has no rule for BETWEEN
	default:
		if not {
			p.bail()
		}
		return left
	}
	switch p.peek().text {
	case "like", "ilike", "in", "between", "not", "escape", "similar":
		p.bail()
	}
	return res
}

// inList parses ( subquery | expr, ... ) and reports whether no item is the left column itself.
func (p *fastParser) inList(left exprInfo) bool {
	p.expectPunct("(")
	if p.startsQuery() {
		p.query(false)
		p.expectPunct(")")
		return true
	}
	distinct := left.kind == exColumn
	for {
		it := p.expr()
		if it.kind == exColumn && p.sameRef(it, left) {
			distinct = false
		}
		if !p.acceptPunct(",") {
			break
		}
	}
	p.expectPunct(")")
	return distinct
}

func isArithOp(t token) bool {
	if t.kind != tkOp {
		return false
	}
	switch t.text {
	case "+", "-", "*", "/", "%", "^", "||", "->", "->>", "#>", "#>>", "@>", "<@":
		return true
	}
	return false
}

// arith parses operands joined by binary arithmetic and JSON operators. Their relative
// precedence does not change what the fast path reports, only PostgreSQL's tree shape.
func (p *fastParser) arith() exprInfo {
	left := p.unary()
	if !isArithOp(p.peek()) {
		return left
	}
	for isArithOp(p.peek()) {
		p.i++
		p.unary()
	}
	return exprInfo{notTrue: true} // an arithmetic A_Expr is never a tautology to the evaluator
}

func (p *fastParser) unary() exprInfo {
	if t := p.peek(); t.kind == tkOp && (t.text == "-" || t.text == "+") {
		p.i++
		p.enter()
		in := p.unary()
		p.leave()
		if in.kind == exConst {
			return exprInfo{kind: exConst}
		}
		return exprInfo{notTrue: true}
	}
	return p.postfix()
}

// postfix parses a primary with :: casts.
func (p *fastParser) postfix() exprInfo {
	in := p.primary()
	for casts := 1; p.acceptPunct("::"); casts++ {
		if casts > 8 {
			p.bail() // each cast is a level of the evaluator's recursion
		}
		p.typeName()
		if in.kind == exColumn {
			in = exprInfo{notTrue: true} // truth of a cast column: unknown
		}
	}
	if t := p.peek(); t.kind == tkPunct && (t.text == "[" || t.text == ".") || t.kind == tkIdent && !t.quoted && (t.text == "at" || t.text == "collate") {
		p.bail()
	}
	return in
}

// primary parses literals, parameters, column references, function calls, parenthesised
// expressions and sub-queries, EXISTS, CASE and CAST.
func (p *fastParser) primary() exprInfo {
	t := p.next()
	switch t.kind {
	case tkNumber:
		return exprInfo{kind: exConst}
	case tkString:
		return exprInfo{kind: exConst}
	case tkParam:
		if len(t.text) > 7 {
			p.bail() // PostgreSQL rejects parameter numbers past INT_MAX
		}
		return exprInfo{notTrue: true}
	case tkPunct:
		if t.text == "(" {
			return p.parenExpr()
		}
	case tkIdent:
		return p.identExpr(t)
	}
	p.bail()
	return exprInfo{}
}

func (p *fastParser) parenExpr() exprInfo {
	if p.startsQuery() {
		p.query(false)
		p.expectPunct(")")
		return exprInfo{notTrue: true} // scalar sub-query: not EXISTS, unknown
	}
	in := p.expr()
	p.expectPunct(")")
	return in
}

// valueKeyword reports whether a reserved word is an expression by itself, and its kind.
func valueKeyword(w string) (exprKind, bool) {
	switch w {
	case "true", "false", "null":
		return exConst, true
	case "current_date", "current_timestamp", "localtimestamp", "current_user", "session_user":
		return exOther, true
	}
	return exOther, false
}

func (p *fastParser) identExpr(t token) exprInfo {
	if !t.quoted {
		if k, ok := valueKeyword(t.text); ok && t.kw != kwNone {
			if p.peek().text == "(" {
				p.bail()
			}
			return exprInfo{kind: k, notTrue: k != exConst}
		}
		switch t.text {
		case "exists":
			p.expectPunct("(")
			q := p.query(false)
			p.expectPunct(")")
			// EXISTS (SELECT 1) is a tautology; a sub-query with FROM is unknown.
			return exprInfo{notTrue: q.hadFrom}
		case "case":
			return p.caseExpr()
		case "cast":
			p.expectPunct("(")
			in := p.expr()
			p.expectKw("as")
			p.typeName()
			p.expectPunct(")")
			if in.kind == exColumn {
				in = exprInfo{notTrue: true}
			}
			return in
		case "coalesce", "greatest", "least", "nullif":
			p.expectPunct("(")
			if t.text == "nullif" {
				p.expr()
				p.expectPunct(",")
				p.expr()
			} else {
				p.exprList()
			}
			p.expectPunct(")")
			return exprInfo{notTrue: true}
		case "interval", "timestamp":
			if p.peek().kind == tkString {
				p.i++
				if p.peek().kind == tkIdent && !p.peek().quoted && p.peek().kw != kwNone && p.peek().text != "as" {
					p.bail() // INTERVAL '1' DAY and friends
				}
				return exprInfo{kind: exConst}
			}
		}
	}
	if !nameWord(t) {
		p.bail()
	}
	switch nt := p.peek(); {
	case nt.kind == tkString && !t.quoted && t.kw == kwNone:
		p.i++ // typed literal: date '2024-01-01'
		return exprInfo{kind: exConst}
	case nt.text == "(" && nt.kind == tkPunct:
		if !plainName(t) {
			p.bail() // keywords with call syntax are special forms (CUBE, FORMAT, ...)
		}
		p.funcCall(t.text)
		return exprInfo{notTrue: true}
	}
	// A column reference: its parts sit at even offsets from its first token.
	from := p.i - 1
	for n := 1; p.isPunct("."); n++ {
		p.i++
		if !nameWord(p.next()) || n >= 3 {
			p.bail()
		}
	}
	if p.isPunct("(") {
		last := p.toks[p.i-1]
		if !plainName(last) {
			p.bail()
		}
		p.funcCall(last.text)
		return exprInfo{notTrue: true}
	}
	return exprInfo{kind: exColumn, from: from, to: p.i, notTrue: true}
}

// funcCall parses name(args) and refuses the functions classify.go treats as dangerous.
func (p *fastParser) funcCall(name string) {
	last := strings.ToLower(name)
	if _, bad := dangerousFuncs[last]; bad || strings.HasPrefix(last, "dblink") {
		p.bail()
	}
	p.expectPunct("(")
	p.enter()
	switch {
	case p.acceptPunct(")"):
	case p.peek().kind == tkOp && p.peek().text == "*":
		p.i++
		p.expectPunct(")")
	default:
		if !p.acceptKw("distinct") {
			p.acceptKw("all")
		}
		p.exprList()
		p.expectPunct(")")
	}
	p.leave()
	switch p.peek().text {
	case "filter", "over", "within":
		p.bail()
	}
}

func (p *fastParser) exprList() {
	for {
		p.expr()
		if !p.acceptPunct(",") {
			return
		}
	}
}

func (p *fastParser) caseExpr() exprInfo {
	p.enter()
	if !p.isKw("when") {
		p.expr()
	}
	if !p.isKw("when") {
		p.bail()
	}
	for p.acceptKw("when") {
		p.expr()
		p.expectKw("then")
		p.expr()
	}
	if p.acceptKw("else") {
		p.expr()
	}
	p.expectKw("end")
	p.leave()
	return exprInfo{notTrue: true}
}

// castTypes are keyword type names accepted after :: and in CAST, with the number of type
// modifiers each takes: -1 none, 1 exactly one, 2 one or two.
var castTypes = map[string]int{
	"int": -1, "integer": -1, "bigint": -1, "smallint": -1, "real": -1, "boolean": -1, "double": -1,
	"float": 1, "varchar": 1, "char": 1, "timestamp": 1, "interval": 1, "numeric": 2, "decimal": 2,
}

func (p *fastParser) typeName() {
	t := p.next()
	mods := 2
	switch {
	case nameWord(t) && t.text != "double" && t.text != "setof" && t.text != "json":
		// type_function_name: identifiers and unreserved keywords (text, name, ...).
		if p.acceptPunct(".") {
			if n := p.next(); n.kind != tkIdent || !n.quoted && n.kw != kwNone {
				p.bail()
			}
		}
	case t.kind == tkIdent && castTypes[t.text] != 0:
		mods = castTypes[t.text]
		if t.text == "double" {
			p.expectKw("precision")
		}
		switch p.peek().text {
		case "with", "without", "varying", "to", "year", "month", "day", "hour", "minute", "second":
			p.bail()
		}
	default:
		p.bail()
	}
	if p.acceptPunct("(") {
		for n := 1; ; n++ {
			if mods < n || p.next().kind != tkNumber {
				p.bail()
			}
			if !p.acceptPunct(",") {
				break
			}
		}
		p.expectPunct(")")
	}
	if p.peek().text == "[" {
		p.bail()
	}
}
