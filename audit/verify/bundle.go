package verify

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/warden-gw/warden/audit/record"
	"github.com/warden-gw/warden/audit/signing"
)

// An evidence bundle is a JSON-lines file: one spool entry (record or checkpoint) per line, then
// one manifest line {"manifest": {...}, "signature": "..."} whose signature covers the SHA-256
// of every byte before it and the first/last seq and last hash of every chain in the bundle.

// Manifest describes and seals an evidence bundle.
type Manifest struct {
	Version int                      `json:"version"`
	Created int64                    `json:"created"`
	From    int64                    `json:"from"`
	To      int64                    `json:"to"`
	Alg     string                   `json:"alg"`
	KeyID   string                   `json:"key_id"`
	Entries int                      `json:"entries"`
	SHA256  string                   `json:"sha256"`
	Chains  map[string]ManifestChain `json:"chains"`
}

// ManifestChain is the extent of one chain in a bundle.
type ManifestChain struct {
	FirstSeq uint64 `json:"first_seq"`
	LastSeq  uint64 `json:"last_seq"`
	LastHash string `json:"last_hash"`
	Records  int    `json:"records"`
}

// ManifestLine is the last line of a bundle: the manifest and its signature.
type ManifestLine struct {
	Manifest  Manifest `json:"manifest"`
	Signature string   `json:"signature"`
}

const bundleDomain = "warden-audit-bundle-v1\n"

func (m Manifest) signedBytes() ([]byte, error) {
	raw, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("encode manifest: %w", err)
	}
	c, err := record.Canonical(raw)
	if err != nil {
		return nil, err
	}
	return append([]byte(bundleDomain), c...), nil
}

// SelectPeriod keeps, per chain, the contiguous seq range from the first record with time >= from
// to the last record with time < to (so that the selection has no holes), plus the checkpoints
// that sign a seq inside that range. entries must be in spool order.
func SelectPeriod(entries []Entry, from, to time.Time) ([]Entry, error) {
	type span struct{ lo, hi uint64 }
	spans := map[string]*span{}
	for _, e := range entries {
		p, err := record.ParseProbe(e.Payload)
		if err != nil || p.Kind() != record.KindRecord {
			continue
		}
		if p.Time < from.UnixMilli() || p.Time >= to.UnixMilli() {
			continue
		}
		in := p.Unmapped.Integrity
		s, ok := spans[in.ChainID]
		if !ok {
			spans[in.ChainID] = &span{in.Seq, in.Seq}
			continue
		}
		s.lo, s.hi = min(s.lo, in.Seq), max(s.hi, in.Seq)
	}
	var out []Entry
	for _, e := range entries {
		p, err := record.ParseProbe(e.Payload)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", e.Pos, err)
		}
		var chain string
		var seq uint64
		switch p.Kind() {
		case record.KindRecord:
			chain, seq = p.Unmapped.Integrity.ChainID, p.Unmapped.Integrity.Seq
		case record.KindCheckpoint:
			chain, seq = p.Checkpoint.ChainID, p.Checkpoint.Seq
		default:
			continue
		}
		if s, ok := spans[chain]; ok && seq >= s.lo && seq <= s.hi {
			out = append(out, e)
		}
	}
	return out, nil
}

// WriteBundle writes entries and a signed manifest to w.
func WriteBundle(w io.Writer, entries []Entry, s signing.Signer, from, to time.Time, now time.Time) error {
	if err := signing.Prepare(s); err != nil {
		return fmt.Errorf("sign bundle manifest: %w", err)
	}
	h := sha256.New()
	mw := io.MultiWriter(w, h)
	m := Manifest{
		Version: 1, Created: now.UnixMilli(), From: from.UnixMilli(), To: to.UnixMilli(),
		Alg: s.Alg(), KeyID: s.KeyID(), Chains: map[string]ManifestChain{},
	}
	for _, e := range entries {
		if bytes.ContainsAny(e.Payload, "\n\r") {
			return fmt.Errorf("%s: entry contains a newline; cannot be written as one JSON line", e.Pos)
		}
		if _, err := mw.Write(append(append([]byte(nil), e.Payload...), '\n')); err != nil {
			return fmt.Errorf("write bundle: %w", err)
		}
		m.Entries++
		p, err := record.ParseProbe(e.Payload)
		if err != nil || p.Kind() != record.KindRecord {
			continue
		}
		in := p.Unmapped.Integrity
		c, ok := m.Chains[in.ChainID]
		if !ok {
			c.FirstSeq = in.Seq
		}
		if in.Seq >= c.LastSeq {
			c.LastSeq, c.LastHash = in.Seq, in.Hash
		}
		c.FirstSeq = min(c.FirstSeq, in.Seq)
		c.Records++
		m.Chains[in.ChainID] = c
	}
	m.SHA256 = hex.EncodeToString(h.Sum(nil))
	msg, err := m.signedBytes()
	if err != nil {
		return err
	}
	sig, err := s.Sign(msg)
	if err != nil {
		return fmt.Errorf("sign bundle manifest: %w", err)
	}
	line, err := json.Marshal(ManifestLine{Manifest: m, Signature: base64.StdEncoding.EncodeToString(sig)})
	if err != nil {
		return fmt.Errorf("encode manifest: %w", err)
	}
	if _, err := w.Write(append(line, '\n')); err != nil {
		return fmt.Errorf("write bundle: %w", err)
	}
	return nil
}

