package audit

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"

	"github.com/warden-gw/warden/audit/record"
	"github.com/warden-gw/warden/audit/spool"
)

// resume finds the chain head (last record of this chain) and the last checkpoint in the spool,
// scanning segments from the newest, so that the chain continues after a restart.
func (l *Log) resume() error {
	bases := l.spool.SegmentBases()
	foundRec, foundCkpt := false, false
	for i := len(bases) - 1; i >= 0 && (!foundRec || !foundCkpt); i-- {
		lastRec, lastCkpt, err := l.lastInSegment(bases[i])
		if err != nil {
			return fmt.Errorf("resume audit chain from %d: %w", bases[i], err)
		}
		if !foundRec && lastRec != nil {
			l.seq, l.head, foundRec = lastRec.Seq, lastRec.Hash, true
		}
		if !foundCkpt && lastCkpt != nil {
			d, err := lastCkpt.Digest()
			if err != nil {
				return err
			}
			l.ckptNum, l.ckptPrev, foundCkpt = lastCkpt.Number, d, true
			if foundRec && lastCkpt.Seq < l.seq {
				// sinceCkpt is only compared with Checkpoint.Every: saturate there, so no
				// conversion or later increment can overflow.
				l.sinceCkpt = l.cfg.Checkpoint.Every
				if gap := l.seq - lastCkpt.Seq; gap < math.MaxInt {
					l.sinceCkpt = min(int(gap), l.cfg.Checkpoint.Every)
				}
			}
		}
	}
	if !foundRec && l.spool.Stats().Next > 0 {
		return fmt.Errorf("audit spool in %s holds entries but no record of chain %q: set audit.chain_id to the chain in this folder or use a new audit.dir", l.cfg.Dir, l.chain)
	}
	var st checkpointState
	b, err := os.ReadFile(l.statePath())
	if err == nil && !foundCkpt && json.Unmarshal(b, &st) == nil && st.ChainID == l.chain && st.Number > l.ckptNum {
		l.ckptNum, l.ckptPrev = st.Number, st.Digest
	} else if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("read checkpoint state: %w", err)
	}
	if foundRec && !foundCkpt {
		l.sinceCkpt = 1 // sign the resumed head soon
	}
	return nil
}

// checkpointPrefix starts every checkpoint entry warden writes (json.Marshal of SignedCheckpoint:
// fields in order), and no record starts with it. The fast path of resume relies on this; entries
// written by anything else fall back to the full scan when they are last in their segment.
var checkpointPrefix = []byte(`{"checkpoint":`)

// lastInSegment returns the segment's last record and last checkpoint of this chain (nil when
// there is none). A segment normally holds one chain only, so it parses just the last entry of
// each kind; only when one of those is unreadable or of another chain does it parse every entry.
// (Parsing every entry of a full 64 MiB segment with encoding/json took about a second.)
func (l *Log) lastInSegment(base uint64) (*Integrity, *Checkpoint, error) {
	var recBuf, ckptBuf []byte
	sawRec, sawCkpt := false, false
	err := spool.ScanSegment(l.cfg.Dir, base, func(e spool.Entry) error {
		if bytes.HasPrefix(e.Payload, checkpointPrefix) {
			ckptBuf, sawCkpt = append(ckptBuf[:0], e.Payload...), true
		} else {
			recBuf, sawRec = append(recBuf[:0], e.Payload...), true
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	rec, recOK := l.probeRecord(recBuf)
	ckpt, ckptOK := l.probeCheckpoint(ckptBuf)
	if (!sawRec || recOK) && (!sawCkpt || ckptOK) {
		return rec, ckpt, nil
	}
	return l.scanSegment(base)
}

// probeRecord parses b as a record of this chain.
func (l *Log) probeRecord(b []byte) (*Integrity, bool) {
	p, err := record.ParseProbe(b)
	if err != nil || p.Kind() != record.KindRecord || p.Unmapped.Integrity.ChainID != l.chain {
		return nil, false
	}
	return p.Unmapped.Integrity, true
}

// probeCheckpoint parses b as a checkpoint of this chain.
func (l *Log) probeCheckpoint(b []byte) (*Checkpoint, bool) {
	p, err := record.ParseProbe(b)
	if err != nil || p.Kind() != record.KindCheckpoint || p.Checkpoint.ChainID != l.chain {
		return nil, false
	}
	return p.Checkpoint, true
}

// scanSegment parses every entry of the segment: the slow path of lastInSegment.
func (l *Log) scanSegment(base uint64) (*Integrity, *Checkpoint, error) {
	var lastRec *Integrity
	var lastCkpt *Checkpoint
	err := spool.ScanSegment(l.cfg.Dir, base, func(e spool.Entry) error {
		if rec, ok := l.probeRecord(e.Payload); ok {
			lastRec = rec
		} else if ckpt, ok := l.probeCheckpoint(e.Payload); ok {
			lastCkpt = ckpt
		}
		return nil // unreadable entries are reported by verify, not fatal here
	})
	return lastRec, lastCkpt, err
}
