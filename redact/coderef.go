package redact

import "regexp"

// dottedIdent recognises a code reference written as a value: `config.dbPassword`,
// `settings.API_TOKEN`, `$this->secret`, `Vault::token`. Such a value names
// where a secret is kept, so the rules that find secrets by their key name leave
// it alone. A generated credential may have the same shape (`ba.yFAeSAYzKEvDEJsq3`,
// `xtX15.sww6SKyb.J`, a Flask session cookie `eyJ….bUUAyf.OHpd…`): its parts
// switch between lower case, upper case and digits far more often than
// identifiers do, so those are not references.
var dottedIdent codeRefMatcher

type codeRefMatcher struct{}

var dottedIdentShape = regexp.MustCompile(`^[A-Za-z_$][A-Za-z0-9_$]*(?:(?:\.|->|::)[A-Za-z_$][A-Za-z0-9_$]*)+$`)

// Match reports whether v is a dotted code reference (see dottedIdent).
func (codeRefMatcher) Match(v []byte) bool {
	return dottedIdentShape.Match(v) && !randomCaseMix(v)
}

// randomCaseMix reports whether the letters and digits of v change between
// lower case, upper case and digit at least four times and at more than
// three changes in ten characters. Identifiers change once per word
// (dbPasswordHash: 4 in 14; XMLHttpRequest: 3 in 14; io.k8s.api.core.v1.Secret:
// 4 in 21); random strings about every other character.
func randomCaseMix(v []byte) bool {
	const (
		other = iota
		lower
		upper
		digit
	)
	class := func(c byte) int {
		switch {
		case c >= 'a' && c <= 'z':
			return lower
		case isUpper(c):
			return upper
		case isDigit(c):
			return digit
		}
		return other
	}
	changes, n, prev := 0, 0, other
	for _, c := range v {
		k := class(c)
		if k == other {
			prev = other
			continue
		}
		n++
		if prev != other && k != prev {
			changes++
		}
		prev = k
	}
	return changes >= 4 && changes*10 > n*3
}
