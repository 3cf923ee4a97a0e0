package sqlparse

// The DDL a migration script is made of: CREATE TABLE, CREATE INDEX and ALTER TABLE … ADD. None
// of it is destructive to the full analysis; the fast path only has to read it exactly and find
// the tables it names (the created or altered table, then every REFERENCES target).

// create reads CREATE TABLE and CREATE [UNIQUE] INDEX.
func (p *fastParser) create() Statement {
	p.expectKw("create")
	switch {
	case p.acceptKw("table"):
		p.createTable()
	case p.acceptKw("unique"):
		p.expectKw("index")
		p.createIndex()
	case p.acceptKw("index"):
		p.createIndex()
	default:
		p.bail()
	}
	return Statement{Kind: "create"}
}

func (p *fastParser) ifNotExists() bool {
	if p.acceptKw("if") {
		p.expectKw("not")
		p.expectKw("exists")
		return true
	}
	return false
}

// createTable reads [IF NOT EXISTS] name ( column | table_constraint, ... ).
func (p *fastParser) createTable() {
	p.ifNotExists()
	p.addTable(p.qualifiedName())
	p.expectPunct("(")
	for {
		if !p.tableConstraint() {
			p.columnDef()
		}
		if !p.acceptPunct(",") {
			break
		}
	}
	p.expectPunct(")")
}

// columnDef reads name type [constraint ...].
func (p *fastParser) columnDef() {
	if !plainName(p.next()) {
		p.bail()
	}
	p.typeName()
	for p.columnConstraint() {
	}
}

// columnConstraint reads one column constraint and reports whether there was one.
func (p *fastParser) columnConstraint() bool {
	if p.acceptKw("constraint") {
		if !plainName(p.next()) {
			p.bail()
		}
		if !p.columnConstraint() {
			p.bail()
		}
		return true
	}
	switch {
	case p.acceptKw("not"):
		p.expectKw("null")
	case p.acceptKw("null"), p.acceptKw("unique"):
	case p.acceptKw("primary"):
		p.expectKw("key")
	case p.acceptKw("default"):
		p.arith() // b_expr: the fast path takes operands and arithmetic only
	case p.acceptKw("check"):
		p.expectPunct("(")
		p.expr()
		p.expectPunct(")")
	case p.acceptKw("references"):
		p.references()
	default:
		return false
	}
	return true
}

// tableConstraint reads [CONSTRAINT name] PRIMARY KEY | UNIQUE | CHECK | FOREIGN KEY, or
// reports false when the element is not a table constraint.
func (p *fastParser) tableConstraint() bool {
	switch {
	case p.acceptKw("constraint"):
		if !plainName(p.next()) {
			p.bail()
		}
		if !p.tableConstraint() {
			p.bail()
		}
	case p.acceptKw("primary"):
		p.expectKw("key")
		p.expectPunct("(")
		p.nameList()
	case p.acceptKw("unique"):
		p.expectPunct("(")
		p.nameList()
	case p.acceptKw("check"):
		p.expectPunct("(")
		p.expr()
		p.expectPunct(")")
	case p.acceptKw("foreign"):
		p.expectKw("key")
		p.expectPunct("(")
		p.nameList()
		p.expectKw("references")
		p.references()
	default:
		return false
	}
	return true
}

// references reads table [(column)] [ON DELETE action] [ON UPDATE action].
func (p *fastParser) references() {
	p.addTable(p.qualifiedName())
	if p.acceptPunct("(") {
		p.nameList()
	}
	for deleted, updated := false, false; p.acceptKw("on"); {
		switch {
		case !deleted && p.acceptKw("delete"):
			deleted = true
		case !updated && p.acceptKw("update"):
			updated = true
		default:
			p.bail()
		}
		switch {
		case p.acceptKw("cascade"), p.acceptKw("restrict"):
		case p.acceptKw("no"):
			p.expectKw("action")
		case p.acceptKw("set"):
			if !p.acceptKw("null") {
				p.expectKw("default")
			}
		default:
			p.bail()
		}
	}
}

// createIndex reads [CONCURRENTLY] [[IF NOT EXISTS] name] ON table [USING method] (elem, ...).
func (p *fastParser) createIndex() {
	p.acceptKw("concurrently")
	if p.ifNotExists() {
		if !plainName(p.next()) {
			p.bail()
		}
	} else if plainName(p.peek()) {
		p.i++
	}
	p.expectKw("on")
	p.addTable(p.qualifiedName())
	if p.acceptKw("using") {
		if !plainName(p.next()) {
			p.bail()
		}
	}
	p.expectPunct("(")
	for {
		if p.acceptPunct("(") {
			p.expr()
			p.expectPunct(")")
		} else if !plainName(p.next()) {
			p.bail()
		}
		if !p.acceptKw("asc") {
			p.acceptKw("desc")
		}
		if p.acceptKw("nulls") {
			if !p.acceptKw("first") {
				p.expectKw("last")
			}
		}
		if !p.acceptPunct(",") {
			break
		}
	}
	p.expectPunct(")")
}

// alter reads ALTER TABLE [IF EXISTS] name ADD [COLUMN] [IF NOT EXISTS] column | constraint, ...
func (p *fastParser) alter() Statement {
	p.expectKw("alter")
	p.expectKw("table")
	if p.acceptKw("if") {
		p.expectKw("exists")
	}
	p.addTable(p.qualifiedName())
	for {
		p.expectKw("add")
		if !p.tableConstraint() {
			p.acceptKw("column")
			p.ifNotExists()
			p.columnDef()
		}
		if !p.acceptPunct(",") {
			break
		}
	}
	return Statement{Kind: "alter"}
}
