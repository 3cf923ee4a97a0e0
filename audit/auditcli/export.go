package auditcli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/vault/api"

	"github.com/warden-gw/warden/audit"
)

func runExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("export", stderr)
	var src source
	fs.StringVar(&src.dir, "dir", "", "spool folder (audit.dir)")
	fs.StringVar(&src.brokers, "brokers", "", "Kafka brokers, comma separated")
	fs.StringVar(&src.topic, "topic", "warden.audit", "Kafka topic")
	fromS := fs.String("from", "", "start of the period, RFC 3339 (inclusive; required)")
	toS := fs.String("to", "", "end of the period, RFC 3339 (exclusive; required)")
	keyPath := fs.String("key", "", "PKCS#8 PEM Ed25519 private key that signs the bundle (default for --dir: DIR/checkpoint.key)")
	transit := fs.String("vault-transit", "", "sign the bundle with this Vault transit ed25519 key, MOUNT/KEY (e.g. transit/warden-audit); Vault from VAULT_ADDR, VAULT_TOKEN, VAULT_NAMESPACE, VAULT_CACERT")
	pubOut := fs.String("pubkey-out", "", "with --vault-transit: write the key's public keys (PEM) here, for verifying the bundle offline")
	out := fs.String("out", "-", "bundle file to write ('-' for stdout)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := src.check(); err != nil {
		return err
	}
	from, err := time.Parse(time.RFC3339, *fromS)
	if err != nil {
		return fmt.Errorf("%w: --from %q is not RFC 3339 (e.g. 2026-01-02T15:04:05Z)", ErrUsage, *fromS)
	}
	to, err := time.Parse(time.RFC3339, *toS)
	if err != nil || !to.After(from) {
		return fmt.Errorf("%w: --to %q must be RFC 3339 and after --from", ErrUsage, *toS)
	}
	signer, err := exportSigner(ctx, *keyPath, *transit, *pubOut, src.dir)
	if err != nil {
		return err
	}
	entries, err := src.load(ctx, nil)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.Err != "" {
			return fmt.Errorf("spool is damaged at %s (%s): run 'warden audit verify' first", e.Pos, e.Err)
		}
	}
	if src.brokers != "" {
		entries = chainOrder(entries)
	}
	sel, err := audit.SelectPeriod(entries, from, to)
	if err != nil {
		return err
	}
	if len(sel) == 0 {
		return fmt.Errorf("%w between %s and %s", audit.ErrNoEntries, *fromS, *toS)
	}
	var buf bytes.Buffer
	if err := audit.WriteBundle(&buf, sel, signer, from, to, time.Now()); err != nil {
		return err
	}
	if *out == "-" {
		if _, err := stdout.Write(buf.Bytes()); err != nil {
			return err
		}
	} else {
		if err := os.WriteFile(*out, buf.Bytes(), 0o600); err != nil {
			return fmt.Errorf("write bundle: %w", err)
		}
		fmt.Fprintf(stderr, "exported %d entries to %s\n", len(sel), *out)
	}
	return writeTransitKeys(signer, *pubOut) // only once the bundle exists
}

// writeTransitKeys writes the public keys of a Vault transit signer to path (PEM), for verifying
// the bundle offline.
func writeTransitKeys(s audit.Signer, path string) error {
	ts, ok := s.(*audit.VaultTransitSigner)
	if !ok || path == "" {
		return nil
	}
	ring := ts.PublicKeys()
	var keys []audit.PublicKeyPEM
	for _, id := range ring.IDs() {
		pub, _ := ring.Key(id)
		keys = append(keys, audit.PublicKeyPEM{Key: pub, Comment: "Vault transit"})
	}
	if err := audit.WritePublicKeys(path, "Public keys of the Vault transit key that signed this evidence bundle (Ed25519).", keys); err != nil {
		return fmt.Errorf("write --pubkey-out: %w", err)
	}
	return nil
}

