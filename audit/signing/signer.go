// Package signing holds the keys that sign audit checkpoints and evidence bundles: the Signer
// interface, an Ed25519 key held in memory (a key file), a Vault transit key, and the keyring
// of public keys that verification looks signatures up in. It knows nothing of records.
package signing

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/warden-gw/warden/audit/spool"
)

// Signer signs checkpoints: Ed25519KeySigner (a key file) and VaultTransitSigner. The key id
// is inside the signed bytes, so Sign must sign with the key KeyID named.
type Signer interface {
	Alg() string
	KeyID() string
	Sign(msg []byte) ([]byte, error)
}

// Preparer is implemented by a Signer whose key can change (a Vault transit key that was
// rotated). SignCheckpoint and WriteBundle call Prepare before they read KeyID, so that the key
// id they put into the signed bytes is the one of the key that then signs.
type Preparer interface {
	Prepare() error
}

// Prepare calls s.Prepare when s is a Preparer.
func Prepare(s Signer) error {
	if p, ok := s.(Preparer); ok {
		return p.Prepare()
	}
	return nil
}

// Ed25519KeySigner signs with a private key held in memory.
type Ed25519KeySigner struct {
	key ed25519.PrivateKey
	id  string
}

// NewEd25519Signer wraps a private key.
func NewEd25519Signer(key ed25519.PrivateKey) *Ed25519KeySigner {
	return &Ed25519KeySigner{key: key, id: KeyID(key.Public().(ed25519.PublicKey))}
}

// Alg returns "ed25519".
func (s *Ed25519KeySigner) Alg() string { return "ed25519" }

// KeyID returns the key's id.
func (s *Ed25519KeySigner) KeyID() string { return s.id }

// Sign signs msg.
func (s *Ed25519KeySigner) Sign(msg []byte) ([]byte, error) { return ed25519.Sign(s.key, msg), nil }

// Public returns the public key.
func (s *Ed25519KeySigner) Public() ed25519.PublicKey { return s.key.Public().(ed25519.PublicKey) }

// KeyID is the first 8 bytes of SHA-256 of the raw public key, in hex.
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:8])
}

// LoadOrCreateKey reads a PKCS#8 PEM Ed25519 private key from path. When the file does not
// exist and create is true it generates one (0600) and writes the public key to path+".pub".
func LoadOrCreateKey(path string, create bool) (ed25519.PrivateKey, bool, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) && create {
		key, gerr := generateKey(path)
		return key, true, gerr
	}
	if err != nil {
		return nil, false, fmt.Errorf("read audit signing key %s: %w", path, err)
	}
	blk, _ := pem.Decode(b)
	if blk == nil {
		return nil, false, fmt.Errorf("audit signing key %s is not PEM: write a PKCS#8 Ed25519 key (openssl genpkey -algorithm ed25519)", path)
	}
	ek, err := parsePrivateKey(blk)
	if err != nil {
		return nil, false, fmt.Errorf("audit signing key %s: %w", path, err)
	}
	return ek, false, nil
}

func generateKey(path string) (ed25519.PrivateKey, error) {
	pub, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generate audit signing key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("encode audit signing key: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("create key dir: %w", err)
	}
	if err := spool.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		return nil, err
	}
	if err := WritePublicKey(path+".pub", pub); err != nil {
		return nil, err
	}
	return key, nil
}

// WritePublicKey writes a PKIX PEM public key.
func WritePublicKey(path string, pub ed25519.PublicKey) error {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return fmt.Errorf("encode public key: %w", err)
	}
	return spool.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), 0o644)
}

// LoadPublicKey reads a PKIX PEM Ed25519 public key (or derives it from a private key file). A
// file with several keys (written by the Vault transit signer) is an error: use LoadPublicKeys.
func LoadPublicKey(path string) (ed25519.PublicKey, error) {
	keys, err := LoadPublicKeys(path)
	if err != nil {
		return nil, err
	}
	if len(keys) > 1 {
		return nil, fmt.Errorf("public key file %s holds %d keys; load it as a keyring", path, len(keys))
	}
	return keys[0], nil
}
