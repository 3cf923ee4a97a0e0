package redact

import "bytes"

// Tables whose header names a secret column: the values below the header in
// that column are the secrets, whatever their shape (a password column of
// words with a digit, a token column of hex). The layouts agents see:
//
//	CSV, TSV and semicolon-separated exports with a header row;
//	markdown tables (`| Service | Token |`, a `|---|` rule, rows);
//	psql results (` id | client_secret`, a `---+---` rule, rows, `(3 rows)`);
//	mysql results (`+----+` borders around `| id | password |` and the rows);
//	SQL `INSERT INTO t (..., api_secret, ...) VALUES (...), (...)`.
//
// The header cell must be a name alone in its cell, judged as a keyed
// value's name is (secretKeyName: `password`, `api_token`, `Credential`;
// not `token_id`, `password_hash`), every header cell must be a short name,
// and a row counts only while it has as many cells as the header. A value
// must still look like a credential (opaqueValue; a word with a digit or a
// symbol under a password's name), so a `Token` column of placeholders or
// `—` stays.

const (
	tableMaxLine = 4096     // a header or row line
	tableMaxLen  = 64 << 10 // the header and the rows read below it
	tableMaxRows = 512
)

func tableRules() []*rule {
	kws := []string{"password", "passwd", "passphrase", "pwd", "secret", "token", "credential", "apikey", "api_key", "key", "auth"}
	return []*rule{
		customMulti("table-secret-column", Secret, tableMaxLen, matchTableColumn, kws...),
	}
}

// tableDelims are the cell separators of the table layouts.
func tableDelim(c byte) bool { return c == '|' || c == ',' || c == '\t' || c == ';' }

// headerCellByte reports a byte of a header cell: a name in words.
func headerCellByte(c byte) bool {
	return isWordByte(c) || c == '-' || c == '.' || c == ' ' || c == '"' || c == '`' || c == '*' || c == '\''
}

func matchTableColumn(r *rule, b []byte, ks, ke int, out []span) ([]span, int) {
	// The cell around the keyword.
	cs := ks
	for cs > 0 && ks-cs < 64 && headerCellByte(b[cs-1]) {
		cs--
	}
	ce := ke
	for ce < len(b) && ce-ke < 64 && headerCellByte(b[ce]) {
		ce++
	}
	if ce == len(b) {
		return out, pendIfNear(b, ks, tableMaxLen)
	}
	if cs > 0 && (b[cs-1] == '(' || b[cs-1] == ',') && (b[ce] == ')' || b[ce] == ',') && sqlColumnList(b, cs) {
		_, password := secretKeyName(trimCell(b[cs:ce]))
		if sec, _ := secretKeyName(trimCell(b[cs:ce])); !sec {
			return out, -1
		}
		return matchSQLInsert(r, b, ks, cs, ce, password, out)
	}
	left := cs == 0 || b[cs-1] == '\n'
	if !left && !tableDelim(b[cs-1]) || !tableDelim(b[ce]) && b[ce] != '\n' && b[ce] != '\r' {
		return out, -1
	}
	var d byte
	switch {
	case !left && tableDelim(b[cs-1]):
		d = b[cs-1]
		if tableDelim(b[ce]) && b[ce] != d {
			return out, -1
		}
	case tableDelim(b[ce]):
		d = b[ce]
	default:
		return out, -1
	}
	name := trimCell(b[cs:ce])
	if len(name) == 0 || len(name) > 48 || bytes.Count(name, []byte(" ")) > 3 {
		return out, -1
	}
	ls := cs
	for ls > 0 && b[ls-1] != '\n' && cs-ls < tableMaxLine {
		ls--
	}
	if ls > 0 && b[ls-1] != '\n' {
		return out, -1
	}
	le := lineEnd(b, ce, tableMaxLine)
	if le < 0 {
		return out, pendIfNear(b, ks, tableMaxLen)
	}
	header := b[ls:le]
	var cellBuf [32]tableCell
	cells := splitCells(header, d, cellBuf[:0])
	col := -1
	for i, c := range cells {
		if c.s <= cs-ls && cs-ls <= c.e {
			col = i
		}
		cell := header[c.s:c.e]
		if i == 0 {
			cell = afterLead(cell)
		}
		if !headerCell(cell) {
			return out, -1
		}
	}
	if col < 0 || len(cells) < 2 || d != '|' && len(cells) < 3 && !lineStart(b, ls) {
		return out, -1
	}
	// The name last: it is the costly test, and most cells are no header's.
	secret, password := secretKeyName(name)
	if !secret {
		return out, -1
	}
	return tableRows(r, b, le, d, len(cells), col, password, ls, out)
}

