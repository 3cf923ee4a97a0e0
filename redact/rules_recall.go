package redact

// recallRules are the rules that read credentials from the layouts and
// formats found missing in held-out corpora: labels over values, files of
// colon-separated fields, positional passwords, quoting and continuation
// forms, and provider formats without a rule of their own.
func recallRules() []*rule {
	var rs []*rule
	rs = append(rs, labelRules()...)
	rs = append(rs, positionalRules()...)
	rs = append(rs, pgpassRules()...)
	rs = append(rs, providerRulesRecall()...)
	rs = append(rs, shellQuoteRules()...)
	rs = append(rs, continuedRules()...)
	rs = append(rs, fx6ctxRules()...)
	rs = append(rs, fx7Rules()...)
	return rs
}
