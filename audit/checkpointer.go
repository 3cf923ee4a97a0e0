package audit

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"time"

	"github.com/warden-gw/warden/audit/spool"
)

// The checkpointer: snapshots of the chain head are queued on the record path and signed off it,
// one goroutine, so that Record never waits for a signer (a local key or Vault transit).

// ckptSnapshot is the chain head a checkpoint will sign.
type ckptSnapshot struct {
	seq   uint64
	head  string
	time  int64
	final bool
}

// ckptQueue bounds the snapshots waiting for the checkpointer. When it is full (the signer is
// slow or down) a snapshot is skipped: the next one covers its records.
const ckptQueue = 16

// snapshotLocked queues a checkpoint of the current head for the checkpointer (mu held).
func (l *Log) snapshotLocked(final bool) {
	if l.seq == 0 {
		return
	}
	snap := ckptSnapshot{seq: l.seq, head: l.head, time: l.cfg.Now().UnixMilli(), final: final}
	select {
	case l.ckpts <- snap:
		l.sinceCkpt, l.ckptRetry = 0, false
	default:
		l.ckptRetry = true
	}
}

// checkpointer signs the queued snapshots in order and takes one every Interval when records
// were written since the last (or the last could not be signed). At stop it signs the final one.
func (l *Log) checkpointer() {
	defer l.wg.Done()
	t := time.NewTicker(l.cfg.Checkpoint.Interval)
	defer t.Stop()
	for {
		select {
		case snap := <-l.ckpts:
			select {
			case <-l.stop: // Close is waiting: the final checkpoint covers this snapshot
				l.finalCheckpoint()
				return
			default:
			}
			l.checkpoint(snap)
		case <-t.C:
			l.mu.Lock()
			if !l.closed && (l.sinceCkpt > 0 || l.ckptRetry) {
				l.snapshotLocked(false)
			}
			l.mu.Unlock()
		case <-l.stop:
			l.finalCheckpoint()
			return
		}
	}
}

// finalCheckpoint signs the head once no record can be appended any more (Close set closed).
// Snapshots still queued are skipped: the final one covers their records, and a slow signer
// should not be asked for each of them at shutdown. Appending the checkpoint can make room by
// dropping old segments (drop_oldest), which appends a marker record after it; the head is then
// signed again, so that the last entry of the chain is always covered.
func (l *Log) finalCheckpoint() {
drain:
	for {
		select {
		case <-l.ckpts:
		default:
			break drain
		}
	}
	for range 4 {
		l.mu.Lock()
		snap := ckptSnapshot{seq: l.seq, head: l.head, time: l.cfg.Now().UnixMilli(), final: true}
		l.mu.Unlock()
		if snap.seq == 0 || !l.checkpoint(snap) {
			return
		}
		l.mu.Lock()
		moved := l.seq != snap.seq
		l.mu.Unlock()
		if !moved {
			return
		}
	}
}

// ckptLogEvery rate-limits the error logged while checkpoints cannot be signed.
const ckptLogEvery = time.Minute

// checkpoint signs snap (outside the chain lock), appends it and links the next one to it. A
// snapshot that cannot be signed is dropped and the next one covers its records; the checkpoint
// chain stays unbroken because only a written checkpoint becomes the previous one. It reports
// whether the checkpoint was written.
func (l *Log) checkpoint(snap ckptSnapshot) bool {
	c := Checkpoint{
		ChainID: l.chain, Number: l.ckptNum + 1, Seq: snap.seq, RecordHash: snap.head,
		PrevCheckpoint: l.ckptPrev, Time: snap.time, Final: snap.final,
	}
	sc, err := SignCheckpoint(l.signer, c)
	var b []byte
	if err == nil {
		b, err = json.Marshal(sc)
	}
	var t spool.Ticket
	if err == nil {
		l.mu.Lock()
		var dropped *spool.Dropped
		t, dropped, err = l.spool.Append(b)
		// A checkpoint that made room by dropping old segments leaves a marker like any record.
		l.noteDropped(dropped)
		if err != nil {
			l.ckptRetry = true
		}
		l.mu.Unlock()
	} else {
		l.mu.Lock()
		l.ckptRetry = true
		l.mu.Unlock()
	}
	if err != nil {
		l.m.ckptErrors.Inc()
		l.ckptFails++
		if l.ckptFails == 1 || time.Since(l.ckptLog) >= ckptLogEvery {
			l.ckptLog = time.Now()
			l.cfg.Logger.Error("audit: cannot sign or write a checkpoint; records are still written and the next checkpoint covers them",
				"err", err, "failures", l.ckptFails, "unsigned_from_seq", snap.seq)
		}
		return false
	}
	if l.ckptFails > 0 {
		l.cfg.Logger.Info("audit: checkpoints are signed again", "after_failures", l.ckptFails, "seq", snap.seq)
		l.ckptFails = 0
	}
	digest, _ := sc.Checkpoint.Digest()
	l.ckptNum, l.ckptPrev = c.Number, digest
	l.m.checkpoints.Inc()
	st := checkpointState{ChainID: l.chain, Number: c.Number, Digest: digest}
	l.wg.Add(1)
	go func() {
		defer l.wg.Done()
		// Only a durable checkpoint may be remembered: after a crash the next checkpoint must
		// link to one that is really in the spool.
		if l.spool.Wait(context.Background(), t) == nil {
			l.saveCheckpointState(st)
		}
	}()
	return true
}

type checkpointState struct {
	ChainID string `json:"chain_id"`
	Number  uint64 `json:"number"`
	Digest  string `json:"digest"`
}

func (l *Log) statePath() string { return filepath.Join(l.cfg.Dir, "checkpoint.state") }

// saveCheckpointState keeps the checkpoint chain across restarts when the segment holding the
// last checkpoint was shipped and trimmed. Not fsynced: resume prefers a checkpoint found in the
// spool and uses this file only when the spool holds none.
func (l *Log) saveCheckpointState(st checkpointState) {
	l.stateMu.Lock()
	defer l.stateMu.Unlock()
	if st.Number <= l.stateSaved {
		return
	}
	b, _ := json.Marshal(st)
	tmp := l.statePath() + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err == nil && os.Rename(tmp, l.statePath()) == nil {
		l.stateSaved = st.Number
	}
}
