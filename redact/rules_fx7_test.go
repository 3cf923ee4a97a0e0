package redact_test

import (
	"bytes"
	"testing"
)

// fx7Case is a text and the secrets that must not survive in it (none: the
// text must come out unchanged).
type fx7Case struct {
	name    string
	text    string
	secrets []string
}

// checkFx7 redacts each case whole and as a text stream cut in three, and
// checks that no 8-byte window of a secret survives, or, for a case with no
// secrets, that the text is unchanged.
func checkFx7(t *testing.T, cases []fx7Case) {
	t.Helper()
	eng := engine(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := []byte(c.text)
			whole, _ := eng.Redact(in, secretsOnly)
			streamed := streamSecrets(t, eng, splitAt(in, len(in)/3, 2*len(in)/3))
			for mode, out := range map[string][]byte{"whole": whole, "stream": streamed} {
				if len(c.secrets) == 0 {
					if !bytes.Equal(out, in) {
						t.Errorf("%s: look-alike changed:\n%s", mode, out)
					}
					continue
				}
				for _, s := range c.secrets {
					if w, ok := leak(out, s); ok {
						t.Errorf("%s: %q survives:\n%s", mode, w, out)
					}
				}
				if bytes.Count(out, []byte("\n")) != bytes.Count(in, []byte("\n")) {
					t.Errorf("%s: line count changed:\n%s", mode, out)
				}
			}
		})
	}
}

