package creds

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path"
	"strings"
	"time"

	"github.com/hashicorp/vault/api"
)

// kubernetesTokenFile is where Kubernetes mounts the pod's service-account token.
const kubernetesTokenFile = "/var/run/secrets/kubernetes.io/serviceaccount/token" //nolint:gosec // G101: a file path, not a credential

func newClient(cfg *Config) (*api.Client, error) {
	vc := api.DefaultConfig()
	if vc.Error != nil {
		return nil, fmt.Errorf("vault client defaults: %w", vc.Error)
	}
	vc.Address = cfg.Address
	vc.Timeout = cfg.Timeout
	if vc.Timeout == 0 {
		vc.Timeout = defaultTimeout
	}
	vc.MaxRetries = cfg.Retries
	if strings.HasPrefix(cfg.Address, "https://") {
		err := vc.ConfigureTLS(&api.TLSConfig{
			CACert:        cfg.TLS.CAFile,
			TLSServerName: cfg.TLS.ServerName,
			Insecure:      cfg.TLS.InsecureSkipVerify,
		})
		if err != nil {
			return nil, fmt.Errorf("vault TLS settings (check tls.ca_file): %w", err)
		}
	}
	client, err := api.NewClient(vc)
	if err != nil {
		return nil, fmt.Errorf("vault client: %w", err)
	}
	client.ClearToken() // never pick up VAULT_TOKEN from the environment
	client.ClearNamespace()
	if cfg.Namespace != "" {
		client.SetNamespace(cfg.Namespace)
	}
	return client, nil
}

// login authenticates client and returns the auth secret for login methods
// (nil for a static token).
func login(ctx context.Context, client *api.Client, a *Auth) (*api.Secret, error) {
	var body map[string]any
	mount := a.Mount
	if mount == "" {
		mount = a.Method
	}
	switch a.Method {
	case AuthToken:
		token := a.Token
		if a.TokenFile != "" {
			b, err := readCredentialFile("auth.token_file", a.TokenFile)
			if err != nil {
				return nil, err
			}
			token = b
		}
		client.SetToken(token)
		if _, err := client.Auth().Token().LookupSelfWithContext(ctx); err != nil {
			return nil, classify(err, "look up the configured token (is it valid and not expired?)")
		}
		return nil, nil
	case AuthAppRole:
		secretID, err := readCredentialFile("auth.secret_id_file", a.SecretIDFile)
		if err != nil {
			return nil, err
		}
		body = map[string]any{"role_id": a.RoleID, "secret_id": secretID}
	case AuthKubernetes, AuthJWT:
		file := a.JWTFile
		if file == "" {
			file = kubernetesTokenFile
		}
		jwt, err := readCredentialFile("auth.jwt_file", file)
		if err != nil {
			return nil, err
		}
		body = map[string]any{"role": a.Role, "jwt": jwt}
	default:
		return nil, fmt.Errorf("auth: unknown method %q", a.Method)
	}
	client.ClearToken()
	loginPath := "auth/" + strings.Trim(mount, "/") + "/login"
	s, err := client.Logical().WriteWithContext(ctx, loginPath, body)
	if err != nil {
		return nil, classify(err, a.Method+" login at "+loginPath)
	}
	if s == nil || s.Auth == nil || s.Auth.ClientToken == "" {
		return nil, fmt.Errorf("%w: %s login at %s returned no token", ErrVault, a.Method, loginPath)
	}
	client.SetToken(s.Auth.ClientToken)
	return s, nil
}

func readCredentialFile(field, name string) (string, error) {
	b, err := os.ReadFile(name)
	if err != nil {
		return "", fmt.Errorf("auth: read %s %s: %w", field, name, err)
	}
	v := strings.TrimSpace(string(b))
	if v == "" {
		return "", fmt.Errorf("auth: %s %s is empty", field, name)
	}
	return v, nil
}

