package redact

// tokenVariable reports a token-replacement variable standing for a value a
// release pipeline fills in: `#{Name}#` (Azure DevOps Replace Tokens,
// Octopus Deploy) or `#{Name}` (Octopus, Ruby interpolation of a name), the
// name letters, digits, `_`, `.`, `-` and `:`. A generated password that
// starts with `#{` is kept only if the rest is such a name and nothing else.
func tokenVariable(v []byte) bool {
	i := 2
	for i < len(v) && i-2 < 128 && (isWordByte(v[i]) || v[i] == '.' || v[i] == '-' || v[i] == ':') {
		i++
	}
	if i == 2 || i >= len(v) || v[i] != '}' || !isLetter(v[2]) {
		return false
	}
	rest := v[i+1:]
	return len(rest) == 0 || len(rest) == 1 && rest[0] == '#'
}
