package redact_test

import (
	"bytes"
	"encoding/json"
	"testing"
)

// fx8Case is an fx7Case that may be checked whole only: a stream releases a
// value before it sees a flag that follows it (Terraform writes `"value"`
// before `"sensitive"` in state files), so such a value is only redacted where
// the whole body is scanned (requests, tool results, audit records).
type fx8Case struct {
	fx7Case
	wholeOnly bool
}

func cases8(cs []fx7Case) []fx8Case {
	out := make([]fx8Case, len(cs))
	for i, c := range cs {
		out[i] = fx8Case{fx7Case: c}
	}
	return out
}

// checkFx8 is checkFx7 (whole and streamed) plus, for a case that is JSON,
// RedactJSON (each string scanned with its key, the object's siblings read
// from the body).
func checkFx8(t *testing.T, cases []fx8Case) {
	t.Helper()
	eng := engine(t)
	var streamed []fx7Case
	for _, c := range cases {
		if !c.wholeOnly {
			streamed = append(streamed, c.fx7Case)
			continue
		}
		t.Run(c.name+"/whole", func(t *testing.T) {
			out, _ := eng.Redact([]byte(c.text), secretsOnly)
			if len(c.secrets) == 0 && !bytes.Equal(out, []byte(c.text)) {
				t.Errorf("look-alike changed:\n%s", out)
			}
			for _, s := range c.secrets {
				if w, ok := leak(out, s); ok {
					t.Errorf("%q survives:\n%s", w, out)
				}
			}
		})
	}
	checkFx7(t, streamed)
	for _, c := range cases {
		if !json.Valid([]byte(c.text)) {
			continue
		}
		t.Run(c.name+"/json", func(t *testing.T) {
			out, _, err := eng.RedactJSON([]byte(c.text), secretsOnly)
			if err != nil {
				t.Fatal(err)
			}
			if len(c.secrets) == 0 && !bytes.Equal(out, []byte(c.text)) {
				t.Errorf("look-alike changed:\n%s", out)
			}
			for _, s := range c.secrets {
				if w, ok := leak(out, s); ok {
					t.Errorf("%q survives:\n%s", w, out)
				}
			}
			if !json.Valid(out) {
				t.Errorf("output is no longer JSON:\n%s", out)
			}
		})
	}
}

