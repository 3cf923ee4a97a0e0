package redact

import "regexp/syntax"

// A rule's value pattern runs at every occurrence of its keywords, and on
// ordinary text most occurrences have no value of the pattern's shape after
// them (`key := m.keys[i]`). A match is a run of bytes of the pattern's byte
// set at least its shortest match long; where the bytes after the value's
// start hold no such run, the regexp cannot match and is not run.

// minMatchLen returns the length in bytes of re's shortest match.
func minMatchLen(re *syntax.Regexp) int {
	switch re.Op {
	case syntax.OpLiteral:
		n := 0
		for _, c := range re.Rune {
			n += len(string(c))
		}
		if re.Flags&syntax.FoldCase != 0 {
			// A case-folded literal can match a shorter or longer fold; count one byte a rune.
			n = len(re.Rune)
		}
		return n
	case syntax.OpCharClass, syntax.OpAnyCharNotNL, syntax.OpAnyChar:
		return 1
	case syntax.OpCapture, syntax.OpPlus:
		return minMatchLen(re.Sub[0])
	case syntax.OpConcat:
		n := 0
		for _, s := range re.Sub {
			n += minMatchLen(s)
		}
		return n
	case syntax.OpAlternate:
		n := -1
		for _, s := range re.Sub {
			if m := minMatchLen(s); n < 0 || m < n {
				n = m
			}
		}
		return max(n, 0)
	case syntax.OpRepeat:
		return re.Min * minMatchLen(re.Sub[0])
	}
	return 0 // empty, anchors, star, quest
}

// matchSet marks every byte a match of re can hold: addCharset's bytes, and
// every byte >= 0x80 when a case-folded literal holds k or s (their folds
// include the Kelvin sign and the long s, which addCharset leaves out).
func matchSet(set *[256]bool, re *syntax.Regexp) {
	addCharset(set, re)
	var walk func(*syntax.Regexp) bool
	walk = func(re *syntax.Regexp) bool {
		if re.Op == syntax.OpLiteral && re.Flags&syntax.FoldCase != 0 {
			for _, c := range re.Rune {
				switch c {
				case 'k', 'K', 's', 'S':
					return true
				}
			}
		}
		for _, s := range re.Sub {
			if walk(s) {
				return true
			}
		}
		return false
	}
	if walk(re) {
		for c := 0x80; c < 256; c++ {
			set[c] = true
		}
	}
}

// cannotMatchAt reports whether r's pattern has no match starting at b[vs]:
// fewer than its shortest match's length of its bytes follow.
func (r *rule) cannotMatchAt(b []byte, vs int) bool {
	j := vs
	for j < len(b) && j-vs < r.minLen && r.matchSet[b[j]] {
		j++
	}
	return j-vs < r.minLen
}