func TestTableSecretColumns(t *testing.T) {
	checkFx7(t, []fx7Case{
		{
			"csv", "name,host,db_password,port\nbilling,db1.internal,Rq8#vLm2Tz!p,5432\nauth,db2.internal,9hT$kWq4Zr7e,5432\n",
			[]string{"Rq8#vLm2Tz!p", "9hT$kWq4Zr7e"},
		},
		{
			"csv-quoted", "\"id\",\"label\",\"secret_key\"\n\"1\",\"prod, eu\",\"Zk3mQ9vX2pL7wR4tY8nB6cF1\"\n",
			[]string{"Zk3mQ9vX2pL7wR4tY8nB6cF1"},
		},
		{
			"tsv", "env\tuser\ttoken\nprod\tdeploy\tb7f3e91c0d2a4e68b5c1f9a07d3e2b4c\n",
			[]string{"b7f3e91c0d2a4e68b5c1f9a07d3e2b4c"},
		},
		{"semicolon", "system;login;Passwort;pwd\nerp;admin;x;K7v!mQ2z#Lp9\n", []string{"K7v!mQ2z#Lp9"}},
		{
			"markdown", "| Env | API Key | Notes |\n|:---|:---:|---|\n| staging | `Tq7Lw2Xv9Rb4Nc8Md3Kf6Hj1` | rotated |\n| prod | **Wm5Zp8Qs2Vt6Yx9Bn3Lc7Gd4** | |\n",
			[]string{"Tq7Lw2Xv9Rb4Nc8Md3Kf6Hj1", "Wm5Zp8Qs2Vt6Yx9Bn3Lc7Gd4"},
		},
		{
			"psql", " id |  name   |           api_secret\n----+---------+--------------------------------\n  1 | mobile  | \n  2 | partner | fL9qZ2xV7mK4pW8tR3nB6cY1hJ5dG0sA\n(2 rows)\n",
			[]string{"fL9qZ2xV7mK4pW8tR3nB6cY1hJ5dG0sA"},
		},
		{
			"mysql", "+----+-------+---------------+\n| id | user  | passwd        |\n+----+-------+---------------+\n|  1 | alice | Orchid$Lamp42 |\n+----+-------+---------------+\n",
			[]string{"Orchid$Lamp42"},
		},
		{
			"sql-insert", "INSERT INTO `integrations` (`id`, `provider`, `client_secret`)\nVALUES (1, 'acme', 'Hx7Pq2Lm9Vw4Rt8Zk3Nc6Bj1'),\n       (2, 'globex', 'Yd5Fs8Gh2Jk6Lp9Qw3Er7Tz4');\n",
			[]string{"Hx7Pq2Lm9Vw4Rt8Zk3Nc6Bj1", "Yd5Fs8Gh2Jk6Lp9Qw3Er7Tz4"},
		},
		{
			"sql-insert-first-col", "insert into tokens (token, owner) values ('Mv3Xq8Lz2Wp7Rt4Nk9Bc6Yh1', 'ci');\n",
			[]string{"Mv3Xq8Lz2Wp7Rt4Nk9Bc6Yh1"},
		},
		{"key-value-markdown", "| Variable | Value |\n|---|---|\n| DB_PASSWORD | Wren#Quartz-55 |\n| DB_HOST | db.internal |\n", []string{"Wren#Quartz-55"}},
		{"key-value-csv", "key,value\nSTRIPE_SECRET,Zq8Lm2Xv7Wp4Rt9Nk3Bc6Yh1Jd5Gf0Sa\n", []string{"Zq8Lm2Xv7Wp4Rt9Nk3Bc6Yh1Jd5Gf0Sa"}},
		{"psql-expanded", "-[ RECORD 1 ]-+---------------------\nid            | 4\napi_token     | Tk7Vq2Lz9Xw4Mp8Rn3Bc6Yh1\n", []string{"Tk7Vq2Lz9Xw4Mp8Rn3Bc6Yh1"}},
		{
			"aligned-vault", "Key                Value\n---                -----\nlease_id           database/creds/ro/2f6a614c\npassword           Vz3-Lq8Wm2Xp7Rt4Nk9B\nusername           v-ro-wqYDd\n",
			[]string{"Vz3-Lq8Wm2Xp7Rt4Nk9B"},
		},
		{"aligned-prose-after-rule", "Notes\n-----\nthe password field must be rotated yearly\n", nil},
		{
			"box-key-value", "┌──────────┬────────────────┐\n│ NAME     │ VALUE          │\n├──────────┼────────────────┤\n│ DB_PASS  │ Kestrel#Dune-6 │\n│ DB_HOST  │ db.internal    │\n└──────────┴────────────────┘\n",
			[]string{"Kestrel#Dune-6"},
		},
		{
			"box-psql-unicode", " id │ client_secret\n────┼──────────────────────────\n  1 │ Pq8Zx3Lm7Wv2Rt9Nk4Bc6Yh1\n(1 row)\n",
			[]string{"Pq8Zx3Lm7Wv2Rt9Nk4Bc6Yh1"},
		},
		{
			"secrets-table-key-column", "mysql> select id, owner, `key` from api_keys;\n+----+-------+----------------------------------+\n| id | owner | key                              |\n+----+-------+----------------------------------+\n|  1 | ci    | 0f9e8d7c6b5a49382716a5b4c3d2e1f0 |\n+----+-------+----------------------------------+\n",
			[]string{"0f9e8d7c6b5a49382716a5b4c3d2e1f0"},
		},
		{"other-table-key-column", "select key, value from settings;\n key | value\n-----+------------------------------\n sha | 0f9e8d7c6b5a49382716a5b4c3d2e1f0\n", nil},
		{
			"html-header", "<table>\n<tr><th>User</th><th>Password</th></tr>\n<tr><td>admin</td><td>Cinder#Vale-42</td></tr>\n<tr><td>ops</td><td>Mq7!wZr3Lx9p</td></tr>\n</table>\n",
			[]string{"Cinder#Vale-42", "Mq7!wZr3Lx9p"},
		},
		{"html-key-value", "<tr><td>api_key</td><td>Zp4Lw9Qx2Mv7Rt3Nk8Bc6Yh1</td></tr>\n", []string{"Zp4Lw9Qx2Mv7Rt3Nk8Bc6Yh1"}},
		{"html-policy", "<table><tr><th>Setting</th><th>Value</th></tr><tr><td>password_min_length</td><td>12</td></tr></table>\n", nil},
		// Look-alikes: a column about a secret, not the secret; placeholders; ids.
		{"token-id-column", "token_id,owner,created\n7f3e91c0-d2a4-4e68-b5c1-f9a07d3e2b4c,ci,2026-01-02\n", nil},
		{"hash-column", "| user | password_hash |\n|---|---|\n| bob | 5f4dcc3b5aa765d61d8327deb882cf99 |\n", nil},
		{"placeholder-column", "| Service | Token |\n|---|---|\n| GitHub | `<your token>` |\n| Slack | — |\n", nil},
		{"prose-commas", "We rotate the key, the token, and the password every quarter.\nNothing else changes, really.\n", nil},
		{"settings-table", "| Setting | Value |\n|---|---|\n| password_min_length | 12 |\n| token_ttl | 3600 |\n", nil},
	})
}

