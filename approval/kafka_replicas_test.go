package approval

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"
)

// kafkaPair is two replicas (service + store) sharing one approvals topic on kfake.
func kafkaPair(t testing.TB, clk *clock) (a, b *Service, sa, sb *KafkaStore, evA, evB *eventLog) {
	t.Helper()
	c := newCluster(t)
	sa, sb = kafkaStore(t, c), kafkaStore(t, c)
	a, evA, _ = newService(t, Config{}, sa, clk)
	b, evB, _ = newService(t, Config{}, sb, clk)
	return a, b, sa, sb, evA, evB
}

// The report: the same pending action arriving at two replicas at the same instant opened
// two requests, 5 tries out of 5. Now it is one request, and one approval releases one request.
func TestKafkaSameActionOnTwoReplicasIsOneRequest(t *testing.T) {
	clk := newClock()
	a, b, sa, sb, evA, evB := kafkaPair(t, clk)
	ctx := context.Background()
	for i := range 5 {
		x := testExchange(fmt.Sprintf(`{"try":%d}`, i))
		ra, rb := requestTogether(t, a, b, x)
		if ra.ID != rb.ID {
			t.Fatalf("try %d: two requests %s and %s for one action", i, ra.ID, rb.ID)
		}
		waitUntil(t, func() bool { _, ok := sa.Get(ra.ID); return ok }, sa)
		waitUntil(t, func() bool { _, ok := sb.Get(ra.ID); return ok }, sb)
		if na, nb := countDigest(sa.List(), DigestOf(x)), countDigest(sb.List(), DigestOf(x)); na != 1 || nb != 1 {
			t.Fatalf("try %d: replicas hold %d and %d requests for one action", i, na, nb)
		}
		if err := b.Decide(ctx, ra.ID, alice, true, ""); err != nil {
			t.Fatal(err)
		}
		waitUntil(t, func() bool { g, _ := sa.Get(ra.ID); return g.Status == Approved }, sa)
		if n := consumeTogether(a, b, DigestOf(x)); n != 1 {
			t.Fatalf("try %d: one approval released %d requests", i, n)
		}
	}
	if n := countKind(evA, EventRequested) + countKind(evB, EventRequested); n != 5 {
		t.Fatalf("%d approval.requested events for 5 actions", n)
	}
}

// A request held on replica A is released when an approver approves it on replica B, and a
// denial on B reaches A's retry as "denied by alice: note".
func TestKafkaHeldOnOneReplicaDecidedOnTheOther(t *testing.T) {
	clk := newClock()
	a, b, _, sb, _, _ := kafkaPair(t, clk)
	ctx := context.Background()
	for _, approve := range []bool{true, false} {
		x := testExchange(fmt.Sprintf(`{"approve":%v}`, approve))
		r, err := a.Request(ctx, x, decision)
		if err != nil {
			t.Fatal(err)
		}
		waitUntil(t, func() bool { _, ok := b.Get(r.ID); return ok }, sb)
		waited := make(chan Status, 1)
		go func() {
			st, _ := a.Wait(ctx, r.ID)
			waited <- st
		}()
		if err := b.Decide(ctx, r.ID, alice, approve, "on call says so"); err != nil {
			t.Fatal(err)
		}
		select {
		case st := <-waited:
			if approve && st != Approved || !approve && st != Denied {
				t.Fatalf("approve=%v: A's held request got %s", approve, st)
			}
		case <-time.After(15 * time.Second):
			t.Fatal("A's held request was not released")
		}
		if approve {
			if _, ok := a.Consume(ctx, KeyOf(x)); !ok {
				t.Fatal("A could not consume the approval decided on B")
			}
			continue
		}
		d, ok := a.Get(r.ID)
		if !ok || d.Status != Denied || d.DecidedBy != alice.Subject || d.Note != "on call says so" {
			t.Fatalf("A's view of the denial: %+v %v", d, ok)
		}
	}
}

// BenchmarkKafkaReleaseAcrossReplicas measures how long a request held on replica A waits after an
// approver's decision on replica B returns (ns/op = decision stored on B → A's Wait returns).
//
//	go test ./approval/ -run '^$' -bench KafkaReleaseAcrossReplicas -benchtime 50x
func BenchmarkKafkaReleaseAcrossReplicas(b *testing.B) {
	clk := newClock()
	clk.t = time.Now()
	sa, sb := kafkaPairStores(b)
	ra, _, _ := newService(b, Config{}, sa, clk)
	rb, _, _ := newService(b, Config{}, sb, clk)
	ctx := context.Background()
	var total, worst time.Duration
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		x := testExchange(fmt.Sprintf(`{"n":%d}`, i))
		r, err := ra.Request(ctx, x, decision)
		if err != nil {
			b.Fatal(err)
		}
		waitUntil(b, func() bool { _, ok := rb.Get(r.ID); return ok }, sb)
		waited := make(chan time.Time, 1)
		go func() {
			_, _ = ra.Wait(ctx, r.ID)
			waited <- time.Now()
		}()
		for !waiting(ra, r.ID) { // the waiter registers within microseconds
			runtime.Gosched()
		}
		b.StartTimer()
		if err := rb.Decide(ctx, r.ID, alice, true, ""); err != nil {
			b.Fatal(err)
		}
		stored := time.Now()
		released := <-waited
		lat := max(released.Sub(stored), 0)
		total += lat
		worst = max(worst, lat)
	}
	b.ReportMetric(float64(total.Microseconds())/float64(b.N)/1000, "ms-after-decision/op")
	b.ReportMetric(float64(worst.Microseconds())/1000, "ms-worst")
}

func kafkaPairStores(t testing.TB) (*KafkaStore, *KafkaStore) {
	c := newCluster(t)
	return kafkaStore(t, c), kafkaStore(t, c)
}

// waiting reports whether a Wait call is registered for id.
func waiting(s *Service, id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.waiters[id]) > 0
}

// waitUntil waits until cond holds, looking again whenever a store applies a state (the changes
// cond depends on come through the topic) and at most 15s in all.
func waitUntil(t testing.TB, cond func() bool, stores ...Store) {
	t.Helper()
	changed := make(chan struct{}, 1)
	for _, s := range stores {
		s.Watch(func(Approval) {
			select {
			case changed <- struct{}{}:
			default:
			}
		})
	}
	deadline := time.After(15 * time.Second)
	for !cond() {
		select {
		case <-changed:
		case <-deadline:
			t.Fatal("condition not reached within 15s")
		}
	}
}
