package redact

// keepInObject reports a public value in its public context (see fx8KeepRules).
func keepInObject(b []byte, path []pathElem, start int, v []byte) bool {
	return false
}
