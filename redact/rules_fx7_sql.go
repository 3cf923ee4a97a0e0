package redact

import "bytes"

// SQL statements that write secrets into a table by column: the value in
// the position of a secret-named column of an INSERT (see rules_fx7_table.go).

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

// keyValueRow finds, in a row of a two- or three-column key/value table
// (`| DB_PASSWORD | <value> |`, `API_TOKEN,<value>`, a psql `\x` record
// `password | <value>`), the value in the cell after the secret's name at
// offset at of the line.
func keyValueRow(line []byte, cells []tableCell, at int, name []byte) (int, int, bool) {
	if len(cells) < 2 || len(cells) > 3 {
		return 0, 0, false
	}
	for i, c := range cells[:len(cells)-1] {
		if c.s > at || at > c.e {
			continue
		}
		vs, ve := trimCellSpan(line, cells[i+1].s, cells[i+1].e)
		if ve <= vs {
			return 0, 0, false
		}
		secret, password := secretKeyName(name)
		if !secret || !tableValue(line[vs:ve], password) {
			return 0, 0, false
		}
		return vs, ve, true
	}
	return 0, 0, false
}
