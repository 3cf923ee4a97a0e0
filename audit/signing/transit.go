package signing

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/vault/api"
)

// TransitOptions configures a VaultTransitSigner.
type TransitOptions struct {
	// Mount is the transit engine's mount path (default transit).
	Mount string
	// Key is the name of an ed25519 transit key.
	Key string
	// RefreshInterval is how often the key is read again to pick up a rotation (default 1m).
	RefreshInterval time.Duration
	// Timeout bounds every Vault call (default 5s).
	Timeout time.Duration
	// PublicKeyFile, when set, receives the public key of every version as PEM, at start and
	// whenever a new version appears. Keys already in the file that Vault no longer lists (an
	// earlier key file, trimmed versions) are kept, so that older checkpoints still verify.
	PublicKeyFile string
	// Logger (default slog.Default()).
	Logger *slog.Logger

	// Now is the clock that paces refreshes and back-off (tests); default time.Now.
	Now func() time.Time
}

// Bounds of the pause after a failed Vault call, during which the signer fails at once instead
// of calling Vault again: a Vault that hangs must not hold up every checkpoint for a full
// timeout, nor be flooded with calls while it recovers.
const (
	transitMinBackoff = time.Second
	transitMaxBackoff = 30 * time.Second
)

// VaultTransitSigner signs checkpoints with an ed25519 key of Vault's transit secrets engine
// (POST <mount>/sign/<key>). The private key never leaves Vault. Vault's ed25519 signature is a
// plain Ed25519 signature over the input, so checkpoints verify offline with the public key of
// the version that signed, and KeyID is audit.KeyID of that public key.
//
// Signing is pinned to one version (key_version), the one KeyID names. Prepare reads the key
// again every RefreshInterval, or at once after a failed signature; when the latest version has
// changed (the key was rotated) it switches to it, so the key id inside the next signed
// checkpoint is that of the version that signs it. It is safe for concurrent use, but a
// rotation picked up by one caller's Prepare between another caller's KeyID and Sign would make
// Sign refuse (the signature is checked against the version KeyID named); the audit log signs
// from one goroutine only.
type VaultTransitSigner struct {
	client *api.Client
	opts   TransitOptions
	log    *slog.Logger

	mu        sync.Mutex
	versions  map[int]ed25519.PublicKey
	version   int // the version that signs; KeyID names it
	id        string
	refreshed time.Time
	stale     bool // read the key before the next signature
	backoff   time.Duration
	retryAt   time.Time
	lastErr   error
}

// NewVaultTransitSigner reads the transit key with client (which must be logged in), refuses a
// key that is not ed25519 (or is derived), and writes the public key file when one is set.
func NewVaultTransitSigner(ctx context.Context, client *api.Client, opts TransitOptions) (*VaultTransitSigner, error) {
	if client == nil {
		return nil, errors.New("vault transit signer: no Vault client")
	}
	if opts.Mount = strings.Trim(opts.Mount, "/"); opts.Mount == "" {
		opts.Mount = "transit"
	}
	if opts.Key == "" || strings.ContainsAny(opts.Key, "/ \t\n") {
		return nil, fmt.Errorf("vault transit signer: key name %q: name an ed25519 transit key", opts.Key)
	}
	if opts.RefreshInterval <= 0 {
		opts.RefreshInterval = time.Minute
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 5 * time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &VaultTransitSigner{client: client, opts: opts, log: opts.Logger}
	if s.log == nil {
		s.log = slog.Default()
	}
	ctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.refreshLocked(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// Alg returns "ed25519".
func (s *VaultTransitSigner) Alg() string { return "ed25519" }

// KeyID returns the id of the version that signs next.
func (s *VaultTransitSigner) KeyID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.id
}

// Version returns the key version that signs next.
func (s *VaultTransitSigner) Version() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.version
}

// PublicKeys returns the public keys of the versions Vault listed at the last read, oldest
// version first.
func (s *VaultTransitSigner) PublicKeys() *Keyring {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := NewKeyring()
	for _, v := range s.sortedVersions() {
		k.Add(s.versions[v])
	}
	return k
}

// Prepare reads the key again when RefreshInterval has passed or the last signature failed, and
// switches to the latest version when the key was rotated.
func (s *VaultTransitSigner) Prepare() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.stale && s.opts.Now().Sub(s.refreshed) < s.opts.RefreshInterval {
		return nil
	}
	if err := s.pausedLocked(); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), s.opts.Timeout)
	defer cancel()
	if err := s.refreshLocked(ctx); err != nil {
		s.failedLocked(err)
		return err
	}
	s.succeededLocked()
	return nil
}

