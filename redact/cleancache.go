package redact

import (
	"hash/maphash"
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

// cleanTexts remembers, by a keyed 128-bit hash, the texts a complete scan (scanFinal) found
// nothing in, with the classes it ran: an agent sends its conversation again with every call (the
// system prompt, the tool definitions, every earlier message), and the scan of a text is a pure
// function of the text, the options and the engine's rules, which never change after New. A
// remembered verdict is the verdict a new scan would give, except on a collision of two
// 128-bit hashes under seeds chosen at random per engine (about 2^-128 per pair, and not
// something a client can aim at without the seeds). Only findings-free scans are kept, never
// text; scans that named extra exact values for the call are not kept (the values differ from
// call to call), nor scans that reached a bound (bounds.go: each reach is counted, and a
// remembered verdict would skip the count).
//
// A text seen for the first time costs one hash (64 bits) over the scan: most texts (a new
// message, a completion) are never seen again, and the second half of the key is worked out
// only when a text comes back. So the first two sightings are scanned and the third and later
// are not.
type cleanTexts struct {
	seed1, seed2 maphash.Seed
	mu           sync.RWMutex
	m            map[cleanKey]uint64 // the second hash, or seenOnce
}

// cleanKey is the first half of a text's hash with the classes its scan ran.
type cleanKey struct {
	h1      uint64
	disable Class
}

// seenOnce marks a text scanned clean once, whose second hash has not been taken.
const seenOnce = 0

const (
	// cleanTextMin is 1: a short string costs a scan its fixed work (the end-of-text checks,
	// a second look at a tail that ends in a word) of about 1 µs, a look-up about 50 ns, and
	// the short strings of a body (a model, a role, a finish reason) repeat the most.
	cleanTextMin     = 1
	cleanTextEntries = 16384 // under 1 MiB; the set starts over when full
)

func newCleanTexts() *cleanTexts {
	return &cleanTexts{seed1: maphash.MakeSeed(), seed2: maphash.MakeSeed()}
}

// cleanLookup is what the set knows of one text under one set of options.
type cleanLookup struct {
	key      cleanKey
	keep     bool   // the scan's verdict may be remembered
	clean    bool   // remembered clean: no scan needed
	h2       uint64 // the second hash, when taken (never seenOnce)
	needBoth bool   // a clean scan is to be remembered with both hashes
}

// lookup tells whether b is remembered clean under o.
func (c *cleanTexts) lookup(b []byte, o *Options) cleanLookup {
	if len(b) < cleanTextMin || len(o.Exact) > 0 {
		return cleanLookup{}
	}
	l := cleanLookup{key: cleanKey{h1: maphash.Bytes(c.seed1, b), disable: o.Disable}, keep: true}
	c.mu.RLock()
	h2, ok := c.m[l.key]
	c.mu.RUnlock()
	if !ok {
		return l
	}
	l.needBoth = true
	l.h2 = c.second(b)
	l.clean = h2 != seenOnce && h2 == l.h2
	return l
}

// second is b's second hash, never seenOnce.
func (c *cleanTexts) second(b []byte) uint64 {
	if h := maphash.Bytes(c.seed2, b); h != seenOnce {
		return h
	}
	return seenOnce + 1
}

// remember records that a complete scan of the text of l found nothing.
func (c *cleanTexts) remember(l cleanLookup) {
	v := uint64(seenOnce)
	if l.needBoth {
		v = l.h2
	}
	c.mu.Lock()
	if c.m == nil || len(c.m) >= cleanTextEntries {
		c.m = make(map[cleanKey]uint64, 1024)
	}
	c.m[l.key] = v
	c.mu.Unlock()
}