// classify wraps a Vault client error as ErrUnavailable (cannot reach Vault,
// or Vault is sealed/failing) or ErrVault (Vault answered no). The message
// says what was attempted; Vault's own error strings never contain secrets.
func classify(err error, what string) error {
	var re *api.ResponseError
	if errors.As(err, &re) {
		reason := strings.Join(re.Errors, "; ")
		if len(reason) > 200 {
			reason = reason[:200] + "…"
		}
		if re.StatusCode >= 500 || re.StatusCode == http.StatusTooManyRequests {
			return fmt.Errorf("%w: %s: HTTP %d: %s", ErrUnavailable, what, re.StatusCode, reason)
		}
		return fmt.Errorf("%w: %s: HTTP %d: %s", ErrVault, what, re.StatusCode, reason)
	}
	if errors.Is(err, ErrVault) || errors.Is(err, ErrUnavailable) {
		return err
	}
	return fmt.Errorf("%w: %s: %w", ErrUnavailable, what, err)
}

// secretData is one read of a role's secret.
type secretData struct {
	data      map[string]any // what header templates see
	values    []string       // raw string values, for the redactor
	leaseID   string
	ttl       time.Duration // lease duration at issue; 0 without lease
	renewable bool
	version   int
}

func rolePath(r *Role) string {
	p := strings.Trim(r.Path, "/")
	switch r.Source {
	case SourceKV2:
		return path.Join(defaultString(r.Mount, "secret"), "data", p)
	case SourceDatabase:
		return path.Join(defaultString(r.Mount, "database"), "creds", p)
	default:
		return p
	}
}

func defaultString(v, def string) string {
	if v = strings.Trim(v, "/"); v == "" {
		return def
	}
	return v
}

// Vault is what the lease logic needs from Vault: read a secret, renew and revoke a lease, and
// the client's timeout for one call. apiVault is the real one; tests fake it.
type Vault interface {
	Read(ctx context.Context, path string) (*api.Secret, error)
	Renew(ctx context.Context, leaseID string, increment int) (*api.Secret, error)
	Revoke(ctx context.Context, leaseID string) error
	Timeout() time.Duration
}

// apiVault is Vault over the Vault API client.
type apiVault struct{ c *api.Client }

func (v apiVault) Read(ctx context.Context, path string) (*api.Secret, error) {
	return v.c.Logical().ReadWithContext(ctx, path)
}

func (v apiVault) Renew(ctx context.Context, leaseID string, increment int) (*api.Secret, error) {
	return v.c.Sys().RenewWithContext(ctx, leaseID, increment)
}

func (v apiVault) Revoke(ctx context.Context, leaseID string) error {
	return v.c.Sys().RevokeWithContext(ctx, leaseID)
}

func (v apiVault) Timeout() time.Duration { return v.c.ClientTimeout() }

// read fetches the role's secret from Vault.
func read(ctx context.Context, v Vault, r *Role) (*secretData, error) {
	p := rolePath(r)
	s, err := v.Read(ctx, p)
	if err != nil {
		return nil, classify(err, "read "+p)
	}
	if s == nil || s.Data == nil {
		return nil, fmt.Errorf("%w: read %s: no secret there (check the role's mount and path)", ErrVault, p)
	}
	raw := s.Data
	out := &secretData{leaseID: s.LeaseID, ttl: time.Duration(s.LeaseDuration) * time.Second, renewable: s.Renewable}
	if r.Source == SourceKV2 {
		inner, ok := raw["data"].(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%w: read %s: kv2 secret has no data (deleted or destroyed version?)", ErrVault, p)
		}
		if md, ok := raw["metadata"].(map[string]any); ok {
			if n, ok := md["version"].(json.Number); ok {
				v, _ := n.Int64()
				out.version = int(v)
			}
		}
		raw = inner
	}
	out.data = raw
	if len(r.Fields) > 0 {
		out.data = make(map[string]any, len(r.Fields))
		for name, field := range r.Fields {
			v, ok := raw[field]
			if !ok {
				return nil, fmt.Errorf("%w: read %s: secret has no field %q (mapped to %q)", ErrVault, p, field, name)
			}
			out.data[name] = v
		}
	}
	for _, v := range out.data {
		if s, ok := v.(string); ok && s != "" {
			out.values = append(out.values, s)
		}
	}
	return out, nil
}
