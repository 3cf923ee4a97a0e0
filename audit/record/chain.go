package record

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
)

// ZeroHash is the prev_hash of the first record of a chain.
const ZeroHash = "0000000000000000000000000000000000000000000000000000000000000000"

// Canonical returns the canonical encoding of a JSON object with the integrity object removed:
// the value is decoded (numbers kept exactly as written), "unmapped.integrity" is deleted, and it
// is re-encoded with object keys sorted by their UTF-8 bytes, no insignificant whitespace, and
// no HTML escaping. Anyone can recompute it from the bytes on the wire.
func Canonical(record []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(record))
	dec.UseNumber()
	var v map[string]any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("record is not a JSON object: %w", err)
	}
	if dec.More() {
		return nil, errors.New("record has trailing data after the JSON object")
	}
	if um, ok := v["unmapped"].(map[string]any); ok {
		delete(um, "integrity")
	}
	return encodeCanonical(v)
}

func encodeCanonical(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("encode canonical JSON: %w", err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// ContentHash is the hex SHA-256 of Canonical(record).
func ContentHash(record []byte) (string, error) {
	c, err := Canonical(record)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(c)
	return hex.EncodeToString(sum[:]), nil
}

// Encode encodes a record (without integrity) in canonical form with the hand-written
// encoder (encode.go) and returns it with its content hash.
func Encode(r *Record) ([]byte, string, error) {
	return EncodeInto(make([]byte, 0, 4096), r)
}

// EncodeInto is Encode appending to buf[:0].
func EncodeInto(buf []byte, r *Record) ([]byte, string, error) {
	return EncodeRedactedInto(buf, r, nil)
}

// EncodeRedactedInto is EncodeInto with every string of r passed through redact as it is
// written: the bytes are those of EncodeInto after r.MapStrings(redact), without walking (or
// changing) r. r's strings are not touched, so r may share maps and slices with the exchange it
// was built from. TestEncodeRedactedMatchesMapStrings guards the equivalence.
func EncodeRedactedInto(buf []byte, r *Record, redact func(string) string) ([]byte, string, error) {
	return encodeRecord(buf, r, redact, nil, nil)
}

func encodeRecord(buf []byte, r *Record, redact func(string) string, reuse, keep *Memo) ([]byte, string, error) {
	if r.Unmapped.Integrity != nil {
		return nil, "", errors.New("encode audit record: the record already has integrity fields")
	}
	w := jsonWriter{b: buf[:0], redact: redact, reuse: reuse, keep: keep}
	r.write(&w)
	sum := sha256.Sum256(w.b)
	return w.b, hex.EncodeToString(sum[:]), nil
}

// ChainHash links a record to its predecessor:
// hex(SHA-256("warden-audit-v1\n" chain_id "\n" seq "\n" prev_hash "\n" content_hash)).
func ChainHash(chainID string, seq uint64, prevHash, contentHash string) string {
	var buf [256]byte
	b := append(buf[:0], "warden-audit-v1\n"...)
	b = append(b, chainID...)
	b = append(b, '\n')
	b = strconv.AppendUint(b, seq, 10)
	b = append(b, '\n')
	b = append(b, prevHash...)
	b = append(b, '\n')
	b = append(b, contentHash...)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Seal appends the integrity object to a record encoded without one. Record's layout
// guarantees the encoding ends with the closing braces of "unmapped" and of the record.
func Seal(body []byte, in Integrity) ([]byte, error) {
	return SealInto(make([]byte, 0, len(body)+len(in.ChainID)+256), body, in)
}

// SealInto is Seal appending to dst[:0].
func SealInto(dst, body []byte, in Integrity) ([]byte, error) {
	if !bytes.HasSuffix(body, []byte("}}")) {
		return nil, errors.New("record encoding does not end with the unmapped object")
	}
	return AppendSealed(dst[:0], body, AppendIntegrity(nil, in)), nil
}

// AppendIntegrity appends the JSON of the integrity object (for AppendSealed).
func AppendIntegrity(dst []byte, in Integrity) []byte { return in.appendJSON(dst) }

// SealedLen is the length of body sealed with the integrity JSON ij.
func SealedLen(body, ij []byte) int { return len(body) + len(`,"integrity":`) + len(ij) }

// AppendSealed appends body sealed with the integrity JSON ij to dst: Seal writing straight into
// its destination (the spool's buffer) instead of an intermediate copy. body must be an
// encoding from Encode (it ends with the braces of "unmapped" and of the record).
func AppendSealed(dst, body, ij []byte) []byte {
	dst = append(dst, body[:len(body)-2]...)
	dst = append(dst, `,"integrity":`...)
	dst = append(dst, ij...)
	return append(dst, "}}"...)
}

// EntryKind tells records from checkpoints in a spool, bundle or topic.
type EntryKind int

// The kinds of entry.
const (
	KindUnknown EntryKind = iota
	KindRecord
	KindCheckpoint
	KindManifest
)

// Probe is the minimal view of any entry.
type Probe struct {
	ClassUID int   `json:"class_uid"`
	Time     int64 `json:"time"`
	Metadata struct {
		CorrelationUID string `json:"correlation_uid"`
	} `json:"metadata"`
	Actor struct {
		Session *Session `json:"session"`
	} `json:"actor"`
	Unmapped struct {
		Warden struct {
			Session   string      `json:"session"`
			Truncated *Truncation `json:"truncated"`
			Marker    *Marker     `json:"marker"`
		} `json:"warden"`
		Integrity *Integrity `json:"integrity"`
	} `json:"unmapped"`
	Checkpoint *Checkpoint      `json:"checkpoint"`
	Signature  string           `json:"signature"`
	Manifest   *json.RawMessage `json:"manifest"`
}

func (p *Probe) Kind() EntryKind {
	switch {
	case p.Checkpoint != nil:
		return KindCheckpoint
	case p.Manifest != nil:
		return KindManifest
	case p.ClassUID == ClassUID && p.Unmapped.Integrity != nil:
		return KindRecord
	}
	return KindUnknown
}

// ParseProbe decodes the minimal view of an entry.
func ParseProbe(b []byte) (*Probe, error) {
	var p Probe
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("entry is not valid JSON: %w", err)
	}
	return &p, nil
}

// EntryInfo is what a shipper or reader needs to know about an entry.
type EntryInfo struct {
	Checkpoint bool
	ChainID    string
	Seq        uint64 // record seq, or checkpoint number
	Key        string // Kafka key: session id, else request id, else chain id
	TimeMS     int64
	ID         string // chain:seq, or chain:checkpoint:n
}

// Describe parses the routing facts of an entry.
func Describe(b []byte) (EntryInfo, error) {
	if info, ok := describeRecordFast(b); ok {
		return info, nil
	}
	return describeSlow(b)
}

// describeSlow is Describe with encoding/json: the reference for describeRecordFast.
func describeSlow(b []byte) (EntryInfo, error) {
	p, err := ParseProbe(b)
	if err != nil {
		return EntryInfo{}, err
	}
	switch p.Kind() {
	case KindRecord:
		in := p.Unmapped.Integrity
		key := p.Unmapped.Warden.Session
		if key == "" && p.Actor.Session != nil {
			key = p.Actor.Session.UID
		}
		if key == "" {
			key = p.Metadata.CorrelationUID
		}
		if key == "" {
			key = in.ChainID
		}
		return EntryInfo{
			ChainID: in.ChainID, Seq: in.Seq, Key: key, TimeMS: p.Time,
			ID: in.ChainID + ":" + strconv.FormatUint(in.Seq, 10),
		}, nil
	case KindCheckpoint:
		c := p.Checkpoint
		return EntryInfo{
			Checkpoint: true, ChainID: c.ChainID, Seq: c.Number, Key: c.ChainID, TimeMS: c.Time,
			ID: c.ChainID + ":checkpoint:" + strconv.FormatUint(c.Number, 10),
		}, nil
	}
	return EntryInfo{}, errors.New("entry is neither an audit record nor a checkpoint")
}
