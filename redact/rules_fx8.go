package redact

// Rules for the classes the eighth held-out corpus found missing (see
// redact/testdata/eighth/secrets-eighth.md): values a tool marks secret
// (rules_fx8_marked.go), authorization schemes other than Bearer and Basic
// and macaroon-style tokens (rules_fx8_auth.go), key ids that are secret in
// their document (rules_fx8_keyid.go), and the public values that stay in
// their narrow public context (rules_fx8_keep.go).

func fx8Rules() []*rule {
	var rs []*rule
	rs = append(rs, markedRules()...)
	rs = append(rs, authSchemeRules()...)
	rs = append(rs, keyIDRules()...)
	rs = append(rs, listRules()...)
	rs = append(rs, commandOutputRules()...)
	return rs
}
