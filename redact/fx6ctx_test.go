package redact_test

import (
	"bytes"
	"testing"
)

// Tests for the context classes of rules_fx6ctx*.go: each case is redacted
// as text, as a stream cut everywhere and inside a JSON string (checkRecall).

func TestCLISecretSetters(t *testing.T) {
	checkRecall(t, []recallCase{
		{
			"aws-configure-set", "$ aws configure set aws_secret_access_key OL8dKLzdocJ2isAjIhKtJ0RlgLKOmxgJTeKdNnFR --profile prod\n",
			[]string{"OL8dKLzdocJ2isAjIhKtJ0RlgLKOmxgJTeKdNnFR"},
		},
		{
			"zsh-history-prefix", ": 1765000000:0;aws configure set aws_session_token hGAkWvj7FAc9QeWJKY40uvSwMFLZDe1f8rES\n",
			[]string{"hGAkWvj7FAc9QeWJKY40uvSwMFLZDe1f8rES"},
		},
		{
			"heroku-config-set-pairs", "heroku config:set MAILGUN_KEY=u8jzPde0IgxLd6GncfBAepfJBd0Kh8oO NODE_ENV=production -a shop\n",
			[]string{"u8jzPde0IgxLd6GncfBAepfJBd0Kh8oO"},
		},
		{"fly-secrets-quoted-ampersand", "fly secrets set ADMIN_PASSWORD='Zq8&x!Lp0Rt6' --app api\n", []string{"Zq8&x!Lp0Rt6"}},
		{
			"gh-secret-body", "gh secret set NPM_PUBLISH --repo acme/web --body \"IBXuDL7DxtpYlSXpfKtHF4vUCsMe\"\n",
			[]string{"IBXuDL7DxtpYlSXpfKtHF4vUCsMe"},
		},
		{"gh-secret-b-glued", "gh secret set SENTRY --body=LlqsajAIxNKu8iS2G8NPRVdD53X83R\n", []string{"LlqsajAIxNKu8iS2G8NPRVdD53X83R"}},
		{
			"echo-piped", "echo -n 'QedUStPKR0CsTy4Qwb8DwkNhFdnXsiVpzz63FfkCzJr4' | gh secret set DEPLOY_KEY -R acme/api\n",
			[]string{"QedUStPKR0CsTy4Qwb8DwkNhFdnXsiVpzz63FfkCzJr4"},
		},
		{
			"printf-piped-wrangler", "cd worker && printf %s i0B3JrTAwR4y9ojfljoQoaF1 | npx wrangler secret put UPSTREAM_KEY\n",
			[]string{"i0B3JrTAwR4y9ojfljoQoaF1"},
		},
		{
			"kubectl-from-literal", "kubectl -n shop create secret generic pay --from-literal=user=svc --from-literal=STRIPE=hGAkWvj7FAc9QeWJKY40uvSwMFLZDe1f8rES\n",
			[]string{"hGAkWvj7FAc9QeWJKY40uvSwMFLZDe1f8rES"},
		},
		{
			"vault-kv-put", "vault kv put -mount=secret app/prod sendgrid=u8jzPde0IgxLd6GncfBAepfJBd0Kh8oO region=eu\n",
			[]string{"u8jzPde0IgxLd6GncfBAepfJBd0Kh8oO"},
		},
		{"doppler-positional", "doppler secrets set RESEND 'IBXuDL7DxtpYlSXpfKtHF4vUCsMe' --config prd\n", []string{"IBXuDL7DxtpYlSXpfKtHF4vUCsMe"}},
		{"pulumi-secret", "pulumi config set --secret dbPassword 'W0rk!ng-Fl0w-92'\n", []string{"W0rk!ng-Fl0w-92"}},
		{
			"npm-authtoken-uuid", "npm config set //npm.acme.dev/:_authToken 0c8f1d2e-5b6a-4c3d-9e8f-7a6b5c4d3e2f\n",
			[]string{"0c8f1d2e-5b6a-4c3d-9e8f-7a6b5c4d3e2f"},
		},
		{
			"az-keyvault-value", "az keyvault secret set --vault-name kv-prod --name StorageKey --value \"LlqsajAIxNKu8iS2G8NPRVdD53X83R\"\n",
			[]string{"LlqsajAIxNKu8iS2G8NPRVdD53X83R"},
		},
		{
			"gcloud-env-vars", "gcloud run deploy api --set-env-vars=LOG_LEVEL=info,RESEND_KEY=QedUStPKR0CsTy4Qwb8DwkNhFdnXsiVpzz63FfkCzJr4 --region eu\n",
			[]string{"QedUStPKR0CsTy4Qwb8DwkNhFdnXsiVpzz63FfkCzJr4"},
		},
		{"ssm-securestring", "aws ssm put-parameter --name /prod/db --type SecureString --value 'Pl4ce!Orders-77'\n", []string{"Pl4ce!Orders-77"}},
		{"netlify-env-set", "netlify env:set ALGOLIA_ADMIN cccc3fc1626e53a13043b026c48bbf33\n", []string{"cccc3fc1626e53a13043b026c48bbf33"}},
		{"docker-password-stdin", "echo dckrS3cr3tTkn9xQ2w | docker login -u ci --password-stdin registry.acme.dev\n", []string{"dckrS3cr3tTkn9xQ2w"}},
		{
			// The sentence's full stop after the setter's arguments ends the line read, not before them.
			"setter-in-a-sentence", "Run heroku config:set MAILGUN_KEY=u8jzPde0IgxLd6GncfBAepfJBd0Kh8oO -a shop. Then restart it.\n",
			[]string{"u8jzPde0IgxLd6GncfBAepfJBd0Kh8oO"},
		},
	})
}

