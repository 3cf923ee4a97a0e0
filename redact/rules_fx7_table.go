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
	kws := []string{"password", "passwd", "passphrase", "pass", "pwd", "secret", "token", "credential", "apikey", "api_key", "key", "auth"}
	return []*rule{
		customMulti("table-secret-column", Secret, tableMaxLen, matchTableColumn, kws...),
		custom("aligned-table-secret", Secret, tableMaxLine, matchAlignedRow, kws...),
	}
}

// cellOpens reports whether the byte before a cell starting at cs lets the
// cell be one the column rule reads: a line's start or a delimiter (a table
// header), '(' (an SQL column list), '>' (an HTML cell).
func cellOpens(b []byte, cs int) bool {
	return cs == 0 || b[cs-1] == '\n' || b[cs-1] == '(' || b[cs-1] == '>' || delimAt(b, cs-1) != 0
}

// tableDelims are the cell separators of the table layouts.
func tableDelim(c byte) bool { return c == '|' || c == ',' || c == '\t' || c == ';' }

// boxDelim stands for a box-drawing vertical line (`│`, `┃`: E2 94 82/83),
// the cell separator of tables drawn by CLIs (psql's unicode style, Python's
// rich and tabulate, doppler).
const boxDelim = 0x82

// boxAt reports a box-drawing vertical line whose bytes include b[i].
func boxAt(b []byte, i int) bool {
	for s := max(0, i-2); s <= i && s+3 <= len(b); s++ {
		if b[s] == 0xE2 && b[s+1] == 0x94 && (b[s+2] == 0x82 || b[s+2] == 0x83) {
			return true
		}
	}
	return false
}