func TestCallCredentialArguments(t *testing.T) {
	checkFx7(t, []fx7Case{
		{"jdbc", `Connection c = DriverManager.getConnection(jdbcUrl, "reporting", "Maple7!Harbor");` + "\n", []string{"Maple7!Harbor"}},
		{"datasource", `ds.getConnection("svc", "Kq9#mWz2Lp4x");` + "\n", []string{"Kq9#mWz2Lp4x"}},
		{"network-credential", `var cred = new NetworkCredential("svc_sync", "Tz8!vQ3mLw5p", "CORP");` + "\n", []string{"Tz8!vQ3mLw5p"}},
		{"mysqli", `$db = mysqli_connect("localhost", "shop", "Blue-Otter-1987", "shop");` + "\n", []string{"Blue-Otter-1987"}},
		{"pdo", `$pdo = new PDO($dsn, 'app', 'Gx4!rTq9Wm2z');` + "\n", []string{"Gx4!rTq9Wm2z"}},
		{"smtp-login", `server.login("alerts@example.test", "Rv7#pLq2Xz9m")` + "\n", []string{"Rv7#pLq2Xz9m"}},
		{"requests-auth-tuple", `r = requests.get(url, auth=("api", "Nf6Kq2Zx8Wp4Lm7Tv3Rb9Yc"))` + "\n", []string{"Nf6Kq2Zx8Wp4Lm7Tv3Rb9Yc"}},
		{"ldap-bind", `conn.Bind("cn=admin,dc=example,dc=test", "Wq3!zLm8Vx2p")` + "\n", []string{"Wq3!zLm8Vx2p"}},
		{"aws-java", `new BasicAWSCredentials("AKIAEXAMPLEKEYID0001", "Zp4Lw9Qx2Mv7Rt3Nk8Bc6Yh1Jd5Gf0SaTe2Ui7Oo")` + "\n", []string{"Zp4Lw9Qx2Mv7Rt3Nk8Bc6Yh1Jd5Gf0SaTe2Ui7Oo"}},
		{"azure-client-secret", `cred = ClientSecretCredential(tenant, client_id, "Qx8~Lm2.Zp7Vw4-Rt9_Nk3Bc6Yh1Jd5Gf0")` + "\n", []string{"Qx8~Lm2.Zp7Vw4-Rt9_Nk3Bc6Yh1Jd5Gf0"}},
		{"cdk", `password: SecretValue.unsafePlainText("Lantern-Fjord-88!"),` + "\n", []string{"Lantern-Fjord-88!"}},
		{"pulumi", `const pw = pulumi.secret("Vx2!mQ9zLw4p");` + "\n", []string{"Vx2!mQ9zLw4p"}},
		{"algolia", `const c = algoliasearch("PLX9QF1ZT0", "a7f3e91c0d2a4e68b5c1f9a07d3e2b4c");` + "\n", []string{"a7f3e91c0d2a4e68b5c1f9a07d3e2b4c"}},
		{"twilio-python", `client = Client("AC0123456789abcdef0123456789abcdef", "f0e1d2c3b4a5968778695a4b3c2d1e0f")` + "\n", []string{"f0e1d2c3b4a5968778695a4b3c2d1e0f"}},
		{"jwt", `token = jwt.encode(payload, "Hq7Zp2Lx9Wm4Rv8Tk3Nc", algorithm="HS256")` + "\n", []string{"Hq7Zp2Lx9Wm4Rv8Tk3Nc"}},
		{"powershell", `$pw = ConvertTo-SecureString -String 'Pine#Cone-2031' -AsPlainText -Force` + "\n", []string{"Pine#Cone-2031"}},
		{"net-use", `net use \\nas01\backup Kx8!pQ2mZr /user:CORP\svc_bk` + "\n", []string{"Kx8!pQ2mZr"}},
		{"net-use-after-user", `C:\> net use Y: \\nas01\media /user:media Gz5#wLq9Tm /persistent:yes` + "\n", []string{"Gz5#wLq9Tm"}},
		{"string-pair-header", `req.Header.Set("X-Api-Key", "0f9e8d7c6b5a49382716a5b4c3d2e1f0")` + "\n", []string{"0f9e8d7c6b5a49382716a5b4c3d2e1f0"}},
		{"string-pair-dict", `headers = [("Authorization-Token", "Wp3Zq8Lx2Mv7Rt4Nk9Bc6Yh1")]` + "\n", []string{"Wp3Zq8Lx2Mv7Rt4Nk9Bc6Yh1"}},
		{"wordpress-salt", "define('NONCE_SALT', 'k}9#Qv@2m!Lz^8Rw&4Tx*7Pb%3Ny(6Hc)1Jd+5Gf=0Sa');\n", []string{"k}9#Qv@2m!Lz^8Rw&4Tx*7Pb%3Ny(6Hc)1Jd+5Gf=0Sa"}},
		{"gomail", `d := gomail.NewDialer("smtp.example.test", 587, "mailer", "Vq7!zLm3Wx9p")` + "\n", []string{"Vq7!zLm3Wx9p"}},
		{"ruby-smtp", "Net::SMTP.start('smtp.example.test', 587, 'example.test', 'mailer', 'Hz4#qWm8Lx2p', :login)\n", []string{"Hz4#qWm8Lx2p"}},
		{"pika", "creds = pika.PlainCredentials('guest', 'Rv7#pLq2Xz9m')\n", []string{"Rv7#pLq2Xz9m"}},
		{"okhttp", `val cred = Credentials.basic("api", "Lw4!mQz8Xp2v")` + "\n", []string{"Lw4!mQz8Xp2v"}},
		{"ftplib", "ftp = ftplib.FTP('ftp.example.test', 'upload', 'Tq2#vLm9Zx4p')\n", []string{"Tq2#vLm9Zx4p"}},
		// Look-alikes: references, not literals; the prompt form; prose.
		{"jdbc-variables", `return DriverManager.getConnection(url, user, System.getenv("DB_PASSWORD"));` + "\n", nil},
		{"securestring-encrypted", `$pw = ConvertTo-SecureString $encrypted -Key $key` + "\n", nil},
		{"net-use-prompt", `net use Z: \\fs01\share * /user:CORP\me` + "\n", nil},
		{"net-use-prose", "You can net use a drive letter for this.\n", nil},
		{"wordpress-placeholder", "define('AUTH_KEY', 'put your unique phrase here');\n", nil},
		{"string-pair-id", `req.Header.Set("X-Request-Id", "0f9e8d7c6b5a49382716a5b4c3d2e1f0")` + "\n", nil},
		{"login-variables", "client.login(username, password)\n", nil},
	})
}