// TestStreamedProseNamingASetterIsNotHeld: a streamed sentence that names a
// setter or an echo ("set env", "echo ") is no command line still arriving,
// and a secret id followed by words no UUID still arriving: it reaches the
// agent at once, not when the paragraph's line ends (cli-secret-setter and
// cli-piped-secret used to hold it up to 1 KiB, hashicorp-secret-id up to
// 512 bytes).
func TestStreamedProseNamingASetterIsNotHeld(t *testing.T) {
	releasedAtOnce(t, engine(t), []string{
		"You can set env vars there. ", "I will echo what you said. ", "Use the kv put command. ",
		"Does npm config set work? ", "Then run fly secrets set! ",
		// hashicorp-secret-id waits for a UUID after the name only while one can be arriving.
		"Your secret id is not shown. ", "The Vault secret_id expires. ",
	})
}

func TestCLISetterLookalikes(t *testing.T) {
	checkRecall(t, []recallCase{
		{"aws-region", "aws configure set region eu-central-1 --profile prod\n", nil},
		{"heroku-plain-config", "heroku config:set NODE_ENV=production WEB_CONCURRENCY=4 LOG_LEVEL=debug\n", nil},
		{"heroku-commit-sha", "heroku config:set SOURCE_VERSION=6fb008f86bebb2737f6a6f0fb23c6f5da2cec255 -a api\n", nil},
		{"gh-secret-from-file", "gh secret set NPM_TOKEN < ~/.npm-token\n", nil},
		{"fly-secret-from-env", "fly secrets set DATABASE_URL=\"$DATABASE_URL\" STRIPE_KEY=${STRIPE_KEY}\n", nil},
		{"vault-write-ttl", "vault write auth/approle/role/ci token_ttl=20m token_max_ttl=30m\n", nil},
		{"prose", "Run fly secrets set with the new value, then redeploy the app.\n", nil},
		{"git-config", "git config set user.name \"Jane Doe\"\n", nil},
	})
}

