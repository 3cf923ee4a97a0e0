package redacttest

import "math/rand/v2"

// Samples for the rules of redact/rules_fx8*.go.
func init() {
	special["marked-sensitive-value"] = func(r *rand.Rand) (string, string) {
		v := "Fk9" + randString(r, alnum, 17)
		return v, `{"db_password": {"sensitive": true, "type": "string", "value": "` + v + `"}}`
	}
	special["marked-sensitive-attribute"] = func(r *rand.Rand) (string, string) {
		v := "Fk9" + randString(r, alnum, 21)
		// The list before the values it marks: a stream cannot take back a value it released
		// before the list arrived (Terraform writes the list after; see rules_fx8_marked.go).
		return v, `{"sensitive_attributes": [[{"type": "get_attr", "value": "result"}]], "attributes": {"id": "none", "result": "` + v + `"}}`
	}
	special["github-add-mask"] = func(r *rand.Rand) (string, string) {
		v := "Fk9" + randString(r, alnum, 17)
		return v, "::add-mask::" + v + "\n"
	}
	special["auth-scheme-credential"] = func(r *rand.Rand) (string, string) {
		v := "00" + randString(r, alnum, 40)
		return v, "Authorization: SSWS " + v + "\n"
	}
	special["gcp-key-file-key-id"] = func(r *rand.Rand) (string, string) {
		v := randString(r, "0123456789abcdef", 40)
		return v, `{"type": "service_account", "private_key_id": "` + v + `", "private_key": "-----BEGIN PRIVATE KEY-----\nMIIEvQ\n-----END PRIVATE KEY-----\n"}`
	}
	special["secret-list-item"] = func(r *rand.Rand) (string, string) {
		v := "Fk9" + randString(r, alnum, 21)
		return v, "api_keys:\n  - " + v + "\n  - Zq8" + randString(r, alnum, 21) + "\n"
	}
	special["command-output-secret"] = func(r *rand.Rand) (string, string) {
		v := "Fk9" + randString(r, alnum, 21)
		return v, "$ terraform output -raw db_password\n" + v + "\n"
	}
}
