package redact_test

import (
	"strings"
	"testing"
)

// Each look-alike class of rules_benign2_keep.go beside a real secret in
// the same syntax: the look-alike stays, the secret is redacted.
func TestBenign2LookalikeClasses(t *testing.T) {
	eng := engine(t)
	cases := []struct {
		name, contentType, text string
		kept                    []string
		secrets                 []string
	}{
		{
			name:        "ruby validation: the next keyword argument after :password,",
			contentType: "text/x-ruby",
			text:        "  validates :password, length: { minimum: 12 }, if: :password_required?\n  connect(user, password, Xk9#mQ2vL7p)\n",
			kept:        []string{"length: { minimum: 12 }"},
			secrets:     []string{"Xk9#mQ2vL7p"},
		},
		{
			name:        "grep output of a form: label= after PasswordInput,",
			contentType: "text/plain",
			text:        "src/accounts/forms.py:15:    password_confirm = forms.CharField(widget=forms.PasswordInput, label=\"Confirm password\")\nsrc/x.py:3: login(user, password, c2VjcmV0MTIzNDU2Nzg=)\n",
			kept:        []string{`label="Confirm password"`},
			secrets:     []string{"c2VjcmV0MTIzNDU2Nzg="},
		},
		{
			name:        "grep output inside a JSON tool result",
			contentType: "application/json",
			text:        `{"type": "tool_result", "content": "src/accounts/forms.py:15:    password_confirm = forms.CharField(widget=forms.PasswordInput, label=\"Confirm password\")\nDB_PASSWORD=Tr0ub4dor&3x\n"}`,
			kept:        []string{`label=\"Confirm password\"`},
			secrets:     []string{"Tr0ub4dor&3x"},
		},
		{
			name:        "airflow log: the next field after a task named *_password, and the run id",
			contentType: "text/plain",
			text: "INFO - Dependencies all met for ti=<TaskInstance: rotate_secrets.rotate_smtp_password scheduled__2026-12-06T03:00:00+00:00 [queued]>\n" +
				"INFO - Marking task as SUCCESS. dag_id=rotate_secrets, task_id=rotate_smtp_password, run_id=scheduled__2026-12-06T03:00:00+00:00, execution_date=20261206T030000\n" +
				"INFO - smtp_password=Zq7#vLm2Wx9k, run_id=manual__2026-12-06T03:00:00+00:00\n" +
				"INFO - smtp_password Zq7vLm2Wx9kRt4 [queued]\n",
			kept:    []string{"rotate_smtp_password scheduled__2026-12-06T03:00:00+00:00", "run_id=scheduled__2026-12-06T03:00:00+00:00"},
			secrets: []string{"Zq7#vLm2Wx9k", "Zq7vLm2Wx9kRt4"},
		},
		{
			name:        "password hashes in their storage formats",
			contentType: "application/json",
			text: `[{"model": "auth.user", "fields": {"password": "pbkdf2_sha256$600000$bb97206a1db77492e40118$sb6P09xhd5iFuMaaJ3vVbx2TwbVKkz707fw4t2I8dfs="}},` +
				` {"model": "auth.user", "fields": {"password": "argon2$argon2id$v=19$m=102400,t=2,p=8$c29tZXNhbHQ$Tr0ub4dor"}},` +
				` {"model": "auth.user", "fields": {"password": "pbkdf2_sha256$600000$bb97206a1db77492e40118$Tr0ub4dorX3x"}},` +
				` {"model": "auth.user", "fields": {"password": "Tr0ub4dor&3xYz"}}]`,
			kept:    []string{"pbkdf2_sha256$600000$bb97206a1db77492e40118$sb6P09xhd5iFuMaaJ3vVbx2TwbVKkz707fw4t2I8dfs="},
			secrets: []string{"Tr0ub4dorX3x", "Tr0ub4dor&3xYz"},
		},
		{
			name:        "a Django YAML fixture's hash, and a password shaped like one but for its digest",
			contentType: "application/yaml",
			text:        "- model: auth.user\n  pk: 1\n  fields:\n    password: pbkdf2_sha256$600000$bb97206a1db77492e40118$sb6P09xhd5iFuMaaJ3vVbx2TwbVKkz707fw4t2I8dfs=\n- model: auth.user\n  pk: 2\n  fields:\n    password: pbkdf2_sha256$600000$bb97206a1db77492e40118$Zq7vLm2Wx9kQ=\n",
			kept:        []string{"pbkdf2_sha256$600000$bb97206a1db77492e40118$sb6P09xhd5iFuMaaJ3vVbx2TwbVKkz707fw4t2I8dfs="},
			secrets:     []string{"Zq7vLm2Wx9kQ="},
		},
		{
			// Crypt strings start with '$', which the generic rule already reads as no
			// literal value; this case guards that they stay kept beside a password.
			name:        "bcrypt and SHA-crypt hashes in text",
			contentType: "text/plain",
			text:        "password_hash: $2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW\nshadow password: $6$rounds=5000$saltsalt$" + strings.Repeat("aB3./", 17) + "x\nadmin_password: Zq7#vLm2Wx9k\n",
			kept:        []string{"$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW", "$6$rounds=5000$saltsalt$"},
			secrets:     []string{"Zq7#vLm2Wx9k"},
		},
		{
			name:        "kubernetes Secret holding settings beside credentials",
			contentType: "application/yaml",
			text: "apiVersion: v1\nkind: Secret\nmetadata:\n  name: api-settings\ntype: Opaque\ndata:\n" +
				"  LOG_LEVEL: aW5mbw==\n" +
				"  FEATURE_FLAGS: cGFzc3dvcmRsZXNzX2xvZ2luLGFwaV9rZXlfdjI=\n" +
				"  JWKS_URL: aHR0cHM6Ly9hdXRoLmV4YW1wbGUuY29tLy53ZWxsLWtub3duL2p3a3MuanNvbg==\n" +
				"  DB_PASSWORD: aW5mbw==\n" +
				"  SLACK_WEBHOOK: aHR0cHM6Ly9ob29rcy5zbGFjay5jb20vc2VydmljZXMvVDBBMUIyQzNEL0I0RTVGNkc3SC9xOFI5czBUMXUyVjN3NFg1eTZaN2E4Qjk=\n" +
				"  RUNNER: Z2hfcnVubmVyX3BhdF9RbTl2WDJzM0xwMVpyOFd0\n" +
				"  GF_SERVER_ROOT_URL: aHR0cHM6Ly9ncmFmYW5hLmV4YW1wbGUuY29tLw==\n",
			kept: []string{"LOG_LEVEL: aW5mbw==", "FEATURE_FLAGS: cGFzc3dvcmRsZXNzX2xvZ2luLGFwaV9rZXlfdjI=", "JWKS_URL: aHR0cHM6Ly9hdXRoLmV4YW1wbGUuY29tLy53ZWxsLWtub3duL2p3a3MuanNvbg=="},
			secrets: []string{
				"DB_PASSWORD: aW5mbw==",
				"aHR0cHM6Ly9ob29rcy5zbGFjay5jb20vc2VydmljZXMvVDBBMUIyQzNEL0I0RTVGNkc3SC9xOFI5czBUMXUyVjN3NFg1eTZaN2E4Qjk=",
				"Z2hfcnVubmVyX3BhdF9RbTl2WDJzM0xwMVpyOFd0",
				"aHR0cHM6Ly9ncmFmYW5hLmV4YW1wbGUuY29tLw==", // a Secret's URL that is not a well-known document's
			},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := string(redactAs(t, eng, c.contentType, []byte(c.text)))
			for _, k := range c.kept {
				if !strings.Contains(out, k) {
					t.Errorf("look-alike %q changed:\n%s", k, out)
				}
			}
			for _, s := range c.secrets {
				if strings.Contains(out, s) {
					t.Errorf("secret %q survives:\n%s", s, out)
				}
			}
		})
	}
}