func TestUUIDAndHexUnderSecretNames(t *testing.T) {
	checkFx7(t, []fx7Case{
		{"env-secret-key", "export ACME_SECRET_KEY=3b241101-e2bb-4255-8caf-4136c566a962\n", []string{"3b241101-e2bb-4255-8caf-4136c566a962"}},
		{"hcl-token", "acl {\n  tokens {\n    agent = \"x\"\n  }\n}\ntoken = \"9c1e3f2a-7b4d-4e8f-a6c5-0d1b2e3f4a5b\"\n", []string{"9c1e3f2a-7b4d-4e8f-a6c5-0d1b2e3f4a5b"}},
		{"json-client-secret", `{"client_secret": "5e7f9a1b-3c5d-4e7f-9a1b-3c5d7e9f1a3b"}` + "\n", []string{"5e7f9a1b-3c5d-4e7f-9a1b-3c5d7e9f1a3b"}},
		{"curl-user-key", "curl https://api.example.test/v1/jobs -u 8d2f6a0c4e1b3957ad2c4e6f8a0b1c3d:\n", []string{"8d2f6a0c4e1b3957ad2c4e6f8a0b1c3d"}},
		{"basic-key-only", "Authorization: Basic OGQyZjZhMGM0ZTFiMzk1N2FkMmM0ZTZmOGEwYjFjM2Q6\n", []string{"OGQyZjZhMGM0ZTFiMzk1N2FkMmM0ZTZmOGEwYjFjM2Q6"}},
		{"gossip-key", "{\n  \"encrypt\": \"pUqJrVyVRj5jsiYEkM/tFQYfWyJIv4s3XkvDwy7Cu5s=\"\n}\n", []string{"pUqJrVyVRj5jsiYEkM/tFQYfWyJIv4s3XkvDwy7Cu5s="}},
		{"passphrase-json", `{"username": "ops-admin", "password": "correct horse battery staple"}` + "\n", []string{"correct horse battery staple"}},
		{"passphrase-yaml", "login:\n  passphrase: amber falcon quiet meadow\n", []string{"amber falcon quiet meadow"}},
		{"password-message", `{"errors": {"password": "Password must be at least 12 characters"}}` + "\n", nil},
		{"password-label", `<label for="password">Enter your password</label>` + "\n" + `password: "Forgot your password"` + "\n", nil},
		// Look-alikes: UUIDs under id and grouping names.
		{"ids", "request_id=3b241101-e2bb-4255-8caf-4136c566a962 token_id=9c1e3f2a-7b4d-4e8f-a6c5-0d1b2e3f4a5b\n", nil},
		{"idempotency", "Idempotency-Key: 5e7f9a1b-3c5d-4e7f-9a1b-3c5d7e9f1a3b\n", nil},
		{"token-family", "token_family=5e7f9a1b-3c5d-4e7f-9a1b-3c5d7e9f1a3b revoked=true\n", nil},
		{"nil-uuid", "SECRET_KEY=00000000-0000-0000-0000-000000000000\n", nil},
		{"curl-user-password", "curl -u admin: https://localhost:9200/_cat/indices\n", nil},
		{"encrypt-flag", "encrypt = true\n", nil},
	})
}

