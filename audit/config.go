// Package audit writes warden's audit trail: one OCSF API Activity record when a request is
// decided and one when it completes (plus typed event records: sessions, approvals, spool
// drops), hash-chained per replica, with signed checkpoints, appended to a local write-ahead
// spool before the request may proceed, and shipped to Kafka. Log is the writer; the record
// model and its encoding are in audit/record, keys and signers in audit/signing, verification
// and evidence bundles in audit/verify, the spool in audit/spool, the shipper in audit/kafka.
// See docs/audit.md.
package audit

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/hashicorp/vault/api"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/warden-gw/warden/audit/kafka"
	"github.com/warden-gw/warden/audit/spool"
)

// Mode is a durability mode: how far a request record has reached the disk when Record returns
// (see docs/audit.md for what each survives).
type Mode string

// The durability modes.
const (
	// ModeWritten: Record returns once the record is written to the spool file (in the kernel:
	// survives kill -9 of warden); a background fsync follows within SyncInterval.
	ModeWritten Mode = "written"
	// ModeStrict: Record returns after the fsync of the record (survives power loss).
	ModeStrict Mode = "strict"
	// ModeDurable is the former name of ModeStrict, still accepted.
	ModeDurable Mode = "durable"
	// ModeAsync is the former name of the mode that did not wait for the write; it now means
	// ModeWritten, which costs about the same and loses nothing to a kill -9.
	ModeAsync Mode = "async"
)

// DefaultMode is the durability mode when audit.mode is not set (chosen with the measurements
// in docs/audit.md).
const DefaultMode = ModeWritten

// DefaultSyncInterval bounds, in written mode, how long a record stays written but not fsynced.
const DefaultSyncInterval = 100 * time.Millisecond

// Bounds of audit.sync_interval.
const (
	minSyncInterval = time.Millisecond
	maxSyncInterval = 10 * time.Second
)

// What to do when the spool is full.
const (
	OnFullFail       = "fail"
	OnFullDropOldest = "drop_oldest"
)

// Config is the `audit:` section of warden's YAML configuration.
type Config struct {
	// Dir holds the spool, the chain id and (by default) the signing key. Default ./.warden/audit.
	Dir string `yaml:"dir"`
	// Mode is written (Record returns once the record is written to the spool file; fsync
	// follows within SyncInterval; the default) or strict (Record returns after the fsync).
	Mode Mode `yaml:"mode"`
	// SyncInterval is, in written mode, the longest a written record waits for its fsync
	// (default 100ms, 1ms..10s).
	SyncInterval time.Duration `yaml:"sync_interval"`
	// SegmentBytes is the spool segment size (default 64 MiB).
	SegmentBytes int64 `yaml:"segment_bytes"`
	// MaxBytes bounds the spool on disk (default 1 GiB).
	MaxBytes int64 `yaml:"max_bytes"`
	// OnFull is fail (refuse requests with 503; default) or drop_oldest (delete the oldest
	// segment and record a marker).
	OnFull string `yaml:"on_full"`
	// ChainID names this replica's chain. Default: hostname + random suffix, persisted in Dir.
	ChainID    string           `yaml:"chain_id"`
	Checkpoint CheckpointConfig `yaml:"checkpoint"`
	Kafka      *kafka.Config    `yaml:"kafka"`

	// Product is written into metadata.product; Version defaults to "dev".
	Product Product `yaml:"-"`
	// Registerer receives the metrics; nil skips registration (Collectors still works).
	Registerer prometheus.Registerer `yaml:"-"`
	Logger     *slog.Logger          `yaml:"-"`
	// Signer overrides the key file and Vault transit (tests, custom signers).
	Signer Signer `yaml:"-"`
	// VaultClient is the authenticated Vault client that Checkpoint.VaultTransit signs with;
	// warden serve makes it from the top-level vault: section.
	VaultClient *api.Client `yaml:"-"`
	// Now is the clock (tests).
	Now func() time.Time `yaml:"-"`
	// Redact replaces the secrets in one string. Every string of every record (paths,
	// queries, headers such as User-Agent, messages, tool-call text, errors, approval notes)
	// passes it before the record is hashed and written; warden serve sets it to the
	// redaction engine (whose Text remembers the short strings it found clean, so the strings
	// every record repeats are scanned once). Nil writes records as built.
	Redact func(string) string `yaml:"-"`

	wrapFile func(spool.File) spool.File // tests: a disk that blocks or fails
}

// CheckpointConfig says when checkpoints are signed and with which key.
type CheckpointConfig struct {
	// Every signs a checkpoint after this many records (default 1000).
	Every int `yaml:"every"`
	// Interval signs a checkpoint at least this often when records were written (default 10s).
	Interval time.Duration `yaml:"interval"`
	// KeyFile is a PKCS#8 PEM Ed25519 private key. Default <dir>/checkpoint.key.
	KeyFile string `yaml:"key_file"`
	// CreateKey generates KeyFile when it is missing (default true only for the default path).
	CreateKey *bool `yaml:"create_key"`
	// VaultTransit signs with an ed25519 key of Vault's transit engine instead of a key file.
	VaultTransit *TransitConfig `yaml:"vault_transit"`
}

