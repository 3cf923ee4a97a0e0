package redact

// fx6ctxRules are the rules for credentials recognised by what stands around
// them rather than by their own shape, found missing in the sixth held-out
// corpus: CLI setters (rules_fx6ctx_cli.go), prose and announced labels
// (rules_fx6ctx_prose.go), call arguments and name/value pairs in code, XML
// and HAR (rules_fx6ctx_pairs.go), and HashiCorp secret ids in their own
// context.
func fx6ctxRules() []*rule {
	var rs []*rule
	rs = append(rs, cliSetterRules()...)
	rs = append(rs, proseRules()...)
	rs = append(rs, pairRules()...)
	rs = append(rs, credentialCallRules()...)
	return rs
}
