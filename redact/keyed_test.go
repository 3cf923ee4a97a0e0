package redact_test

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/warden-gw/warden/redact"
)

// TestKeyedValues: a value without a shape of its own is redacted when a
// secret's name gives it, in every form configuration, tools and protocols
// write a name and a value; the value (and nothing of it) is gone, the rest
// of the line stays.
func TestKeyedValues(t *testing.T) {
	eng := engine(t)
	const v = "Rq7mX2pLk9Wz4Tn8"
	const hex32 = "8f3c2a9d4e7b1f6a0c5d8e2b9a4f7c1d"
	for _, c := range []struct{ name, text, secret string }{
		{"env upper", "DATABASE_PASSWORD: " + v + "\n", v},
		{"php array", "$config['db_password'] => '" + v + "';\n", v},
		{"ado.net", "Server=db01;User Id=sa;Password=" + v + ";Encrypt=true\n", v},
		{"docker -e", "docker run -e POSTGRES_PASSWORD=" + v + " postgres\n", v},
		{"properties", "spring.datasource.password=" + v + "\n", v},
		{"xml add key", `<add key="ApiKey" value="` + v + `"/>` + "\n", v},
		{"xml element", "<password>" + v + "</password>\n", v},
		{"header hex", "X-Api-Key: " + hex32 + "\n", hex32},
		{"header in curl", `curl -H "X-Auth-Token: ` + hex32 + `" https://api.example.org` + "\n", hex32},
		{"subscription key", "Ocp-Apim-Subscription-Key: " + hex32 + "\n", hex32},
		{"twilio hex", "twilio:\n  account_sid: AC4f74479491f290d83ee0ba1d05255279\n  auth_token: " + hex32 + "\n", hex32},
		{"authorization token scheme", "Authorization: Token " + hex32 + "\n", hex32},
		{"authorization json", `{"Authorization": "ApiKey ` + v + `"}`, v},
		{"cookie", "Set-Cookie: session=" + v + v + "; Path=/; HttpOnly\n", v},
		{"aws configure", "aws configure set aws_secret_access_key " + v + " --profile ci\n", v},
		{"cli long flag", "app --api-key=" + v + " --verbose\n", v},
		{"docker login", "docker login -u ci -p " + v + " registry.example.org\n", v},
		{"sqlcmd", "sqlcmd -S tcp:sql01 -U sa -P " + v + " -Q \"SELECT 1\"\n", v},
		{"argv array", `"args": ["redis-cli", "-h", "cache", "-a", "` + v + `", "PING"]` + "\n", v},
		{"sql", "CREATE USER app WITH PASSWORD '" + v + "';\n", v},
		{"sql identified by", "ALTER USER 'app'@'%' IDENTIFIED BY '" + v + "';\n", v},
		{"letters only", "password=\"wEXVVWCujoaGmNtSdC\"\n", "wEXVVWCujoaGmNtSdC"},
		{"label then value line", "API token:\nhqcA1wJP7ugfnW85HXcjJIvUZdGSSYbhS1Z5\n\nZone: x\n", "hqcA1wJP7ugfnW85HXcjJIvUZdGSSYbhS1Z5"},
		{"netrc one per line", "machine\nftp.example.net\nlogin\nedi\npassword\n" + v + "\n", v},
		{"k8s env yaml", "- name: RABBITMQ_DEFAULT_PASS\n  value: \"" + v + "\"\n", v},
		{"path segment", "GET /hooks/ingest/token/" + v + v + " HTTP/1.1\n", v},
		{"yaml section", "secrets:\n  stripe: " + v + "\n  region: eu-west-1\nnext: 1\n", v},
		{"ini section", "[credentials]\ngithub = " + v + "\nregion = eu-west-1\n\n[other]\n", v},
		{"hcl heredoc", "password = <<EOF\n" + v + "\nEOF\n", v},
		{"ifttt key path", "curl -X POST https://maker.ifttt.com/trigger/deploy/with/key/" + v + "x\n", v},
		{"webhook path after an id", "POST https://hooks.example.com/hooks/catch/1234567/" + v + "/ HTTP/1.1\n", v},
		{"define()", "define('DB_PASSWORD', '" + v + "');\n", v},
		{"az login", "az login --service-principal -u http://app -p " + v + " --tenant contoso\n", v},
		{"zip -P", "zip -P " + v + " secret.zip file.txt\n", v},
		{"7z glued", "7z a -p" + v + " archive.7z dir\n", v},
		{"smbclient user%pass", "smbclient //fs01/share -U backup%" + v + "\n", v},
		{"sqlplus logon", "sqlplus -s scott/" + v + "@orcl\n", v},
		{"value ends the input", "PRIVATE-TOKEN: " + hex32, hex32},
		{
			"base64 sql, no key", "applied (b64=" + base64.StdEncoding.EncodeToString([]byte("CREATE USER r WITH PASSWORD '"+v+"';")) + ")\n",
			base64.StdEncoding.EncodeToString([]byte("CREATE USER r WITH PASSWORD '" + v + "';")),
		},
		{
			"base64 token alone", "echo " + base64.StdEncoding.EncodeToString([]byte("glpat-"+v+"abcd")) + " | base64 -d\n",
			base64.StdEncoding.EncodeToString([]byte("glpat-" + v + "abcd")),
		},
		{"hex token", "payload=" + hex.EncodeToString([]byte("glpat-"+v+"abcd")) + " len=26\n", hex.EncodeToString([]byte(v))},
	} {
		t.Run(c.name, func(t *testing.T) {
			out, findings := eng.Redact([]byte(c.text), secretsOnly)
			if w, ok := survivor(out, c.secret); ok || len(findings) == 0 {
				t.Fatalf("%q survives: %q", w, out)
			}
			if bytes.Count(out, []byte("\n")) != strings.Count(c.text, "\n") {
				t.Fatalf("line count changed: %q", out)
			}
			streamed := streamSecrets(t, eng, splitAt([]byte(c.text), len(c.text)/2, len(c.text)/2+3))
			if w, ok := survivor(streamed, c.secret); ok {
				t.Fatalf("stream: %q survives: %q", w, streamed)
			}
		})
	}
}

