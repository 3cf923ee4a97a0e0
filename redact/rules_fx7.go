package redact

// Rules for credentials that stand where a structure, not a shape, says
// they are secret (the seventh held-out corpus's classes): a column of a
// table under a secret's name, the password argument of a well-known API
// call, an identifier-shaped value (UUID, hex) under a secret's name, and
// credentials inside base64 bodies and OAuth redirects.

// multiMatchFunc looks at a keyword hit b[ks:ke] and appends every secret
// span it finds to out. pend is as for matchFunc.
type multiMatchFunc func(r *rule, b []byte, ks, ke int, out []span) (spans []span, pend int)

// customMulti declares a hand-written rule that may find several spans at one
// keyword hit.
func customMulti(id string, class Class, maxLen int, f multiMatchFunc, keywords ...string) *rule {
	return &rule{id: id, class: class, kind: kindCustom, multi: f, maxLen: maxLen, keywords: keywords}
}

// addSpan appends the span [s, e) found by r.
func addSpan(out []span, r *rule, s, e int) []span {
	return append(out, span{s: s, e: e, id: r.id, class: r.class, prio: r.prec})
}

func fx7Rules() []*rule {
	var rs []*rule
	rs = append(rs, tableRules()...)
	rs = append(rs, argRules()...)
	rs = append(rs, keyedFx7Rules()...)
	rs = append(rs, oauthRules()...)
	rs = append(rs, k8sRules()...)
	return rs
}
