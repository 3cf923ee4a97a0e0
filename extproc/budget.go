package extproc

import (
	"context"
	"time"
)

// Envoy fails a request with 504 when the reply to one ext_proc message does not arrive within
// its message_timeout. A stage that waits on the network (the identity provider, Vault, the
// approval store) must therefore give up in time for warden to answer with its own documented
// refusal, and to write the audit record of that refusal, before Envoy's timer fires: otherwise
// the client gets Envoy's empty 504 while the record says something else.

// stageShare is the part of the message timeout the network-bound stages of one message may use;
// the rest is kept for the audit write and the reply.
const (
	stageShareNum = 3
	stageShareDen = 4
)

// DefaultMessageTimeout is Envoy's message_timeout when the filter configuration sets none.
const DefaultMessageTimeout = 200 * time.Millisecond

// StageBudget returns the time network-bound stages may spend on one message of the given
// timeout; 0 means no budget (the timeout is unknown or disabled). The approval stage bounds its
// store writes by it before it asks Envoy to hold the request.
func StageBudget(messageTimeout time.Duration) time.Duration {
	if messageTimeout <= 0 {
		return 0
	}
	return messageTimeout * stageShareNum / stageShareDen
}

// stageCtx bounds ctx by the budget of the message being handled: the deadline counts from the
// moment warden received the message, as Envoy's timer counts from the moment it sent it.
func (st *stream) stageCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	b := StageBudget(st.srv.opts.MessageTimeout)
	if b == 0 || st.msgStart.IsZero() {
		return context.WithCancel(ctx)
	}
	return context.WithDeadline(ctx, st.msgStart.Add(b))
}

// The request record's write gets all but an eighth of the message timeout: the record must be
// written, and the reply sent, before Envoy's timer fires, so that the client's answer and the
// record agree (503 audit_unavailable when the write is too slow; the audit log then appends a
// failed completion record with error_code audit_timeout that lands right behind it).
const (
	auditShareNum = 7
	auditShareDen = 8
)

// AuditBudget returns how long the request record's write may take within one message of the
// given timeout; 0 means no deadline.
func AuditBudget(messageTimeout time.Duration) time.Duration {
	if messageTimeout <= 0 {
		return 0
	}
	return messageTimeout * auditShareNum / auditShareDen
}

// auditCtx bounds the request record's write by the message being answered: its deadline
// counts from when the message arrived, or from the hold that restarted Envoy's timer (Envoy's
// Filter::onNewTimeout in ext_proc.cc calls ProcessorState::restartMessageTimer, which enables
// the message timer again with the new timeout from that moment). Outside a message (the stream
// ended: no one waits for an answer) there is no deadline.
func (st *stream) auditCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	start, timeout := st.msgStart, st.srv.opts.MessageTimeout
	if st.held {
		start, timeout = st.heldAt, st.heldFor
	}
	b := AuditBudget(timeout)
	if b == 0 || start.IsZero() {
		return context.WithCancel(ctx)
	}
	return context.WithDeadline(ctx, start.Add(b))
}
