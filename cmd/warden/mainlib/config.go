package mainlib

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/warden-gw/warden/audit"
	"github.com/warden-gw/warden/creds"
	"github.com/warden-gw/warden/identity"
	"github.com/warden-gw/warden/internal/tlsconf"
	"github.com/warden-gw/warden/internal/trace"
	"github.com/warden-gw/warden/pipeline"
)

// Config is warden's YAML configuration (`warden serve --config FILE`). Every field has a
// default, so an empty file — or none — is a working configuration.
type Config struct {
	// Listen is the ext_proc gRPC address: host:port, or unix:///path for a Unix socket.
	Listen string `yaml:"listen"`
	// ListenSocketMode is the file mode of a Unix socket Listen (octal, default "0660").
	ListenSocketMode string `yaml:"listen_socket_mode"`
	// TLS serves ext_proc with mutual TLS: only callers with an allowed client certificate
	// (the gateway's) may open a stream. See docs/tls.md.
	TLS *tlsconf.Config `yaml:"tls"`
	// Admin is the HTTP address of /healthz, /readyz and /metrics.
	Admin string `yaml:"admin"`
	// AdminTLS serves the admin listener over HTTPS; with client_ca_file, every path but
	// /healthz and /readyz needs an allowed client certificate.
	AdminTLS *tlsconf.Config `yaml:"admin_tls"`
	// InsecurePlaintext allows ext_proc or admin without TLS on an address other hosts can
	// reach (e.g. behind a mesh sidecar that authenticates callers). Loud at start-up.
	InsecurePlaintext bool `yaml:"insecure_plaintext"`
	// Policy is a policy file or folder; empty means the embedded default pack.
	Policy string `yaml:"policy"`
	// ShutdownGrace is how long in-flight streams may take to finish after SIGTERM.
	ShutdownGrace time.Duration `yaml:"shutdown_grace"`
	// DataDir holds warden's local state: the audit spool (DataDir/audit) unless audit.dir says
	// otherwise.
	DataDir string `yaml:"data_dir"`

	Log    LogConfig             `yaml:"log"`
	Audit  audit.Config          `yaml:"audit"`
	Redact pipeline.RedactConfig `yaml:"redact"`
	// Identity verifies who acts (OIDC JWT, Envoy jwt_authn claims, SPIFFE); nil: anonymous.
	Identity *identity.Config `yaml:"identity"`
	Approval ApprovalConfig   `yaml:"approval"`
	// Vault configures the credential broker (creds/); nil: no credential injection.
	Vault  *creds.Config `yaml:"vault"`
	Limits LimitsConfig  `yaml:"limits"`
	Envoy  EnvoyConfig   `yaml:"envoy"`
	// Tracing exports one OpenTelemetry trace per exchange over OTLP; off unless an endpoint is set.
	Tracing trace.Config `yaml:"tracing"`
}

// LogConfig sets the log level (debug, info, warn, error) and format (text, json).
type LogConfig struct {
	Level  string `yaml:"level"`
	Format string `yaml:"format"`
}

// LimitsConfig bounds what one stream may hold.
type LimitsConfig struct {
	// MaxBodyBytes bounds a held body per direction (and a decoded body): over it, 413.
	MaxBodyBytes int64 `yaml:"max_body_bytes"`
	// MaxHeaderBytes bounds a header map.
	MaxHeaderBytes int `yaml:"max_header_bytes"`
	// MemoryBytes is the Go runtime's soft memory limit: the garbage collector works harder as
	// the heap nears it, which keeps resident memory flat under bursts of large bodies. Default
	// 192 MiB; -1 leaves the runtime alone; a GOMEMLIMIT environment variable wins over both.
	MemoryBytes int64 `yaml:"memory_bytes"`
	// MaxConcurrentWork bounds the streams doing CPU-heavy work (inspection, policy, redaction)
	// at once; default 4 × the number of CPUs.
	MaxConcurrentWork int `yaml:"max_concurrent_work"`
}

// EnvoyConfig tells warden how the Envoy in front of it is configured.
type EnvoyConfig struct {
	// Bootstrap is the Envoy bootstrap (YAML) whose ext_proc filter sets the processing modes
	// warden assumes when Envoy does not send protocol_config. Empty: the embedded
	// envoy/bootstrap.yaml, the one docker-compose runs.
	Bootstrap string `yaml:"bootstrap"`
}

// DefaultConfig is what warden runs with no flags and no file.
func DefaultConfig() Config {
	return Config{
		Listen:        "127.0.0.1:9002",
		Admin:         "127.0.0.1:9901",
		ShutdownGrace: 30 * time.Second,
		DataDir:       ".warden",
		Log:           LogConfig{Level: "info", Format: "text"},
		Limits:        LimitsConfig{MaxBodyBytes: 8 << 20, MaxHeaderBytes: 256 << 10, MemoryBytes: 192 << 20},
	}
}

// LoadConfig reads a YAML file over the defaults. Unknown keys are errors: a misspelt option
// must not be silently ignored.
func LoadConfig(path string) (Config, error) {
	cfg := DefaultConfig()
	if path == "" {
		return cfg, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return cfg, fmt.Errorf("read config: %w", err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&cfg); err != nil && err.Error() != "EOF" {
		return cfg, fmt.Errorf("config %s: %w", path, err)
	}
	return cfg, cfg.validate()
}

func (c Config) validate() error {
	switch {
	case c.Listen == "":
		return fmt.Errorf("config: listen is empty (e.g. 127.0.0.1:9002)")
	case c.Admin == "":
		return fmt.Errorf("config: admin is empty (e.g. 127.0.0.1:9901)")
	case c.Limits.MaxBodyBytes <= 0:
		return fmt.Errorf("config: limits.max_body_bytes must be positive, got %d", c.Limits.MaxBodyBytes)
	case c.ShutdownGrace < 0:
		return fmt.Errorf("config: shutdown_grace must not be negative")
	case c.Audit.Checkpoint.VaultTransit != nil && c.Vault == nil:
		return errVaultTransitWithoutVault
	}
	return c.validateListeners()
}

// validateListeners checks the listen addresses and TLS sections before anything starts (the
// files themselves are loaded when the listeners open).
func (c Config) validateListeners() error {
	if _, err := tlsconf.ParseAddress(c.Listen); err != nil {
		return fmt.Errorf("config: listen: %w", err)
	}
	if _, err := tlsconf.ParseSocketMode(c.ListenSocketMode); err != nil {
		return fmt.Errorf("config: listen_socket_mode: %w", err)
	}
	if c.TLS != nil {
		if err := c.TLS.Validate("tls", tlsconf.RequireClientCert); err != nil {
			return fmt.Errorf("config: %w", err)
		}
	}
	if c.AdminTLS != nil {
		if err := c.AdminTLS.Validate("admin_tls", tlsconf.OptionalClientCert); err != nil {
			return fmt.Errorf("config: %w", err)
		}
	}
	return nil
}

var errVaultTransitWithoutVault = errors.New("config: audit.checkpoint.vault_transit signs with Vault, but there is no vault: section (address and auth)")