// ReadBundle splits a bundle into its entries and manifest (nil when the manifest line is
// missing, i.e. the file was cut short). digest is the SHA-256 of the bytes before the manifest.
func ReadBundle(r io.Reader) (entries []Entry, m *ManifestLine, digest string, err error) {
	br := bufio.NewReaderSize(r, 1<<20)
	h := sha256.New()
	for line := 1; ; line++ {
		b, rerr := br.ReadBytes('\n')
		if len(b) > 0 {
			if m != nil {
				return nil, nil, "", fmt.Errorf("bundle line %d: data after the manifest", line)
			}
			if ml, ok := asManifest(b); ok {
				m = ml
			} else {
				h.Write(b)
				entries = append(entries, Entry{Pos: fmt.Sprintf("line %d", line), Payload: bytes.TrimRight(b, "\n")})
			}
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return nil, nil, "", fmt.Errorf("read bundle: %w", rerr)
		}
	}
	return entries, m, hex.EncodeToString(h.Sum(nil)), nil
}

func asManifest(b []byte) (*ManifestLine, bool) {
	if !bytes.Contains(b, []byte(`"manifest"`)) {
		return nil, false
	}
	var ml ManifestLine
	if err := json.Unmarshal(b, &ml); err != nil || ml.Manifest.Version == 0 {
		return nil, false
	}
	return &ml, true
}

// Bundle verifies a bundle: the manifest signature and digest, the chains inside, and that
// no chain ends before the seq the manifest sealed. pub (may be nil) checks the signatures.
func Bundle(r io.Reader, pub ed25519.PublicKey, strict bool) (*Report, error) {
	var keys *signing.Keyring
	if pub != nil {
		keys = signing.NewKeyring(pub)
	}
	return BundleKeys(r, keys, strict)
}

// BundleKeys is Bundle with a keyring: the manifest and every checkpoint are checked
// with the key their key_id names (e.g. the export key and the versions of a Vault transit key).
func BundleKeys(r io.Reader, keys *signing.Keyring, strict bool) (*Report, error) {
	entries, ml, digest, err := ReadBundle(r)
	if err != nil {
		return nil, err
	}
	rep := Entries(entries, Options{Keys: keys, Strict: strict})
	end := fmt.Sprintf("line %d", len(entries)+1)
	add := func(kind, detail string) {
		rep.Problems = append(rep.Problems, Problem{Kind: kind, Pos: end, Detail: detail, order: 1 << 30})
	}
	switch {
	case ml == nil:
		add(ProblemTruncated, "bundle has no manifest line: the file was cut short")
	case keys.Len() == 0:
		rep.Warnings = append(rep.Warnings, "bundle manifest signature not checked: pass --pubkey")
	default:
		msg, err := ml.Manifest.signedBytes()
		sig, derr := base64.StdEncoding.DecodeString(ml.Signature)
		switch {
		case err != nil || derr != nil:
			add(ProblemSignature, "manifest signature does not verify with the given public key")
		case ml.Manifest.Alg != "ed25519":
			add(ProblemSignature, fmt.Sprintf("manifest algorithm %q is not supported (want ed25519)", ml.Manifest.Alg))
		default:
			if verr := keys.Verify(ml.Manifest.KeyID, msg, sig, "manifest"); verr != nil {
				add(ProblemSignature, verr.Error())
			}
		}
	}
	if ml != nil {
		m := ml.Manifest
		if m.SHA256 != digest || m.Entries != len(entries) {
			add(ProblemModified, fmt.Sprintf("bundle content does not match the manifest (%d entries, sha256 %s; manifest says %d, %s)", len(entries), digest[:16], m.Entries, short(m.SHA256)))
		}
		ids := make([]string, 0, len(m.Chains))
		for id := range m.Chains {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		for _, id := range ids {
			mc := m.Chains[id]
			cs := rep.Chains[id]
			if cs == nil || cs.LastSeq < mc.LastSeq {
				got := uint64(0)
				if cs != nil {
					got = cs.LastSeq
				}
				add(ProblemTruncated, fmt.Sprintf("chain %s: manifest sealed seq %d, bundle ends at seq %d", id, mc.LastSeq, got))
			}
		}
	}
	sort.SliceStable(rep.Problems, func(i, j int) bool { return rep.Problems[i].order < rep.Problems[j].order })
	return rep, nil
}

func short(s string) string {
	if len(s) > 16 {
		return s[:16]
	}
	return s
}

// ErrNoEntries is returned when a source holds nothing to work on.
var ErrNoEntries = errors.New("no audit entries found")
