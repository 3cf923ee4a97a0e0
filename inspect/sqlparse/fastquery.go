package sqlparse

// queryInfo is what a parsed SELECT/VALUES tells the statement and EXISTS rules.
type queryInfo struct {
	hasWhere bool // top-level simple SELECT with a WHERE proven real
	hadFrom  bool // top-level simple SELECT has FROM, or the query is a set operation
}

func (p *fastParser) startsQuery() bool {
	return p.isKw("select") || p.isKw("values") || p.isKw("with")
}

// with reads WITH [RECURSIVE] name [(cols)] AS [[NOT] MATERIALIZED] (query), ... The CTE
// bodies are queries, so they cannot modify data.
func (p *fastParser) with() {
	p.expectKw("with")
	p.acceptKw("recursive")
	for {
		t := p.next()
		if !plainName(t) {
			p.bail()
		}
		p.ctes = append(p.ctes, t.text)
		if p.acceptPunct("(") {
			p.nameList()
		}
		p.expectKw("as")
		if p.acceptKw("not") {
			p.expectKw("materialized")
		} else {
			p.acceptKw("materialized")
		}
		p.expectPunct("(")
		p.enter()
		p.query(false)
		p.leave()
		p.expectPunct(")")
		if p.isKw("search") || p.isKw("cycle") {
			p.bail()
		}
		if !p.acceptPunct(",") {
			return
		}
	}
}

// query reads [WITH ...] select_core {set_op select_core} [ORDER BY ...] [LIMIT ...] [OFFSET ...].
// top is true for the statement itself, whose WHERE must then be proven real or absent.
func (p *fastParser) query(top bool) queryInfo {
	p.enter()
	q := p.queryInner(top)
	p.leave()
	return q
}

func (p *fastParser) queryInner(top bool) queryInfo {
	if p.isKw("with") {
		if top {
			p.bail() // handled by statement(); WITH here would be nested WITH WITH
		}
		p.with()
	}
	first := p.selectCore()
	info := queryInfo{hadFrom: first.hadFrom}
	setOp := false
	for p.acceptKw("union") || p.acceptKw("intersect") || p.acceptKw("except") {
		setOp = true
		if !p.acceptKw("all") {
			p.acceptKw("distinct")
		}
		p.selectCore()
	}
	if setOp {
		info.hadFrom = true // a set operation is never EXISTS (SELECT 1), nor has a top WHERE
	} else if first.where {
		if top && !first.whereNotTrue {
			p.bail() // maybe a tautology: let the evaluator decide
		}
		info.hasWhere = true
	}
	if p.acceptKw("order") {
		p.expectKw("by")
		p.sortList()
	}
	p.limitOffset()
	if p.isKw("for") || p.isKw("fetch") || p.isKw("into") {
		p.bail()
	}
	return info
}

type coreInfo struct {
	hadFrom, where, whereNotTrue bool
}

func (p *fastParser) selectCore() coreInfo {
	var c coreInfo
	if p.acceptKw("values") {
		for {
			p.expectPunct("(")
			p.valuesRow()
			if !p.acceptPunct(",") {
				return c
			}
		}
	}
	p.expectKw("select")
	if p.acceptKw("distinct") {
		if p.acceptKw("on") {
			p.expectPunct("(")
			p.exprList()
			p.expectPunct(")")
		}
	} else {
		p.acceptKw("all")
	}
	p.targetList()
	if p.acceptKw("into") {
		p.bail() // SELECT INTO creates a table
	}
	if p.acceptKw("from") {
		c.hadFrom = true
		p.fromList()
	}
	if p.acceptKw("where") {
		c.where = true
		c.whereNotTrue = p.expr().notTrue
	}
	if p.acceptKw("group") {
		p.expectKw("by")
		if p.isKw("all") || p.isKw("distinct") || p.isPunct("(") {
			p.bail()
		}
		p.exprList()
	}
	if p.acceptKw("having") {
		p.expr()
	}
	if p.isKw("window") {
		p.bail()
	}
	return c
}

// valuesRow reads expr|DEFAULT, ... ) after the opening parenthesis.
func (p *fastParser) valuesRow() {
	for {
		if !p.acceptKw("default") {
			p.expr()
		}
		if !p.acceptPunct(",") {
			break
		}
	}
	p.expectPunct(")")
}

// targetList reads * | name.* | expr [[AS] label], ... and refuses an empty list.
func (p *fastParser) targetList() {
	for {
		switch {
		case p.peek().kind == tkOp && p.peek().text == "*":
			p.i++
		case nameWord(p.peek()) && p.peekAt(1).kind == tkPunct && p.peekAt(1).text == "." &&
			p.peekAt(2).kind == tkOp && p.peekAt(2).text == "*":
			p.i += 3
		default:
			p.expr()
			if p.acceptKw("as") {
				if p.next().kind != tkIdent {
					p.bail()
				}
			} else if plainName(p.peek()) {
				p.i++
			}
		}
		if !p.acceptPunct(",") {
			return
		}
	}
}

func (p *fastParser) fromList() {
	for {
		p.fromItem()
		if !p.acceptPunct(",") {
			return
		}
	}
}

