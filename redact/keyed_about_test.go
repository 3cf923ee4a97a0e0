package redact_test

import (
	"bytes"
	"testing"
)

// lookalikesStay asserts that each text comes out of Redact byte for byte.
func lookalikesStay(t *testing.T, texts []string) {
	t.Helper()
	eng := engine(t)
	for _, text := range texts {
		if out, _ := eng.Redact([]byte(text), secretsOnly); !bytes.Equal(out, []byte(text)) {
			t.Errorf("look-alike changed:\n%s->\n%s", text, out)
		}
	}
}

// TestNamesAboutASecret: a name that says its value is about a secret - its
// digest, resource name, id, length, the device or interface it belongs to,
// its version or rotation time - is no secret's name, whatever the value
// looks like (a digest, an ARN, a MAC address).
func TestNamesAboutASecret(t *testing.T) {
	const sha256 = "3f9a7c2e8b1d4f6a0c5e9b2d7a4f8c1e6b3d9a2f7c4e8b1d5a0f3c6e9b2d7a4f"
	lookalikesStay(t, []string{
		"token_sha256: " + sha256 + "\n",
		"password_sha1: 7c4a8d09ca3762af61e59520943dc26494f8941b\n",
		"api_key_md5: 9e107d9d372bb6826bd81d3542a419d6\n",
		"secret_digest: sha256:" + sha256 + "\n",
		"token_checksum=" + sha256 + "\n",
		"SECRET_FINGERPRINT=" + sha256 + "\n",
		"secret_arn: arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/api-AbC123\n",
		"SecretArn: arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-Xy9Zq2\n",
		"secret_network_iface: 3c:22:fb:9a:41:7e\n",
		"secret_device: /dev/disk/by-id/nvme-Samsung_SSD_980_S64DNF0R123456X\n",
		"token_serial: 4F2A9C7E1B3D5A6F8E0C2B4D6A8F0E1C\n",
		"secret_lineage: 7f3e9a2c1b4d4e8f9a6c2d5e8f1b3c7a\n",
		"password_rotated_at: 2026-11-30T08:15:42Z\n",
		"api_token_ids: [tk9f8e7d6c5b4a3f2e1d0c]\n",
		"token_interface: wg0Xk9mQ2vL7pR4tW8z\n",
		`{"secret_sha256": "` + sha256 + `"}` + "\n",
	})
}

// TestPathSegmentNames: a URL path segment names the secret in the next
// segment only when it ends in a secret's name (/token/V, /api-key/V); a
// project or page whose name merely contains a secret word
// (/token-service/commit/<sha>, /password-reset/...) is followed by ordinary
// path, and Vault lease ids (<mount>/creds/<role>/<id>) are identifiers the
// records count leases by.
func TestPathSegmentNames(t *testing.T) {
	lookalikesStay(t, []string{
		"https://github.com/acme/token-service/commit/3f9a7c2e8b1d4f6a0c5e9b2d7a4f8c1e6b3d9a2f\n",
		"GET /acme/token-service/commit/3f9a7c2e8b1d4f6a0c5e9b2d7a4f8c1e6b3d9a2f HTTP/1.1\n",
		"https://docs.example.com/docs/password-reset/how-to-choose-a-new-password\n",
		"https://gitlab.example.com/infra/secret-rotator/-/blob/9e107d9d372bb6826bd81d3542a419d6abcdef12/main.go\n",
		"lease_id: aws/creds/deploy/Xk9mQ2vL7pR4tW8zAb3cD5eF\n",
		"vault lease revoke database/creds/readonly/h4Jk9mQ2vL7pR4tW8zAb3c\n",
		`{"lease_id": "database/creds/readonly/h4Jk9mQ2vL7pR4tW8zAb3c", "lease_duration": 3600}` + "\n",
		"PUT /v1/sys/leases/revoke/aws/creds/deploy/Xk9mQ2vL7pR4tW8zAb3cD5eF HTTP/1.1\n",
	})
	eng := engine(t)
	const v = "Rq7mX2pLk9Wz4Tn8Hs3Vb6"
	for _, text := range []string{
		"GET /api/token/" + v + " HTTP/1.1\n",
		"GET /v2/api-key/" + v + "/usage HTTP/1.1\n",
		"GET /oauth/access_token/" + v + " HTTP/1.1\n",
		"GET /share/secret/" + v + "\n",
		// A reset link's segment is the one-time token that sets a new password.
		"GET /password-reset/" + v + " HTTP/1.1\n",
		"GET /users/password_resets/" + v + "/edit HTTP/1.1\n",
	} {
		out, _ := eng.Redact([]byte(text), secretsOnly)
		if w, ok := leak(out, v); ok {
			t.Errorf("%q survives in %q", w, out)
		}
		if !bytes.Contains(out, []byte("HTTP/1.1")) && bytes.Contains([]byte(text), []byte("HTTP/1.1")) {
			t.Errorf("more than the segment went: %q", out)
		}
	}
	// The secret is one segment: what follows it stays.
	out, _ := eng.Redact([]byte("GET /v2/api-key/"+v+"/usage HTTP/1.1\n"), secretsOnly)
	if !bytes.Contains(out, []byte("/usage HTTP/1.1")) {
		t.Errorf("the path after the secret went: %q", out)
	}
}