func TestEncodedAndRedirectCredentials(t *testing.T) {
	checkFx7(t, []fx7Case{
		{
			"mime-base64", "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n" +
				"SGkgYWxsLAoKVGhlIHJlbGF5IGlzIGNvbmZpZ3VyZWQgd2l0aDoKCkFQSSBrZXk6IFNHLmFCY0Rl\n" +
				"RmdIaUprTG1Ob1BxUnNUdVYud1h5WjAxMjM0NTY3ODlhYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5\n" +
				"ekFCQ0RFRkcKClRoYW5rcyEK\n",
			[]string{"SGkgYWxsLAoKVGhlIHJlbGF5IGlzIGNvbmZpZ3VyZWQgd2l0aDoKCkFQSSBrZXk6IFNHLmFCY0Rl", "RmdIaUprTG1Ob1BxUnNUdVYud1h5WjAxMjM0NTY3ODlhYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5", "ekFCQ0RFRkcKClRoYW5rcyEK"},
		},
		{
			"oauth-redirect", "Location: https://app.example.test/auth/callback?code=M.C507_BAY.2.U.8f3a1c9e-2b7d-4e5f-a1c3-9e7d5b3f1a2c&state=abc\n",
			[]string{"M.C507_BAY.2.U.8f3a1c9e-2b7d-4e5f-a1c3-9e7d5b3f1a2c"},
		},
		{
			"oauth-form", "grant_type=authorization_code&code=SplxlOBeZQQYbYS6WxSbIA9k2Lm4Qp7Z&redirect_uri=https%3A%2F%2Fclient.example.test%2Fcb\n",
			[]string{"SplxlOBeZQQYbYS6WxSbIA9k2Lm4Qp7Z"},
		},
		{
			"azure-function-key", "curl \"https://fn-orders.azurewebsites.net/api/orders?code=aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5bC7dE9fG1hJ3kL5mN%3D%3D\"\n",
			[]string{"aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5bC7dE9fG1hJ3kL5mN%3D%3D"},
		},
		{
			"banner-cookie", "Set-Cookie: .ROBLOSECURITY=_|WARNING:-DO-NOT-SHARE-THIS.|_9F8E7D6C5B4A39281706F5E4D3C2B1A09F8E7D6C5B4A3928; path=/\n",
			[]string{"9F8E7D6C5B4A39281706F5E4D3C2B1A09F8E7D6C5B4A3928"},
		},
		{
			"eth-accounts", "module.exports = { networks: { holesky: { accounts: ['0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318'] } } };\n",
			[]string{"4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"},
		},
		{
			"oauth-json", `{"client_id": "web", "grant_type": "authorization_code", "code": "0AbUR2VMe5q7Lx9Wp3Zt8Nc4Rv6Yh2"}` + "\n",
			[]string{"0AbUR2VMe5q7Lx9Wp3Zt8Nc4Rv6Yh2"},
		},
		{"error-code-json", `{"error": {"code": "InvalidAuthenticationToken2f9", "message": "expired"}}` + "\n", nil},
		// Look-alikes: codes that are not credentials, tx hashes, an invalid WIF.
		{"status-code", "GET /api/items?code=404&page=2 -> 200\n", nil},
		{"authorize-url", "https://login.example.test/oauth/authorize?response_type=code&client_id=app&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM\n", nil},
		{"eth-hash", `{"hash": "0x88df016429689c079f3b2f6ad39fa052532c56795b733da78a91ebe6a713944b"}` + "\n", nil},
		{"wif-bad-checksum", "WIF: KwDiBf89QgGbjEhKnhXJuH7LrciVrZi3qYjgd9M7rFU73sVHnoWx\n", nil},
	})
}