func TestProseSecrets(t *testing.T) {
	checkRecall(t, []recallCase{
		{
			"chat-auth-token", "[09:12] sam: account sid AC0123456789abcdef0123456789abcdef\n[09:12] sam: auth token feff9243a8f506b40928b5b7a767c7ee\n",
			[]string{"feff9243a8f506b40928b5b7a767c7ee"},
		},
		{
			"api-key-is", "ok, the api key is u8jzPde0IgxLd6GncfBAepfJBd0Kh8oO, rotate it after the demo\n",
			[]string{"u8jzPde0IgxLd6GncfBAepfJBd0Kh8oO"},
		},
		{"password-is", "the admin password is Gr33n-Tea!42 until Friday\n", []string{"Gr33n-Tea!42"}},
		{
			"qualified-label", "The admin password (generated): W0rk!ng-Fl0w-92\nDeploy token for the CI bot: LlqsajAIxNKu8iS2G8NPRVdD53X83R\n",
			[]string{"W0rk!ng-Fl0w-92", "LlqsajAIxNKu8iS2G8NPRVdD53X83R"},
		},
		{
			"access-token-backticks", "Use access token `hGAkWvj7FAc9QeWJKY40uvSwMFLZDe1f8rES` for the staging API.\n",
			[]string{"hGAkWvj7FAc9QeWJKY40uvSwMFLZDe1f8rES"},
		},
	})
	checkRecall(t, []recallCase{
		{"token-type", "the token type is bearer and the token expires at 2026-12-07T10:00:00Z\n", nil},
		{"gpg-key", "signed with GPG key 96E8287B6CC1350871B17577D78B80A0C13D7C16 by the release team\n", nil},
		{"unexpected-token", "SyntaxError: unexpected token '}' at line 14\n", nil},
		{"primary-key", "duplicate primary key 1234567890 in table orders\n", nil},
		{"qualified-word", "Secret Manager API (v1): enabled\nPassword (again): ********\n", nil},
	})
}

func TestAnnouncedSecrets(t *testing.T) {
	checkRecall(t, []recallCase{
		{
			"shown-once", "$ acme tokens create --name ci\nCreated.\n\nYour new API token (shown only once):\n\n    IBXuDL7DxtpYlSXpfKtHF4vUCsMe4k\n\nStore it safely.\n",
			[]string{"IBXuDL7DxtpYlSXpfKtHF4vUCsMe4k"},
		},
		{
			"setup-password-log", "*****\n\nAn admin user has been created and a password generated.\nPlease use the following password to log in:\n\n41bed440e50454f31af31768ab12cd90\n\n*****\n",
			[]string{"41bed440e50454f31af31768ab12cd90"},
		},
		{"generated-password", "Generated password for user 'elastic':\n  Xk9!mw2Lq7#pRt\n", []string{"Xk9!mw2Lq7#pRt"}},
		{
			"prefixed-token", "Here is your personal access token:\n\nacme_pat_6fb008f86bebb2737f6a6f0fb23c6f5da2cec255\n",
			[]string{"acme_pat_6fb008f86bebb2737f6a6f0fb23c6f5da2cec255"},
		},
	})
	checkRecall(t, []recallCase{
		{"token-types", "The following token types are supported:\n\n  bearer_token_v2\n", nil},
		{"password-hash", "Password hash of the admin user:\n\n  pbkdf2_sha256_600000_Xk9mw2Lq7pRt\n", nil},
		{"key-id", "Signing key ID:\n\n  5f3a1c2e9b7d4a6f8e0d\n", nil},
		{"token-fingerprint", "Token fingerprint:\n\n  9c2b7f41d0e8a6c3b5f1\n", nil},
	})
}

func TestCallArgSecrets(t *testing.T) {
	checkRecall(t, []recallCase{
		{
			"python-auth-api-key", "client = weaviate.connect_to_wcs(cluster_url=u, auth_credentials=Auth.api_key(\"OL8dKLzdocJ2isAjIhKtJ0RlgLKOmxgJTeKdNnFR\"))\n",
			[]string{"OL8dKLzdocJ2isAjIhKtJ0RlgLKOmxgJTeKdNnFR"},
		},
		{"js-setter", "sdk.setAccessToken('hGAkWvj7FAc9QeWJKY40uvSwMFLZDe1f8rES');\n", []string{"hGAkWvj7FAc9QeWJKY40uvSwMFLZDe1f8rES"}},
		{"pydantic-secretstr", "settings = Settings(stripe=SecretStr(\"i0B3JrTAwR4y9ojfljoQoaF1xx\"))\n", []string{"i0B3JrTAwR4y9ojfljoQoaF1xx"}},
		{"builder-password", "Builder().with_password(\"Xk9!mw2Lq7#pRt\").build()\n", []string{"Xk9!mw2Lq7#pRt"}},
	})
	checkRecall(t, []recallCase{
		{"lexer-token", "toks := []Token{rawToken(`0e12456789abcdef`), newToken(\"IDENT\")}\n", nil},
		{"key-lookup", "v := cfg.get_api_key(\"primary\")\n", nil},
		{"env-read", "key = api_key(os.environ[\"API_KEY\"])\n", nil},
	})
}

