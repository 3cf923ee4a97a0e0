package policy

import (
	"context"
	"sync"
	"testing"

	"github.com/warden-gw/warden/exchange"
	"github.com/warden-gw/warden/inspect"
)

// TestDecideConcurrentRecycledActivations: Decide recycles its activation, so decisions taken
// at once on different exchanges must each be the one taken alone (run with -race).
func TestDecideConcurrentRecycledActivations(t *testing.T) {
	ps, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	allow := typicalRequest()
	deny := typicalRequest()
	deny.Request.Body = []byte(`{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"execute_sql","arguments":{"query":"DROP TABLE users"}}}`)
	xs := []*exchange.Exchange{allow, deny}
	want := make([]exchange.Decision, len(xs))
	for i, x := range xs {
		x.Facts = inspect.Analyze(&x.Request)
		want[i] = ps.Decide(context.Background(), x, exchange.PhaseRequest)
	}
	if want[0].Action != exchange.Allow || want[1].Action != exchange.Deny {
		t.Fatalf("alone: %s and %s, want allow and deny", want[0].Action, want[1].Action)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := range 500 {
				i := (g + n) % len(xs)
				if d := ps.Decide(context.Background(), xs[i], exchange.PhaseRequest); d.Action != want[i].Action || d.Rule != want[i].Rule {
					t.Errorf("exchange %d: %s by %q, alone %s by %q", i, d.Action, d.Rule, want[i].Action, want[i].Rule)
					return
				}
			}
		}()
	}
	wg.Wait()
}