// fromItem reads a table, sub-query or function, then its joins.
func (p *fastParser) fromItem() {
	p.tableRef()
	for {
		switch {
		case p.acceptKw("cross"):
			p.expectKw("join")
			p.tableRef()
			continue
		case p.acceptKw("join") || p.acceptKw("inner"):
			if p.toks[p.i-1].text == "inner" {
				p.expectKw("join")
			}
		case p.acceptKw("left") || p.acceptKw("right") || p.acceptKw("full"):
			p.acceptKw("outer")
			p.expectKw("join")
		default:
			return
		}
		p.tableRef()
		if p.acceptKw("on") {
			p.expr()
		} else {
			p.expectKw("using")
			p.expectPunct("(")
			p.nameList()
		}
	}
}

func (p *fastParser) tableRef() {
	switch {
	case p.isPunct("("):
		p.i++
		if !p.startsQuery() {
			p.bail() // parenthesised joins
		}
		p.query(false)
		p.expectPunct(")")
		p.alias(true)
	case plainName(p.peek()) && p.peekAt(1).kind == tkPunct && p.peekAt(1).text == "(":
		p.funcCall(p.next().text)
		if p.isKw("with") {
			p.bail() // WITH ORDINALITY
		}
		p.alias(true)
	default:
		p.relation()
		if p.isPunct("(") || p.isKw("tablesample") {
			p.bail()
		}
	}
}

func (p *fastParser) sortList() {
	for {
		p.expr()
		if !p.acceptKw("asc") {
			p.acceptKw("desc")
		}
		if p.isKw("using") {
			p.bail()
		}
		if p.acceptKw("nulls") {
			if !p.acceptKw("first") {
				p.expectKw("last")
			}
		}
		if !p.acceptPunct(",") {
			return
		}
	}
}

// limitOffset reads LIMIT {n | ALL} and OFFSET n in either order, each at most once.
func (p *fastParser) limitOffset() {
	limit, offset := false, false
	for {
		switch {
		case !limit && p.acceptKw("limit"):
			limit = true
			if !p.acceptKw("all") {
				p.expr()
			}
		case !offset && p.acceptKw("offset"):
			offset = true
			p.expr()
			if p.isKw("row") || p.isKw("rows") {
				p.bail()
			}
		default:
			return
		}
	}
}

// insert reads INSERT INTO name [(cols)] {VALUES ... | query | DEFAULT VALUES}
// [ON CONFLICT [(cols) | ON CONSTRAINT name] DO NOTHING] [RETURNING ...].
func (p *fastParser) insert() {
	p.expectKw("insert")
	p.expectKw("into")
	p.addTable(p.qualifiedName())
	if p.isKw("as") || p.isKw("overriding") {
		p.bail()
	}
	if p.acceptPunct("(") {
		p.nameList()
	}
	switch {
	case p.acceptKw("default"):
		p.expectKw("values")
	case p.startsQuery():
		p.query(false)
	default:
		p.bail()
	}
	if p.acceptKw("on") {
		p.expectKw("conflict")
		if p.acceptPunct("(") {
			p.nameList()
		} else if p.acceptKw("on") {
			p.expectKw("constraint")
			if !plainName(p.next()) {
				p.bail()
			}
		}
		p.expectKw("do")
		p.expectKw("nothing")
	}
	p.returning()
}

func (p *fastParser) returning() {
	if p.acceptKw("returning") {
		p.targetList()
	}
}

// update reads UPDATE name [[AS] alias] SET col = expr, ... [FROM ...] [WHERE ...] [RETURNING].
func (p *fastParser) update() Statement {
	p.expectKw("update")
	p.relation()
	p.expectKw("set")
	for {
		if !nameWord(p.next()) {
			p.bail()
		}
		if t := p.next(); t.kind != tkOp || t.text != "=" {
			p.bail()
		}
		if !p.acceptKw("default") {
			p.expr()
		}
		if !p.acceptPunct(",") {
			break
		}
	}
	if p.acceptKw("from") {
		p.fromList()
	}
	st := Statement{Kind: "update"}
	st.HasWhere = p.where()
	p.returning()
	if !st.HasWhere {
		st.Destructive, st.Reason = true, "UPDATE without a real WHERE"
	}
	return st
}

// delete reads DELETE FROM name [[AS] alias] [USING ...] [WHERE ...] [RETURNING ...].
func (p *fastParser) delete() Statement {
	p.expectKw("delete")
	p.expectKw("from")
	p.relation()
	if p.acceptKw("using") {
		p.fromList()
	}
	st := Statement{Kind: "delete"}
	st.HasWhere = p.where()
	p.returning()
	if !st.HasWhere {
		st.Destructive, st.Reason = true, "DELETE without a real WHERE"
	}
	return st
}

// where reads an optional WHERE and reports whether it is present and proven real; a WHERE
// that might be a tautology, or WHERE CURRENT OF, bails.
func (p *fastParser) where() bool {
	if !p.acceptKw("where") {
		return false
	}
	if p.isKw("current") {
		p.bail()
	}
	ors := p.ors
	if !p.expr().notTrue || p.ors != ors {
		// A disjunction may cover every row without any constant (x IS NULL OR x IS NOT
		// NULL): where.go's evaluator folds and compares the disjuncts.
		p.bail()
	}
	return true
}
