package audit

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"

	"github.com/warden-gw/warden/audit/spool"
)

// resume finds the chain head (last record of this chain) and the last checkpoint in the spool,
// scanning segments from the newest, so that the chain continues after a restart.
func (l *Log) resume() error {
	bases := l.spool.SegmentBases()
	foundRec, foundCkpt := false, false
	for i := len(bases) - 1; i >= 0 && (!foundRec || !foundCkpt); i-- {
		var lastRec *Integrity
		var lastCkpt *Checkpoint
		err := spool.ScanSegment(l.cfg.Dir, bases[i], func(e spool.Entry) error {
			p, err := parseProbe(e.Payload)
			if err != nil {
				return nil // unreadable entries are reported by verify, not fatal here
			}
			switch p.kind() {
			case kindRecord:
				if p.Unmapped.Integrity.ChainID == l.chain {
					lastRec = p.Unmapped.Integrity
				}
			case kindCheckpoint:
				if p.Checkpoint.ChainID == l.chain {
					lastCkpt = p.Checkpoint
				}
			}
			return nil
		})
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
