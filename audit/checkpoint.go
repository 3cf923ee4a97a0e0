package audit

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/warden-gw/warden/audit/spool"
)

// Checkpoint is a signed statement "chain C had record seq S with hash H", linked to the
// previous checkpoint of the same chain. Checkpoints are spool entries of their own; they do not
// take a record sequence number.
type Checkpoint struct {
	Alg            string `json:"alg"` // "ed25519"
	KeyID          string `json:"key_id"`
	ChainID        string `json:"chain_id"`
	Number         uint64 `json:"number"`
	Seq            uint64 `json:"seq"`
	RecordHash     string `json:"record_hash"`
	PrevCheckpoint string `json:"prev_checkpoint"`
	Time           int64  `json:"time"`
	Final          bool   `json:"final,omitempty"`
}

// SignedCheckpoint is the spool entry: the checkpoint and its signature (base64 std).
type SignedCheckpoint struct {
	Checkpoint Checkpoint `json:"checkpoint"`
	Signature  string     `json:"signature"`
}

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

func prepare(s Signer) error {
	if p, ok := s.(Preparer); ok {
		return p.Prepare()
	}
	return nil
}

// checkpointDomain separates checkpoint signatures from any other use of the key.
const checkpointDomain = "warden-audit-checkpoint-v1\n"

// SignedBytes is what a checkpoint signature covers: the domain string then the canonical JSON of
// the checkpoint object.
func (c Checkpoint) SignedBytes() ([]byte, error) {
	raw, err := json.Marshal(c)
	if err != nil {
		return nil, fmt.Errorf("encode checkpoint: %w", err)
	}
	var v map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("decode checkpoint: %w", err)
	}
	canon, err := encodeCanonical(v)
	if err != nil {
		return nil, err
	}
	return append([]byte(checkpointDomain), canon...), nil
}

// Digest is the hex SHA-256 of SignedBytes; the next checkpoint's PrevCheckpoint.
func (c Checkpoint) Digest() (string, error) {
	b, err := c.SignedBytes()
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

// SignCheckpoint signs c with s.
func SignCheckpoint(s Signer, c Checkpoint) (SignedCheckpoint, error) {
	if err := prepare(s); err != nil {
		return SignedCheckpoint{}, fmt.Errorf("sign checkpoint: %w", err)
	}
	c.Alg, c.KeyID = s.Alg(), s.KeyID()
	msg, err := c.SignedBytes()
	if err != nil {
		return SignedCheckpoint{}, err
	}
	sig, err := s.Sign(msg)
	if err != nil {
		return SignedCheckpoint{}, fmt.Errorf("sign checkpoint: %w", err)
	}
	return SignedCheckpoint{Checkpoint: c, Signature: base64.StdEncoding.EncodeToString(sig)}, nil
}

// VerifyCheckpoint checks the signature of sc with pub.
func VerifyCheckpoint(pub ed25519.PublicKey, sc SignedCheckpoint) error {
	if sc.Checkpoint.Alg != "ed25519" {
		return fmt.Errorf("checkpoint algorithm %q is not supported (want ed25519)", sc.Checkpoint.Alg)
	}
	sig, err := base64.StdEncoding.DecodeString(sc.Signature)
	if err != nil {
		return fmt.Errorf("checkpoint signature is not base64: %w", err)
	}
	msg, err := sc.Checkpoint.SignedBytes()
	if err != nil {
		return err
	}
	if !ed25519.Verify(pub, msg, sig) {
		return errors.New("checkpoint signature does not verify with the given public key")
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