func TestPythonKwargsAndReprs(t *testing.T) {
	checkRecall(t, []recallCase{
		{
			"repr-hex30", ">>> client\nClient(host='https://api.acme.io', secret='feff9243a8f506b40928b5b7a767c7', timeout=30)\n",
			[]string{"feff9243a8f506b40928b5b7a767c7"},
		},
		{"dict-hex24", "{'client_id': 'abc', 'secret': '41bed440e50454f31af31768'}\n", []string{"41bed440e50454f31af31768"}},
		{
			"settings-prefixed", "FLAGS_SERVER_SECRET = \"secret-QedUStPKR0CsTy4Qwb8DwkNhFdnXsiVpzz63FfkCzJr4\"\n",
			[]string{"QedUStPKR0CsTy4Qwb8DwkNhFdnXsiVpzz63FfkCzJr4"},
		},
		{
			"oauth-prefixed", "LINEAR_TOKEN = 'lin_oauth_6fb008f86bebb2737f6a6f0fb23c6f5da2cec255404e4fb440034d6608697a8d'\n",
			[]string{"6fb008f86bebb2737f6a6f0fb23c6f5da2cec255404e4fb440034d6608697a8d"},
		},
	})
	checkRecall(t, []recallCase{
		{"object-id", "{'_id': '507f1f77bcf86cd799439011', 'name': 'orders'}\n", nil},
		{"test-prefixed", "token = 'test_token_value_for_unit'\n", nil},
	})
}

func TestXMLSecretSections(t *testing.T) {
	checkRecall(t, []recallCase{
		{
			"nuget-apikeys", "<configuration>\n  <apikeys>\n    <add key=\"https://nuget.acme.dev/v3/index.json\" value=\"hgakwvj7fac9qewjky40uvswmflzde1f8res\" />\n  </apikeys>\n</configuration>\n",
			[]string{"hgakwvj7fac9qewjky40uvswmflzde1f8res"},
		},
		{
			"secrets-section", "<secrets><add key=\"Stripe\" value=\"u8jzPde0IgxLd6GncfBAepfJBd0Kh8oO\"/></secrets>\n",
			[]string{"u8jzPde0IgxLd6GncfBAepfJBd0Kh8oO"},
		},
		{
			"dotnet-user-setting", "<setting name=\"ServiceToken\" serializeAs=\"String\">\n  <value>IBXuDL7DxtpYlSXpfKtHF4vUCsMe</value>\n</setting>\n",
			[]string{"IBXuDL7DxtpYlSXpfKtHF4vUCsMe"},
		},
		{"capitalised-attributes", "<Parameter Name=\"AdminPassword\" Type=\"String\" Value=\"W0rk!ng-Fl0w-92\" />\n", []string{"W0rk!ng-Fl0w-92"}},
	})
	checkRecall(t, []recallCase{
		{"app-settings", "<appSettings>\n  <add key=\"Theme\" value=\"dark-blue-2024\" />\n  <add key=\"Build\" value=\"6fb008f86bebb2737f6a\" />\n</appSettings>\n", nil},
		{"named-metadata", "<setting name=\"TokenEndpoint\" serializeAs=\"String\"><value>https://id.acme.io/token</value></setting>\n<input name=\"password\" type=\"password\" autocomplete=\"current-password\">\n", nil},
		{"apikeys-placeholder", "<apikeys>\n  <add key=\"https://api.nuget.org/v3/index.json\" value=\"YOUR_API_KEY_HERE\" />\n</apikeys>\n", nil},
	})
}

