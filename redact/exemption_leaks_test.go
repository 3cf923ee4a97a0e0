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

// TestAboutWordThenSecret: a word about a secret (device, interface,
// created, sha256) says the name is not the secret's only when no secret's
// word follows it: token_interface_password names a password again.
func TestAboutWordThenSecret(t *testing.T) {
	const v = "Xk9mQ2vL7pR4tW8zAb3c"
	redactsAll(t, map[string]string{
		"token_interface_password=" + v + "\n":        v,
		"SECRET_DEVICE_API_TOKEN=" + v + "\n":         v,
		`{"password_created_secret": "` + v + `"}`:    v,
		"api_token_sha256_client_secret: " + v + "\n": v,
	})
	lookalikesStay(t, []string{
		"token_sha256_hex: 3f9a7c2e8b1d4f6a0c5e9b2d7a4f8c1e6b3d9a2f7c4e8b1d5a0f3c6e9b2d7a4f\n",
		"secret_device_path: /dev/disk/by-id/nvme-Samsung_SSD_980_S64DNF0R123456X\n",
	})
}

// TestGeneratedValuesThatLookLikeReferences: a value is taken for a file
// path or the next command-line flag only when it is written like one; a
// generated secret that happens to start with "/abc/", "./" or "--" (a
// base64 or base64url alphabet holds all three) is still the secret.
func TestGeneratedValuesThatLookLikeReferences(t *testing.T) {
	redactsAll(t, map[string]string{
		"aws_secret_access_key = /abc/Xk9mQ2vL7pR4tW8zAb3cD5eF6gH7iJ8kL9\n": "/abc/Xk9mQ2vL7pR4tW8zAb3cD5eF6gH7iJ8kL9",
		"DB_PASSWORD=./x9Kq2vL7aBz\n":                                       "./x9Kq2vL7aBz",
		"SECRET_KEY=--Xk9mQ2vL7pR4tW8zAb3cD5\n":                             "--Xk9mQ2vL7pR4tW8zAb3cD5",
	})
	lookalikesStay(t, []string{
		"kubectl create secret generic db --from-file=password=./pw.txt\n",
		"DB_PASSWORD_FILE=/run/secrets/db_password2\n",
		"redis-cli -h cache --password --no-auth-warning\n",
	})
}

// TestCredentialsPathSegment: a token in the URL path segment after
// /credentials/ or /creds/ is redacted as after /token/; Vault lease paths
// (<mount>/creds/<role>/<lease id>) keep their lease id, since the value
// after a name in a path is one segment: the role.
func TestCredentialsPathSegment(t *testing.T) {
	const v = "Xk9mQ2vL7pR4tW8zAb3cD5eF"
	redactsAll(t, map[string]string{
		"GET /api/credentials/" + v + " HTTP/1.1\n":     v,
		"curl https://ci.example.com/creds/" + v + "\n": v,
	})
	lookalikesStay(t, []string{
		"vault lease revoke database/creds/readonly/h4Jk9mQ2vL7pR4tW8zAb3c\n",
		"PUT /v1/sys/leases/revoke/aws/creds/deploy/" + v + " HTTP/1.1\n",
	})
}
