package redact

import "bytes"

// HTML tables: the same two layouts as text tables, in markup an agent
// fetches from an admin page or a report: a header cell naming a secret
// (`<th>Password</th>`) over a column of `<td>` values, and a row that pairs
// a secret's name with its value (`<td>api_key</td><td>…</td>`). Only cells
// of plain text are read; a cell holding markup is left alone.

// htmlCellTag returns the tag name ("th" or "td") of the cell whose content
// starts at cs (just after its `>`), or "".
func htmlCellTag(b []byte, cs int) string {
	if cs < 4 || b[cs-1] != '>' {
		return ""
	}
	lt := bytes.LastIndexByte(b[max(0, cs-128):cs], '<')
	if lt < 0 {
		return ""
	}
	lt += max(0, cs-128)
	if lt+3 > cs {
		return ""
	}
	tag := bytes.ToLower(b[lt+1 : lt+3])
	if string(tag) != "th" && string(tag) != "td" || lt+3 < cs-1 && b[lt+3] != ' ' {
		return ""
	}
	return string(tag)
}

// htmlCells returns the content spans of the cells (<th> or <td>) of the
// row b[s:e], in order.
func htmlCells(b []byte, s, e int, cells []tableCell) []tableCell {
	for i := s; i < e; {
		j := bytes.IndexByte(b[i:e], '<')
		if j < 0 {
			break
		}
		i += j
		if i+3 < e && (b[i+1] == 't' || b[i+1] == 'T') && (b[i+2] == 'd' || b[i+2] == 'D' || b[i+2] == 'h' || b[i+2] == 'H') &&
			(b[i+3] == '>' || b[i+3] == ' ') {
			gt := bytes.IndexByte(b[i:e], '>')
			if gt < 0 {
				break
			}
			cs := i + gt + 1
			ce := bytes.IndexByte(b[cs:e], '<')
			if ce < 0 {
				ce = e - cs
			}
			cells = append(cells, tableCell{cs, cs + ce})
			i = cs + ce
			continue
		}
		i++
	}
	return cells
}

// matchHTMLTable reads the table around the cell b[cs:ce] (see the file
// comment).
func matchHTMLTable(r *rule, b []byte, ks, cs, ce int, out []span) ([]span, int) {
	tag := htmlCellTag(b, cs)
	if tag == "" || ce+2 > len(b) || b[ce] != '<' || b[ce+1] != '/' {
		return out, -1
	}
	name := trimCell(b[cs:ce])
	secret, password := secretKeyName(name)
	if !secret {
		return out, -1
	}
	rs := bytes.LastIndex(bytes.ToLower(b[max(0, cs-4096):cs]), []byte("<tr"))
	if rs < 0 {
		return out, -1
	}
	rs += max(0, cs-4096)
	re := bytes.Index(bytes.ToLower(b[cs:min(len(b), cs+4096)]), []byte("</tr>"))
	if re < 0 {
		return out, pendIfNear(b, ks, tableMaxLen)
	}
	re += cs
	var buf [32]tableCell
	cells := htmlCells(b, rs, re, buf[:0])
	col := -1
	for i, c := range cells {
		if c.s == cs {
			col = i
		}
	}
	if col < 0 {
		return out, -1
	}
	// The value beside the name in a two- or three-cell row.
	if col+1 < len(cells) && len(cells) <= 3 {
		c := cells[col+1]
		vs, ve := trimCellSpan(b, c.s, c.e)
		if ve > vs && tableValue(b[vs:ve], password) {
			return addSpan(out, r, vs, ve), -1
		}
	}
	if tag != "th" {
		return out, -1
	}
	// The column under a header cell, row by row to the table's end.
	end := min(len(b), cs+tableMaxLen)
	if te := bytes.Index(bytes.ToLower(b[re:end]), []byte("</table>")); te >= 0 {
		end = re + te
	}
	for i, rows := re, 0; i < end && rows < tableMaxRows; rows++ {
		s := bytes.Index(bytes.ToLower(b[i:end]), []byte("<tr"))
		if s < 0 {
			break
		}
		s += i
		e := bytes.Index(bytes.ToLower(b[s:end]), []byte("</tr>"))
		if e < 0 {
			break
		}
		e += s
		cells = htmlCells(b, s, e, buf[:0])
		if col < len(cells) {
			c := cells[col]
			vs, ve := trimCellSpan(b, c.s, c.e)
			if ve > vs && tableValue(b[vs:ve], password) {
				out = addSpan(out, r, vs, ve)
			}
		}
		i = e + 5
	}
	return out, -1
}