const harDoc = `{"log": {"entries": [{"request": {
  "headers": [
    {"name": "accept", "value": "application/json"},
    {"name": "Cookie", "value": "app_sid=k7w2nq9x4m8c1v5b3z6l0p2r7t9y4h1d; theme=dark"}
  ],
  "cookies": [
    {"name": "app_sid", "value": "k7w2nq9x4m8c1v5b3z6l0p2r7t9y4h1d", "httpOnly": true},
    {"name": "_ga", "value": "GA1.2.1234567890.1733500000"}
  ]
}, "response": {"headers": [{"name": "set-cookie", "value": "refresh=r4t8y2u6i0o3p7a1s5d9f2g6h0j4k8l3; Path=/; HttpOnly"}]}}]}}
`

// TestCookieContainers: HAR captures, browser-automation cookie lists and
// cookie dicts in code, read as JSON and as text.
func TestCookieContainers(t *testing.T) {
	eng := engine(t)
	secrets := []string{"k7w2nq9x4m8c1v5b3z6l0p2r7t9y4h1d", "r4t8y2u6i0o3p7a1s5d9f2g6h0j4k8l3"}
	for _, ct := range []string{"application/json", "text/plain"} {
		out := redactAs(t, eng, ct, []byte(harDoc))
		for _, s := range secrets {
			if w, bad := survivor(out, s); bad {
				t.Errorf("%s: %q survives:\n%s", ct, w, out)
			}
		}
		for _, keep := range []string{"GA1.2.1234567890.1733500000", "application/json", "theme=dark"} {
			if !bytes.Contains(out, []byte(keep)) {
				t.Errorf("%s: %q was redacted:\n%s", ct, keep, out)
			}
		}
	}
	checkRecall(t, []recallCase{
		{
			"requests-cookies-dict", "r = requests.get(url, cookies={'sessionid': 'u8jzPde0IgxLd6GncfBAepfJBd0Kh8oO', 'lang': 'en'})\n",
			[]string{"u8jzPde0IgxLd6GncfBAepfJBd0Kh8oO"},
		},
		{"document-cookie", "document.cookie = \"auth=hGAkWvj7FAc9QeWJKY40uvSwMFLZDe1f8rES; path=/\";\n", []string{"hGAkWvj7FAc9QeWJKY40uvSwMFLZDe1f8rES"}},
		{
			"storage-state", "{\"cookies\": [{\"name\": \"__Host-session\", \"value\": \"QedUStPKR0CsTy4Qwb8DwkNhFdnXsiVpzz63FfkCzJr4\", \"domain\": \"app.acme.io\"}], \"origins\": []}\n",
			[]string{"QedUStPKR0CsTy4Qwb8DwkNhFdnXsiVpzz63FfkCzJr4"},
		},
	})
	checkRecall(t, []recallCase{
		{"tracking-cookies", "{\"cookies\": [{\"name\": \"_ga\", \"value\": \"GA1.2.1234567890.1733500000\"}, {\"name\": \"theme\", \"value\": \"dark\"}]}\n", nil},
		{"empty-dict", "session = requests.Session()\nsession.cookies = {}\n", nil},
	})
}

func TestHashicorpSecretIDContext(t *testing.T) {
	checkRecall(t, []recallCase{
		{
			"approle-env", "export VAULT_ROLE_ID=db02de05-fa39-4855-059b-67221c5c2f63\nexport VAULT_SECRET_ID=6a174c20-f6de-a53c-74d2-6018fcceff64\n",
			[]string{"6a174c20-f6de-a53c-74d2-6018fcceff64"},
		},
		{
			"consul-acl", "AccessorID:   e9ed2a1b-6f3c-4d8e-9a7b-5c4d3e2f1a0b\nSecretID:     3f9a1c7e-11aa-4b7b-9d2e-0f1e2d3c4b5a\n",
			[]string{"3f9a1c7e-11aa-4b7b-9d2e-0f1e2d3c4b5a"},
		},
	})
	checkRecall(t, []recallCase{
		{"log-secret-id", "2026-12-07 12:00:01 INFO rotation secret_id=0b7c2d4e-8f1a-4c3b-9d5e-6f7a8b9c0d1e secret_version=4 status=ok\n", nil},
		{"json-secret-ref", "{\"secret_id\": \"0b7c2d4e-8f1a-4c3b-9d5e-6f7a8b9c0d1e\", \"version\": 4}\n", nil},
	})
}

