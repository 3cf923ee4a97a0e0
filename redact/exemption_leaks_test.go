package redact_test

import "testing"

// redactsAll asserts that each text's secret does not survive Redact.
func redactsAll(t *testing.T, cases map[string]string) {
	t.Helper()
	eng := engine(t)
	for text, secret := range cases {
		out, _ := eng.Redact([]byte(text), secretsOnly)
		if w, ok := leak(out, secret); ok {
			t.Errorf("%q survives in %q", w, out)
		}
	}
}

// TestDashInProseName: the name of an assignment ends at a command-line
// flag (`db_password.txt --from-file=...`), not at a dash that stands
// between spaces in prose (`DB password - staging: V`), whose value is the
// password.
func TestDashInProseName(t *testing.T) {
	redactsAll(t, map[string]string{
		"DB password - staging: Xk9mQ2vL7pR4!x\n": "Xk9mQ2vL7pR4!x",
		"Password - prod: Xk9mQ2vL7pR4tW8z\n":     "Xk9mQ2vL7pR4tW8z",
	})
	lookalikesStay(t, []string{
		"kubectl create secret generic db --from-file=password=secrets/db_password.txt --from-file=api_token=~/.config/acme/token2\n",
	})
}
