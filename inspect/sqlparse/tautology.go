package sqlparse

import (
	"strconv"
)

// atom is one comparison of a disjunction in a dialect-independent form: subject op value,
// where subject and value are the expressions' canonical texts. Comparisons that do not fit
// (functions of two columns, sub-queries) have no atom.
type atom struct {
	subject string
	op      string // isnull, notnull, =, <>, <, <=, >, >=, like, notlike, in, notin, istrue, nottrue, isfalse, notfalse
	value   string
}

// negatedOps pairs each operator with the one that holds exactly when it does not (for non-NULL
// subjects): an OR holding both is true for every row whose subject is not NULL.
var negatedOps = map[string]string{
	"isnull": "notnull", "notnull": "isnull", "=": "<>", "<>": "=", "<": ">=", ">=": "<", ">": "<=",
	"<=": ">", "like": "notlike", "notlike": "like", "in": "notin", "notin": "in",
	"istrue": "nottrue", "nottrue": "istrue", "isfalse": "notfalse", "notfalse": "isfalse",
}

// flipped is the operator that holds when the operands are swapped (5 > x is x < 5).
var flipped = map[string]string{"=": "=", "<>": "<>", "<": ">", ">": "<", "<=": ">=", ">=": "<="}

// negate returns the atom that holds exactly when a does not.
func (a atom) negate() atom {
	a.op = negatedOps[a.op]
	return a
}

// coversAll reports whether a disjunction of atoms is true for every row (a tautology once
// folded): it holds a comparison and its negation on the same subject (x IS NULL OR x IS NOT
// NULL, x = 1 OR x <> 1, NOT (x > 5) OR x > 5), or numeric ranges on one subject that leave no
// gap (x < 10 OR x >= 3). For comparisons other than IS [NOT] NULL a NULL subject satisfies
// neither side; such a WHERE still selects every row with a value, which is not a bound anyone
// meant, so it counts as unbounded.
func coversAll(atoms []atom) bool {
	seen := make(map[atom]bool, len(atoms))
	for _, a := range atoms {
		if a.op == "" {
			continue
		}
		if seen[a.negate()] {
			return true
		}
		seen[a] = true
	}
	return rangesCover(atoms)
}

// rangesCover reports numeric ranges on one subject whose union is every number.
func rangesCover(atoms []atom) bool {
	type bound struct {
		v    float64
		incl bool
	}
	lower := map[string][]bound{} // x > v, x >= v
	upper := map[string][]bound{} // x < v, x <= v
	for _, a := range atoms {
		v, err := strconv.ParseFloat(a.value, 64)
		if err != nil {
			continue
		}
		switch a.op {
		case ">", ">=":
			lower[a.subject] = append(lower[a.subject], bound{v, a.op == ">="})
		case "<", "<=":
			upper[a.subject] = append(upper[a.subject], bound{v, a.op == "<="})
		}
	}
	for subj, ls := range lower {
		for _, l := range ls {
			for _, u := range upper[subj] {
				if u.v > l.v || u.v == l.v && (u.incl || l.incl) {
					return true
				}
			}
		}
	}
	return false
}
