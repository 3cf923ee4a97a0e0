package approval

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// MemoryStore keeps approvals in memory: for a single warden replica and for tests.
type MemoryStore struct {
	mu       sync.Mutex
	idx      index
	watchers []func(Approval)
	salt     string
}

// NewMemoryStore returns an empty store.
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{idx: newIndex(), salt: randomID("mem_")}
}

// IDSalt implements IDSalter: a store that forgets everything on restart must not hand out the
// ids of the previous run again (the audit trail correlates by them).
func (s *MemoryStore) IDSalt() string { return s.salt }

// Put implements Store.
func (s *MemoryStore) Put(_ context.Context, next Approval) error {
	s.mu.Lock()
	cur, ok := s.idx.get(next.ID)
	if (!ok && next.Version != 1) || (ok && cur.Version+1 != next.Version) {
		s.mu.Unlock()
		return fmt.Errorf("approval %s version %d: %w", next.ID, next.Version, ErrConflict)
	}
	s.idx.set(next)
	ws := s.watchers
	s.mu.Unlock()
	for _, w := range ws {
		w(next)
	}
	return nil
}

// Get implements Store.
func (s *MemoryStore) Get(id string) (Approval, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.idx.get(id)
}

// List implements Store; approvals come oldest first.
func (s *MemoryStore) List() []Approval {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.idx.all()
}

// ByDigest implements Store.
func (s *MemoryStore) ByDigest(digest string) []Approval {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.idx.withDigest(digest)
}

// Live implements Store.
func (s *MemoryStore) Live() []Approval {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.idx.liveOnes()
}

// TerminalBefore implements Store.
func (s *MemoryStore) TerminalBefore(t time.Time) []Approval {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.idx.terminalBefore(t)
}

// Watch implements Store.
func (s *MemoryStore) Watch(fn func(Approval)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.watchers = append(s.watchers, fn)
}

// Close implements Store.
func (s *MemoryStore) Close() error { return nil }

// Delete removes id.
func (s *MemoryStore) Delete(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.idx.del(id)
	return nil
}
