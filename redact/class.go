package redact

import (
	"fmt"
	"strings"
)

// Class is a kind of sensitive value. Classes are bit flags so a set of them
// (for example PII) is also a Class; Options.Disable takes such a set.
type Class uint16

// The classes of values the engine finds.
const (
	Secret Class = 1 << iota // credentials: API keys, tokens, private keys, passwords
	Email                    // e-mail addresses
	Phone                    // telephone numbers
	Card                     // payment card numbers (Luhn-checked)
	IBAN                     // international bank account numbers (mod-97-checked)
	SSN                      // US social security numbers
	Exact                    // values supplied at run time (for example injected credentials)

	// PII is every personal-data class.
	PII = Email | Phone | Card | IBAN | SSN
)

var classNames = []struct {
	c    Class
	name string
}{
	{Secret, "secret"},
	{Email, "email"},
	{Phone, "phone"},
	{Card, "card"},
	{IBAN, "iban"},
	{SSN, "ssn"},
	{Exact, "exact"},
}

// String returns the class name used in findings and audit counts, or a
// comma-separated list for a set.
func (c Class) String() string {
	var parts []string
	for _, cn := range classNames {
		if c&cn.c != 0 {
			parts = append(parts, cn.name)
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ",")
}

// MarshalText encodes the class by name.
func (c Class) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// ParseClass reads a class name or a comma-separated list ("pii" means all PII
// classes), as used in route configuration.
func ParseClass(s string) (Class, error) {
	var out Class
	for _, part := range strings.Split(s, ",") {
		part = strings.ToLower(strings.TrimSpace(part))
		if part == "" {
			continue
		}
		if part == "pii" {
			out |= PII
			continue
		}
		found := false
		for _, cn := range classNames {
			if cn.name == part {
				out |= cn.c
				found = true
			}
		}
		if !found {
			return 0, fmt.Errorf("unknown redaction class %q: use secret, email, phone, card, iban, ssn, exact or pii", part)
		}
	}
	return out, nil
}
