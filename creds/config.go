package creds

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Config is the YAML-friendly configuration of a Broker.
type Config struct {
	// Address of Vault, e.g. https://vault.example:8200.
	Address string `yaml:"address"`
	// Namespace is the Vault Enterprise namespace (X-Vault-Namespace); empty for none.
	Namespace string    `yaml:"namespace"`
	TLS       TLSConfig `yaml:"tls"`
	Auth      Auth      `yaml:"auth"`
	// Timeout bounds every Vault call (default 5s).
	Timeout time.Duration `yaml:"timeout"`
	// Retries is how often a failed Vault call is retried (default 0: the
	// broker itself caches and replaces leases, and a request waiting on a
	// dead Vault should fail fast with ErrUnavailable).
	Retries int `yaml:"retries"`
	// Roles are the named credentials routes refer to.
	Roles []Role `yaml:"roles"`
	// Routes map upstream requests to a role and the headers to set.
	// The first matching route wins.
	Routes []Route `yaml:"routes"`
}

// TLSConfig configures how the broker verifies Vault's certificate.
type TLSConfig struct {
	CAFile             string `yaml:"ca_file"`
	ServerName         string `yaml:"server_name"`
	InsecureSkipVerify bool   `yaml:"insecure_skip_verify"`
}

// Auth methods understood by the broker.
const (
	AuthToken      = "token"
	AuthAppRole    = "approle"
	AuthKubernetes = "kubernetes"
	AuthJWT        = "jwt"
)

// Auth configures how the broker logs in to Vault.
type Auth struct {
	// Method is token, approle, kubernetes or jwt.
	Method string `yaml:"method"`
	// Token or TokenFile for the token method.
	Token     string `yaml:"token"`
	TokenFile string `yaml:"token_file"`
	// RoleID and SecretIDFile for approle.
	RoleID       string `yaml:"role_id"`
	SecretIDFile string `yaml:"secret_id_file"`
	// Role and JWTFile for kubernetes and jwt. For kubernetes JWTFile
	// defaults to the pod's service account token.
	Role    string `yaml:"role"`
	JWTFile string `yaml:"jwt_file"`
	// Mount is the auth mount path (default: the method name).
	Mount string `yaml:"mount"`
}

// Secret sources a role can read from.
const (
	SourceKV2      = "kv2"      // KV version 2: static, versioned, no lease
	SourceDatabase = "database" // database secrets engine: dynamic user with a lease
	SourceLease    = "lease"    // any path whose read returns data (and usually a lease)
)

// Role is a named credential.
type Role struct {
	Name string `yaml:"name"`
	// Source is kv2, database or lease.
	Source string `yaml:"source"`
	// Mount is the secrets engine mount (default: "secret" for kv2,
	// "database" for database; unused for lease).
	Mount string `yaml:"mount"`
	// Path is the secret path inside the mount (kv2), the database role
	// name (database) or the full API path to read (lease).
	Path string `yaml:"path"`
	// Fields renames secret fields for templates: {template_name: secret_field}.
	// When empty, templates see the secret's data as is.
	Fields map[string]string `yaml:"fields"`
	// TTL is the renewal increment requested for leases and, for data
	// without a lease (kv2), how long a read is reused before it is read
	// again (default 5m).
	TTL time.Duration `yaml:"ttl"`
}

// Route maps requests to a role.
type Route struct {
	// Host is matched case-insensitively: exact ("api.example.com") or a
	// suffix wildcard ("*.example.com" matches a.example.com, not example.com).
	// A port in the request's host is ignored unless Host has one.
	Host string `yaml:"host"`
	// PathPrefix, when set, must match whole path segments ("/v1" matches
	// /v1 and /v1/x, not /v10).
	PathPrefix string `yaml:"path_prefix"`
	Role       string `yaml:"role"`
	// Headers to set: {header-name: Go template over the secret's data}, e.g.
	// "Bearer {{ .token }}" or "Basic {{ basicAuth .username .password }}".
	Headers map[string]string `yaml:"headers"`
	// RemoveHeaders are agent headers stripped before injection (default
	// DefaultRemoveHeaders). The headers in Headers are always removed too.
	RemoveHeaders []string `yaml:"remove_headers"`
}

// DefaultRemoveHeaders are the credential headers an agent may send that are
// stripped from a request that gets an injected credential.
var DefaultRemoveHeaders = []string{"authorization", "x-api-key", "proxy-authorization", "cookie"}

const (
	defaultTimeout = 5 * time.Second
	defaultTTL     = 5 * time.Minute
)