// TestMetadataBesideSecrets: values under a secret's word that are not the
// secret stay, and the secrets beside them still go.
func TestMetadataBesideSecrets(t *testing.T) {
	checkRecall(t, []recallCase{
		{"gpg-fingerprint-env", "GPG_KEY=A035C8C19219BA821ECEA86B64E628F8D684696D\nGPG_KEY_ID=64E628F8D684696D\n", nil},
		{"pgp-key-json", "{\"Env\": [\"PGP_KEY=E3FF2839C048B25C084DEBE9B26995E310250568\", \"LANG=C.UTF-8\"]}\n", nil},
		{"timestamps", "password_changed_at=2026-11-30T08:15:00Z token_issued=2026-12-01 secret_rotated_at=2026-12-01 09:00:00\n", nil},
		{"auth-domain", "const cfg = {\n  authDomain: \"orders-app-9f2c.firebaseapp.com\",\n  tokenHost: \"login-7c1e.eu.auth0.com\",\n};\n", nil},
		{"ini-auth-metadata", "[auth]\npassword_hash_algorithm = scrypt1\ntoken_endpoint = https://id.acme.io/token\nsession_cookie_name = __Host-app7\n", nil},
	})
	checkRecall(t, []recallCase{
		{"gpg-passphrase-stays-secret", "GPG_KEY=A035C8C19219BA821ECEA86B64E628F8D684696D\nGPG_PASSPHRASE=Xk9!mw2Lq7#pRt\n", []string{"Xk9!mw2Lq7#pRt"}},
		{
			"ini-auth-secret-beside-metadata", "[auth]\npassword_hash_algorithm = scrypt1\nsigning_secret = u8jzPde0IgxLd6GncfBAepfJBd0Kh8oO\n",
			[]string{"u8jzPde0IgxLd6GncfBAepfJBd0Kh8oO"},
		},
		{"domain-admin-password", "DOMAIN_ADMIN_PASSWORD=Gr33n-Tea!42\n", []string{"Gr33n-Tea!42"}},
	})
}

// TestUUIDCredentials: a UUID under a name ending in a secret's word is a
// token (Codecov, npm legacy, Splunk HEC); under a name about a secret it is
// an identifier.
func TestUUIDCredentials(t *testing.T) {
	checkRecall(t, []recallCase{
		{"ci-env", "environment {\n  UPLOAD_TOKEN = '7d1e9f3a-2b4c-4d5e-8f6a-1b2c3d4e5f60'\n}\n", []string{"7d1e9f3a-2b4c-4d5e-8f6a-1b2c3d4e5f60"}},
		{"yaml-api-key", "monitoring:\n  hec_api_key: 0c8f1d2e-5b6a-4c3d-9e8f-7a6b5c4d3e2f\n", []string{"0c8f1d2e-5b6a-4c3d-9e8f-7a6b5c4d3e2f"}},
	})
	checkRecall(t, []recallCase{
		{"ids-about-secrets", "token_family=da3b5c5a-4a4f-4f26-84da-7f195573cf6a api_key_id=f5aa1e12-2110-479f-8dfd-aa20f8c02b47 secret_ref=0c8f1d2e-5b6a-4c3d-9e8f-7a6b5c4d3e2f\n", nil},
		{"request-id", "request_id: 7d1e9f3a-2b4c-4d5e-8f6a-1b2c3d4e5f60\n", nil},
	})
}

