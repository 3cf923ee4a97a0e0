package sqlparse

import (
	"container/list"
	"sync"
)

// The statement cache remembers what PostgreSQL's parser said about statements the fast path
// could not read. Agents repeat their queries, so a statement seen before costs a map lookup
// instead of a parse. Only top-level statements are cached: nested ones (depth > 0) are
// classified with a nesting budget that a cached result would not reflect.
const (
	cacheEntries  = 4096
	cacheMaxKey   = 4 << 10 // longer statements (bulk loads) are rarely repeated
	cacheMaxBytes = 8 << 20
)

type cacheEntry struct {
	key string
	st  Statement
}

type stmtCache struct {
	mu    sync.Mutex
	ll    *list.List
	byKey map[string]*list.Element
	bytes int
}

var statements = &stmtCache{ll: list.New(), byKey: map[string]*list.Element{}}

func cachedStatement(text string, depth int) (Statement, bool) {
	if depth != 0 || len(text) > cacheMaxKey {
		return Statement{}, false
	}
	return statements.get(text)
}

func storeStatement(text string, depth int, st Statement) {
	if depth != 0 || len(text) > cacheMaxKey {
		return
	}
	statements.put(text, st)
}

func (c *stmtCache) get(key string) (Statement, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.byKey[key]
	if !ok {
		return Statement{}, false
	}
	c.ll.MoveToFront(el)
	st := el.Value.(*cacheEntry).st
	st.Tables = append([]string(nil), st.Tables...) // callers may modify their copy
	return st, true
}

func (c *stmtCache) put(key string, st Statement) {
	st.Tables = append([]string(nil), st.Tables...)
	key = string([]byte(key)) // do not keep the caller's whole text alive
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.byKey[key]; ok {
		return
	}
	c.byKey[key] = c.ll.PushFront(&cacheEntry{key: key, st: st})
	c.bytes += len(key)
	for c.ll.Len() > cacheEntries || c.bytes > cacheMaxBytes {
		old := c.ll.Remove(c.ll.Back()).(*cacheEntry)
		delete(c.byKey, old.key)
		c.bytes -= len(old.key)
	}
}

// resetCache empties the statement cache (tests and benchmarks of cold paths).
func resetCache() {
	statements.mu.Lock()
	defer statements.mu.Unlock()
	statements.ll.Init()
	statements.byKey = map[string]*list.Element{}
	statements.bytes = 0
}