// exportSigner is the bundle's signer: a Vault transit key (--vault-transit), or a key file
// (--key, by default DIR/checkpoint.key).
func exportSigner(ctx context.Context, keyPath, transit, pubOut, dir string) (audit.Signer, error) {
	if transit != "" {
		if keyPath != "" {
			return nil, fmt.Errorf("%w: --key and --vault-transit are exclusive: choose one signer", ErrUsage)
		}
		i := strings.LastIndexByte(transit, '/')
		if i <= 0 || i == len(transit)-1 {
			return nil, fmt.Errorf("%w: --vault-transit %q must be MOUNT/KEY, e.g. transit/warden-audit", ErrUsage, transit)
		}
		if os.Getenv(api.EnvVaultAddress) == "" {
			return nil, fmt.Errorf("%w: --vault-transit needs VAULT_ADDR (and a token in VAULT_TOKEN)", ErrUsage)
		}
		client, err := api.NewClient(api.DefaultConfig()) // reads VAULT_ADDR, VAULT_TOKEN, VAULT_CACERT, …
		if err != nil {
			return nil, fmt.Errorf("vault client: %w", err)
		}
		if client.Token() == "" {
			return nil, fmt.Errorf("%w: --vault-transit needs a Vault token in VAULT_TOKEN", ErrUsage)
		}
		return audit.NewVaultTransitSigner(ctx, client, audit.TransitOptions{
			Mount: transit[:i], Key: transit[i+1:], // keys go to --pubkey-out after the export
			// Failures are returned to the command; the signer's own log lines speak of the
			// audit log's checkpoints, which would mislead here.
			Logger: slog.New(slog.DiscardHandler),
		})
	}
	if pubOut != "" {
		return nil, fmt.Errorf("%w: --pubkey-out goes with --vault-transit (a key file's public key is KEY.pub)", ErrUsage)
	}
	defaultKey := keyPath == "" && dir != ""
	if defaultKey {
		keyPath = filepath.Join(dir, "checkpoint.key")
	}
	if keyPath == "" {
		return nil, fmt.Errorf("%w: --key or --vault-transit is required to sign the bundle", ErrUsage)
	}
	key, _, err := audit.LoadOrCreateKey(keyPath, false)
	if err != nil {
		if defaultKey && errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%w: %s does not exist (checkpoints signed with Vault transit have no key file): pass --vault-transit MOUNT/KEY or --key with an Ed25519 key to sign the bundle", ErrUsage, keyPath)
		}
		return nil, err
	}
	return audit.NewEd25519Signer(key), nil
}

// chainOrder sorts entries read from a topic into chain order (records by seq, each checkpoint
// right after the record it signs) and drops identical duplicates.
func chainOrder(entries []audit.Entry) []audit.Entry {
	type keyed struct {
		e     audit.Entry
		chain string
		seq   uint64
		ckpt  bool
		id    string
	}
	var ks []keyed
	seen := map[string]bool{}
	for _, e := range entries {
		info, err := audit.Describe(e.Payload)
		if err != nil {
			continue
		}
		if seen[info.ID] {
			continue
		}
		seen[info.ID] = true
		seq := info.Seq
		if info.Checkpoint {
			var sc struct {
				Checkpoint audit.Checkpoint `json:"checkpoint"`
			}
			if json.Unmarshal(e.Payload, &sc) == nil {
				seq = sc.Checkpoint.Seq
			}
		}
		ks = append(ks, keyed{e: e, chain: info.ChainID, seq: seq, ckpt: info.Checkpoint, id: info.ID})
	}
	sort.SliceStable(ks, func(i, j int) bool {
		a, b := ks[i], ks[j]
		if a.chain != b.chain {
			return a.chain < b.chain
		}
		if a.seq != b.seq {
			return a.seq < b.seq
		}
		return !a.ckpt && b.ckpt
	})
	out := make([]audit.Entry, len(ks))
	for i, k := range ks {
		out[i] = k.e
	}
	return out
}