func TestCredentialCalls(t *testing.T) {
	checkRecall(t, []recallCase{
		{"smtplib-login", "server = smtplib.SMTP_SSL('smtp.acme.io', 465)\nserver.login(\"alerts@acme.io\", \"Xk9!mw2Lq7#pRt\")\n", []string{"Xk9!mw2Lq7#pRt"}},
		{"requests-auth-tuple", "r = requests.get(url, auth=(\"svc-reports\", \"W0rk!ng-Fl0w-92\"), timeout=10)\n", []string{"W0rk!ng-Fl0w-92"}},
		{"ldap-bind", "conn.simple_bind_s(\"cn=admin,dc=acme,dc=io\", \"Gr33n-Tea!42\")\n", []string{"Gr33n-Tea!42"}},
		{"dotnet-network-credential", "var cred = new NetworkCredential(\"svc\", \"Pl4ce!Orders-77\");\n", []string{"Pl4ce!Orders-77"}},
		{"http-basic-auth", "auth = HTTPBasicAuth('api', 'Zq8&x!Lp0Rt6')\n", []string{"Zq8&x!Lp0Rt6"}},
		{"go-plain-auth", "auth := smtp.PlainAuth(\"\", \"ci@acme.io\", \"T1ny-Gr3en!\", \"smtp.acme.io\")\n", []string{"T1ny-Gr3en!"}},
	})
	checkRecall(t, []recallCase{
		{"login-from-env", "server.login(os.environ['SMTP_USER'], os.environ['SMTP_PASS'])\n", nil},
		{"placeholder-password", "client.login(\"admin\", \"password123\")\n", nil},
		{"word-password", "ftp.login('anonymous', 'guest')\n", nil},
		{"oauth-call", "flow = OAuth(\"client\", \"https://id.acme.io/authorize\")\n", nil},
	})
}

func TestCookieCallsAndFlags(t *testing.T) {
	checkRecall(t, []recallCase{
		{"curl-b", "curl -s -b 'session=hGAkWvj7FAc9QeWJKY40uvSwMFLZDe1f8rES' https://app.acme.io/api/me\n", []string{"hGAkWvj7FAc9QeWJKY40uvSwMFLZDe1f8rES"}},
		{"curl-cookie", "curl --cookie \"sid=IBXuDL7DxtpYlSXpfKtHF4vUCsMe4k; lang=en\" https://app.acme.io\n", []string{"IBXuDL7DxtpYlSXpfKtHF4vUCsMe4k"}},
		{"selenium-add-cookie", "driver.add_cookie({'name': 'sessionid', 'value': 'LlqsajAIxNKu8iS2G8NPRVdD53X83R'})\n", []string{"LlqsajAIxNKu8iS2G8NPRVdD53X83R"}},
		{"express-res-cookie", "res.cookie('auth', 'QedUStPKR0CsTy4Qwb8DwkNhFdnXsiVpzz63FfkCzJr4', { httpOnly: true });\n", []string{"QedUStPKR0CsTy4Qwb8DwkNhFdnXsiVpzz63FfkCzJr4"}},
	})
	checkRecall(t, []recallCase{
		{"curl-cookie-jar", "curl -b cookies.txt -c cookies.txt https://app.acme.io\n", nil},
		{"consent-cookie", "res.cookie('theme', 'dark-mode-2024-high-contrast')\n", nil},
		{"tar-b", "tar -b 20 -cf backup.tar ./data\n", nil},
	})
}

func TestMoreSetters(t *testing.T) {
	checkRecall(t, []recallCase{
		{"minio-alias", "mc alias set prod https://minio.acme.io minio-ci u8jzPde0IgxLd6GncfBAepfJBd0Kh8oO\n", []string{"u8jzPde0IgxLd6GncfBAepfJBd0Kh8oO"}},
		{"macos-keychain", "security add-generic-password -a ci -s deploy -w 'Xk9!mw2Lq7#pRt' -U\n", []string{"Xk9!mw2Lq7#pRt"}},
		{"prose-is-after-words", "fyi the password for the prod db is Gr33n-Tea!42 btw\n", []string{"Gr33n-Tea!42"}},
	})
	checkRecall(t, []recallCase{
		{"prose-about", "the token is invalid because the password for root is not set\n", nil},
		{"minio-alias-no-secret", "mc alias set local http://localhost:9000\n", nil},
	})
}

