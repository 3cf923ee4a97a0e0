package approval

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"
)

// listCounter is a MemoryStore that counts the walks of the whole store (List).
type listCounter struct {
	*MemoryStore
	lists atomic.Int64
}

func (c *listCounter) List() []Approval {
	c.lists.Add(1)
	return c.MemoryStore.List()
}

// retain fills store with n terminal approvals of other actions, as a day's retention keeps them.
func retain(tb testing.TB, store Store, n int, now time.Time) {
	tb.Helper()
	for i := range n {
		a := Approval{
			ID: fmt.Sprintf("apr_old_%06d", i), Version: 1, Status: Used, Digest: fmt.Sprintf("d_%06d", i),
			Created: now.Add(-time.Hour), Expires: now.Add(-time.Hour),
		}
		if err := store.Put(context.Background(), a); err != nil {
			tb.Fatal(err)
		}
	}
}

// The request path (a held request and its retries, a decision, a use, the janitor) looks its
// action up by digest: none of it walks the approvals kept for the retention window.
func TestHotPathsDoNotWalkTheStore(t *testing.T) {
	clk := newClock()
	store := &listCounter{MemoryStore: NewMemoryStore()}
	retain(t, store, 100, clk.Now())
	s, ev, tk := newService(t, Config{}, store, clk)
	ctx := context.Background()
	x := testExchange(`{"pod":"web-1"}`)
	if _, ok := s.Consume(ctx, KeyOf(x)); ok {
		t.Fatal("released before any approval")
	}
	a, err := s.Request(ctx, x, decision)
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := s.Request(ctx, x, decision); again.ID != a.ID {
		t.Fatalf("retry opened %s, want %s", again.ID, a.ID)
	}
	if p := s.Pending(); len(p) != 1 || p[0].ID != a.ID {
		t.Fatalf("pending = %v", p)
	}
	if err := s.Decide(ctx, a.ID, alice, true, "ok"); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.Consume(ctx, KeyOf(x)); !ok {
		t.Fatal("approved action not released")
	}
	clk.Add(25 * time.Hour)
	tk.tick(clk.Now())
	if _, ok := store.Get("apr_old_000000"); ok {
		t.Fatal("the janitor kept an approval past its retention")
	}
	ev.waitFor(t, EventUsed)
	if n := store.lists.Load(); n != 0 {
		t.Fatalf("the request path walked the whole store %d times", n)
	}
}

// BenchmarkHeldRetry50k is one retry of a held action (Consume misses, Request returns the open
// request) with 50k decided approvals retained for other actions.
func BenchmarkHeldRetry50k(b *testing.B) {
	clk := newClock()
	store := NewMemoryStore()
	retain(b, store, 50_000, clk.Now())
	s, _, _ := newService(b, Config{}, store, clk)
	ctx := context.Background()
	x := testExchange(`{"pod":"web-1"}`)
	if _, err := s.Request(ctx, x, decision); err != nil {
		b.Fatal(err)
	}
	key := KeyOf(x)
	for b.Loop() {
		if _, ok := s.Consume(ctx, key); ok {
			b.Fatal("released")
		}
		if _, err := s.Request(ctx, x, decision); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReusableUse50k is one use of a reusable approval with 50k decided approvals retained.
func BenchmarkReusableUse50k(b *testing.B) {
	clk := newClock()
	store := NewMemoryStore()
	retain(b, store, 50_000, clk.Now())
	s, _, _ := newService(b, Config{Reusable: true}, store, clk)
	ctx := context.Background()
	x := testExchange(`{"pod":"web-1"}`)
	a, err := s.Request(ctx, x, decision)
	if err != nil {
		b.Fatal(err)
	}
	if err := s.Decide(ctx, a.ID, alice, true, ""); err != nil {
		b.Fatal(err)
	}
	key := KeyOf(x)
	for b.Loop() {
		if _, ok := s.Consume(ctx, key); !ok {
			b.Fatal("not released")
		}
	}
}

// BenchmarkSweep50k is one janitor pass with 50k decided approvals retained (none due).
func BenchmarkSweep50k(b *testing.B) {
	clk := newClock()
	store := NewMemoryStore()
	retain(b, store, 50_000, clk.Now())
	s, _, _ := newService(b, Config{}, store, clk)
	ctx := context.Background()
	for b.Loop() {
		s.sweep(ctx)
	}
}

// The retention sees the terminal approvals that are due, oldest first, once each; not the live
// ones, not those created since, not those deleted; and one it could not delete comes up again.
func TestIndexTerminalBefore(t *testing.T) {
	t0 := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	x := newIndex()
	x.set(Approval{ID: "b", Status: Used, Created: t0.Add(2 * time.Minute)})
	x.set(Approval{ID: "a", Status: Denied, Created: t0.Add(time.Minute)})
	x.set(Approval{ID: "a", Status: Denied, Created: t0.Add(time.Minute), Version: 2}) // same again
	x.set(Approval{ID: "p", Status: Pending, Created: t0})
	x.set(Approval{ID: "late", Status: Expired, Created: t0.Add(time.Hour)})
	x.set(Approval{ID: "gone", Status: Expired, Created: t0})
	x.del("gone")
	ids := func(as []Approval) (out []string) {
		for _, a := range as {
			out = append(out, a.ID)
		}
		return out
	}
	due := t0.Add(30 * time.Minute)
	if got := ids(x.terminalBefore(due)); fmt.Sprint(got) != "[a b]" {
		t.Fatalf("due = %v, want [a b]", got)
	}
	if got := ids(x.terminalBefore(due)); fmt.Sprint(got) != "[a b]" {
		t.Fatalf("not deleted, due again = %v, want [a b]", got)
	}
	x.del("a")
	x.set(Approval{ID: "p", Status: Expired, Created: t0, Version: 2})
	if got := ids(x.terminalBefore(due)); fmt.Sprint(got) != "[p b]" {
		t.Fatalf("after a deletion and an expiry = %v, want [p b]", got)
	}
}