// Sign signs msg with the version KeyID names and checks the signature with that version's
// public key before returning it.
func (s *VaultTransitSigner) Sign(msg []byte) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.pausedLocked(); err != nil {
		return nil, err
	}
	sig, err := s.signLocked(msg)
	if err != nil {
		s.stale = true // the key may have changed under us: read it before trying again
		s.failedLocked(err)
		return nil, err
	}
	s.succeededLocked()
	return sig, nil
}

func (s *VaultTransitSigner) name() string { return s.opts.Mount + "/" + s.opts.Key }

func (s *VaultTransitSigner) signLocked(msg []byte) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), s.opts.Timeout)
	defer cancel()
	path := s.opts.Mount + "/sign/" + s.opts.Key
	what := fmt.Sprintf("sign with %s version %d", s.name(), s.version)
	sec, err := s.client.Logical().WriteWithContext(ctx, path, map[string]any{
		"input":       base64.StdEncoding.EncodeToString(msg),
		"key_version": s.version,
	})
	if err != nil {
		return nil, transitError(what, err)
	}
	var sigText string
	if sec != nil && sec.Data != nil {
		sigText, _ = sec.Data["signature"].(string)
	}
	ver, sig, err := parseTransitSignature(sigText)
	if err != nil {
		return nil, fmt.Errorf("vault transit: %s: %w", what, err)
	}
	if ver != s.version {
		return nil, fmt.Errorf("vault transit: %s: Vault signed with version %d", what, ver)
	}
	if !ed25519.Verify(s.versions[ver], msg, sig) {
		return nil, fmt.Errorf("vault transit: %s: the signature does not verify with that version's public key (was the key re-created?); the key is read again before the next signature", what)
	}
	return sig, nil
}

// refreshLocked reads the key: its type, latest version and public keys.
func (s *VaultTransitSigner) refreshLocked(ctx context.Context) error {
	path := s.opts.Mount + "/keys/" + s.opts.Key
	sec, err := s.client.Logical().ReadWithContext(ctx, path)
	if err != nil {
		return transitError("read key "+s.name(), err)
	}
	if sec == nil || sec.Data == nil {
		return fmt.Errorf("vault transit: key %s does not exist: create it with `vault write -f %s/keys/%s type=ed25519`",
			s.name(), s.opts.Mount, s.opts.Key)
	}
	versions, latest, err := parseTransitKey(sec.Data)
	if err != nil {
		return fmt.Errorf("vault transit: key %s: %w", s.name(), err)
	}
	changed := len(versions) != len(s.versions)
	for v, pub := range versions {
		if old, ok := s.versions[v]; !ok || !old.Equal(pub) {
			changed = true
		}
	}
	if s.version != 0 && latest != s.version {
		s.log.Info("audit: Vault transit key rotated; checkpoints are now signed with the new version",
			"key", s.name(), "version", latest, "previous_version", s.version, "key_id", KeyID(versions[latest]))
	}
	s.versions, s.version, s.id = versions, latest, KeyID(versions[latest])
	s.refreshed, s.stale = s.opts.Now(), false
	if changed {
		return s.writePublicKeysLocked()
	}
	return nil
}

func (s *VaultTransitSigner) sortedVersions() []int {
	vs := make([]int, 0, len(s.versions))
	for v := range s.versions {
		vs = append(vs, v)
	}
	slices.Sort(vs)
	return vs
}

// writePublicKeysLocked writes every version's public key, keeping keys already in the file
// that Vault no longer lists.
func (s *VaultTransitSigner) writePublicKeysLocked() error {
	path := s.opts.PublicKeyFile
	if path == "" {
		return nil
	}
	have := map[string]bool{}
	var vault []PublicKeyPEM
	for _, v := range s.sortedVersions() {
		pub := s.versions[v]
		have[KeyID(pub)] = true
		vault = append(vault, PublicKeyPEM{Key: pub, Comment: fmt.Sprintf("Vault transit key %s version %d", s.name(), v)})
	}
	var kept []PublicKeyPEM
	old, err := LoadPublicKeys(path)
	switch {
	case err == nil:
		for _, pub := range old {
			if id := KeyID(pub); !have[id] {
				have[id] = true
				kept = append(kept, PublicKeyPEM{Key: pub, Comment: "kept from the earlier " + filepath.Base(path)})
			}
		}
	case !errors.Is(err, os.ErrNotExist):
		s.log.Warn("audit: replacing a public key file that cannot be read", "file", path, "err", err)
	}
	header := fmt.Sprintf("Public keys of warden's audit checkpoint signatures (Ed25519), written by warden\n"+
		"from Vault transit key %s. 'warden audit verify' checks each checkpoint with the key\n"+
		"its key_id names.", s.name())
	if err := WritePublicKeys(path, header, append(kept, vault...)); err != nil {
		return fmt.Errorf("vault transit: write public keys: %w", err)
	}
	return nil
}

