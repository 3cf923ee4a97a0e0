package verify

import (
	"fmt"
	"slices"

	"github.com/warden-gw/warden/audit/record"
)

// walkCheckpoints checks signatures, the checkpoint chain, and that each signed (seq, hash) is
// the record present in the input. A signed seq beyond the last record means the input was
// truncated.
func (v *verifier) walkCheckpoints(c string) {
	cs := v.rep.Chains[c]
	var prev *record.Checkpoint
	for _, x := range v.ckpts[c] {
		ck := x.sc.Checkpoint
		cs.Checkpoints++
		if v.keys.Len() > 0 {
			if err := x.sc.VerifyWith(v.keys); err != nil {
				v.problem(x.order, ProblemSignature, x.pos, c, ck.Seq, "checkpoint #%d: %v", ck.Number, err)
				continue
			}
		}
		if !slices.Contains(cs.KeyIDs, ck.KeyID) {
			cs.KeyIDs = append(cs.KeyIDs, ck.KeyID)
		}
		if prev == nil && ck.Number > 1 && cs.FirstSeq == 1 {
			// The input holds the chain from its first record, so it holds every checkpoint
			// written since: checkpoints are appended after the records they sign, and segments
			// are only ever trimmed oldest first.
			v.problem(x.order, ProblemDeleted, x.pos, c, ck.Seq, "checkpoints #1..#%d missing: the records start at seq 1 but the first checkpoint is #%d", ck.Number-1, ck.Number)
		}
		if prev != nil {
			d, err := prev.Digest()
			switch {
			case err != nil:
				v.problem(x.order, ProblemUnparseable, x.pos, c, ck.Seq, "checkpoint #%d: %v", prev.Number, err)
			case ck.Number <= prev.Number:
				v.problem(x.order, ProblemReordered, x.pos, c, ck.Seq, "checkpoint #%d appears after checkpoint #%d", ck.Number, prev.Number)
				continue
			case ck.Number > prev.Number+1:
				v.problem(x.order, ProblemDeleted, x.pos, c, ck.Seq, "checkpoints #%d..#%d missing", prev.Number+1, ck.Number-1)
			case ck.PrevCheckpoint != d:
				v.problem(x.order, ProblemSpliced, x.pos, c, ck.Seq, "checkpoint #%d does not sign checkpoint #%d", ck.Number, prev.Number)
			}
		}
		h, ok := v.hashes[c][ck.Seq]
		switch {
		case ok && h != ck.RecordHash:
			v.problem(x.order, ProblemModified, x.pos, c, ck.Seq, "checkpoint #%d signed a different record at seq %d: the chain was rewritten", ck.Number, ck.Seq)
		case !ok && ck.Seq > v.lastSeq[c]:
			v.problem(x.order, ProblemTruncated, x.pos, c, ck.Seq, "checkpoint #%d signed seq %d but the records end at seq %d", ck.Number, ck.Seq, v.lastSeq[c])
		case ok && ck.Seq > cs.SignedUpTo:
			cs.SignedUpTo = ck.Seq
		}
		p := ck
		prev = &p
	}
	if cs.Records > 0 && cs.Checkpoints == 0 {
		msg := fmt.Sprintf("chain %s has no checkpoint: it is internally consistent but not signed", c)
		if v.opts.Strict {
			v.problem(1<<30, ProblemUnsigned, "end of input", c, cs.LastSeq, "%s", msg)
		} else {
			v.rep.Warnings = append(v.rep.Warnings, msg)
		}
	} else if cs.Records > 0 && cs.SignedUpTo < cs.LastSeq {
		v.rep.Warnings = append(v.rep.Warnings, fmt.Sprintf("chain %s: seq %d..%d are not yet covered by a checkpoint", c, cs.SignedUpTo+1, cs.LastSeq))
	}
}
