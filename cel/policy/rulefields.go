package policy

// Fields returns the variable paths the rule's condition selects, each with its prefixes
// ("request", "request.body", "request.body.raw"), in no particular order. Map keys read with
// an index (request.headers["x"]) show as the map's path. `warden policy diff` uses it to say
// which rules read what an audit record does not carry.
func (r *Rule) Fields() []string {
	if r.ast == nil {
		return nil
	}
	into := map[string]bool{}
	usedFields(r.ast, into)
	return sortedKeys(into)
}
