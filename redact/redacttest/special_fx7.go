package redacttest

import (
	"encoding/base64"
	"math/rand/v2"
)

// specialFx7 builds samples for the rules of redact/rules_fx7*.go.
var specialFx7 = map[string]func(*rand.Rand) (secret, line string){
	"table-secret-column": func(r *rand.Rand) (string, string) {
		v := randString(r, "0123456789abcdef", 40)
		return v, "id,email,api_token\n7,a@example.test," + v + "\n"
	},
}

func init() {
	for id, f := range specialFx7 {
		special[id] = f
	}
}

var specialFx7b = map[string]func(*rand.Rand) (secret, line string){
	"call-credential-argument": func(r *rand.Rand) (string, string) {
		v := "Fk9" + randString(r, alnum, 17)
		return v, `conn = DriverManager.getConnection(url, "app", "` + v + `");`
	},
	"powershell-plaintext-password": func(r *rand.Rand) (string, string) {
		v := "Fk9" + randString(r, alnum, 13)
		return v, `$pw = ConvertTo-SecureString "` + v + `" -AsPlainText -Force`
	},
	"net-use-password": func(r *rand.Rand) (string, string) {
		v := "Fk9" + randString(r, alnum, 13)
		return v, `net use Z: \\fs01\share /user:CORP\svc ` + v + "\n"
	},
	"curl-user-key": func(r *rand.Rand) (string, string) {
		v := randString(r, "0123456789abcdef", 32)
		return v, "curl -u " + v + ": https://api.example.test/v1/items\n"
	},
	"basic-auth-user-key": func(r *rand.Rand) (string, string) {
		t := base64.StdEncoding.EncodeToString([]byte(randString(r, "0123456789abcdef", 32) + ":"))
		return t, "Authorization: Basic " + t + "\n"
	},
	"keyed-uuid-secret": func(r *rand.Rand) (string, string) {
		h := "0123456789abcdef"
		v := randString(r, h, 8) + "-" + randString(r, h, 4) + "-4" + randString(r, h, 3) + "-a" + randString(r, h, 3) + "-" + randString(r, h, 12)
		return v, "export SCW_SECRET_KEY=" + v + "\n"
	},
	"string-pair-secret": func(r *rand.Rand) (string, string) {
		v := randString(r, "0123456789abcdef", 32)
		return v, `req.header("X-Api-Key", "` + v + `")`
	},
	"gossip-encryption-key": func(r *rand.Rand) (string, string) {
		v := base64.StdEncoding.EncodeToString([]byte(randString(r, alnum, 32)))
		return v, `encrypt = "` + v + `"` + "\n"
	},
}

func init() {
	for id, f := range specialFx7b {
		special[id] = f
	}
}
