package verify

import (
	"crypto/ed25519"
	"fmt"
	"sort"

	"github.com/warden-gw/warden/audit/record"
	"github.com/warden-gw/warden/audit/signing"
)

// Problem kinds reported by Entries.
const (
	ProblemDeleted      = "deleted"
	ProblemReordered    = "reordered"
	ProblemModified     = "modified"
	ProblemTruncated    = "truncated"
	ProblemSpliced      = "spliced"
	ProblemSignature    = "bad_signature"
	ProblemUnparseable  = "unparseable"
	ProblemUnsigned     = "unsigned"
	maxProblemsReported = 100
)

// Entry is one raw entry to verify, with a human-readable position.
type Entry struct {
	Pos     string
	Payload []byte
	// Err marks a place where the source itself was unreadable (e.g. a spool frame that failed
	// its checksum); Entries reports it as a modification at Pos.
	Err string
}

// Options tunes Entries.
type Options struct {
	// PublicKey checks checkpoint signatures; without it (and without Keys) signatures are not
	// checked (warning).
	PublicKey ed25519.PublicKey
	// Keys checks each checkpoint with the key its key_id names (PublicKey, when set, is one
	// more key): a chain signed across a key rotation verifies. An unknown key_id is a
	// bad_signature problem naming it.
	Keys *signing.Keyring
	// Unordered sorts records by (chain, seq) and drops identical duplicates first: the order of
	// a multi-partition topic carries no meaning and the shipper may send a record twice.
	Unordered bool
	// Strict fails on truncated records and on chains without any checkpoint.
	Strict bool
}

func (o Options) keyring() *signing.Keyring {
	if o.PublicKey == nil {
		return o.Keys
	}
	k := signing.NewKeyring(o.PublicKey)
	for _, id := range o.Keys.IDs() {
		pub, _ := o.Keys.Key(id)
		k.Add(pub)
	}
	return k
}

// Problem is one integrity failure.
type Problem struct {
	Kind    string `json:"kind"`
	Pos     string `json:"pos"`
	ChainID string `json:"chain_id,omitempty"`
	Seq     uint64 `json:"seq,omitempty"`
	Detail  string `json:"detail"`
	order   int
}

func (p Problem) String() string {
	return fmt.Sprintf("%s at %s (chain %s seq %d): %s", p.Kind, p.Pos, p.ChainID, p.Seq, p.Detail)
}

// ChainSummary describes one verified chain.
type ChainSummary struct {
	FirstSeq, LastSeq uint64
	Records           int
	Checkpoints       int
	SignedUpTo        uint64 // highest seq covered by a valid checkpoint
	Truncated         int    // records whose content was shortened for Kafka
	Duplicates        int    // identical duplicates dropped (unordered mode)
	// KeyIDs are the key ids of the checkpoints that passed (all of them when no key was
	// given), in order of first use: more than one after a key rotation.
	KeyIDs []string `json:",omitempty"`
}

// Report is the outcome of Entries.
type Report struct {
	Entries  int
	Chains   map[string]*ChainSummary
	Problems []Problem // ordered by position, at most maxProblemsReported
	Warnings []string
}

// OK reports whether no problem was found.
func (r *Report) OK() bool { return len(r.Problems) == 0 }

// First returns the first problem by position, or nil.
func (r *Report) First() *Problem {
	if len(r.Problems) == 0 {
		return nil
	}
	return &r.Problems[0]
}

type parsedRec struct {
	order   int
	pos     string
	in      record.Integrity
	trunc   bool
	marker  bool
	content string // recomputed content hash ("" when truncated)
}

type parsedCkpt struct {
	order int
	pos   string
	sc    record.SignedCheckpoint
}

type verifier struct {
	opts    Options
	keys    *signing.Keyring // PublicKey and Keys together; nil when neither is set
	rep     *Report
	recs    map[string][]parsedRec
	ckpts   map[string][]parsedCkpt
	chains  []string
	hashes  map[string]map[uint64]string
	lastSeq map[string]uint64
}