// pausedLocked fails at once while the pause after a failed Vault call lasts.
func (s *VaultTransitSigner) pausedLocked() error {
	if s.lastErr == nil || !s.opts.Now().Before(s.retryAt) {
		return nil
	}
	return fmt.Errorf("vault transit: not calling Vault again before %s (pausing after a failure): %w",
		s.retryAt.Format(time.RFC3339), s.lastErr)
}

func (s *VaultTransitSigner) failedLocked(err error) {
	if s.lastErr == nil {
		s.log.Warn("audit: Vault transit signing fails; checkpoints wait until Vault answers (records are still written)",
			"key", s.name(), "err", err)
	}
	s.backoff = min(max(2*s.backoff, transitMinBackoff), transitMaxBackoff)
	s.retryAt, s.lastErr = s.opts.Now().Add(s.backoff), err
}

func (s *VaultTransitSigner) succeededLocked() {
	if s.lastErr != nil {
		s.log.Info("audit: Vault transit signing works again", "key", s.name())
	}
	s.backoff, s.retryAt, s.lastErr = 0, time.Time{}, nil
}

// transitError says what failed: Vault's answer (status and its errors, which hold no secret)
// or that Vault could not be reached.
func transitError(what string, err error) error {
	var re *api.ResponseError
	if errors.As(err, &re) {
		reason := strings.Join(re.Errors, "; ")
		if len(reason) > 200 {
			reason = reason[:200] + "…"
		}
		hint := ""
		if re.StatusCode == 403 {
			hint = " (the token's policy needs read on <mount>/keys/<key> and update on <mount>/sign/<key>)"
		}
		return fmt.Errorf("vault transit: %s: HTTP %d: %s%s", what, re.StatusCode, reason, hint)
	}
	return fmt.Errorf("vault transit: %s: cannot reach Vault: %w", what, err)
}

// parseTransitKey reads a transit key description (GET <mount>/keys/<key>).
func parseTransitKey(data map[string]any) (map[int]ed25519.PublicKey, int, error) {
	typ, _ := data["type"].(string)
	if typ != "ed25519" {
		return nil, 0, fmt.Errorf("type is %q; checkpoints need an ed25519 key (vault write -f <mount>/keys/<name> type=ed25519)", typ)
	}
	if derived, _ := data["derived"].(bool); derived {
		return nil, 0, errors.New("is a derived key (its public key depends on a context); checkpoints need a plain ed25519 key")
	}
	latest, err := jsonInt(data["latest_version"])
	if err != nil {
		return nil, 0, fmt.Errorf("latest_version: %w", err)
	}
	raw, _ := data["keys"].(map[string]any)
	versions := make(map[int]ed25519.PublicKey, len(raw))
	for k, v := range raw {
		ver, err := strconv.Atoi(k)
		if err != nil {
			return nil, 0, fmt.Errorf("key version %q is not a number", k)
		}
		m, _ := v.(map[string]any)
		b64, _ := m["public_key"].(string)
		pub, err := base64.StdEncoding.DecodeString(b64)
		if err != nil || len(pub) != ed25519.PublicKeySize {
			return nil, 0, fmt.Errorf("version %d has no ed25519 public key", ver)
		}
		versions[ver] = ed25519.PublicKey(pub)
	}
	if _, ok := versions[latest]; !ok {
		return nil, 0, fmt.Errorf("the latest version %d has no public key", latest)
	}
	return versions, latest, nil
}

func jsonInt(v any) (int, error) {
	switch n := v.(type) {
	case json.Number:
		i, err := n.Int64()
		return int(i), err
	case float64:
		return int(n), nil
	case int:
		return n, nil
	}
	return 0, fmt.Errorf("%v is not a number", v)
}

// parseTransitSignature splits "vault:v<N>:<base64>" into the version and the raw signature.
func parseTransitSignature(s string) (int, []byte, error) {
	parts := strings.Split(s, ":")
	if len(parts) != 3 || parts[0] != "vault" || !strings.HasPrefix(parts[1], "v") {
		return 0, nil, fmt.Errorf("unexpected signature format %q (want vault:v<N>:<base64>)", s[:min(len(s), 16)])
	}
	ver, err := strconv.Atoi(parts[1][1:])
	if err != nil {
		return 0, nil, fmt.Errorf("signature version %q is not a number", parts[1])
	}
	sig, err := base64.StdEncoding.DecodeString(parts[2])
	if err != nil || len(sig) != ed25519.SignatureSize {
		return 0, nil, errors.New("signature is not a base64 Ed25519 signature")
	}
	return ver, sig, nil
}
