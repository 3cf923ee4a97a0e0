package audit

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/warden-gw/warden/audit/record"
	"github.com/warden-gw/warden/audit/spool"
	"github.com/warden-gw/warden/exchange"
)

// ErrorCodeAuditTimeout is the error_code of the completion record that follows a request
// record whose write outlived the caller's deadline (the client was refused with 503).
const ErrorCodeAuditTimeout = "audit_timeout"

// Record appends the record of x at stage to the chain.
//
// StageRequest returns once the record is written (mode written) or fsynced (mode strict),
// group-committed with concurrent callers, or with ctx's error when ctx ends first: the caller
// then refuses the request (503), and when the record lands later a failed completion record
// with error_code audit_timeout follows it, so that the chain says what the client saw.
// Pass context.WithoutCancel(ctx), bounded by the message deadline, so that a cancelled client
// still leaves its record.
//
// StageCompletion never waits for the disk: the exchange already happened and the reply must not
// be held for its record. It returns an error only when the record could not be queued (spool
// full or failed, log closed); that is counted in warden_audit_completion_lost_total and logged
// here, and must not change the answer.
func (l *Log) Record(ctx context.Context, x *exchange.Exchange, stage Stage) error {
	start := time.Now()
	t, err := l.queueExchange(x, stage, l.append)
	if stage == StageCompletion {
		if err != nil {
			l.completionLost(x.ID, err)
			return err
		}
		l.m.records.WithLabelValues(string(stage)).Inc()
		l.m.recordWait.Observe(time.Since(start).Seconds())
		return nil
	}
	if err != nil {
		return err
	}
	err = l.wait(ctx, t, stage, start)
	if err != nil && stage == StageRequest && ctx.Err() != nil {
		l.afterTimeout(t, x)
	}
	return err
}

// queueExchange builds the record of x at stage and queues it with appendFn (Log.append). The
// request record leaves its memo on x; the completion record reuses the parts of it that did not
// change and drops it.
func (l *Log) queueExchange(x *exchange.Exchange, stage Stage, appendFn appendFunc) (spool.Ticket, error) {
	rec := l.build(x, stage)
	prev := l.memoOf(x)
	var keep *memo
	if stage == StageRequest {
		keep = &memo{log: l}
	}
	t, err := l.enqueueWith(rec, stage, prev.reuse(), keep, appendFn)
	switch {
	case keep != nil && keep.kept:
		prev.release()
		x.AuditMemo = keep
	case stage == StageCompletion && prev != nil:
		prev.release() // the exchange's last record
		x.AuditMemo = nil
	}
	if keep == nil || !keep.kept {
		record.Release(rec) // encoded, and no memo refers to it
	}
	return t, err
}

// appendFunc hands an encoded record to the sequencer (Log.append).
type appendFunc func(body []byte, content string) (spool.Ticket, error)

// enqueue encodes rec and hands it to the sequencer, which links it into the chain and queues it
// in the spool. It does no disk I/O.
func (l *Log) enqueue(rec *Record, stage Stage) (spool.Ticket, error) {
	return l.enqueueWith(rec, stage, nil, nil, l.append)
}

// enqueueWith is enqueue with memos and the sequencer's hand-off as appendFn: parts of rec that
// did not change since the record of reuse are copied from it (nil: none); when keep is not nil
// and the record was queued, keep holds its memo.
func (l *Log) enqueueWith(rec *Record, stage Stage, reuse *record.Memo, keep *memo, appendFn appendFunc) (spool.Ticket, error) {
	buf := bodyPool.Get().(*[]byte)
	var km *record.Memo
	if keep != nil {
		km = &keep.m
	}
	body, content, err := record.EncodeMemo(*buf, rec, l.cfg.Redact, reuse, km)
	if err != nil {
		bodyPool.Put(buf)
		return spool.Ticket{}, err
	}
	t, err := appendFn(body, content)
	if !errors.Is(err, ErrClosed) { // the sequencer is done with body (it copies what it keeps)
		*buf = body[:0]
		bodyPool.Put(buf)
	}
	if keep != nil && err == nil {
		keep.kept = true
	}
	if err != nil && stage != StageCompletion {
		l.m.recordErrors.WithLabelValues(errReason(err)).Inc()
	}
	return t, err
}

func errReason(err error) string {
	switch {
	case errors.Is(err, ErrSpoolFull):
		return "spool_full"
	case errors.Is(err, ErrClosed):
		return "closed"
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return "timeout"
	case errors.Is(err, ErrRecordPanicked):
		return "panic"
	}
	return "io"
}

// wait blocks until the entry of t is as far as the mode requires: written or fsynced.
func (l *Log) wait(ctx context.Context, t spool.Ticket, stage Stage, start time.Time) error {
	wait, what := l.spool.Wait, "fsynced"
	if l.cfg.Mode == ModeWritten {
		wait, what = l.spool.WaitWritten, "written"
	}
	if err := wait(ctx, t); err != nil {
		l.m.recordErrors.WithLabelValues(errReason(err)).Inc()
		return fmt.Errorf("audit record not %s: %w", what, err)
	}
	l.m.records.WithLabelValues(string(stage)).Inc()
	l.m.recordWait.Observe(time.Since(start).Seconds())
	return nil
}

// afterTimeout follows a request record whose write outlived the caller's deadline with a
// completion record saying that the request failed with 503 audit_timeout, which is what the
// client is answered. It is queued at once, behind the stalled request record, so it lands when
// that write lands; if the request record never lands (the spool failed), neither does this
// one, and the chain holds neither, which also agrees with the refusal.
func (l *Log) afterTimeout(t spool.Ticket, x *exchange.Exchange) {
	cp := *x
	cp.Disposition, cp.Status, cp.End = exchange.Failed, 503, l.cfg.Now()
	cp.ErrorCode = ErrorCodeAuditTimeout
	cp.Error = "the request record was not written before the message deadline; the client was refused with 503 audit_unavailable"
	if _, err := l.enqueue(l.build(&cp, StageCompletion), StageCompletion); err != nil {
		l.completionLost(cp.ID, err)
		return
	}
	l.m.records.WithLabelValues(string(StageCompletion)).Inc()
	l.cfg.Logger.Warn("audit: request record not written before the message deadline; the request was refused with 503",
		"request_id", cp.ID, "entry", t.Index)
}

// ErrRecordPanicked is why a completion record was lost to a panic while it was being built (a
// redaction or a view of the exchange that panicked): reason "panic" of
// warden_audit_completion_lost_total.
var ErrRecordPanicked = errors.New("a panic while the record was built")

// CompletionLost counts and logs a completion record lost on the way to Record, for a caller that
// prepares the record's input itself (pipeline.Auditor): err says why (ErrRecordPanicked).
func (l *Log) CompletionLost(id string, err error) { l.completionLost(id, err) }

// completionLost counts and logs a completion record that could not be queued. The request
// record of the exchange is in the chain; readiness shows the cause (spool failed or full).
func (l *Log) completionLost(id string, err error) {
	l.m.completionLost.WithLabelValues(errReason(err)).Inc()
	l.cfg.Logger.Error("audit: completion record not written; the answer was not changed (the request record exists)",
		"request_id", id, "err", err)
}
