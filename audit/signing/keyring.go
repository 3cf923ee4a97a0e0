package signing

import (
	"bytes"
	"crypto/ed25519"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/warden-gw/warden/audit/spool"
)

// Keyring is a set of Ed25519 public keys that may have signed checkpoints, looked up by KeyID:
// every version of a rotated Vault transit key, or a key file's key. A chain signed across a key
// rotation verifies with a keyring holding the keys of both versions.
type Keyring struct {
	byID map[string]ed25519.PublicKey
	ids  []string // in the order added
}

// NewKeyring returns a keyring holding keys (duplicates are kept once).
func NewKeyring(keys ...ed25519.PublicKey) *Keyring {
	k := &Keyring{byID: map[string]ed25519.PublicKey{}}
	for _, pub := range keys {
		k.Add(pub)
	}
	return k
}

// Add adds pub unless a key with its id is already there.
func (k *Keyring) Add(pub ed25519.PublicKey) {
	id := KeyID(pub)
	if _, ok := k.byID[id]; ok {
		return
	}
	k.byID[id] = pub
	k.ids = append(k.ids, id)
}

// Len is the number of keys; 0 for a nil keyring.
func (k *Keyring) Len() int {
	if k == nil {
		return 0
	}
	return len(k.ids)
}

// IDs returns the key ids in the order the keys were added.
func (k *Keyring) IDs() []string {
	if k == nil {
		return nil
	}
	return append([]string(nil), k.ids...)
}

// Key returns the key with id keyID.
func (k *Keyring) Key(keyID string) (ed25519.PublicKey, bool) {
	if k == nil {
		return nil, false
	}
	pub, ok := k.byID[keyID]
	return pub, ok
}

// Verify checks a raw signature over msg by the key keyID (what = what was signed, for errors).
// A keyring of one key checks with that key whatever keyID says (as a single public key always
// did); with several keys, a keyID that is not in the keyring is an error naming it.
func (k *Keyring) Verify(keyID string, msg, sig []byte, what string) error {
	pub, err := k.Pick(keyID, what)
	if err != nil {
		return err
	}
	if !ed25519.Verify(pub, msg, sig) {
		return fmt.Errorf("%s signature does not verify with the given public key", what)
	}
	return nil
}

// Pick returns the key keyID names (see Verify for a keyring of one key).
func (k *Keyring) Pick(keyID, what string) (ed25519.PublicKey, error) {
	if pub, ok := k.Key(keyID); ok {
		return pub, nil
	}
	switch k.Len() {
	case 0:
		return nil, errors.New("no public key given")
	case 1:
		return k.byID[k.ids[0]], nil
	}
	return nil, fmt.Errorf("%s was signed by key id %q, which is not among the %d given public keys (%s)",
		what, keyID, k.Len(), strings.Join(k.ids, ", "))
}

// LoadPublicKeys reads every PEM block of path: PKIX "PUBLIC KEY" blocks (Ed25519) and, so that
// a private key file can stand in for its public key, PKCS#8 "PRIVATE KEY" blocks. Text around
// the blocks (comments) is ignored. A file written by the Vault transit signer holds one block
// per key version.
func LoadPublicKeys(path string) ([]ed25519.PublicKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read public key: %w", err)
	}
	var keys []ed25519.PublicKey
	for n := 1; ; n++ {
		var blk *pem.Block
		blk, b = pem.Decode(b)
		if blk == nil {
			break
		}
		pub, err := parsePEMKey(blk)
		if err != nil {
			return nil, fmt.Errorf("key %s, PEM block %d: %w", path, n, err)
		}
		keys = append(keys, pub)
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("public key %s is not PEM", path)
	}
	return keys, nil
}

func parsePEMKey(blk *pem.Block) (ed25519.PublicKey, error) {
	switch blk.Type {
	case "PRIVATE KEY":
		ek, err := parsePrivateKey(blk)
		if err != nil {
			return nil, err
		}
		return ek.Public().(ed25519.PublicKey), nil
	case "PUBLIC KEY":
		k, err := x509.ParsePKIXPublicKey(blk.Bytes)
		if err != nil {
			return nil, fmt.Errorf("parse public key: %w", err)
		}
		pub, ok := k.(ed25519.PublicKey)
		if !ok {
			return nil, fmt.Errorf("public key is %T, not Ed25519", k)
		}
		return pub, nil
	}
	return nil, fmt.Errorf("PEM block %q is not a PUBLIC KEY or PRIVATE KEY", blk.Type)
}

// parsePrivateKey reads a PKCS#8 Ed25519 private key block.
func parsePrivateKey(blk *pem.Block) (ed25519.PrivateKey, error) {
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("parse private key: %w", err)
	}
	ek, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("private key is %T, not Ed25519", k)
	}
	return ek, nil
}

// PublicKeyPEM is one key of a public key file, with the comment written above its block.
type PublicKeyPEM struct {
	Key     ed25519.PublicKey
	Comment string
}

// WritePublicKeys writes keys as PKIX PEM blocks, each preceded by "# key id <id>[, comment]",
// after header (comment lines, "# " added). The file is replaced atomically.
func WritePublicKeys(path, header string, keys []PublicKeyPEM) error {
	var buf bytes.Buffer
	for _, line := range strings.Split(strings.TrimSpace(header), "\n") {
		if line != "" {
			buf.WriteString("# " + line + "\n")
		}
	}
	for _, k := range keys {
		der, err := x509.MarshalPKIXPublicKey(k.Key)
		if err != nil {
			return fmt.Errorf("encode public key: %w", err)
		}
		buf.WriteString("# key id " + KeyID(k.Key))
		if k.Comment != "" {
			buf.WriteString(", " + strings.ReplaceAll(k.Comment, "\n", " "))
		}
		buf.WriteByte('\n')
		if err := pem.Encode(&buf, &pem.Block{Type: "PUBLIC KEY", Bytes: der}); err != nil {
			return fmt.Errorf("encode public key: %w", err)
		}
	}
	return spool.WriteFile(path, buf.Bytes(), 0o644)
}