// TestArgvFlagSecrets: a flag naming a secret and its value as two elements
// of an argument list, in text and as JSON (MCP server configurations).
func TestArgvFlagSecrets(t *testing.T) {
	checkRecall(t, []recallCase{
		{
			"python-argv", "subprocess.run([\"tool\", \"--api-key\", \"u8jzPde0IgxLd6GncfBAepfJBd0Kh8oO\"], check=True)\n",
			[]string{"u8jzPde0IgxLd6GncfBAepfJBd0Kh8oO"},
		},
		{
			"yaml-flow-args", "args: ['--auth-token', 'hGAkWvj7FAc9QeWJKY40uvSwMFLZDe1f8rES', '--port', '8080']\n",
			[]string{"hGAkWvj7FAc9QeWJKY40uvSwMFLZDe1f8rES"},
		},
		{"multiline-args", "\"args\": [\n  \"server\",\n  \"--db-password\",\n  \"Gr33n-Tea!42x\"\n]\n", []string{"Gr33n-Tea!42x"}},
	})
	checkRecall(t, []recallCase{
		{"token-file", "args: [\"--token-file\", \"/var/run/secrets/token\", \"--api-key\", \"$API_KEY\"]\n", nil},
		{"flag-then-flag", "[\"--password-stdin\", \"--username\", \"ci-bot-2024\"]\n", nil},
	})
	eng := engine(t)
	mcp := `{"mcpServers": {"tracker": {"command": "npx", "args": ["-y", "tracker-mcp", "--api-token", "QedUStPKR0CsTy4Qwb8DwkNhFdnXsiVpzz63FfkCzJr4", "--region", "eu-west-1"]}}}`
	out := redactAs(t, eng, "application/json", []byte(mcp))
	if w, bad := survivor(out, "QedUStPKR0CsTy4Qwb8DwkNhFdnXsiVpzz63FfkCzJr4"); bad {
		t.Errorf("json: %q survives:\n%s", w, out)
	}
	if !bytes.Contains(out, []byte(`"--region", "eu-west-1"`)) || !bytes.Contains(out, []byte(`"tracker-mcp"`)) {
		t.Errorf("json: other arguments changed:\n%s", out)
	}
}

func TestConfigDirectiveSecrets(t *testing.T) {
	checkRecall(t, []recallCase{
		{"redis-conf", "bind 127.0.0.1\nrequirepass Xk9mw2Lq7pRt5vZ3\nmasterauth Gr33n-Tea!42x\n", []string{"Xk9mw2Lq7pRt5vZ3", "Gr33n-Tea!42x"}},
		{"ldap-conf", "BASE dc=acme,dc=io\nbinddn cn=reader,dc=acme,dc=io\nbindpw W0rk!ng-Fl0w-92\n", []string{"W0rk!ng-Fl0w-92"}},
		{"wpa-supplicant", "network={\n    ssid=\"office\"\n    psk=\"Sunny-Day-2024!\"\n}\n", []string{"Sunny-Day-2024!"}},
		{"redis-acl", "user alice on >Wh1te-Rabbit! ~cached:* +get\n", []string{"Wh1te-Rabbit!"}},
		{"ngrok-authtoken", "$ ngrok authtoken 2bX9kLmQ8pZ7rT5wB3nV1yC6dLqW_4f8Kq2LmZ9xW7vB3n\n", []string{"2bX9kLmQ8pZ7rT5wB3nV1yC6dLqW_4f8Kq2LmZ9xW7vB3n"}},
	})
	checkRecall(t, []recallCase{
		{"redis-example", "# requirepass is commented out by default\nrequirepass foobared\n", nil},
		{"acl-nopass", "user bob on nopass ~* +@all\n", nil},
		{"prose", "the psk was rotated and bindpw is now read from a file\n", nil},
	})
}