// TestKeyedLookalikes: names about a secret (its id, type, policy, public
// half) and values that are not generated (references, placeholders, words,
// numbers, digests, UUIDs) are left byte for byte.
func TestKeyedLookalikes(t *testing.T) {
	eng := engine(t)
	for _, text := range []string{
		"token_type: bearer\n",
		"secretName: db-credentials\n",
		"password_hash: $2b$12$KIXQJv6uR0p5XyZ1a2b3c4d5e6f7g8h9i0j1k2l3m4n5o6p7q8r9s\n",
		"api_key_id: 4f8a2c9d1e7b3f6a0c5d8e2b9a4f7c1d\n",
		"X-Request-Id: 8f3c2a9d4e7b1f6a0c5d8e2b9a4f7c1d\n",
		"cache_key: 8f3c2a9d4e7b1f6a0c5d8e2b9a4f7c1d\n",
		"tokenizer: cl100k_base\n",
		`"usage": {"prompt_tokens": 1234, "completion_tokens": 56}` + "\n",
		"docker login -u ci --password-stdin\n",
		"docker run -p 8080:80 nginx\n",
		"token: ${GITHUB_TOKEN}\n",
		"password: <your-password>\n",
		"passwordPolicy: Strict8Chars\n",
		"integrity: sha512-Xk29fj3kdLq8ZmR4Lp7Qw2Nv6Tx1Bs5Hc9Jd3Ge0Fa\n",
		"secret_version: 12\n",
		"The auth token expires in 3600 seconds.\n",
		"[Peer]\nPublicKey = xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=\n",
		"public_key: MCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n",
		"session_id: 7f3e9a2c-1b4d-4e8f-9a6c-2d5e8f1b3c7a\n",
		"Set-Cookie: theme=dark; Path=/\n",
		"commit 8f3c2a9d4e7b1f6a0c5d8e2b9a4f7c1d2e3f4a5b\n",
		"sha256sum: 8f3c2a9d4e7b1f6a0c5d8e2b9a4f7c1d8f3c2a9d4e7b1f6a0c5d8e2b9a4f7c1d\n",
		"Authorization: Bearer ${TOKEN}\n",
		"mysql -u root -p\n",
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\n",
		"Idempotency-Key: 8f3c2a9d4e7b1f6a0c5d8e2b9a4f7c1d\n",
		"GET /repos/acme/api/hooks/123456789/config HTTP/1.1\n",
		"cp .git/hooks/pre-commit.sample .git/hooks/pre-commit\n",
		"POST /oauth/token/refresh HTTP/1.1\n",
		"arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab\n",
		"7z a -p archive.7z dir\n",
		`{"items": [], "next_page_token": "CAESIBkxNzk0ZjYzLTRhOTctNDQ1Mi04YjM3"}` + "\n",
		`{"NextToken": "eyJ2IjoxfQ9f8e7d6c5b4a3f2e1d0c9b8a7"}` + "\n",
		"Set-Cookie: _ga=GA1.2.1234567890.1234567890; Path=/\n",
		"Set-Cookie: AWSALB=Zq8Lm3Xr7Kz2Wv9Np4Tb6Yc1Hd5Fg0JsQ2Lm8Rx; Expires=Tue, 14 Dec 2026 10:00:00 GMT; Path=/\n",
		"STRIPE_PUBLISHABLE_KEY=pk_live_51Hq8Lm3Xr7Kz2Wv9Np4Tb6Yc1Hd5Fg0Js\n",
		"secret_arn: arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf\n",
		"GET /v1/keys/kid_9f8e7d6c5b4a3f2e1d0c HTTP/1.1\n",
		"credentials:\n  username: bob\n  role_arn: arn:aws:iam::123456789012:role/deploy-Xk9m\n",
		"auth:\n  existingSecret: my-secret\n  enabled: true\n",
		"env:\n  - name: DB_HOST\n    valueFrom:\n      secretKeyRef:\n        name: db\n        key: password\n",
	} {
		if out, _ := eng.Redact([]byte(text), secretsOnly); !bytes.Equal(out, []byte(text)) {
			t.Errorf("look-alike changed:\n%s->\n%s", text, out)
		}
	}
}

