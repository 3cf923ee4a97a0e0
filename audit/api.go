package audit

import (
	"context"
	"crypto/ed25519"
	"io"
	"time"

	"github.com/hashicorp/vault/api"

	"github.com/warden-gw/warden/audit/record"
	"github.com/warden-gw/warden/audit/signing"
	"github.com/warden-gw/warden/audit/verify"
	"github.com/warden-gw/warden/exchange"
)

// This file re-exports what the audit package's callers (and its own files) use: the record
// model and its encoding live in audit/record, keys and signers in audit/signing, verification
// and bundles in audit/verify. New code imports those packages directly; a name is added here
// only for a caller that needs it.

// Record model (audit/record).
type (
	Record           = record.Record
	Stage            = record.Stage
	Product          = record.Product
	Decision         = record.Decision
	Marker           = record.Marker
	Integrity        = record.Integrity
	Checkpoint       = record.Checkpoint
	SignedCheckpoint = record.SignedCheckpoint
	EntryInfo        = record.EntryInfo
)

// Keys and signers (audit/signing).
type (
	Signer             = signing.Signer
	Ed25519KeySigner   = signing.Ed25519KeySigner
	Keyring            = signing.Keyring
	PublicKeyPEM       = signing.PublicKeyPEM
	VaultTransitSigner = signing.VaultTransitSigner
	TransitOptions     = signing.TransitOptions
)

// Verification (audit/verify).
type (
	Entry         = verify.Entry
	VerifyOptions = verify.Options
	Report        = verify.Report
	ManifestLine  = verify.ManifestLine
)

// Stages, OCSF constants and hashes (audit/record).
const (
	StageRequest    = record.StageRequest
	StageCompletion = record.StageCompletion
	ClassUID        = record.ClassUID
	ZeroHash        = record.ZeroHash
)

// Problem kinds reported by Verify (audit/verify).
const (
	ProblemDeleted   = verify.ProblemDeleted
	ProblemReordered = verify.ProblemReordered
	ProblemModified  = verify.ProblemModified
	ProblemTruncated = verify.ProblemTruncated
	ProblemSpliced   = verify.ProblemSpliced
	ProblemSignature = verify.ProblemSignature
)

// ErrNoEntries is returned when a source holds nothing to work on.
var ErrNoEntries = verify.ErrNoEntries

// BuildRecord maps an exchange to an OCSF record; see record.BuildRecord.
func BuildRecord(x *exchange.Exchange, stage Stage, product Product, now time.Time) *Record {
	return record.BuildRecord(x, stage, product, now)
}

// ContentHash is the hex SHA-256 of a record's canonical form; see record.ContentHash.
func ContentHash(rec []byte) (string, error) { return record.ContentHash(rec) }

// ChainHash links a record into its chain; see record.ChainHash.
func ChainHash(chainID string, seq uint64, prevHash, contentHash string) string {
	return record.ChainHash(chainID, seq, prevHash, contentHash)
}

// Describe parses the routing facts of an entry; see record.Describe.
func Describe(b []byte) (EntryInfo, error) { return record.Describe(b) }

// ShrinkForKafka shortens a record to fit a Kafka message; see record.ShrinkForKafka.
func ShrinkForKafka(payload []byte, limit int) ([]byte, error) {
	return record.ShrinkForKafka(payload, limit)
}

// SignCheckpoint signs c with s; see record.SignCheckpoint.
func SignCheckpoint(s Signer, c Checkpoint) (SignedCheckpoint, error) {
	return record.SignCheckpoint(s, c)
}

// VerifyCheckpoint checks the signature of sc with pub; see record.VerifyCheckpoint.
func VerifyCheckpoint(pub ed25519.PublicKey, sc SignedCheckpoint) error {
	return record.VerifyCheckpoint(pub, sc)
}

// NewEd25519Signer wraps a private key; see signing.NewEd25519Signer.
func NewEd25519Signer(key ed25519.PrivateKey) *Ed25519KeySigner {
	return signing.NewEd25519Signer(key)
}

// NewVaultTransitSigner signs with a Vault transit key; see signing.NewVaultTransitSigner.
func NewVaultTransitSigner(ctx context.Context, client *api.Client, opts TransitOptions) (*VaultTransitSigner, error) {
	return signing.NewVaultTransitSigner(ctx, client, opts)
}

// KeyID names a public key; see signing.KeyID.
func KeyID(pub ed25519.PublicKey) string { return signing.KeyID(pub) }

// LoadOrCreateKey reads (or generates) a signing key; see signing.LoadOrCreateKey.
func LoadOrCreateKey(path string, create bool) (ed25519.PrivateKey, bool, error) {
	return signing.LoadOrCreateKey(path, create)
}

// WritePublicKey writes a PEM public key; see signing.WritePublicKey.
func WritePublicKey(path string, pub ed25519.PublicKey) error {
	return signing.WritePublicKey(path, pub)
}

// WritePublicKeys writes several PEM public keys; see signing.WritePublicKeys.
func WritePublicKeys(path, header string, keys []PublicKeyPEM) error {
	return signing.WritePublicKeys(path, header, keys)
}

// LoadPublicKey reads one public key; see signing.LoadPublicKey.
func LoadPublicKey(path string) (ed25519.PublicKey, error) { return signing.LoadPublicKey(path) }

// LoadPublicKeys reads every public key of a PEM file; see signing.LoadPublicKeys.
func LoadPublicKeys(path string) ([]ed25519.PublicKey, error) { return signing.LoadPublicKeys(path) }

// NewKeyring returns a keyring holding keys; see signing.NewKeyring.
func NewKeyring(keys ...ed25519.PublicKey) *Keyring { return signing.NewKeyring(keys...) }

// Verify checks chains and checkpoints; see verify.Entries.
func Verify(entries []Entry, opts VerifyOptions) *Report { return verify.Entries(entries, opts) }

// VerifyBundle verifies an evidence bundle with one key; see verify.Bundle.
func VerifyBundle(r io.Reader, pub ed25519.PublicKey, strict bool) (*Report, error) {
	return verify.Bundle(r, pub, strict)
}

// VerifyBundleKeys verifies an evidence bundle with a keyring; see verify.BundleKeys.
func VerifyBundleKeys(r io.Reader, keys *Keyring, strict bool) (*Report, error) {
	return verify.BundleKeys(r, keys, strict)
}

// WriteBundle writes a signed evidence bundle; see verify.WriteBundle.
func WriteBundle(w io.Writer, entries []Entry, s Signer, from, to, now time.Time) error {
	return verify.WriteBundle(w, entries, s, from, to, now)
}

// ReadBundle reads an evidence bundle; see verify.ReadBundle.
func ReadBundle(r io.Reader) ([]Entry, *ManifestLine, string, error) { return verify.ReadBundle(r) }

// SelectPeriod keeps the entries of a period; see verify.SelectPeriod.
func SelectPeriod(entries []Entry, from, to time.Time) ([]Entry, error) {
	return verify.SelectPeriod(entries, from, to)
}