func TestValuesMarkedSensitiveByTheirTool(t *testing.T) {
	checkFx8(t, cases8([]fx7Case{
		{"terraform-output-json", `{
  "api_url": {"sensitive": false, "type": "string", "value": "https://api.internal.example:8443"},
  "admin_token": {"sensitive": true, "type": "string", "value": "q7Hn2vK9pWx4Lm8RtZ3b"}
}`, []string{"q7Hn2vK9pWx4Lm8RtZ3b"}},
		{
			"terraform-output-object", `{"db": {"sensitive": true, "type": ["object", {"user": "string", "pass": "string"}], "value": {"user": "ledger_rw", "pass": "Vx7-rT2mQ9_kLp4Z"}}}`,
			[]string{"Vx7-rT2mQ9_kLp4Z"},
		},
		{
			"plan-after-sensitive", `{"resource_changes": [{"address": "aws_db_instance.main", "change": {"actions": ["create"], "before": null, "after": {"engine": "postgres", "password": "Ty6pW3qZ8vN1xK4m", "username": "app"}, "after_sensitive": {"password": true}}}]}`,
			[]string{"Ty6pW3qZ8vN1xK4m"},
		},
		{
			"hcl-variable-default", "variable \"signing_key\" {\n  type      = string\n  sensitive = true\n  default   = \"k2J8vQ4wP9zR6tL1\"\n}\n",
			[]string{"k2J8vQ4wP9zR6tL1"},
		},
		{
			"cloudformation-yaml-noecho", "Parameters:\n  Env:\n    Type: String\n    Default: prod\n  MasterPassword:\n    Type: String\n    NoEcho: true\n    Default: Wq4vT7pZ2mK9xR3n\n",
			[]string{"Wq4vT7pZ2mK9xR3n"},
		},
		{
			"cloudformation-json-noecho", `{"Parameters": {"ApiSecret": {"Type": "String", "NoEcho": "true", "Default": "Zr8Kq2Lw5Xv9Tn3P"}}}`,
			[]string{"Zr8Kq2Lw5Xv9Tn3P"},
		},
		{
			"ssm-securestring", `{"Parameter": {"Name": "/prod/billing/stripe", "Type": "SecureString", "Value": "pQ9vR2tW7xZ4kL8m", "Version": 3}}`,
			[]string{"pQ9vR2tW7xZ4kL8m"},
		},
		{
			"arm-securestring", `{"parameters": {"adminPassword": {"type": "securestring", "defaultValue": "Nx5!qR8vT2wZ6kLp"}}}`,
			[]string{"Nx5!qR8vT2wZ6kLp"},
		},
		{
			"gitlab-masked-variable", `[{"variable_type": "env_var", "key": "DEPLOY_KEY", "value": "mV3xQ8tZ1kR7wP4n", "protected": true, "masked": true}]`,
			[]string{"mV3xQ8tZ1kR7wP4n"},
		},
		{
			"azure-devops-issecret", `{"variables": {"registryPass": {"isSecret": true, "value": "cT7kW2qZ9vR4xL8p"}}}`,
			[]string{"cT7kW2qZ9vR4xL8p"},
		},
		{
			"pulumi-state-secret", `{"outputs": {"dbPassword": {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "plaintext": "\"sW8qT3vZ6kR1xP9m\""}}}`,
			[]string{"sW8qT3vZ6kR1xP9m"},
		},
		{
			"azure-keyvault-secret-show", `{"attributes": {"enabled": true}, "contentType": null, "id": "https://kv-prod.vault.azure.net/secrets/db-conn/4f1c2b7e9a", "name": "db-conn", "value": "Server=db;Uid=app;Pwd=Zt6Lq9Xw2Vr5Nk8P;"}`,
			[]string{"Zt6Lq9Xw2Vr5Nk8P"},
		},
		{"github-add-mask", "Run echo \"::add-mask::gT5vQ9wZ2kR8xL3p\"\n::add-mask::gT5vQ9wZ2kR8xL3p\n", []string{"gT5vQ9wZ2kR8xL3p"}},
	}))
	checkFx8(t, []fx8Case{
		{fx7Case{
			"tfstate-output-value-first", `{"version": 4, "outputs": {"grafana_admin": {"value": "hG4!tY8zQw2#Lk6p", "type": "string", "sensitive": true}}}`,
			[]string{"hG4!tY8zQw2#Lk6p"},
		}, true},
		{fx7Case{
			"tfstate-sensitive-attributes", `{"mode": "managed", "type": "random_password", "name": "db", "instances": [{"schema_version": 3, "attributes": {"id": "none", "length": 24, "result": "u3Bq9ZxT1wLm7RkV2sYp5NcD", "special": false}, "sensitive_attributes": [[{"type": "get_attr", "value": "result"}]]}]}`,
			[]string{"u3Bq9ZxT1wLm7RkV2sYp5NcD"},
		}, true},
	})
}

// Pulumi's `"secret": true` is read only where the body is parsed as JSON: as
// a text keyword its punctuation would anchor the prefilter in every JSON key.
func TestPulumiConfigSecretInJSON(t *testing.T) {
	in := `{"aws:region": {"value": "eu-central-1", "secret": false}, "app:dbPassword": {"value": "vB7qT2kZ9xR4wL8m", "secret": true}}`
	out, _, err := engine(t).RedactJSON([]byte(in), secretsOnly)
	if err != nil {
		t.Fatal(err)
	}
	if w, ok := leak(out, "vB7qT2kZ9xR4wL8m"); ok {
		t.Errorf("%q survives:\n%s", w, out)
	}
	if !bytes.Contains(out, []byte(`"eu-central-1"`)) {
		t.Errorf("a value not marked secret changed:\n%s", out)
	}
}