// TestAnalyticsCookies: analytics cookies whose names hold "session" or
// "user" (Hotjar _hjSession*, Matomo _pk_*, Google _ga*, Segment ajs_*)
// carry visit ids and timestamps - Hotjar's as base64 of a JSON object,
// whose colons separate members, not a user from a password. A session
// cookie beside them, and a base64 user:password pair, still go.
func TestAnalyticsCookies(t *testing.T) {
	const hj = "eyJpZCI6IjJkNWU4ZjFiIiwiYyI6MTczMzUwMDAwMDAwMH0=" // {"id":"2d5e8f1b","c":1733500000000}
	lookalikesStay(t, []string{
		"Cookie: _hjSessionUser_3456789=eyJpZCI6IjdmM2U5YTJjLTFiNGQtNGU4Zi05YTZjIiwiY3JlYXRlZCI6MTczMzUwMDAwMDAwMH0=; _hjSession_3456789=" + hj + "\n",
		"Set-Cookie: _hjSession_12345=" + hj + "; Max-Age=1800; Domain=.example.com\n",
		"_hjSession_3456789=" + hj + "\n",
		`{"_hjSession_3456789": "` + hj + `"}` + "\n",
		"Cookie: _pk_id.3.a1b2=4c9e2f7a1b3d5e8f.1733500000.; _pk_ses.3.a1b2=1; _pk_ref.3.a1b2=%5B%22%22%2C%22%22%2C1733500000%2C%22https%3A%2F%2Fwww.google.com%2F%22%5D\n",
		"Cookie: _ga=GA1.1.1234567890.1733500000; _ga_X9Y8Z7W6V5=GS1.1.1733500000.1.1.1733500100.60.0.0; _gid=GA1.2.987654321.1733500000\n",
		"Cookie: ajs_user_id=%22u_7f3e9a2c1b4d%22; ajs_anonymous_id=%223f9a7c2e-8b1d-4f6a-0c5e-9b2d7a4f8c1e%22\n",
	})
	eng := engine(t)
	for text, secret := range map[string]string{
		"Cookie: _hjSession_3456789=" + hj + "; sessionid=Rq7mX2pLk9Wz4Tn8Hs3Vb6Yc\n": "Rq7mX2pLk9Wz4Tn8Hs3Vb6Yc",
		// base64 of deploy:Xk9mQ2vL7pR4tW8z - a user:password pair, not JSON.
		`{"auths": {"registry.example.com": {"auth": "ZGVwbG95OlhrOW1RMnZMN3BSNHRXOHo="}}}` + "\n": "ZGVwbG95OlhrOW1RMnZMN3BSNHRXOHo=",
		// base64 of {"user":"deploy","password":"Xk9mQ2vL7pR4tW8z"}: its member is a secret.
		"_hjSession_1=eyJ1c2VyIjoiZGVwbG95IiwicGFzc3dvcmQiOiJYazltUTJ2TDdwUjR0Vzh6In0=\n": "eyJ1c2VyIjoiZGVwbG95IiwicGFzc3dvcmQiOiJYazltUTJ2TDdwUjR0Vzh6In0=",
	} {
		out, _ := eng.Redact([]byte(text), secretsOnly)
		if w, ok := leak(out, secret); ok {
			t.Errorf("%q survives in %q", w, out)
		}
	}
}

