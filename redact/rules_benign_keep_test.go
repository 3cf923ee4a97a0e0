package redact_test

import (
	"strings"
	"testing"

	"github.com/warden-gw/warden/redact"
)

// Each look-alike class of rules_benign_keep.go beside a real secret in the
// same syntax: the look-alike stays, the secret is redacted.
func TestBenignLookalikeClasses(t *testing.T) {
	eng := engine(t)
	cases := []struct {
		name, text string
		kept       []string
		secrets    []string
	}{
		{
			name:    "dotenv example with empty values",
			text:    "OPENAI_API_KEY=\nSESSION_SECRET=\nJWT_TTL_SECONDS=900\nSTRIPE_SECRET_KEY=sk9Xq2vLm4Tz8Rw1Yb6Nc3Hd\n",
			kept:    []string{"JWT_TTL_SECONDS=900"},
			secrets: []string{"sk9Xq2vLm4Tz8Rw1Yb6Nc3Hd"},
		},
		{
			name:    "a password after its label on the next line, shaped like an assignment",
			text:    "SMTP password:\nJCJx8=ITTbV7aYQsqNWv\n",
			secrets: []string{"JCJx8=ITTbV7aYQsqNWv"},
		},
		{
			name:    "yaml secret alone on the next line still taken",
			text:    "session_secret:\n  Qm9vX2s3Lp1Zr8Wt4Yv6Nb2Hc\nother: 1\n",
			secrets: []string{"Qm9vX2s3Lp1Zr8Wt4Yv6Nb2Hc"},
		},
		{
			name:    "nginx proxy_pass beside a proxy password",
			text:    "    proxy_pass http://backend;\n    proxy_password Tr0ub4dor&3x;\n",
			kept:    []string{"http://backend"},
			secrets: []string{"Tr0ub4dor&3x"},
		},
		{
			name:    "psql table with the hash algorithm and a truncated hash",
			text:    " username | password_algo | password_hash_prefix | password\n----------+---------------+----------------------+----------\n alice    | argon2id      | $argon2id$v=19$…     | Tr0ub4dor&3x\n(1 row)\n",
			kept:    []string{"argon2id      |", "$argon2id$v=19$…"},
			secrets: []string{"Tr0ub4dor&3x"},
		},
		{
			name:    "percent-encoded JSON preference cookie beside a session",
			text:    "Set-Cookie: color_mode=%7B%22color_mode%22%3A%22auto%22%7D; Path=/; Secure\nSet-Cookie: prefs=%7B%22mode%22%3A%22auto%22%2C%22s%22%3A%22f3Kq9ZxL2m%2FVt7RbW1yNc8HdJ%3D%3D%22%7D; Path=/\n",
			kept:    []string{"%7B%22color_mode%22%3A%22auto%22%7D"},
			secrets: []string{"f3Kq9ZxL2m"},
		},
		{
			name:    "labelled sha256 digest beside a password",
			text:    "checksum verified: password-manager-cli_2.3.1_linux_amd64.tar.gz sha256=5e1db909ccebe90392bdb7a19e57872be700ce806e0baf40821e2d3eeea23291 OK\nDB_PASSWORD Tr0ub4dor&3x\n",
			kept:    []string{"sha256=5e1db909ccebe90392bdb7a19e57872be700ce806e0baf40821e2d3eeea23291"},
			secrets: []string{"Tr0ub4dor&3x"},
		},
		{
			name:    "a sha256 label on a value that is no hex digest",
			text:    "db-password.tar.gz sha256=Zx8Kq2Lm9Vt4Rw7Yb1Nc6HdJf3\n",
			secrets: []string{"Zx8Kq2Lm9Vt4Rw7Yb1Nc6HdJf3"},
		},
		{
			name:    "Key Vault secret id beside a SAS signature",
			text:    "https://kv-prod-weu.vault.azure.net/secrets/db-password/acad187ac6fb8d43f2293386eb859837\nhttps://acct.blob.core.windows.net/c/b.txt?sv=2022-11-02&se=2026-12-08T00%3A00%3A00Z&sr=b&sp=r&sig=q3Vx9Lm2Zt7RwYb1Nc8HdJf4Kp6Sa0Ue5Gi%2BOo3Tl%3D\n",
			kept:    []string{"acad187ac6fb8d43f2293386eb859837"},
			secrets: []string{"q3Vx9Lm2Zt7RwYb1Nc8HdJf4Kp6Sa0Ue5Gi"},
		},
		{
			name:    "a password segment outside Key Vault is still a secret",
			text:    "GET https://example.com/reset/db-password/acad187ac6fb8d43f2293386eb859837 HTTP/1.1\n",
			secrets: []string{"acad187ac6fb8d43f2293386eb859837"},
		},
		{
			name:    "form checkbox beside a password",
			text:    "action=change_password&show_password=false&password=Tr0ub4dor%263x&remember_me=on",
			kept:    []string{"show_password=false"},
			secrets: []string{"Tr0ub4dor"},
		},
		{
			name: "form password alone",
			text: "show_password=true password=Tr0ub4dor&3 ",
			kept: []string{"show_password=true"}, secrets: []string{"Tr0ub4dor&3"},
		},
		{
			name:    "secret name in a REST path beside a token path",
			text:    "GET /api/v2/secrets/prod%2Fdb/metadata HTTP/1.1\nGET /api/v2/token/Zx8Kq2Lm9Vt4Rw7Yb1Nc6HdJf3 HTTP/1.1\n",
			kept:    []string{"prod%2Fdb"},
			secrets: []string{"Zx8Kq2Lm9Vt4Rw7Yb1Nc6HdJf3"},
		},
		{
			name:    "GraphQL argument type beside a literal password",
			text:    "type Mutation {\n  login(email: String!, password: String!): AuthPayload!\n}\nmutation { login(email: \"a@b.c\", password: Tr0ub4dor&3x) }\n",
			kept:    []string{"password: String!"},
			secrets: []string{"Tr0ub4dor&3x"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, _ := eng.Redact([]byte(c.text), redact.Options{})
			for _, k := range c.kept {
				if !strings.Contains(string(out), k) {
					t.Errorf("look-alike %q redacted:\n%s", k, out)
				}
			}
			for _, s := range c.secrets {
				if strings.Contains(string(out), s) {
					t.Errorf("secret %q kept:\n%s", s, out)
				}
			}
		})
	}
}
