package sqlparse

import (
	"strconv"
	"strings"
)

// lexCoversAll reports whether the disjuncts of a condition read lexically (nested ORs
// flattened) cover every row (coversAll).
func lexCoversAll(parts [][]lexTok) bool {
	var atoms []atom
	var collect func(ps [][]lexTok, level int) bool
	collect = func(ps [][]lexTok, level int) bool {
		for _, p := range ps {
			if level > 50 || len(atoms) > maxDisjuncts {
				return false
			}
			p = stripParens(p)
			if sub := splitAtWord(p, "or"); len(sub) > 1 {
				if !collect(sub, level+1) {
					return false
				}
				continue
			}
			atoms = append(atoms, lexAtom(p, 0))
		}
		return true
	}
	return collect(parts, 0) && coversAll(atoms)
}

// lexAtom reads "x IS [NOT] NULL", "NOT c", "A op B" (single tokens) and "A [NOT] LIKE B" as
// an atom; anything else is "c IS TRUE" over its token text.
func lexAtom(c []lexTok, level int) atom {
	c = stripParens(c)
	n := len(c)
	if n == 0 || level > 50 {
		return atom{}
	}
	if c[0].kind == lkWord && c[0].word == "not" {
		if a := lexAtom(c[1:], level+1); a.op != "" {
			return a.negate()
		}
		return atom{}
	}
	switch {
	case n >= 3 && isWord(c[n-2], "is") && isWord(c[n-1], "null"):
		return atom{subject: lexText(c[:n-2]), op: "isnull"}
	case n >= 4 && isWord(c[n-3], "is") && isWord(c[n-2], "not") && isWord(c[n-1], "null"):
		return atom{subject: lexText(c[:n-3]), op: "notnull"}
	case n == 4 && isWord(c[1], "not") && (isWord(c[2], "like") || isWord(c[2], "ilike")):
		return atom{subject: lexText(c[:1]), op: "notlike", value: lexText(c[3:])}
	case n == 3 && (isWord(c[1], "like") || isWord(c[1], "ilike")):
		return atom{subject: lexText(c[:1]), op: "like", value: lexText(c[2:])}
	}
	opEnd := 1
	for opEnd < n && c[opEnd].kind == lkPunct && strings.Contains("=<>!", c[opEnd].word) {
		opEnd++
	}
	if opEnd > 1 && opEnd == n-1 {
		var op strings.Builder
		for _, t := range c[1:opEnd] {
			op.WriteString(t.word)
		}
		o := op.String()
		switch o {
		case "==":
			o = "="
		case "!=":
			o = "<>"
		}
		if _, ok := flipped[o]; ok {
			l, r := c[0], c[n-1]
			if (l.kind == lkNumber || l.kind == lkString) && r.kind == lkWord {
				l, r, o = r, l, flipped[o]
			}
			value := "\x00" + lexText([]lexTok{r})
			if r.kind == lkNumber {
				value = r.word
			}
			return atom{subject: lexText([]lexTok{l}), op: o, value: value}
		}
	}
	return atom{subject: lexText(c), op: "istrue"}
}

func isWord(t lexTok, w string) bool { return t.kind == lkWord && t.word == w }

// lexText is a canonical text of tokens: kind and word of each.
func lexText(c []lexTok) string {
	var b strings.Builder
	for _, t := range c {
		b.WriteString(strconv.Itoa(int(t.kind)))
		b.WriteByte(':')
		b.WriteString(t.word)
		b.WriteByte(' ')
	}
	return b.String()
}
