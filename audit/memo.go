package audit

import (
	"github.com/warden-gw/warden/audit/record"
	"github.com/warden-gw/warden/exchange"
)

// memo is what the request record of an exchange leaves on it (exchange.AuditMemo) for its
// completion record: the record as built, its encoding (kept in its pooled buffer) and where
// the reusable parts lie (record.Memo). The completion record copies the parts whose values did
// not change instead of building, redacting and encoding them again; the bytes are the same.
type memo struct {
	log *Log // a memo is only reused by the log that made it (the same redactor)
	m   record.Memo
	buf *[]byte // the pooled buffer of m's encoding, returned by release
}

// memoOf returns the memo l left on x, or nil.
func (l *Log) memoOf(x *exchange.Exchange) *memo {
	if m, ok := x.AuditMemo.(*memo); ok && m.log == l && m.buf != nil {
		return m
	}
	return nil
}

// reuse returns the record memo to take parts from (nil for none).
func (m *memo) reuse() *record.Memo {
	if m == nil {
		return nil
	}
	return &m.m
}

// release gives the memo's buffer back to the pool; the memo is not reused afterwards.
func (m *memo) release() {
	if m == nil || m.buf == nil {
		return
	}
	*m.buf = (*m.buf)[:0]
	bodyPool.Put(m.buf)
	m.buf, m.m = nil, record.Memo{}
}
