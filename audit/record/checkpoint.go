package record

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/warden-gw/warden/audit/signing"
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

// checkpointDomain separates checkpoint signatures from any other use of the key.
const checkpointDomain = "warden-audit-checkpoint-v1\n"

// SignedBytes is what a checkpoint signature covers: the domain string then the canonical JSON of
// the checkpoint object.
func (c Checkpoint) SignedBytes() ([]byte, error) {
	raw, err := json.Marshal(c)
	if err != nil {
		return nil, fmt.Errorf("encode checkpoint: %w", err)
	}
	canon, err := Canonical(raw)
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
func SignCheckpoint(s signing.Signer, c Checkpoint) (SignedCheckpoint, error) {
	if err := signing.Prepare(s); err != nil {
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

// VerifyWith checks sc with the key of keys that its key_id names.
func (sc SignedCheckpoint) VerifyWith(keys *signing.Keyring) error {
	pub, err := keys.Pick(sc.Checkpoint.KeyID, "checkpoint")
	if err != nil {
		return err
	}
	return VerifyCheckpoint(pub, sc)
}