// ParseConfig decodes YAML into a Config, refusing unknown fields, and
// validates it.
func ParseConfig(data []byte) (Config, error) {
	var cfg Config
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&cfg); err != nil {
		return Config{}, fmt.Errorf("parse creds config: %w", err)
	}
	if err := cfg.Validate(); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

// Validate reports every problem in the configuration at once.
func (c *Config) Validate() error {
	errs := c.connectionErrors()
	roles := make(map[string]bool, len(c.Roles))
	for i, r := range c.Roles {
		if roles[r.Name] {
			errs = append(errs, fmt.Errorf("roles[%d]: duplicate name %q", i, r.Name))
		}
		roles[r.Name] = true
		errs = append(errs, r.validate(i)...)
	}
	for i, rt := range c.Routes {
		errs = append(errs, rt.validate(i, roles)...)
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("invalid creds config: %w", err)
	}
	return nil
}

// connectionErrors checks what NewClient needs: address, timeout, retries and auth.
func (c *Config) connectionErrors() []error {
	var errs []error
	if c.Address == "" {
		errs = append(errs, errors.New("address is empty: set it to Vault's URL, e.g. https://vault:8200"))
	} else if !strings.HasPrefix(c.Address, "http://") && !strings.HasPrefix(c.Address, "https://") {
		errs = append(errs, fmt.Errorf("address %q: must start with http:// or https://", c.Address))
	}
	if c.Timeout < 0 || c.Retries < 0 {
		errs = append(errs, errors.New("timeout and retries must not be negative"))
	}
	return append(errs, c.Auth.validate()...)
}

func (a *Auth) validate() []error {
	var errs []error
	switch a.Method {
	case AuthToken:
		if (a.Token == "") == (a.TokenFile == "") {
			errs = append(errs, errors.New("auth: method token needs exactly one of token or token_file"))
		}
	case AuthAppRole:
		if a.RoleID == "" || a.SecretIDFile == "" {
			errs = append(errs, errors.New("auth: method approle needs role_id and secret_id_file"))
		}
	case AuthKubernetes, AuthJWT:
		if a.Role == "" {
			errs = append(errs, fmt.Errorf("auth: method %s needs role", a.Method))
		}
		if a.Method == AuthJWT && a.JWTFile == "" {
			errs = append(errs, errors.New("auth: method jwt needs jwt_file"))
		}
	case "":
		errs = append(errs, errors.New("auth: method is empty: use token, approle, kubernetes or jwt"))
	default:
		errs = append(errs, fmt.Errorf("auth: unknown method %q: use token, approle, kubernetes or jwt", a.Method))
	}
	return errs
}

func (r *Role) validate(i int) []error {
	var errs []error
	where := fmt.Sprintf("roles[%d] %q", i, r.Name)
	if r.Name == "" {
		errs = append(errs, fmt.Errorf("roles[%d]: name is empty", i))
	}
	switch r.Source {
	case SourceKV2, SourceDatabase, SourceLease:
	default:
		errs = append(errs, fmt.Errorf("%s: source %q: use kv2, database or lease", where, r.Source))
	}
	if strings.Trim(r.Path, "/") == "" {
		errs = append(errs, fmt.Errorf("%s: path is empty", where))
	}
	if r.TTL < 0 {
		errs = append(errs, fmt.Errorf("%s: ttl must not be negative", where))
	}
	return errs
}

func (rt *Route) validate(i int, roles map[string]bool) []error {
	var errs []error
	where := fmt.Sprintf("routes[%d] (host %q)", i, rt.Host)
	host := strings.TrimPrefix(rt.Host, "*.")
	if host == "" || strings.ContainsAny(host, "*/ ") {
		errs = append(errs, fmt.Errorf("%s: host must be a name like api.example.com or *.example.com", where))
	}
	if rt.PathPrefix != "" && !strings.HasPrefix(rt.PathPrefix, "/") {
		errs = append(errs, fmt.Errorf("%s: path_prefix %q must start with /", where, rt.PathPrefix))
	}
	if !roles[rt.Role] {
		errs = append(errs, fmt.Errorf("%s: role %q is not defined under roles", where, rt.Role))
	}
	if len(rt.Headers) == 0 {
		errs = append(errs, fmt.Errorf("%s: headers is empty: a route must inject at least one header", where))
	}
	for name := range rt.Headers {
		if !validHeaderName(name) {
			errs = append(errs, fmt.Errorf("%s: %q is not a valid header name", where, name))
		}
	}
	return errs
}

func validHeaderName(name string) bool {
	if name == "" || strings.HasPrefix(name, ":") {
		return false
	}
	return http.CanonicalHeaderKey(name) != "" && !strings.ContainsAny(name, " \t\r\n:()<>@,;\\\"/[]?={}")
}