func TestValuesNotMarkedSensitiveStay(t *testing.T) {
	checkFx8(t, cases8([]fx7Case{
		{"terraform-output-not-sensitive", `{"vpc_id": {"sensitive": false, "type": "string", "value": "vpc-0f3a9c27be44d8101"}, "bucket": {"sensitive": false, "type": "string", "value": "acme-logs-eu-central-1"}}`, nil},
		{"terraform-output-null", `{"token": {"sensitive": true, "type": "string", "value": null}}`, nil},
		{"already-hidden", "  + password = (sensitive value)\n  ~ secret   = (sensitive value)\n", nil},
		{"noecho-dynamic-reference", "  DbPass:\n    Type: String\n    NoEcho: true\n    Default: '{{resolve:ssm-secure:/prod/db/pass:1}}'\n", nil},
		{"pulumi-config-not-secret", `{"aws:region": {"value": "eu-central-1-primary", "secret": false}}`, nil},
		{"ssm-plain-string", `{"Parameter": {"Name": "/prod/region", "Type": "String", "Value": "eu-central-1-primary"}}`, nil},
		{"prose", "Mark the output as sensitive: true in the module, and the value will be hidden from the plan.\n", nil},
		{"add-mask-variable", "echo \"::add-mask::$TOKEN\"\n", nil},
	}))
}

func TestNetrcPasswordNeedsANetrcEntry(t *testing.T) {
	checkFx8(t, cases8([]fx7Case{
		{"netrc-lines", "machine api.heroku.com\n  login ops@example.test\n  password 5c1f0a9e-77b2-4d5e-9a61-3f0c2d8e4b17\n", []string{"5c1f0a9e-77b2-4d5e-9a61-3f0c2d8e4b17"}},
		{"netrc-one-line", "machine git.example.test login ci port 443 password Qw8vT2kZ9rL4xP7m\n", []string{"Qw8vT2kZ9rL4xP7m"}},
		{"netrc-default", "default login anonymous password Zk4rT8vQ2wL9xP3m\n", []string{"Zk4rT8vQ2wL9xP3m"}},
		{"netrc-in-json-tool-result", `{"role": "tool", "content": "$ cat ~/.netrc\nmachine pypi.example.test\n\tlogin __token__\n\tpassword Vh3kQ9wT2zL8xR5m\n"}`, []string{"Vh3kQ9wT2zL8xR5m"}},
		{"prose-login-form", "What's wrong with this login form screenshot? The password field looks misaligned.\n", nil},
		{"prose-machine", "Each build machine has a login shell; the password policy requires rotation.\n", nil},
		{"prose-default", "If the default password prompt appears, press enter to continue.\n", nil},
	}))
}

func TestPercentEncodedPasswordsInDriverURLs(t *testing.T) {
	checkFx8(t, cases8([]fx7Case{
		{"mongodb-srv", "MONGO_URI=mongodb+srv://crm-app:Q%40rt%3Ay%2Fpe%23Hk4Lz9Wq@cluster0.ab12c.mongodb.net/crm?retryWrites=true\n", []string{"Q%40rt%3Ay%2Fpe%23Hk4Lz9Wq"}},
		{"mongodb-spells-password", "uri: mongodb://svc:P%40ss%3Aw%2Frd%23Tq7Vx2Lk@mongo-0.db,mongo-1.db:27017/app?replicaSet=rs0\n", []string{"P%40ss%3Aw%2Frd%23Tq7Vx2Lk"}},
		{"postgres", `DATABASE_URL="postgresql://ledger:Xk%2F9q%40Lm%3D7Tz@db.internal:5432/ledger?sslmode=require"` + "\n", []string{"Xk%2F9q%40Lm%3D7Tz"}},
		{"sqlalchemy", "engine = create_engine('postgresql+psycopg2://etl:Zp%25r8%26Kw2%2BqN@warehouse:5432/dw')\n", []string{"Zp%25r8%26Kw2%2BqN"}},
		{"mysql", "DSN=mysql://root:pa%24%24Wq7%21zK2m@10.0.3.7:3306/shop\n", []string{"pa%24%24Wq7%21zK2m"}},
		{"redis-no-user", "REDIS_URL=rediss://:R3d%21s%2Fq8Xk%40vT@cache.internal:6380/0\n", []string{"R3d%21s%2Fq8Xk%40vT"}},
		{"amqp", `{"broker": "amqps://svc:Zq%2B7vT%3D%3Dk9L@mq.example.test/prod"}`, []string{"Zq%2B7vT%3D%3Dk9L"}},
		{"docs-example", "Connect with postgres://user:p%40ssw0rd@localhost:5432/dev for the tutorial.\n", nil},
		{"docs-example-year", "e.g. mysql://admin:Password2024@localhost/test\n", nil},
	}))
}