// tableRows reads the rows below a header line ending at le and adds the
// credential values of column col.
func tableRows(r *rule, b []byte, le int, d byte, ncells, col int, password bool, ls int, out []span) ([]span, int) {
	var cellBuf [32]tableCell
	cells := cellBuf[:0]
	i := le + 1
	for rows := 0; rows < tableMaxRows && i < len(b) && i-ls < tableMaxLen; rows++ {
		e := lineEnd(b, i, tableMaxLine)
		if e < 0 {
			if len(b)-i < tableMaxLine {
				return out, ls // a row still arriving
			}
			return out, -1
		}
		line := b[i:e]
		next := e + 1
		if len(bytes.TrimSpace(line)) == 0 {
			return out, -1
		}
		if ruleLine(line) {
			i = next
			continue
		}
		cells = splitCells(line, d, cells[:0])
		if len(cells) != ncells {
			return out, -1
		}
		c := cells[col]
		vs, ve := trimCellSpan(line, c.s, c.e)
		if ve > vs && tableValue(line[vs:ve], password) {
			out = addSpan(out, r, i+vs, i+ve)
		}
		i = next
	}
	if i >= len(b) {
		return out, ls
	}
	return out, -1
}

// tableValue reports a cell value that is a credential under a secret
// column: generated, a password under a password column, or a UUID (a
// Consul or Splunk token) under a column that names a secret.
func tableValue(v []byte, password bool) bool {
	return opaqueValue(v, password) || uuidShape.Match(v) && !isPlaceholder(v)
}

type tableCell struct{ s, e int }

// splitCells splits a line into cells at d; with ',' or ';' a double-quoted
// cell may hold the delimiter ("" escapes a quote). A markdown or mysql row
// starts and ends with '|': the empty cells outside them are dropped.
func splitCells(line []byte, d byte, cells []tableCell) []tableCell {
	line = bytes.TrimRight(line, "\r")
	quoted := d == ',' || d == ';'
	s, inq := 0, false
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case quoted && c == '"':
			inq = !inq
		case c == d && !inq:
			cells = append(cells, tableCell{s, i})
			s = i + 1
		}
	}
	cells = append(cells, tableCell{s, len(line)})
	if t := bytes.TrimSpace(line); d == '|' && len(t) > 0 && t[0] == '|' {
		// A bordered table (markdown, mysql); psql has no border, and its
		// last cell may be empty.
		if len(cells) > 0 {
			cells = cells[1:]
		}
		if n := len(cells); t[len(t)-1] == '|' && n > 0 {
			cells = cells[:n-1]
		}
	}
	return cells
}

// trimCell trims blanks, quotes, backquotes and markdown emphasis.
func trimCell(c []byte) []byte {
	return bytes.Trim(c, " \t\r\"'`*")
}

func trimCellSpan(line []byte, s, e int) (int, int) {
	for s < e && bytes.IndexByte([]byte(" \t\r\"'`*"), line[s]) >= 0 {
		s++
	}
	for e > s && bytes.IndexByte([]byte(" \t\r\"'`*"), line[e-1]) >= 0 {
		e--
	}
	return s, e
}

// afterLead drops what may lead a table's first header cell on its line:
// the `key=` a JSON value is scanned after, a sentence ending in ". " or ": ".
func afterLead(c []byte) []byte {
	for _, sep := range []string{"=", ": ", ". "} {
		if i := bytes.LastIndex(c, []byte(sep)); i >= 0 {
			c = c[i+len(sep):]
		}
	}
	return c
}

// headerCell reports a header cell: a short name of a few words, or empty.
func headerCell(c []byte) bool {
	c = trimCell(c)
	if len(c) > 48 || bytes.Count(c, []byte(" ")) > 3 {
		return false
	}
	for _, x := range c {
		if !isWordByte(x) && x != '-' && x != '.' && x != ' ' && x != '(' && x != ')' && x != '#' && x != '/' {
			return false
		}
	}
	return true
}

// ruleLine reports a table rule: `|---|:--:|`, `----+----`, `+----+----+`.
func ruleLine(line []byte) bool {
	dash := false
	for _, c := range line {
		switch c {
		case '-', '=':
			dash = true
		case '+', '|', ':', ' ', '\t', '\r':
		default:
			return false
		}
	}
	return dash
}

// lineEnd returns the index of the '\n' ending the line that holds i, or -1
// when the input ends first (or the line is longer than max).
func lineEnd(b []byte, i, max int) int {
	j := bytes.IndexByte(b[i:min(len(b), i+max)], '\n')
	if j < 0 {
		return -1
	}
	return i + j
}