// TestTemplatesAndReferences: .env.example placeholders and masked shapes,
// a JWT header alone, CLI arguments that name a file, a variable or a
// descriptor holding the secret, npm integrity strings and MAC addresses
// hold no secret. The secret itself, given the same way, still goes.
func TestTemplatesAndReferences(t *testing.T) {
	const hdr = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9" // {"alg":"HS256","typ":"JWT"}
	lookalikesStay(t, []string{
		"API_KEY=changeme\n",
		"STRIPE_SECRET_KEY=your-api-key-here\n",
		"SENDGRID_API_KEY=<your-sendgrid-api-key>\n",
		"DB_PASSWORD=<db password>\n",
		"GITHUB_TOKEN=${GITHUB_TOKEN}\n",
		"AUTH_SECRET=${AUTH_SECRET:-changeme}\n",
		"SECRET_KEY=xxxxxxxxxxxxxxxxxxxxxxxx\n",
		"SESSION_SECRET=XXXXXXXXXXXXXXXXXXXX\n",
		"STRIPE_SECRET_KEY=sk_test_xxxxxxxxxxxxxxxxxxxxxxxx\n",
		"GITHUB_TOKEN=ghp_XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX\n",
		"token: " + hdr + "\n",
		"Authorization: Bearer " + hdr + "\n",
		`{"access_token": "` + hdr + `"}` + "\n",
		"kubectl create secret generic db --from-file=password=./pw.txt\n",
		"kubectl create secret generic db --from-file=password=secrets/db_password.txt --from-file=api_token=~/.config/acme/token2\n",
		"openssl enc -aes-256-cbc -in a.tar -out a.enc -pass env:BACKUP_PASSPHRASE\n",
		"openssl enc -aes-256-cbc -in a.tar -out a.enc -pass file:/run/secrets/backup_pw\n",
		"openssl pkcs12 -export -in c.pem -passout file:/etc/ssl/private/p12.pass\n",
		"openssl rsa -in key.pem -passin fd:3 -out plain.pem\n",
		"DB_PASSWORD_FILE=/run/secrets/db_password2\n",
		"integrity: sha512-Xk29fj3kdLq8ZmR4Lp7Qw2Nv6Tx1Bs5Hc9Jd3Ge0FaQ==\n",
		`"integrity": "sha512-Xk29fj3kdLq8ZmR4Lp7Qw2Nv6Tx1Bs5Hc9Jd3Ge0FaQ=="` + "\n",
		"secret_mac: 3c:22:fb:9a:41:7e\n",
		"token_hw_addr=3C-22-FB-9A-41-7E\n",
	})
	eng := engine(t)
	const jwt = hdr + ".eyJzdWIiOiIxMjM0NTY3ODkwIiwiaWF0IjoxNzMzNTAwMDAwfQ.Xk9mQ2vL7pR4tW8zAb3cD5eF6gH7iJ8kL9mN0oP1qR2"
	for text, secret := range map[string]string{
		"openssl enc -aes-256-cbc -in a.tar -out a.enc -pass pass:Xk9mQ2vL7pR4!\n": "Xk9mQ2vL7pR4!",
		"DB_PASSWORD=/Xk9m+Q2vL7/pR4tW8z\n":                                        "/Xk9m+Q2vL7/pR4tW8z",
		"DB_PASSWORD=./x9!Kq#2vL7\n":                                               "./x9!Kq#2vL7",
		"token: " + jwt + "\n":                                                     jwt,
		"STRIPE_SECRET_KEY=sk_test_51HxQk9mQ2vL7pR4tW8zAb3cD5eF6gH7\n":             "sk_test_51HxQk9mQ2vL7pR4tW8zAb3cD5eF6gH7",
		// A JWK's symmetric key is no JWT header, though it names an alg.
		"token: eyJrdHkiOiJvY3QiLCJhbGciOiJIUzI1NiIsImsiOiJYazltUTJ2TDdwUjR0Vzh6QWIzYyJ9\n": "eyJrdHkiOiJvY3QiLCJhbGciOiJIUzI1NiIsImsiOiJYazltUTJ2TDdwUjR0Vzh6QWIzYyJ9",
	} {
		out, _ := eng.Redact([]byte(text), secretsOnly)
		if w, ok := leak(out, secret); ok {
			t.Errorf("%q survives in %q", w, out)
		}
	}
}

// TestQualifiedSecretNames: a word that says a name is about a secret
// (device, updated, serial, digest) only does so after the secret's word;
// before it, it qualifies the secret, whose value still goes.
func TestQualifiedSecretNames(t *testing.T) {
	eng := engine(t)
	const v = "Xk9mQ2vL7pR4tW8zAb3c"
	for _, text := range []string{
		"device_password: " + v + "\n",
		"UPDATED_SECRET=" + v + "\n",
		`{"interface_token": "` + v + `"}` + "\n",
		"serial_api_key = " + v + "\n",
		"digest_password=" + v + "\n",
	} {
		out, _ := eng.Redact([]byte(text), secretsOnly)
		if w, ok := leak(out, v); ok {
			t.Errorf("%q survives in %q", w, out)
		}
	}
}
