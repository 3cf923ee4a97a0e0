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
		return v, `{"attributes": {"id": "none", "result": "` + v + `"}, "sensitive_attributes": [[{"type": "get_attr", "value": "result"}]]}`
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
}