// TestJSONSectionNamesItsValues: in a JSON body a value whose own key names
// nothing is named by the secret-named object it sits in ({"secrets":
// {"stripe": "..."}}); ids, user names and types in such objects stay.
func TestJSONSectionNamesItsValues(t *testing.T) {
	const v = "Xk9mQ2vL7pR4tW8z"
	in := `{"secrets": {"stripe": "` + v + `", "name": "prod"}, "credentials": {"user_id": "a8f3k2m9q7r4t6w1", "username": "bob"}, "auth": {"type": "oauth2"}}`
	out, _, err := engine(t).RedactJSON([]byte(in), secretsOnly)
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Replace(in, v, "[REDACTED:generic-apikey]", 1)
	if string(out) != want {
		t.Fatalf("got  %s\nwant %s", out, want)
	}
}

// TestLongKeyedValues: an opaque value longer than 256 bytes (OAuth access
// and refresh tokens, SAS signatures run to a few KiB) is redacted whole by
// its name, in a line, a header, a JSON member and a cookie, on its own and
// in a stream cut inside it; a value past the bound is not passed on
// unredacted either: the name's rules no longer stop at 256 bytes.
func TestLongKeyedValues(t *testing.T) {
	eng := engine(t)
	r := rand.New(rand.NewPCG(11, 12))
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	for _, n := range []int{257, 700, 4000} {
		b := make([]byte, n)
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		v := string(b)
		for _, text := range []string{
			"refresh_token=" + v + "\n",
			"X-Api-Key: " + v + "\n",
			`{"api_key": "` + v + `"}` + "\n",
			"Cookie: sid=" + v + "\n",
		} {
			out, _ := eng.Redact([]byte(text), secretsOnly)
			if w, ok := leak(out, v); ok {
				t.Errorf("%d-byte value in %.24q: %q passed: %.120s", n, text, w, out)
			}
			streamed := runStream(t, eng, redact.KindText, splitAt([]byte(text), len(text)/3, len(text)/2)...)
			if w, ok := leak(streamed, v); ok {
				t.Errorf("%d-byte value in %.24q, streamed: %q passed: %.120s", n, text, w, streamed)
			}
		}
	}
}

// TestLongCookieLine: a session cookie in a Cookie line longer than 4 KiB
// (a browser's, with its analytics cookies) is redacted wherever it stands
// in the line; the line used to be skipped whole past 4096 bytes.
func TestLongCookieLine(t *testing.T) {
	eng := engine(t)
	const v = "Zk3mQ9xW2pL7vN4tR8sY6hJ1"
	analytics := strings.Repeat("_ga_XY12=GA1.2.345.678; _gid=GA1.2.91011; ", 150) // 6 KiB
	for _, text := range []string{
		"Cookie: sessionid=" + v + "; " + analytics + "\n",
		"Cookie: " + analytics + "sessionid=" + v + "\n",
		"Cookie: " + analytics + "sessionid=" + v,
	} {
		out, _ := eng.Redact([]byte(text), secretsOnly)
		if bytes.Contains(out, []byte(v)) || !bytes.Contains(out, []byte("_gid=GA1.2.91011")) {
			t.Errorf("%d-byte line, session at %d: %.80q...", len(text), strings.Index(text, v), out)
		}
		streamed := runStream(t, eng, redact.KindText, splitAt([]byte(text), 4000, len(text)-10)...)
		if bytes.Contains(streamed, []byte(v)) {
			t.Errorf("%d-byte line streamed, session at %d: the value passed", len(text), strings.Index(text, v))
		}
	}
}
