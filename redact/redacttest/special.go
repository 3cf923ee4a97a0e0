package redacttest

import (
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"strings"
)

// special builds samples for rules whose values need more than their regex
// (checksums, structure, context).
var special = map[string]func(*rand.Rand) (secret, line string){
	"github-pat":           ghSample("ghp_"),
	"github-oauth":         ghSample("gho_"),
	"github-app-token":     ghSample("ghs_"),
	"github-refresh-token": ghSample("ghr_"),
	"jwt": func(r *rand.Rand) (string, string) {
		t := JWT(r)
		return t, "Authorization-Token: " + t
	},
	"jwt-base64": func(r *rand.Rand) (string, string) {
		t := base64.StdEncoding.EncodeToString([]byte(JWT(r)))
		return t, "token_b64: " + t
	},
	"bearer-token": func(r *rand.Rand) (string, string) {
		t := "fk" + randString(r, alnum, 38)
		return t, "curl -H 'Authorization: Bearer " + t + "' https://api.example.test/v1"
	},
	"aws-secret-near-key-id": func(r *rand.Rand) (string, string) {
		id := "AKIA" + randString(r, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)
		v := "Fk9q" + randString(r, alnum+"+/", 36)
		return v, "access key " + id + "\nsecret " + v + "\n"
	},
	"call-set-secret": func(r *rand.Rand) (string, string) {
		v := "Fk9" + randString(r, alnum+"/+", 40)
		return v, "define( 'SECURE_AUTH_KEY',    '" + v + "' );"
	},
	"header-uuid-credential": func(r *rand.Rand) (string, string) {
		h := "0123456789abcdef"
		v := randString(r, h, 8) + "-" + randString(r, h, 4) + "-4" + randString(r, h, 3) + "-a" + randString(r, h, 3) + "-" + randString(r, h, 12)
		return v, "X-Postmark-Server-Token: " + v
	},
	"basic-auth": func(r *rand.Rand) (string, string) {
		t := base64.StdEncoding.EncodeToString([]byte("svc-user:" + randString(r, alnum, 16)))
		return t, "Authorization: Basic " + t
	},
	"private-key": func(r *rand.Rand) (string, string) {
		var sb strings.Builder
		sb.WriteString("-----BEGIN RSA PRIVATE KEY-----\n")
		for range 6 {
			sb.WriteString(randString(r, alnum+"+/", 64) + "\n")
		}
		sb.WriteString("-----END RSA PRIVATE KEY-----")
		k := sb.String()
		return k, "key.pem:\n" + k + "\n"
	},
	"dsn-userinfo-password": func(r *rand.Rand) (string, string) {
		pw := "Fk#" + randString(r, alnum, 13)
		return pw, `dsn := "app:` + pw + `@tcp(mysql.internal:3306)/orders?parseTime=true"`
	},
	"odbc-braced-password": func(r *rand.Rand) (string, string) {
		pw := "Fk;" + randString(r, alnum, 6) + "}}" + randString(r, alnum, 6)
		return pw, "Driver={ODBC Driver 18 for SQL Server};Server=db;Uid=app;Pwd={" + pw + "};Encrypt=yes;"
	},
	"discord-bot-token": func(r *rand.Rand) (string, string) {
		id := "1" + randString(r, "0123456789", 18)
		t := base64.RawStdEncoding.EncodeToString([]byte(id)) + "." + randString(r, alnum, 4) + "Fk" + "." + "Fk9" + randString(r, alnum+"_-", 35)
		return t, `client.run("` + t + `")`
	},
	"discord-bot-token-header": func(r *rand.Rand) (string, string) {
		id := "6" + randString(r, "0123456789", 17)
		t := base64.RawStdEncoding.EncodeToString([]byte(id)) + "." + randString(r, alnum, 4) + "Fk" + "." + "Fk9" + randString(r, alnum+"_-", 24)
		return t, "Authorization: Bot " + t
	},
	"url-password": func(r *rand.Rand) (string, string) {
		pw := "Fk" + randString(r, alnum, 14)
		return pw, "DATABASE_URL=postgres://app:" + pw + "@db.internal:5432/orders"
	},
	"generic-password": func(r *rand.Rand) (string, string) {
		pw := "fK9!" + randString(r, alnum, 12)
		return pw, `db_password = "` + pw + `"`
	},
	"generic-apikey": func(r *rand.Rand) (string, string) {
		v := "fk" + randString(r, alnum, 30)
		return v, `service_api_key: "` + v + `"`
	},
	"email": func(r *rand.Rand) (string, string) {
		e := "jane.doe" + randString(r, "0123456789", 3) + "@example.org"
		return e, "contact " + e + " for access"
	},
	"credit-card": func(r *rand.Rand) (string, string) {
		c := CardNumber(r, "4111", 16)
		return c, "card: " + c + " exp 12/29"
	},
	"us-ssn": func(r *rand.Rand) (string, string) {
		s := fmt.Sprintf("%03d-%02d-%04d", 100+r.IntN(500), 10+r.IntN(89), 1000+r.IntN(8999))
		return s, "SSN " + s + " on file"
	},
	"phone-number": func(r *rand.Rand) (string, string) {
		p := fmt.Sprintf("+1 415 555 %04d", r.IntN(10000))
		return p, "call " + p + " after 5pm"
	},
	"iban": func(r *rand.Rand) (string, string) {
		i := IBANNumber(r)
		return i, "pay to " + i + " today"
	},
	"curl-auth-user": func(r *rand.Rand) (string, string) {
		pw := "Fk" + randString(r, alnum, 14)
		return pw, "curl -u deploy:" + pw + " https://ci.example.test/api/json"
	},
	"nuget-config-password": func(r *rand.Rand) (string, string) {
		pw := "Fk" + randString(r, alnum, 14)
		return pw, `<add key="ClearTextPassword" value="` + pw + `" />`
	},
	"telegram-bot-token": func(r *rand.Rand) (string, string) {
		t := fmt.Sprintf("%d:AA%s", 1000000000+r.IntN(999999999), randString(r, alnum+"_-", 33))
		return t, "POST https://api.telegram.org/bot" + t + "/sendMessage"
	},
	"netrc-password": func(r *rand.Rand) (string, string) {
		pw := "Fk" + randString(r, alnum, 14)
		return pw, "machine git.example.test\n  login deploy\n  password " + pw + "\n"
	},
	"cli-password": func(r *rand.Rand) (string, string) {
		pw := "Fk" + randString(r, alnum, 14)
		return pw, "mysql -h db.example.test -uroot -p'" + pw + "' -e 'SELECT 1'"
	},
	"name-value-secret": func(r *rand.Rand) (string, string) {
		pw := "Fk9" + randString(r, alnum, 14)
		return pw, `{"name": "PGPASSWORD", "value": "` + pw + `"}`
	},
	"keyed-secret": func(r *rand.Rand) (string, string) {
		v := randString(r, "0123456789abcdef", 40)
		return v, "X-Auth-Token: " + v
	},
	"authorization-credential": func(r *rand.Rand) (string, string) {
		v := randString(r, "0123456789abcdef", 40)
		return v, "Authorization: Token " + v
	},
	"url-path-secret": func(r *rand.Rand) (string, string) {
		v := "Fk9" + randString(r, alnum, 21)
		return v, "POST https://hooks.example.test/hooks/catch/123456/" + v + "/"
	},
	"cookie-value": func(r *rand.Rand) (string, string) {
		v := "Fk9" + randString(r, alnum, 29)
		return v, "Set-Cookie: sid=" + v + "; Path=/; HttpOnly"
	},
	"vault-token-legacy": func(r *rand.Rand) (string, string) {
		t := "s." + randString(r, "ABCDEFGHJKLMNPQRSTUVWXYZ", 8) + randString(r, "abcdefghijkmnopqrstuvwxyz", 8) + randString(r, "0123456789", 8)
		return t, "VAULT_TOKEN: " + t
	},
	"labelled-secret": func(r *rand.Rand) (string, string) {
		v := randString(r, "0123456789abcdef", 32)
		return v, "\nWebhook signing secret (prod)\n" + v + "\n"
	},
	"cli-positional-password": func(r *rand.Rand) (string, string) {
		pw := "Fk9" + randString(r, alnum, 13)
		return pw, "htpasswd -bB /etc/nginx/.htpasswd admin '" + pw + "'"
	},
	"pgpass-password": func(r *rand.Rand) (string, string) {
		pw := "Fk9" + randString(r, alnum, 17)
		return pw, "\ndb.example.test:5432:*:replicator:" + pw + "\n"
	},
	"hashicorp-uuid-token": func(r *rand.Rand) (string, string) {
		h := "0123456789abcdef"
		v := randString(r, h, 8) + "-" + randString(r, h, 4) + "-4" + randString(r, h, 3) + "-a" + randString(r, h, 3) + "-" + randString(r, h, 12)
		return v, "X-Consul-Token: " + v
	},
	"shell-ansi-c-quoted": func(r *rand.Rand) (string, string) {
		pw := "Fk9" + randString(r, alnum, 6) + "\\'" + randString(r, alnum, 8)
		return pw, "export PGPASSWORD=$'" + pw + "'"
	},
	"continued-quoted-value": func(r *rand.Rand) (string, string) {
		a, b := "Fk9"+randString(r, alnum, 21), randString(r, alnum, 24)
		return b, "api_key: \"" + a + "\\\n  " + b + "\"\n"
	},
	"exact-value": func(r *rand.Rand) (string, string) {
		v := "injected-" + randString(r, alnum, 20)
		return v, "echo " + v
	},
}

func ghSample(prefix string) func(*rand.Rand) (string, string) {
	return func(r *rand.Rand) (string, string) {
		t := GitHubToken(r, prefix)
		return t, "GITHUB_TOKEN=" + t
	}
}