// Entries checks hash chains and checkpoints in entries (records and checkpoints of any number of
// chains, e.g. a spool folder, an export bundle or a topic dump).
func Entries(entries []Entry, opts Options) *Report {
	v := &verifier{
		opts: opts, keys: opts.keyring(), rep: &Report{Entries: len(entries), Chains: map[string]*ChainSummary{}},
		recs: map[string][]parsedRec{}, ckpts: map[string][]parsedCkpt{},
		hashes: map[string]map[uint64]string{}, lastSeq: map[string]uint64{},
	}
	v.parse(entries)
	for _, c := range v.chains {
		if opts.Unordered {
			v.sortDedupe(c)
		}
		v.walkRecords(c)
		v.walkCheckpoints(c)
	}
	if v.keys.Len() == 0 {
		v.rep.Warnings = append(v.rep.Warnings, "checkpoint signatures were not checked: pass the public key (--pubkey)")
	}
	sort.SliceStable(v.rep.Problems, func(i, j int) bool { return v.rep.Problems[i].order < v.rep.Problems[j].order })
	if len(v.rep.Problems) > maxProblemsReported {
		v.rep.Problems = v.rep.Problems[:maxProblemsReported]
	}
	return v.rep
}

func (v *verifier) problem(order int, kind, pos, chain string, seq uint64, format string, args ...any) {
	v.rep.Problems = append(v.rep.Problems, Problem{
		Kind: kind, Pos: pos, ChainID: chain, Seq: seq,
		Detail: fmt.Sprintf(format, args...), order: order,
	})
}

func (v *verifier) chain(id string) *ChainSummary {
	cs, ok := v.rep.Chains[id]
	if !ok {
		cs = &ChainSummary{}
		v.rep.Chains[id] = cs
		v.chains = append(v.chains, id)
		v.hashes[id] = map[uint64]string{}
	}
	return cs
}

func (v *verifier) parse(entries []Entry) {
	for i, e := range entries {
		if e.Err != "" {
			v.problem(i, ProblemModified, e.Pos, "", 0, "%s", e.Err)
			continue
		}
		p, err := record.ParseProbe(e.Payload)
		if err != nil {
			v.problem(i, ProblemUnparseable, e.Pos, "", 0, "%v", err)
			continue
		}
		switch p.Kind() {
		case record.KindRecord:
			in := *p.Unmapped.Integrity
			v.chain(in.ChainID)
			r := parsedRec{
				order: i, pos: e.Pos, in: in, trunc: p.Unmapped.Warden.Truncated != nil,
				marker: p.Unmapped.Warden.Marker != nil,
			}
			if !r.trunc {
				if r.content, err = record.ContentHash(e.Payload); err != nil {
					v.problem(i, ProblemUnparseable, e.Pos, in.ChainID, in.Seq, "%v", err)
					continue
				}
			}
			v.recs[in.ChainID] = append(v.recs[in.ChainID], r)
		case record.KindCheckpoint:
			var sc record.SignedCheckpoint
			sc.Checkpoint, sc.Signature = *p.Checkpoint, p.Signature
			v.chain(sc.Checkpoint.ChainID)
			v.ckpts[sc.Checkpoint.ChainID] = append(v.ckpts[sc.Checkpoint.ChainID], parsedCkpt{order: i, pos: e.Pos, sc: sc})
		case record.KindManifest:
			// checked by Bundle
		default:
			v.problem(i, ProblemUnparseable, e.Pos, "", 0, "entry is neither an audit record nor a checkpoint")
		}
	}
}