// delimAt returns the table delimiter at b[i] (boxDelim for a box line), or 0.
func delimAt(b []byte, i int) byte {
	switch {
	case tableDelim(b[i]):
		return b[i]
	case b[i] >= 0x80 && boxAt(b, i):
		return boxDelim
	}
	return 0
}

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
		// The cell may still grow, but only longer and wordier, and its left side is already
		// known: a cell not opened as a header, SQL column list or HTML cell is (after a line's
		// start, a delimiter, '(' or '>'), one already too long or too wordy for a column's
		// name, or one holding a sentence's end (prose that mentions a key), is decided now, so
		// a streamed "Sure! Here is the key" is not held back for a header that cannot come.
		if !cellOpens(b, cs) {
			return out, -1
		}
		if name := trimCell(b[cs:ce]); len(name) > 48 || bytes.Count(name, []byte(" ")) > 3 || bytes.Contains(b[cs:ce], []byte(". ")) {
			return out, -1
		}
		return out, pendIfNear(b, ks, tableMaxLen)
	}
	if cs > 0 && (b[cs-1] == '(' || b[cs-1] == ',') && (b[ce] == ')' || b[ce] == ',') && sqlColumnList(b, cs) {
		_, password := secretKeyName(trimCell(b[cs:ce]))
		if sec, _ := secretKeyName(trimCell(b[cs:ce])); !sec {
			return out, -1
		}
		return matchSQLInsert(r, b, ks, cs, ce, password, out)
	}
	if cs > 0 && b[cs-1] == '>' && b[ce] == '<' {
		return matchHTMLTable(r, b, ks, cs, ce, out)
	}
	left := cs == 0 || b[cs-1] == '\n'
	var dl, dr byte
	if !left {
		dl = delimAt(b, cs-1)
	}
	if b[ce] != '\n' && b[ce] != '\r' {
		dr = delimAt(b, ce)
	}
	if !left && dl == 0 || dr == 0 && b[ce] != '\n' && b[ce] != '\r' {
		return out, -1
	}
	d := dl
	switch {
	case dl != 0:
		if dr != 0 && dr != dl {
			return out, -1
		}
	case dr != 0:
		d = dr
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
	if vs, ve, ok := keyValueRow(header, cells, cs-ls, name); ok {
		return addSpan(out, r, ls+vs, ls+ve), -1
	}
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
	if !secret && (!partIs(name, "key", "value") || !secretsTableAbove(b, ls)) {
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
		case d == boxDelim && c == 0xE2 && i+2 < len(line) && line[i+1] == 0x94 && (line[i+2] == 0x82 || line[i+2] == 0x83):
			cells = append(cells, tableCell{s, i})
			s = i + 3
			i += 2
		case c == d && !inq && d != boxDelim:
			cells = append(cells, tableCell{s, i})
			s = i + 1
		}
	}
	cells = append(cells, tableCell{s, len(line)})
	if t := bytes.TrimSpace(line); (d == '|' || d == boxDelim) && len(t) > 0 && (t[0] == '|' || d == boxDelim && t[0] == 0xE2) {
		// A bordered table (markdown, mysql); psql has no border, and its
		// last cell may be empty.
		if len(cells) > 0 {
			cells = cells[1:]
		}
		if n := len(cells); (t[len(t)-1] == '|' || d == boxDelim && len(t) >= 3 && boxAt(t, len(t)-1)) && n > 0 {
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
			if c >= 0x80 {
				dash = true // box drawing: ─ ┼ ├ ┤ ╞ ═
				continue
			}
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

// alignedMaxLines bounds how many rows above a row its table's rule may be.
const alignedMaxLines = 64

// matchAlignedRow finds the value of a secret's row in a table aligned with
// blanks under a dashed rule, as Vault, Consul and other CLIs print
// key/value results:
//
//	Key                Value
//	---                -----
//	password           A1a-3u8Hb1qXxNpFvKrw
//
// Every row between the rule and this one must be a name, blanks and one
// value, so prose that happens to follow a dashed line is not read.
func matchAlignedRow(_ *rule, b []byte, ks, ke int) (int, int, int) {
	ns, ne := nameAround(b, ks, ke)
	ls := ns
	for ls > 0 && (b[ls-1] == ' ' || b[ls-1] == '\t') {
		ls--
	}
	if ls > 0 && b[ls-1] != '\n' || ne >= len(b) || b[ne] != ' ' && b[ne] != '\t' {
		return -1, -1, -1
	}
	vs := ne
	for vs < len(b) && vs-ne < 64 && (b[vs] == ' ' || b[vs] == '\t') {
		vs++
	}
	if vs-ne < 2 && b[ne] != '\t' {
		return -1, -1, -1
	}
	le := lineEnd(b, vs, tableMaxLine)
	if le < 0 {
		return -1, -1, pendIfNear(b, ks, tableMaxLine)
	}
	ve := le
	for ve > vs && (b[ve-1] == '\r' || b[ve-1] == ' ') {
		ve--
	}
	if ve <= vs || bytes.ContainsAny(b[vs:ve], " \t") || !alignedTableAbove(b, ls) {
		return -1, -1, -1
	}
	secret, password := secretKeyName(b[ns:ne])
	if !secret || !tableValue(b[vs:ve], password) {
		return -1, -1, -1
	}
	return vs, ve, -1
}

// alignedTableAbove reports a dashed rule (`---   -----`) above the line
// starting at ls, with only `name  value` rows between.
func alignedTableAbove(b []byte, ls int) bool {
	for n := 0; n < alignedMaxLines && ls > 0; n++ {
		pe := ls - 1
		ps := pe
		for ps > 0 && b[ps-1] != '\n' && pe-ps < tableMaxLine {
			ps--
		}
		line := bytes.TrimRight(b[ps:pe], "\r ")
		if ruleLine(line) && bytes.Count(bytes.TrimSpace(line), []byte(" ")) > 0 {
			return true
		}
		f := bytes.Fields(line)
		if len(f) < 1 || len(f) > 2 {
			return false
		}
		ls = ps
	}
	return false
}

// secretsTableAbove reports a query of a table named for secrets just above
// a result's header at ls (`select * from api_keys;`, `FROM
// oauth_tokens`): its `key` or `value` column holds them.
func secretsTableAbove(b []byte, ls int) bool {
	w := b[max(0, ls-1024):ls]
	i := bytes.LastIndex(bytes.ToLower(w), []byte("from "))
	if i < 0 {
		return false
	}
	j := i + 5
	for j < len(w) && (w[j] == ' ' || w[j] == '`' || w[j] == '"') {
		j++
	}
	s := j
	for j < len(w) && (isWordByte(w[j]) || w[j] == '.') {
		j++
	}
	last, _ := lastNameParts(w[s:j])
	return partIs(last, "keys", "apikeys", "tokens", "secrets", "credentials", "passwords")
}
