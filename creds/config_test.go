package creds

import (
	"strings"
	"testing"
	"time"
)

func validConfig() Config {
	return Config{
		Address: "http://127.0.0.1:8200",
		Auth:    Auth{Method: AuthToken, Token: "t"},
		Roles: []Role{
			{Name: "openai", Source: SourceKV2, Path: "openai"},
			{Name: "db", Source: SourceDatabase, Path: "app"},
		},
		Routes: []Route{
			{Host: "api.openai.com", Role: "openai", Headers: map[string]string{"authorization": "Bearer {{ .api_key }}"}},
		},
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*Config)
		want   []string // substrings of the error; none means valid
	}{
		{name: "valid", mutate: func(*Config) {}},
		{name: "no address", mutate: func(c *Config) { c.Address = "" }, want: []string{"address is empty"}},
		{name: "address without scheme", mutate: func(c *Config) { c.Address = "vault:8200" }, want: []string{"must start with http"}},
		{name: "no auth method", mutate: func(c *Config) { c.Auth = Auth{} }, want: []string{"method is empty"}},
		{name: "unknown auth method", mutate: func(c *Config) { c.Auth.Method = "ldap" }, want: []string{`unknown method "ldap"`}},
		{name: "token and token_file", mutate: func(c *Config) { c.Auth.TokenFile = "/x" }, want: []string{"exactly one of token or token_file"}},
		{name: "approle without secret", mutate: func(c *Config) { c.Auth = Auth{Method: AuthAppRole, RoleID: "r"} }, want: []string{"role_id and secret_id_file"}},
		{name: "jwt without file", mutate: func(c *Config) { c.Auth = Auth{Method: AuthJWT, Role: "r"} }, want: []string{"jwt needs jwt_file"}},
		{name: "kubernetes defaults its jwt file", mutate: func(c *Config) { c.Auth = Auth{Method: AuthKubernetes, Role: "r"} }},
		{name: "bad source", mutate: func(c *Config) { c.Roles[0].Source = "kv1" }, want: []string{`source "kv1"`}},
		{name: "duplicate role", mutate: func(c *Config) { c.Roles[1].Name = "openai" }, want: []string{`duplicate name "openai"`}},
		{name: "empty path", mutate: func(c *Config) { c.Roles[0].Path = "/" }, want: []string{"path is empty"}},
		{name: "negative ttl", mutate: func(c *Config) { c.Roles[0].TTL = -time.Second }, want: []string{"ttl must not be negative"}},
		{name: "route to unknown role", mutate: func(c *Config) { c.Routes[0].Role = "nope" }, want: []string{`role "nope" is not defined`}},
		{name: "route without headers", mutate: func(c *Config) { c.Routes[0].Headers = nil }, want: []string{"headers is empty"}},
		{name: "bad header name", mutate: func(c *Config) { c.Routes[0].Headers = map[string]string{"bad header": "x"} }, want: []string{`"bad header" is not a valid header name`}},
		{name: "bad host", mutate: func(c *Config) { c.Routes[0].Host = "*" }, want: []string{"host must be a name"}},
		{name: "relative path prefix", mutate: func(c *Config) { c.Routes[0].PathPrefix = "v1" }, want: []string{"must start with /"}},
		{
			name:   "every problem is reported at once",
			mutate: func(c *Config) { c.Address = ""; c.Roles[0].Source = "x"; c.Routes[0].Role = "y" },
			want:   []string{"address is empty", `source "x"`, `role "y"`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := validConfig()
			tt.mutate(&cfg)
			err := cfg.Validate()
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate() = nil, want error containing %q", tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestParseConfig(t *testing.T) {
	t.Run("full example", func(t *testing.T) {
		cfg, err := ParseConfig([]byte(`
address: https://vault.internal:8200
namespace: team-a
tls: {ca_file: /etc/ssl/vault-ca.pem, server_name: vault.internal}
auth: {method: approle, role_id: warden, secret_id_file: /run/secrets/warden-secret-id}
timeout: 3s
roles:
  - {name: openai, source: kv2, mount: secret, path: llm/openai, fields: {token: api_key}, ttl: 10m}
  - {name: orders-db, source: database, path: orders-ro, ttl: 1h}
routes:
  - host: api.openai.com
    role: openai
    headers: {authorization: "Bearer {{ .token }}"}
  - host: "*.orders.internal"
    path_prefix: /sql
    role: orders-db
    headers: {authorization: "Basic {{ basicAuth .username .password }}"}
    remove_headers: [authorization]
`))
		if err != nil {
			t.Fatal(err)
		}
		if cfg.Timeout != 3*time.Second || cfg.Roles[0].TTL != 10*time.Minute || cfg.Roles[1].TTL != time.Hour {
			t.Errorf("durations not decoded: timeout=%s ttl0=%s ttl1=%s", cfg.Timeout, cfg.Roles[0].TTL, cfg.Roles[1].TTL)
		}
		if cfg.TLS.CAFile != "/etc/ssl/vault-ca.pem" || cfg.Namespace != "team-a" || cfg.Auth.SecretIDFile == "" {
			t.Errorf("fields not decoded: %+v", cfg)
		}
		if cfg.Roles[0].Fields["token"] != "api_key" || cfg.Routes[1].PathPrefix != "/sql" {
			t.Errorf("maps not decoded: %+v", cfg)
		}
	})
	t.Run("unknown field is refused", func(t *testing.T) {
		_, err := ParseConfig([]byte("address: http://v:8200\nauth: {method: token, token: x}\nrolez: []\n"))
		if err == nil || !strings.Contains(err.Error(), "rolez") {
			t.Fatalf("err = %v, want one naming the unknown field", err)
		}
	})
	t.Run("invalid config is refused", func(t *testing.T) {
		_, err := ParseConfig([]byte("address: http://v:8200\n"))
		if err == nil || !strings.Contains(err.Error(), "method is empty") {
			t.Fatalf("err = %v", err)
		}
	})
}