func TestAuthSchemesAndMacaroons(t *testing.T) {
	fly1 := "fm2_lJPECAAAAAAAAp3jxBDf9Kq2Vw8zR1tLx4Nm7Yc0bT6uHs3eWg5aJ9pQd2fO8vXk1Ri_YnZ7s-Lm4Qw0Ep3Tb6Uc9Vd2Hf5Jg8Kh1Lj4Mk7Nn0Pp3Qq6Rr9Ss2Tt5Uu8Vv1Ww4"
	fly2 := "fm2_nQz8Xw2Vt5Lk9Pm3Rj7Yc1Hb4Ng6Df0Sa8Ke2Wu5Qi9Op3Zl7Mx1Cv4Bn6Ty0Gr8Fh2Jd5As9Ek3Iu7Ow1Pq4Rs6Tu0Vw8Xy2Za5Bc9De3Fg7Hi1Jk4Lm6No0Pq8Rs2Tu5Vw9Xy3"
	lnd := "0201036c6e6402f801030a10b6a3d1f4c27e9a5b8d0e1f2a3b4c5d6e7f1201301a160a0761646472657373120472656164120577726974651a130a04696e666f120472656164120577726974651a170a08696e766f69636573120472656164120577726974651a210a086d616361726f6f6e120867656e6572617465120472656164120577726974651a160a076d657373616765120472656164120577726974650006202bd6"
	v1 := "MDAxY2xvY2F0aW9uIGh0dHBzOi8vYXBpLmV4YW1wbGUudGVzdC8KMDAyOWlkZW50aWZpZXIgdjEva2V5LzJmOGQ5YzRhNmIKMDAyZnNpZ25hdHVyZSA0Zt3pWq8Lr0Ks2Vm7Xn1Ty9Gh4Jb6Cd"
	checkFx8(t, cases8([]fx7Case{
		{"flyv1-cli-flag", `fly deploy -a edge --access-token "FlyV1 ` + fly1 + `,` + fly2 + `"` + "\n", []string{fly1, fly2}},
		{"flyv1-env", "FLY_API_TOKEN='FlyV1 " + fly1 + "'\n", []string{fly1}},
		{"flyv1-header", "Authorization: FlyV1 " + fly2 + "\r\n", []string{fly2}},
		{"fm2-base64url-alone", "token: " + fly1 + "\n", []string{fly1}},
		{"okta-ssws-json", `{"headers": {"Authorization": "SSWS 00Qx7vT2kZ9rL4xP8mN3bV6cJ1hG5fD0sA2wE7yU"}}`, []string{"00Qx7vT2kZ9rL4xP8mN3bV6cJ1hG5fD0sA2wE7yU"}},
		{"opsgenie-geniekey", "curl -H \"Authorization: GenieKey 6f1c2b7e-3d9a-4e8b-a5c4-1f0e9d8c7b6a\" https://api.opsgenie.com/v2/alerts\n", []string{"6f1c2b7e-3d9a-4e8b-a5c4-1f0e9d8c7b6a"}},
		{"splunk-hec", "headers = {\"Authorization\": \"Splunk 9b2e4f6a-1c3d-4e5f-8a7b-0c9d8e7f6a5b\"}\n", []string{"9b2e4f6a-1c3d-4e5f-8a7b-0c9d8e7f6a5b"}},
		{"deepl", "DEEPL_AUTH=\"DeepL-Auth-Key 7e3a1b9c-5d2f-4a6e-8b0c-9f1e2d3c4b5a:fx\"\n", []string{"7e3a1b9c-5d2f-4a6e-8b0c-9f1e2d3c4b5a"}},
		{"zoho", "Authorization: Zoho-oauthtoken 1000.8f2c4e6a0b1d3f5e7a9c2b4d6f8e0a1c.3b5d7f9a1c2e4b6d8f0a2c4e6b8d0f1a\n", []string{"1000.8f2c4e6a0b1d3f5e7a9c2b4d6f8e0a1c.3b5d7f9a1c2e4b6d8f0a2c4e6b8d0f1a"}},
		{"godaddy-sso-key", "-H 'Authorization: sso-key dKq7vT2zW9xL4_Rm8pN3bV6cJ1hG:Xz5Lk9Pm3Rj7Yc1Hb4Ng6'\n", []string{"dKq7vT2zW9xL4_Rm8pN3bV6cJ1hG:Xz5Lk9Pm3Rj7Yc1Hb4Ng6"}},
		{"proxmox", "Authorization: PVEAPIToken=ci@pve!deploy=3f5c9a1e-7b2d-4c8e-9f0a-6d1b2c3e4f5a\n", []string{"3f5c9a1e-7b2d-4c8e-9f0a-6d1b2c3e4f5a"}},
		{"lnd-hex-header", "curl -H \"Grpc-Metadata-macaroon: " + lnd + "\" https://node:8080/v1/getinfo\n", []string{lnd}},
		{"lnd-hex-alone", "$ xxd -ps -u -c 1000 admin.macaroon | tr A-F a-f\n" + lnd + "\n", []string{lnd}},
		{"macaroon-v1", "cookie: session_macaroon=" + v1 + "\n", []string{v1}},
		{"l402", "Authorization: L402 " + v1 + ":8a3f0c1e2d4b6a8c0e2f4a6b8d0c2e4f6a8b0d2c4e6f8a0b2d4c6e8f0a2b4c6d\n", []string{v1}},
		{"macaroon-json-field", `{"node": "lnd-1", "macaroon": "AgEDbG5kAvgBAwoQtqPR9MJ+mluNDh8qO0xdbn8SATAaFgoHYWRkcmVzcxIEcmVhZBIFd3JpdGU"}`, []string{"AgEDbG5kAvgBAwoQtqPR9MJ+mluNDh8qO0xdbn8SATAaFgoHYWRkcmVzcxIEcmVhZBIFd3JpdGU"}},
		{"prose-schemes", "Use the Splunk dashboards; FlyV1 tokens are documented, and SSWS is Okta's scheme.\n", nil},
		{"placeholder", "Authorization: SSWS ${OKTA_API_TOKEN}\nAuthorization: FlyV1 <your-token>\n", nil},
	}))
}