// TransitConfig names the Vault transit key that signs checkpoints.
type TransitConfig struct {
	// Mount is the transit engine's mount path (default transit).
	Mount string `yaml:"mount"`
	// Key is the name of an ed25519 transit key.
	Key string `yaml:"key"`
	// RefreshInterval is how often the key's versions are read again, so that a rotation is
	// picked up (default 1m).
	RefreshInterval time.Duration `yaml:"refresh_interval"`
}

func (c Config) withDefaults() Config {
	if c.Dir == "" {
		c.Dir = "./.warden/audit"
	}
	switch c.Mode {
	case "":
		c.Mode = DefaultMode
	case ModeDurable:
		c.Mode = ModeStrict
	case ModeAsync:
		c.Mode = ModeWritten
	}
	if c.SyncInterval == 0 {
		c.SyncInterval = DefaultSyncInterval
	}
	if c.SegmentBytes <= 0 {
		c.SegmentBytes = 64 << 20
	}
	if c.MaxBytes <= 0 {
		c.MaxBytes = 1 << 30
	}
	if c.OnFull == "" {
		c.OnFull = OnFullFail
	}
	if c.Checkpoint.Every <= 0 {
		c.Checkpoint.Every = 1000
	}
	if c.Checkpoint.Interval <= 0 {
		c.Checkpoint.Interval = 10 * time.Second
	}
	if vt := c.Checkpoint.VaultTransit; vt != nil {
		t := *vt
		if t.Mount = strings.Trim(t.Mount, "/"); t.Mount == "" {
			t.Mount = "transit"
		}
		if t.RefreshInterval <= 0 {
			t.RefreshInterval = time.Minute
		}
		c.Checkpoint.VaultTransit = &t
	} else if c.Checkpoint.KeyFile == "" {
		c.Checkpoint.KeyFile = filepath.Join(c.Dir, "checkpoint.key")
		if c.Checkpoint.CreateKey == nil {
			t := true
			c.Checkpoint.CreateKey = &t
		}
	}
	if c.Product.Name == "" {
		c.Product.Name = "warden"
	}
	if c.Product.VendorName == "" {
		c.Product.VendorName = "warden-gw"
	}
	if c.Product.Version == "" {
		c.Product.Version = "dev"
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

func (c Config) validate() error {
	var errs []error
	if c.Mode != ModeWritten && c.Mode != ModeStrict {
		errs = append(errs, fmt.Errorf("audit.mode %q: use written (kill -9 safe, fsync within sync_interval) or strict (fsync before the request proceeds)", c.Mode))
	}
	if c.SyncInterval < minSyncInterval || c.SyncInterval > maxSyncInterval {
		errs = append(errs, fmt.Errorf("audit.sync_interval %s: use %s..%s (how long a written record may wait for its fsync)", c.SyncInterval, minSyncInterval, maxSyncInterval))
	}
	if c.OnFull != OnFullFail && c.OnFull != OnFullDropOldest {
		errs = append(errs, fmt.Errorf("audit.on_full %q: use fail or drop_oldest", c.OnFull))
	}
	if c.MaxBytes < 2*c.SegmentBytes {
		errs = append(errs, fmt.Errorf("audit.max_bytes (%d) must be at least twice audit.segment_bytes (%d)", c.MaxBytes, c.SegmentBytes))
	}
	if strings.ContainsAny(c.ChainID, ":\n") {
		errs = append(errs, fmt.Errorf("audit.chain_id %q must not contain ':' or newlines", c.ChainID))
	}
	if vt := c.Checkpoint.VaultTransit; vt != nil {
		if c.Checkpoint.KeyFile != "" || c.Checkpoint.CreateKey != nil {
			errs = append(errs, errors.New("audit.checkpoint: set key_file (and create_key) or vault_transit, not both"))
		}
		if vt.Key == "" || strings.ContainsAny(vt.Key, "/ \t\n") {
			errs = append(errs, fmt.Errorf("audit.checkpoint.vault_transit.key %q: name an ed25519 transit key, e.g. warden-audit", vt.Key))
		}
	}
	if c.Kafka.Enabled() {
		if err := c.Kafka.WithDefaults().Validate(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// chainID returns the configured chain id or the one persisted in dir, creating it on first use.
// The chain is per replica (per spool dir): one writer, one sequence, no coordination.
func chainID(c Config) (string, error) {
	if c.ChainID != "" {
		return c.ChainID, nil
	}
	path := filepath.Join(c.Dir, "chain_id")
	b, err := os.ReadFile(path)
	if err == nil {
		id := strings.TrimSpace(string(b))
		if id != "" {
			return id, nil
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("read chain id: %w", err)
	}
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "warden"
	}
	host = strings.NewReplacer(":", "-", "\n", "").Replace(host)
	var rnd [4]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		return "", fmt.Errorf("generate chain id: %w", err)
	}
	id := host + "-" + hex.EncodeToString(rnd[:])
	if err := spool.WriteFile(path, []byte(id+"\n"), 0o600); err != nil {
		return "", err
	}
	return id, nil
}