// sqlColumnList reports whether the cell at cs is in the column list of an
// INSERT statement: `INSERT INTO <table> (` before it on its line or the
// lines above (at most 1 KiB back).
func sqlColumnList(b []byte, cs int) bool {
	open := bytes.LastIndexByte(b[max(0, cs-1024):cs], '(')
	if open < 0 {
		return false
	}
	open += max(0, cs-1024)
	if bytes.ContainsAny(b[open:cs], ")'\";") {
		return false
	}
	return sqlInsertBefore(b, open)
}

// sqlInsertBefore reports `INSERT [INTO] name` ending just before open.
func sqlInsertBefore(b []byte, open int) bool {
	i := open
	for i > 0 && (b[i-1] == ' ' || b[i-1] == '\t' || b[i-1] == '\n' || b[i-1] == '\r') {
		i--
	}
	ne := i
	for i > 0 && ne-i < 128 && (isWordByte(b[i-1]) || bytes.IndexByte([]byte(".\"`[]"), b[i-1]) >= 0) {
		i--
	}
	if i == ne {
		return false
	}
	for i > 0 && (b[i-1] == ' ' || b[i-1] == '\t' || b[i-1] == '\n') {
		i--
	}
	for _, w := range []string{"insert into", "insert", "replace into", "upsert into"} {
		if i >= len(w) && bytes.EqualFold(b[i-len(w):i], []byte(w)) && (i == len(w) || !isWordByte(b[i-len(w)-1])) {
			return true
		}
	}
	return false
}

// sqlMaxLen bounds the VALUES read after an INSERT's column list.
const sqlMaxLen = 32 << 10

// matchSQLInsert adds the values of the secret column (the cell b[cs:ce] of
// an INSERT's column list) in every tuple of its VALUES clause.
func matchSQLInsert(r *rule, b []byte, ks, cs, ce int, password bool, out []span) ([]span, int) {
	open := bytes.LastIndexByte(b[max(0, cs-1024):cs], '(') + max(0, cs-1024)
	col := bytes.Count(b[open:cs], []byte(","))
	end := min(len(b), ce+sqlMaxLen)
	closeIdx := bytes.IndexByte(b[ce:end], ')')
	if closeIdx < 0 {
		return out, pendIfNear(b, ks, sqlMaxLen)
	}
	i := skipSQLSpace(b, ce+closeIdx+1, end)
	if i+6 > len(b) {
		return out, pendIfNear(b, ks, sqlMaxLen)
	}
	if !bytes.EqualFold(b[i:i+6], []byte("values")) {
		return out, -1
	}
	i += 6
	for tuples := 0; tuples < 256; tuples++ {
		i = skipSQLSpace(b, i, end)
		if i >= end {
			return out, pendIfNear(b, ks, sqlMaxLen)
		}
		if b[i] != '(' {
			return out, -1
		}
		var vs, ve int
		var done bool
		i, vs, ve, done = sqlTuple(b, i+1, end, col)
		if !done {
			return out, pendIfNear(b, ks, sqlMaxLen)
		}
		if vs >= 0 && tableValue(b[vs:ve], password) {
			out = addSpan(out, r, vs, ve)
		}
		i = skipSQLSpace(b, i, end)
		if i >= end || b[i] != ',' {
			return out, -1
		}
		i++
	}
	return out, -1
}

func skipSQLSpace(b []byte, i, end int) int {
	for i < end && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// sqlTuple reads one VALUES tuple from i (after its '(') and returns the
// index after its ')' and the string literal in position col (vs < 0: not
// a string literal); done is false when the input ends inside the tuple.
func sqlTuple(b []byte, i, end, col int) (next, vs, ve int, done bool) {
	vs, ve = -1, -1
	pos, depth := 0, 0
	for i < end {
		switch c := b[i]; {
		case c == '\'' || c == '"':
			j := i + 1
			for j < end {
				if b[j] == c {
					if j+1 < end && b[j+1] == c {
						j += 2 // '' escapes a quote
						continue
					}
					break
				}
				if b[j] == '\\' {
					j++
				}
				j++
			}
			if j >= end {
				return i, -1, -1, false
			}
			if pos == col && depth == 0 {
				vs, ve = i+1, j
			}
			i = j + 1
		case c == '(':
			depth++
			i++
		case c == ')':
			if depth == 0 {
				return i + 1, vs, ve, true
			}
			depth--
			i++
		case c == ',' && depth == 0:
			pos++
			i++
		default:
			i++
		}
	}
	return i, -1, -1, false
}