func TestKeyIDsSecretOnlyInTheirKeyFile(t *testing.T) {
	keyFile := `{
  "type": "service_account",
  "project_id": "acme-ml-prod",
  "private_key_id": "7c1e9a3b5d2f4e6a8c0b1d3f5e7a9c2b4d6f8e0a",
  "private_key": "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7Vh2q9Lm4xT8kR3wZpN6bJ1cF5dG0sA2eH7yU9iO3lK8mQ4vX6tY1nB5zC7aR9fW2gE0jD\n-----END PRIVATE KEY-----\n",
  "client_email": "trainer@acme-ml-prod.iam.gserviceaccount.com",
  "token_uri": "https://oauth2.googleapis.com/token"
}`
	toolResult, _ := json.Marshal(map[string]string{"role": "tool", "content": "$ cat sa.json\n" + keyFile})
	checkFx8(t, cases8([]fx7Case{
		{"key-file", keyFile, []string{"7c1e9a3b5d2f4e6a8c0b1d3f5e7a9c2b4d6f8e0a"}},
		{"key-file-in-tool-result", string(toolResult), []string{"7c1e9a3b5d2f4e6a8c0b1d3f5e7a9c2b4d6f8e0a"}},
		{"keys-list", "$ gcloud iam service-accounts keys list --iam-account trainer@acme-ml-prod.iam.gserviceaccount.com --format=json\n" +
			`[{"name": "projects/acme-ml-prod/serviceAccounts/trainer@acme-ml-prod.iam.gserviceaccount.com/keys/7c1e9a3b5d2f4e6a8c0b1d3f5e7a9c2b4d6f8e0a", "keyType": "USER_MANAGED", "private_key_id": "7c1e9a3b5d2f4e6a8c0b1d3f5e7a9c2b4d6f8e0a"}]` + "\n", nil},
		{
			"consul-accessor-stays-secret-goes", `{"AccessorID": "6a1253d2-1785-24fd-91c2-f8e78c745511", "SecretID": "45a3bd52-07c7-47a4-52fd-0745e0cfe967", "Description": "ci agent"}`,
			[]string{"45a3bd52-07c7-47a4-52fd-0745e0cfe967"},
		},
	}))
}

