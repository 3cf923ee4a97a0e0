package redact

import (
	"strings"
	"sync"
)

// cleanStrings remembers short strings Engine.Text found nothing in, so that the strings every
// audit record repeats (methods, hosts, header values, rule and policy names, OCSF constants)
// are scanned once rather than once per record. It holds only strings without a finding, it is
// bounded in entries and in the length of each, and an Engine's rules never change after New, so
// a remembered verdict is the verdict a new scan would give.
type cleanStrings struct {
	mu sync.RWMutex
	m  map[string]struct{}
}

const (
	cleanMaxLen     = 256  // longer strings are scanned each time: they are rarely repeated
	cleanMaxEntries = 4096 // at most ~1 MiB; the set starts over when full
)

func (c *cleanStrings) has(s string) bool {
	if len(s) > cleanMaxLen {
		return false
	}
	c.mu.RLock()
	_, ok := c.m[s]
	c.mu.RUnlock()
	return ok
}

func (c *cleanStrings) add(s string) {
	if len(s) > cleanMaxLen {
		return
	}
	s = strings.Clone(s) // do not keep the body s may be a slice of alive
	c.mu.Lock()
	if c.m == nil || len(c.m) >= cleanMaxEntries {
		c.m = make(map[string]struct{}, 256)
	}
	c.m[s] = struct{}{}
	c.mu.Unlock()
}
