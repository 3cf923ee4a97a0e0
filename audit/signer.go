package audit

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
)

func openSigner(cfg Config) (Signer, error) {
	if cfg.Signer != nil {
		return cfg.Signer, nil
	}
	if vt := cfg.Checkpoint.VaultTransit; vt != nil {
		if cfg.VaultClient == nil {
			return nil, errors.New("audit.checkpoint.vault_transit needs a Vault connection: configure the top-level vault: section (address and auth)")
		}
		s, err := NewVaultTransitSigner(context.Background(), cfg.VaultClient, TransitOptions{
			Mount: vt.Mount, Key: vt.Key, RefreshInterval: vt.RefreshInterval, Logger: cfg.Logger,
			PublicKeyFile: filepath.Join(cfg.Dir, "checkpoint.key.pub"),
		})
		if err != nil {
			return nil, fmt.Errorf("audit checkpoint key: %w", err)
		}
		cfg.Logger.Info("audit: checkpoints are signed with a Vault transit key",
			"key", vt.Mount+"/"+vt.Key, "version", s.Version(), "key_id", s.KeyID(),
			"public_keys", filepath.Join(cfg.Dir, "checkpoint.key.pub"))
		return s, nil
	}
	create := cfg.Checkpoint.CreateKey != nil && *cfg.Checkpoint.CreateKey
	key, created, err := LoadOrCreateKey(cfg.Checkpoint.KeyFile, create)
	if err != nil {
		return nil, fmt.Errorf("audit checkpoint key: %w (set audit.checkpoint.key_file)", err)
	}
	s := NewEd25519Signer(key)
	if created {
		cfg.Logger.Warn("audit: generated a checkpoint signing key; provision your own key outside the audit dir for production",
			"key_file", cfg.Checkpoint.KeyFile, "public_key", cfg.Checkpoint.KeyFile+".pub", "key_id", s.KeyID())
	}
	return s, nil
}
