package redact

// Rules for the classes the eighth held-out corpus found missing (see
// redact/testdata/eighth/secrets-eighth.md, "Fixed against"):
//
//   - values a tool marks secret (rules_fx8_marked.go) and the output of
//     commands that print a secret (rules_fx8_cmdout.go);
//   - authorization schemes other than Bearer and Basic, and macaroon-style
//     tokens (rules_fx8_auth.go);
//   - key ids that are secret in their document (rules_fx8_keyid.go);
//   - lists under a secret's name (rules_fx8_lists.go);
//   - public values kept in their narrow public context (rules_fx8_keep.go,
//     registered with the keep rules of rules_fx7_keep.go).
//
// Shared rules were narrowed or widened in place, through helpers here:
// `.netrc` passwords need a netrc-shaped entry (rules_fx8_netrc.go) and URL
// passwords that spell "password" are examples only without a random part
// (rules_fx8_url.go). RedactJSON reads the object around a value for these
// classes through rules_fx8_json.go; the object readers are in
// rules_fx8_obj.go.
//
// The rules register last (engine.go allRules), so the generated samples of
// every earlier rule keep their seeds.

func fx8Rules() []*rule {
	var rs []*rule
	rs = append(rs, markedRules()...)
	rs = append(rs, authSchemeRules()...)
	rs = append(rs, keyIDRules()...)
	rs = append(rs, listRules()...)
	rs = append(rs, commandOutputRules()...)
	return rs
}