func TestPublicAndCommittedCiphertextsStay(t *testing.T) {
	checkFx7(t, []fx7Case{
		{"github-client-id", "GITHUB_CLIENT_ID=Ov23liA1b2C3d4E5f6G7\noauth app client id: Iv1.0123456789abcdef\n", nil},
		{"google-client-id", "auth client: 123456789012-abcdefghijklmnopqrstuvwxyz012345.apps.googleusercontent.com\n", nil},
		{"mapbox-public", "const token = \"pk.eyJ1IjoiZXhhbXBsZSIsImEiOiJja2xtbm9wcXIwMDAwMnBxcnN0dXZ3eHl6In0.AbCdEfGhIjKlMnOpQrStUv\";\n", nil},
		{"ansible-vault", "db_password: !vault |\n  $ANSIBLE_VAULT;1.1;AES256\n  62313365396662343061393464336163383764373764613633653634306231386433626436623361\n  6132\n", nil},
		{"sealed-secret", "kind: SealedSecret\nspec:\n  encryptedData:\n    api_token: AgBy3i4OJSWK+PiTySYZZA9rO43cGDEq+A8oR0s6KcrP2l7nR7fAMp6ts==\n  template:\n    type: Opaque\n", nil},
		{"registry-dword", "[HKEY_CURRENT_USER\\Software\\Acme]\n\"RememberPassword\"=dword:00000001\n\"TokenCacheSize\"=dword:00000400\n", nil},
		{"public-key-name", "WEBHOOK_PUBLIC_KEY=e3b9c1d2a4f6081735b9c7d2e4f60a1b3c5d7e9f0a2b4c6d8e0f1a3b5c7d9e1f\n", nil},
	})
	// The same names and places with real secrets are still redacted.
	checkFx7(t, []fx7Case{
		{
			"next-public-secret", "NEXT_PUBLIC_STRIPE_SECRET_KEY=sk_live_51HcT9vKq2Zx8Wp4Lm7Tv3Rb9YcNf6Kq2Zx8Wp4Lm7Tv3Rb9Yc\n",
			[]string{"sk_live_51HcT9vKq2Zx8Wp4Lm7Tv3Rb9YcNf6Kq2Zx8Wp4Lm7Tv3Rb9Yc"},
		},
		{"encrypted-data-elsewhere", "const payload = {\n  encryptedData:\n    api_token: 'Vq8Lm2Xz7Wp4Rt9Nk3Bc6Yh1Jd5Gf0Sa',\n}\n", []string{"Vq8Lm2Xz7Wp4Rt9Nk3Bc6Yh1Jd5Gf0Sa"}},
		{"registry-string-password", "\"DefaultPassword\"=\"Cobalt#Tiger-77\"\n", []string{"Cobalt#Tiger-77"}},
		{
			"mapbox-secret", "MAPBOX_TOKEN=sk.eyJ1IjoiZXhhbXBsZSIsImEiOiJja2xtbm9wcXIwMDAwMnBxcnN0dXZ3eHl6In0.AbCdEfGhIjKlMnOpQrStUv\n",
			[]string{"sk.eyJ1IjoiZXhhbXBsZSIsImEiOiJja2xtbm9wcXIwMDAwMnBxcnN0dXZ3eHl6In0.AbCdEfGhIjKlMnOpQrStUv"},
		},
	})
}

