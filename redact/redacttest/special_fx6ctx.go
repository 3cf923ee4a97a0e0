package redacttest

import "math/rand/v2"

// Samples for the context rules of fx6-ctx (redact/rules_fx6ctx*.go): the
// value is recognised by the command, sentence, call or container around it.
func init() {
	special["cli-secret-setter"] = func(r *rand.Rand) (string, string) {
		v := "Fk9" + randString(r, alnum, 29)
		return v, "fly secrets set STRIPE_WEBHOOK=" + v + " --app shop\n"
	}
	special["cli-piped-secret"] = func(r *rand.Rand) (string, string) {
		v := "Fk9" + randString(r, alnum, 29)
		return v, "echo -n '" + v + "' | gh secret set DEPLOY_KEY\n"
	}
	special["prose-secret"] = func(r *rand.Rand) (string, string) {
		v := "9f" + randString(r, "0123456789abcdef", 30)
		return v, "[10:43] ops: auth token " + v + "\n"
	}
	special["announced-secret"] = func(r *rand.Rand) (string, string) {
		v := "Fk9" + randString(r, alnum, 37)
		return v, "Your new deploy token (shown only once):\n\n    " + v + "\n\nKeep it safe.\n"
	}
	special["call-arg-secret"] = func(r *rand.Rand) (string, string) {
		v := "Fk9" + randString(r, alnum, 37)
		return v, "client = connect(url, auth=Auth.api_key(\"" + v + "\"))\n"
	}
	special["xml-section-secret"] = func(r *rand.Rand) (string, string) {
		v := "oy2" + randString(r, "abcdefghijklmnopqrstuvwxyz0123456789", 43)
		return v, "<apikeys>\n  <add key=\"https://api.nuget.org/v3/index.json\" value=\"" + v + "\" />\n</apikeys>\n"
	}
	special["xml-named-secret"] = func(r *rand.Rand) (string, string) {
		v := "Fk9" + randString(r, alnum, 29)
		return v, "<setting name=\"ApiToken\" serializeAs=\"String\"><value>" + v + "</value></setting>\n"
	}
	special["credential-call"] = func(r *rand.Rand) (string, string) {
		v := "Fk9!" + randString(r, alnum, 12)
		return v, "server.login(\"alerts@example.test\", \"" + v + "\")\n"
	}
	special["cookie-call"] = func(r *rand.Rand) (string, string) {
		v := "Fk9" + randString(r, alnum, 29)
		return v, "res.cookie('auth', '" + v + "', { httpOnly: true })\n"
	}
	special["cookie-container"] = func(r *rand.Rand) (string, string) {
		v := "k7" + randString(r, "abcdefghijklmnopqrstuvwxyz0123456789", 30)
		return v, "\"cookies\": [{\"name\": \"app_sid\", \"value\": \"" + v + "\", \"path\": \"/\"}]\n"
	}
	special["hashicorp-secret-id"] = func(r *rand.Rand) (string, string) {
		h := "0123456789abcdef"
		v := randString(r, h, 8) + "-" + randString(r, h, 4) + "-4" + randString(r, h, 3) + "-a" + randString(r, h, 3) + "-" + randString(r, h, 12)
		return v, "vault write auth/approle/login role_id=db02de05 secret_id=" + v + "\n"
	}
}
