package audit

import (
	"github.com/warden-gw/warden/audit/record"
	"github.com/warden-gw/warden/exchange"
)

// memo is what the request record of an exchange leaves on it (exchange.AuditMemo) for its
// completion record: the record as built and a copy of the encoding of its reusable parts
// (record.Memo, at most 16 KiB). The completion record copies the parts whose values did not
// change instead of building, redacting and encoding them again; the bytes are the same.
type memo struct {
	log  *Log // a memo is only reused by the log that made it (the same redactor)
	m    record.Memo
	kept bool // the record was queued: its memo is valid
}

// memoOf returns the memo l left on x, or nil.
func (l *Log) memoOf(x *exchange.Exchange) *memo {
	if m, ok := x.AuditMemo.(*memo); ok && m.log == l && m.kept {
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

// release drops what the memo holds and gives its record back for reuse; the memo is not reused
// afterwards.
func (m *memo) release() {
	if m != nil {
		m.kept = false
		m.m.Release()
	}
}
