package identity

import (
	"context"
	"sync"
	"testing"
	"time"
)

type endLog struct {
	mu  sync.Mutex
	ids []string
	ch  chan string
}

func newEndLog() *endLog { return &endLog{ch: make(chan string, 16)} }

func (e *endLog) fn(_ context.Context, id string) {
	e.mu.Lock()
	e.ids = append(e.ids, id)
	e.mu.Unlock()
	e.ch <- id
}

func (e *endLog) next(t *testing.T) string {
	t.Helper()
	select {
	case id := <-e.ch:
		return id
	case <-time.After(10 * time.Second):
		t.Fatal("no session end within 10s")
		return ""
	}
}

func TestSessionsJanitor(t *testing.T) {
	clk := newClock()
	ticks := make(chan time.Time)
	s := NewSessions(SessionConfig{IdleTimeout: 10 * time.Minute, MaxLifetime: time.Hour}, WithClock(clk.Now), WithTicks(ticks))
	ends := newEndLog()
	s.OnEnd(ends.fn)

	idle, busy := SessionID("i", "alice", "a", ""), SessionID("i", "bob", "a", "")
	if !s.Touch(idle) || !s.Touch(busy) {
		t.Fatal("first Touch must start a session")
	}
	if s.Touch(busy) {
		t.Fatal("second Touch must not start a new session")
	}
	clk.Add(9 * time.Minute)
	s.Touch(busy)
	clk.Add(2 * time.Minute) // idle: 11m idle; busy: 2m idle
	ticks <- clk.Now()
	if got := ends.next(t); got != idle {
		t.Fatalf("ended %s, want the idle session %s", got, idle)
	}
	// busy keeps being touched but hits its max lifetime.
	clk.Add(7 * time.Minute)
	s.Touch(busy) // 18m after start
	for range 4 { // last touch 54m after start
		clk.Add(9 * time.Minute)
		s.Touch(busy)
	}
	clk.Add(7 * time.Minute) // 61m old, 7m idle
	ticks <- clk.Now()
	if got := ends.next(t); got != busy {
		t.Fatalf("ended %s, want %s at max lifetime", got, busy)
	}
	if s.Active() != 0 {
		t.Fatalf("active = %d after both ended", s.Active())
	}
	// A new session under an old id starts again; Close ends it and fires the callback.
	s.Touch(idle)
	if err := s.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := ends.next(t); got != idle {
		t.Fatalf("Close ended %s, want %s", got, idle)
	}
	if s.Touch(idle) {
		t.Fatal("Touch after Close started a session")
	}
}

func TestSessionTouchAfterExpiryEndsOldSession(t *testing.T) {
	clk := newClock()
	s := NewSessions(SessionConfig{IdleTimeout: time.Minute}, WithClock(clk.Now), WithTicks(make(chan time.Time)))
	ends := newEndLog()
	s.OnEnd(ends.fn)
	id := SessionID("i", "s", "a", "c")
	s.Touch(id)
	clk.Add(2 * time.Minute)
	if !s.Touch(id) {
		t.Fatal("Touch after the idle timeout must start a new session")
	}
	if got := ends.next(t); got != id {
		t.Fatalf("ended %s", got)
	}
	_ = s.Close(context.Background())
}

func TestSessionIDStable(t *testing.T) {
	a := SessionID("iss", "ab", "c", "")
	if a != SessionID("iss", "ab", "c", "") {
		t.Fatal("not stable")
	}
	if a == SessionID("iss", "a", "bc", "") {
		t.Fatal("field boundaries not encoded")
	}
}