func TestPublicKeysStayOnlyInTheirPublicContext(t *testing.T) {
	web := "AIzaSyB7vQ2kZ9rL4xP8mN3bV6cJ1hG5fD0sA2w"
	server := "AIzaSyD3kR8vT2wQ9zL5xP1mN7bV4cJ6hG0fE3y"
	checkFx8(t, cases8([]fx7Case{
		{"firebase-json", `{"firebase": {"apiKey": "` + web + `", "authDomain": "shop-prod.firebaseapp.com", "projectId": "shop-prod", "appId": "1:884512398810:web:3f9a0c1e2d4b6a8c"}}`, nil},
		{"firebase-js", "const firebaseConfig = {\n  apiKey: \"" + web + "\",\n  authDomain: \"shop-prod.firebaseapp.com\",\n  projectId: \"shop-prod\",\n};\nfirebase.initializeApp(firebaseConfig);\n", nil},
		{"firebase-server-key-beside", `{"apiKey": "` + web + `", "authDomain": "shop-prod.firebaseapp.com", "geminiApiKey": "` + server + `"}`, []string{server}},
		{"aiza-without-web-config", `{"apiKey": "` + server + `", "endpoint": "https://maps.googleapis.com/maps/api/geocode/json"}`, []string{server}},
		{"maps-js-loader", "<script async src=\"https://maps.googleapis.com/maps/api/js?key=" + web + "&callback=initMap&libraries=places\"></script>\n", nil},
		{"maps-js-loader-amp", "<script src=\"https://maps.googleapis.com/maps/api/js?v=weekly&amp;key=" + web + "\"></script>\n", nil},
		{"maps-geocode-server-call", "resp = requests.get(\"https://maps.googleapis.com/maps/api/geocode/json?address=Berlin&key=" + server + "\")\n", []string{server}},
		{"aiza-in-env", "GOOGLE_API_KEY=" + server + "\n", []string{server}},
		{"iam-list-access-keys", "$ aws iam list-access-keys --user-name deployer\n{\n    \"AccessKeyMetadata\": [\n        {\n            \"UserName\": \"deployer\",\n            \"AccessKeyId\": \"AKIA4QWERTYUIOPASDF2\",\n            \"Status\": \"Active\"\n        },\n        {\n            \"UserName\": \"deployer\",\n            \"AccessKeyId\": \"AKIA4ZXCVBNMASDFGHJ3\",\n            \"Status\": \"Inactive\"\n        }\n    ]\n}\n", nil},
		{"iam-list-access-keys-text", "$ aws iam list-access-keys --output text\nACCESSKEYMETADATA\t2025-02-11T09:14:41+00:00\tAKIA4QWERTYUIOPASDF2\tActive\tdeployer\n", nil},
		{
			"iam-create-access-key", "{\n    \"AccessKey\": {\n        \"UserName\": \"deployer\",\n        \"AccessKeyId\": \"AKIA4QWERTYUIOPASDF2\",\n        \"Status\": \"Active\",\n        \"SecretAccessKey\": \"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\"\n    }\n}\n",
			[]string{"AKIA4QWERTYUIOPASDF2", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzQ8vT2kZ9r"},
		},
		{
			"listing-with-a-secret-pasted-in", `{"AccessKeyMetadata": [{"AccessKeyId": "AKIA4QWERTYUIOPASDF2", "SecretAccessKey": "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"}]}`,
			[]string{"AKIA4QWERTYUIOPASDF2", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzQ8vT2kZ9r"},
		},
		{"cloudtrail-user-identity", `{"eventVersion": "1.09", "userIdentity": {"type": "IAMUser", "principalId": "AIDA4QWERTYUIOPASDF23", "arn": "arn:aws:iam::123456789012:user/deployer", "accountId": "123456789012", "accessKeyId": "AKIA4QWERTYUIOPASDF2", "userName": "deployer"}, "eventName": "PutObject"}`, nil},
		{"akia-alone-in-env", "AWS_ACCESS_KEY_ID=AKIA4QWERTYUIOPASDF2\n", []string{"AKIA4QWERTYUIOPASDF2"}},
		{"algolia-search-only", `{"Algolia": {"AppId": "K7QW2ZP9LM", "SearchOnlyApiKey": "5f0c2e7a9b1d3f4e6a8c0b2d4f6e8a1c"}}`, nil},
		{"algolia-search-env", "NEXT_PUBLIC_ALGOLIA_APP_ID=K7QW2ZP9LM\nNEXT_PUBLIC_ALGOLIA_SEARCH_API_KEY=5f0c2e7a9b1d3f4e6a8c0b2d4f6e8a1c\n", nil},
		{
			"algolia-admin-beside", `{"Algolia": {"AppId": "K7QW2ZP9LM", "SearchOnlyApiKey": "5f0c2e7a9b1d3f4e6a8c0b2d4f6e8a1c", "AdminApiKey": "9e1b3d5f7a2c4e6b8d0f1a3c5e7b9d2f"}}`,
			[]string{"9e1b3d5f7a2c4e6b8d0f1a3c5e7b9d2f"},
		},
		{
			"algolia-admin-env", "ALGOLIA_SEARCH_API_KEY=5f0c2e7a9b1d3f4e6a8c0b2d4f6e8a1c\nALGOLIA_ADMIN_API_KEY=9e1b3d5f7a2c4e6b8d0f1a3c5e7b9d2f\nALGOLIA_API_KEY=7c2a4e6b8d0f1a3c5e7b9d2f4a6c8e0b\n",
			[]string{"9e1b3d5f7a2c4e6b8d0f1a3c5e7b9d2f", "7c2a4e6b8d0f1a3c5e7b9d2f4a6c8e0b"},
		},
	}))
}

func TestListsUnderASecretsName(t *testing.T) {
	checkFx8(t, cases8([]fx7Case{
		{"json-passwords", `{"user": "etl", "passwords": ["Tq7!vZ2kLm9x", "Rw4#pX8nQs3z"]}`, []string{"Tq7!vZ2kLm9x", "Rw4#pX8nQs3z"}},
		{"json-api-keys", `{"service": "search", "api_keys": ["a9f3c1e7b5d2f4a6c8e0b1d3f5a7c9e2", "7e5c3a1f9d7b5e3c1a9f7d5b3e1c9a7f"]}`, []string{"a9f3c1e7b5d2f4a6c8e0b1d3f5a7c9e2", "7e5c3a1f9d7b5e3c1a9f7d5b3e1c9a7f"}},
		{"yaml-api-keys", "service: search\napi_keys:\n  - a9f3c1e7b5d2f4a6c8e0b1d3f5a7c9e2\n  - \"7e5c3a1f9d7b5e3c1a9f7d5b3e1c9a7f\"\nreplicas: 3\n", []string{"a9f3c1e7b5d2f4a6c8e0b1d3f5a7c9e2", "7e5c3a1f9d7b5e3c1a9f7d5b3e1c9a7f"}},
		{"hcl-tokens", "bootstrap_tokens = [\"Kx8vQ2mZ7tR4wL9p\", \"Nz3bT6yW1qH5jD8f\"]\n", []string{"Kx8vQ2mZ7tR4wL9p", "Nz3bT6yW1qH5jD8f"}},
		{"public-keys-list", "authorized_keys:\n  - ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGx9 ops@bastion\n", nil},
		{"token-names", `{"tokens": ["access", "refresh", "id"], "secrets": ["db-password", "stripe-key"]}`, nil},
	}))
}

func TestListsOfRecordsUnderASecretsNameStay(t *testing.T) {
	checkFx8(t, cases8([]fx7Case{
		{"api-key-metadata", "{\n  \"api_keys\": [\n    {\n      \"id\": \"key_8f3a1c9e7b5d2f4a\",\n      \"name\": \"ci\",\n      \"last4\": \"gGka\"\n    }\n  ]\n}\n", nil},
	}))
}

func TestOutputOfCommandsThatPrintASecret(t *testing.T) {
	tool, _ := json.Marshal(map[string]string{"role": "tool", "content": "$ vault kv get -field=api_token secret/ci\nVt7kQ2zW9xL4mR8p\n$ echo done\ndone\n"})
	checkFx8(t, cases8([]fx7Case{
		{"terraform-output-raw", "$ terraform output -raw db_password\nYq7-Wh7GS08Iu7NuuE7o\n", []string{"Yq7-Wh7GS08Iu7NuuE7o"}},
		{"vault-field-in-tool-result", string(tool), []string{"Vt7kQ2zW9xL4mR8p"}},
		{"secretsmanager-text", "$ aws secretsmanager get-secret-value --secret-id prod/api --query SecretString --output text\nLk2mQ9vT7xZ4wR8p\n", []string{"Lk2mQ9vT7xZ4wR8p"}},
		{"gcloud-secret", "$ gcloud secrets versions access latest --secret=stripe-key\nTz5kQ8vW2xL9mR4p\n", []string{"Tz5kQ8vW2xL9mR4p"}},
		{"op-read", "$ op read \"op://Prod/Postgres/password\"\nRv3kT9wQ2zL8xM5p\n", []string{"Rv3kT9wQ2zL8xM5p"}},
		{"kubectl-jsonpath-decode", "$ kubectl get secret db -o jsonpath='{.data.password}' | base64 -d\nWq7vZ2kT9xL4mR8p\n", []string{"Wq7vZ2kT9xL4mR8p"}},
		{"az-keyvault-tsv", "$ az keyvault secret show --vault-name kv --name api --query value -o tsv\nNx4kQ8vT2wZ9mL7p\n", []string{"Nx4kQ8vT2wZ9mL7p"}},
		{"doppler-plain", "$ doppler secrets get STRIPE_KEY --plain\nPz8vQ2kT7xW4mL9r\n", []string{"Pz8vQ2kT7xW4mL9r"}},
		{"pulumi-show-secrets", "$ pulumi stack output dbPassword --show-secrets\nMk9vT2zQ7xW4pL8r\n", []string{"Mk9vT2zQ7xW4pL8r"}},
		{"macos-keychain", "% security find-generic-password -a ci -s deploy -w\nHv6kQ9wT3zL8xR2m\n", []string{"Hv6kQ9wT3zL8xR2m"}},
		{"docker-secret-file", "# cat /run/secrets/db_password\nBq4vT8kZ2xW7mL9r\n", []string{"Bq4vT8kZ2xW7mL9r"}},
		{"terraform-output-listing", "$ terraform output\ndb_endpoint = \"ledger.internal:5432\"\ndb_password = <sensitive>\n", nil},
		{"vault-table", "$ vault kv get secret/ci\n====== Data ======\nKey         Value\n---         -----\nowner       platform-team\n", nil},
		{"command-error", "$ gcloud secrets versions access latest --secret=missing\nERROR: (gcloud.secrets.versions.access) NOT_FOUND: Secret [missing] not found\n", nil},
		{"prompt-after", "$ terraform output -raw db_password\n$ ls -la\n", nil},
	}))
}
