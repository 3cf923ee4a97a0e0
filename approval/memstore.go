package approval

import (
	"context"
	"fmt"
	"sort"
	"sync"
)

// MemoryStore keeps approvals in memory: for a single warden replica and for tests.
type MemoryStore struct {
	mu       sync.Mutex
	m        map[string]Approval
	watchers []func(Approval)
	salt     string
}

// NewMemoryStore returns an empty store.
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{m: map[string]Approval{}, salt: randomID("mem_")}
}

// IDSalt implements IDSalter: a store that forgets everything on restart must not hand out the
// ids of the previous run again (the audit trail correlates by them).
func (s *MemoryStore) IDSalt() string { return s.salt }

// Put implements Store.
func (s *MemoryStore) Put(_ context.Context, next Approval) error {
	s.mu.Lock()
	cur, ok := s.m[next.ID]
	if (!ok && next.Version != 1) || (ok && cur.Version+1 != next.Version) {
		s.mu.Unlock()
		return fmt.Errorf("approval %s version %d: %w", next.ID, next.Version, ErrConflict)
	}
	s.m[next.ID] = next
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
	a, ok := s.m[id]
	return a, ok
}

// List implements Store; approvals come oldest first.
func (s *MemoryStore) List() []Approval {
	s.mu.Lock()
	defer s.mu.Unlock()
	return sorted(s.m)
}

// Watch implements Store.
func (s *MemoryStore) Watch(fn func(Approval)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.watchers = append(s.watchers, fn)
}

// Close implements Store.
func (s *MemoryStore) Close() error { return nil }

func sorted(m map[string]Approval) []Approval {
	out := make([]Approval, 0, len(m))
	for _, a := range m {
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Created.Equal(out[j].Created) {
			return out[i].Created.Before(out[j].Created)
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// Delete removes id.
func (s *MemoryStore) Delete(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, id)
	return nil
}