func (v *verifier) sortDedupe(c string) {
	rs := v.recs[c]
	sort.SliceStable(rs, func(i, j int) bool { return rs[i].in.Seq < rs[j].in.Seq })
	out := rs[:0]
	for _, r := range rs {
		if n := len(out); n > 0 && out[n-1].in.Seq == r.in.Seq {
			prev := out[n-1]
			if prev.in == r.in && prev.content == r.content {
				v.rep.Chains[c].Duplicates++
				continue
			}
			if prev.trunc != r.trunc && prev.in == r.in { // a truncated and a full copy: keep the full one
				if prev.trunc {
					out[n-1] = r
				}
				continue
			}
			v.problem(r.order, ProblemModified, r.pos, c, r.in.Seq,
				"two different records claim seq %d (other copy at %s)", r.in.Seq, prev.pos)
			continue
		}
		out = append(out, r)
	}
	v.recs[c] = out
	cs := v.ckpts[c]
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].sc.Checkpoint.Number < cs[j].sc.Checkpoint.Number })
	outc := cs[:0]
	for _, x := range cs {
		if n := len(outc); n > 0 && outc[n-1].sc == x.sc {
			continue
		}
		outc = append(outc, x)
	}
	v.ckpts[c] = outc
}

func (v *verifier) walkRecords(c string) {
	cs := v.rep.Chains[c]
	rs := v.recs[c]
	present := make(map[uint64]int, len(rs)) // seq -> index of first occurrence
	for i, r := range rs {
		if _, ok := present[r.in.Seq]; !ok {
			present[r.in.Seq] = i
		}
	}
	var last uint64
	var lastHash string
	started := false
	for i, r := range rs {
		in := r.in
		cs.Records++
		if r.trunc {
			cs.Truncated++
			if v.opts.Strict {
				v.problem(r.order, ProblemTruncated, r.pos, c, in.Seq, "record content was truncated for Kafka and cannot be checked (--strict)")
			}
		} else if r.content != in.ContentHash {
			v.problem(r.order, ProblemModified, r.pos, c, in.Seq, "content does not match its content_hash")
		}
		if record.ChainHash(c, in.Seq, in.PrevHash, in.ContentHash) != in.Hash {
			v.problem(r.order, ProblemModified, r.pos, c, in.Seq, "integrity fields were altered (hash does not recompute)")
		}
		switch {
		case !started:
			started = true
			cs.FirstSeq = in.Seq
			if in.Seq == 1 && in.PrevHash != record.ZeroHash {
				v.problem(r.order, ProblemSpliced, r.pos, c, in.Seq, "seq 1 does not start from the zero hash")
			}
		case in.Seq == last+1:
			if in.PrevHash != lastHash {
				v.problem(r.order, ProblemSpliced, r.pos, c, in.Seq, "prev_hash does not match the hash of seq %d: records from elsewhere were inserted", last)
			}
		case in.Seq <= last:
			v.problem(r.order, ProblemReordered, r.pos, c, in.Seq, "seq %d appears after seq %d", in.Seq, last)
			continue
		default:
			movedLater := false
			for s := last + 1; s < in.Seq; s++ {
				if j, ok := present[s]; ok && j > i {
					movedLater = true
					break
				}
			}
			switch {
			case movedLater:
				v.problem(r.order, ProblemReordered, r.pos, c, in.Seq, "seq %d appears before seq %d", in.Seq, last+1)
			case v.markerAfter(c, i):
				v.rep.Warnings = append(v.rep.Warnings, fmt.Sprintf("chain %s: seq %d..%d missing, explained by a spool_dropped marker (on_full=drop_oldest)", c, last+1, in.Seq-1))
			default:
				v.problem(r.order, ProblemDeleted, r.pos, c, in.Seq, "seq %d..%d missing before this record", last+1, in.Seq-1)
			}
		}
		v.hashes[c][in.Seq] = in.Hash
		last, lastHash = in.Seq, in.Hash
		cs.LastSeq = last
	}
	v.lastSeq[c] = last
	if cs.FirstSeq > 1 {
		v.rep.Warnings = append(v.rep.Warnings, fmt.Sprintf("chain %s starts at seq %d: earlier records are not in this input (shipped and trimmed, exported elsewhere, or dropped)", c, cs.FirstSeq))
	}
}

// markerAfter reports whether a spool_dropped marker record follows index i of chain c.
func (v *verifier) markerAfter(c string, i int) bool {
	for _, r := range v.recs[c][i:] {
		if r.marker {
			return true
		}
	}
	return false
}
