package policy

import "github.com/warden-gw/warden/exchange"

// NoGuards returns a copy of ps whose rules have no guard: Decide then runs every rule in CEL,
// the reference the guarded Decide is compared with.
func NoGuards(ps *Set) *Set {
	cp := *ps
	cp.rules = map[exchange.Phase][]*Rule{}
	for ph, rules := range ps.rules {
		for _, r := range rules {
			rc := *r
			rc.guard = nil
			cp.rules[ph] = append(cp.rules[ph], &rc)
		}
	}
	return &cp
}