// A kept span is the kept value and no more: a secret written beside or after
// a committed ciphertext, a typed registry value or a `!vault` mentioned in
// prose is still redacted.
func TestKeptSpansDoNotCoverNeighbours(t *testing.T) {
	const pw = "Xk29vQmL8pR3tYw7ZnB4cJ6hD1fG5sA0"
	const aws = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	checkFx7(t, []fx7Case{
		{"vault-tag-in-prose", "Use the `!vault` tag as below:\n  db_password: " + pw + "\n  aws_secret_access_key: " + aws + "\n", []string{pw, aws}},
		{"vault-tag-without-payload", "db_password: !vault |\n  password=" + pw + "\n", []string{pw}},
		{"vault-header-tail", "$ANSIBLE_VAULT;1.1;AES256 password=" + pw + "\n", []string{pw}},
		{"registry-line-tail", "\"Enabled\"=dword:00000001 password=" + pw + "\n", []string{pw}},
		{"registry-hex-tail", "\"Blob\"=hex:01,02,03 password=" + pw + "\n", []string{pw}},
		{"sops-unclosed", "x: ENC[AES256_GCM, password=" + pw + " ]\n", []string{pw}},
		{"pulumi-secure-tail", "secure: v1:abc,password=" + pw + "\n", []string{pw}},
	})
	// The kept values themselves, in their real forms, still stay.
	checkFx7(t, []fx7Case{
		{"vault-tag-strip", "db_password: !vault |-\n  $ANSIBLE_VAULT;1.2;AES256;prod\n  62313365396662343061393464336163383764373764613633653634306231386433626436623361\n  6132\nnext: 1\n", nil},
		{"vault-file", "$ANSIBLE_VAULT;1.1;AES256\n62313365396662343061393464336163383764373764613633653634306231386433626436623361\n", nil},
		{"registry-hex-continued", "\"Blob\"=hex:01,02,03,\\\r\n  04,05,06\r\n\"Multi\"=hex(7):41,00,42,00\n", nil},
		{"sops-value", "password: ENC[AES256_GCM,data:Vq8Lm2Xz7Wp4Rt9Nk3Bc6Yh1Jd5Gf0Sa,iv:Xk29vQmL8pR3tYw7ZnB4cJ6hD1fG5sA0=,tag:Hq7Zp2Lx9Wm4Rv8Tk3Nc6Y==,type:str]\n", nil},
		{"pulumi-secure", "  app:dbPassword:\n    secure: v1:Vq8Lm2Xz7Wp4Rt9N:Xk29vQmL8pR3tYw7ZnB4cJ6hD1fG5sA0Hq7Zp2Lx9Wm4Rv8Tk3Nc6Y==\n", nil},
	})
}

func TestKubernetesSecretDataValues(t *testing.T) {
	checkFx7(t, []fx7Case{
		{
			"yaml", "apiVersion: v1\nkind: Secret\nmetadata:\n  name: app\ntype: Opaque\ndata:\n  SMTP_RELAY: c210cDovL3JlbGF5LmV4YW1wbGUudGVzdDo1ODc=\n  username: YXBwLXNlbmRlcg==\n  tls.crt: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t\n",
			[]string{"c210cDovL3JlbGF5LmV4YW1wbGUudGVzdDo1ODc=", "YXBwLXNlbmRlcg=="},
		},
		{
			"json", `{"apiVersion": "v1", "data": {"api": "czNjcjN0LXZhbHVlLTQyMQ==", "ca.crt": "LS0tLS1CRUdJTg=="}, "kind": "Secret"}` + "\n",
			[]string{"czNjcjN0LXZhbHVlLTQyMQ=="},
		},
		// Look-alikes: the same layout in a ConfigMap, a Secret's certificate alone, SSE data lines.
		{"configmap", "apiVersion: v1\nkind: ConfigMap\ndata:\n  SMTP_RELAY: c210cDovL3JlbGF5LmV4YW1wbGUudGVzdDo1ODc=\n", nil},
		{"tls-cert-only", "kind: Secret\ntype: kubernetes.io/tls\ndata:\n  tls.crt: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t\n", nil},
		{"sse-data", "kind: Secret is mentioned here\ndata: {\"text\": \"aGVsbG8gd29ybGQ=\"}\n\n", nil},
	})
}
