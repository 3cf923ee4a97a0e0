package audit

import (
	"strings"
	"sync"
	"sync/atomic"
)

// Bounds of the memo of clean strings: a string longer than memoMaxLen is always scanned, and
// the memo is emptied when it holds memoMaxEntries strings (at most ~2 MiB).
const (
	memoMaxLen     = 256
	memoMaxEntries = 8192
)

// redactor passes strings through Config.Redact and remembers the short ones it returned
// unchanged. Most strings of a record repeat from record to record — the OCSF names, the host,
// the agent, the user agent, rule names, the same strings at both stages of an exchange — and
// Config.Redact, being a function of its input, finds them clean every time; the memo skips the
// scan for them. Only strings the redactor returned unchanged are remembered, so a memo hit
// gives exactly what the redactor would; nothing that held a secret is kept.
type redactor struct {
	f     func(string) string
	clean sync.Map // string → struct{}
	n     atomic.Int64
}

func (r *redactor) apply(s string) string {
	short := len(s) <= memoMaxLen
	if short {
		if _, ok := r.clean.Load(s); ok {
			return s
		}
	}
	out := r.f(s)
	if out == s && short {
		if r.n.Add(1) > memoMaxEntries {
			r.clean.Clear()
			r.n.Store(1)
		}
		r.clean.Store(strings.Clone(s), struct{}{}) // not a view into a request body
	}
	return out
}
