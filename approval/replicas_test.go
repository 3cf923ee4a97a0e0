package approval

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/warden-gw/warden/exchange"
)

// Two services on one store stand for two replicas that see every write at once; the Kafka
// versions of these tests (kafka_replicas_test.go) add the topic's delay.
func TestSameActionOnTwoReplicasIsOneRequest(t *testing.T) {
	clk := newClock()
	store := NewMemoryStore()
	a, evA, _ := newService(t, Config{}, store, clk)
	b, evB, _ := newService(t, Config{}, store, clk)
	for i := range 5 {
		x := testExchange(fmt.Sprintf(`{"try":%d}`, i))
		ra, rb := requestTogether(t, a, b, x)
		if ra.ID != rb.ID {
			t.Fatalf("try %d: two requests %s and %s for one action", i, ra.ID, rb.ID)
		}
		if n := countDigest(store.List(), DigestOf(x)); n != 1 {
			t.Fatalf("try %d: %d requests stored for one action", i, n)
		}
	}
	if n := countKind(evA, EventRequested) + countKind(evB, EventRequested); n != 5 {
		t.Fatalf("%d approval.requested events for 5 actions", n)
	}
}

func TestApprovalReleasesExactlyOnceAcrossReplicas(t *testing.T) {
	clk := newClock()
	store := NewMemoryStore()
	a, _, _ := newService(t, Config{}, store, clk)
	b, _, _ := newService(t, Config{}, store, clk)
	ctx := context.Background()
	x := testExchange(`{"pod":"web-1"}`)
	ra, rb := requestTogether(t, a, b, x)
	if err := b.Decide(ctx, rb.ID, alice, true, "once"); err != nil {
		t.Fatal(err)
	}
	released := consumeTogether(a, b, DigestOf(x))
	if released != 1 {
		t.Fatalf("one approval released %d requests", released)
	}
	// The next try of the same action is a new request, not the used one.
	next, err := a.Request(ctx, x, decision)
	if err != nil || next.ID == ra.ID || next.Seq != 2 || next.Status != Pending {
		t.Fatalf("request after use: %+v %v", next, err)
	}
}

// A twin (opened by a replica that had not seen the first request) is closed when the first is
// decided: its waiter gets the decision, the approvers are not asked twice, the action passes once.
func TestTwinIsSupersededByTheDecision(t *testing.T) {
	for _, approve := range []bool{true, false} {
		t.Run(fmt.Sprint("approve=", approve), func(t *testing.T) {
			clk := newClock()
			store := NewMemoryStore()
			s, ev, _ := newService(t, Config{}, store, clk)
			ctx := context.Background()
			x := testExchange(`{"pod":"web-1"}`)
			first, err := s.Request(ctx, x, decision)
			if err != nil {
				t.Fatal(err)
			}
			twin := first
			twin.ID, twin.Seq = "apr_twin", 2
			if err := store.Put(ctx, twin); err != nil {
				t.Fatal(err)
			}
			waited := make(chan Status, 1)
			go func() {
				st, err := s.Wait(ctx, twin.ID)
				if err != nil {
					t.Errorf("Wait: %v", err)
				}
				waited <- st
			}()
			if err := s.Decide(ctx, first.ID, alice, approve, "checked"); err != nil {
				t.Fatal(err)
			}
			want := Denied
			if approve {
				want = Approved
			}
			if st := <-waited; st != want {
				t.Fatalf("the twin's waiter got %s, want %s", st, want)
			}
			got, _ := store.Get(twin.ID)
			if got.Status != Superseded || got.LinkedTo != first.ID || got.DecidedBy != alice.Subject {
				t.Fatalf("twin = %+v", got)
			}
			if e, ok := ev.find(EventSuperseded); !ok || e.Approval.ID != twin.ID || e.Actor != alice.Subject {
				t.Fatalf("superseded event %+v %v", e, ok)
			}
			if err := s.Decide(ctx, twin.ID, alice, true, ""); !errors.Is(err, ErrAlreadyDecided) {
				t.Fatalf("deciding the closed twin: %v", err)
			}
			if n := consumeTogether(s, s, DigestOf(x)); (approve && n != 1) || (!approve && n != 0) {
				t.Fatalf("released %d times", n)
			}
		})
	}
}

// requestTogether calls Request on both services at the same instant.
func requestTogether(t *testing.T, a, b *Service, x *exchange.Exchange) (Approval, Approval) {
	t.Helper()
	var got [2]Approval
	var errs [2]error
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, s := range []*Service{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			got[i], errs[i] = s.Request(context.Background(), x, decision)
		}()
	}
	close(start)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatalf("Request: %v", err)
		}
	}
	return got[0], got[1]
}

func countDigest(all []Approval, digest string) int {
	n := 0
	for _, a := range all {
		if a.Digest == digest {
			n++
		}
	}
	return n
}

func countKind(e *eventLog, k EventKind) int {
	n := 0
	for _, got := range e.kinds() {
		if got == k {
			n++
		}
	}
	return n
}

// consumeTogether consumes digest on both services at once and returns how many were let through.
func consumeTogether(a, b *Service, digest string) int {
	var wg sync.WaitGroup
	var mu sync.Mutex
	n := 0
	start := make(chan struct{})
	for _, s := range []*Service{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			if _, ok := s.Consume(context.Background(), DigestKey(digest)); ok {
				mu.Lock()
				n++
				mu.Unlock()
			}
		}()
	}
	close(start)
	wg.Wait()
	return n
}

// A memory store starts empty after a restart: the same action must not get the id an approval
// of the previous run had (audit records correlate by it). Replicas on one store agree.
func TestRequestIDsAreNotReusedByANewMemoryStore(t *testing.T) {
	clk := newClock()
	x := testExchange(`{"pod":"web-1"}`)
	first, _, _ := newService(t, Config{}, NewMemoryStore(), clk)
	again, _, _ := newService(t, Config{}, NewMemoryStore(), clk)
	r1, err1 := first.Request(context.Background(), x, decision)
	r2, err2 := again.Request(context.Background(), x, decision)
	if err1 != nil || err2 != nil || r1.ID == r2.ID {
		t.Fatalf("two empty stores gave the same action the id %s (%v %v)", r1.ID, err1, err2)
	}
}
