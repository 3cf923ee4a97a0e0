package identity

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// syncBuffer is a log sink safe for the tracker's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) lines(substr string) []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []string
	for _, l := range strings.Split(b.b.String(), "\n") {
		if strings.Contains(l, substr) {
			out = append(out, l)
		}
	}
	return out
}

// TestSessionTableFullIsLoggedOnceAndCounted: with the table full, every request of a session
// that does not fit is still served (Touch does not refuse it) but is counted in
// warden_sessions_untracked_requests_total, and the operator gets one warning per
// FullLogInterval, not one per request.
func TestSessionTableFullIsLoggedOnceAndCounted(t *testing.T) {
	clk := newClock()
	var logs syncBuffer
	s := NewSessions(SessionConfig{MaxSessions: 2}, WithClock(clk.Now), WithTicks(make(chan time.Time)),
		WithSessionLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	t.Cleanup(func() { _ = s.Close(context.Background()) })
	reg := prometheus.NewRegistry()
	reg.MustRegister(s.Collectors()...)

	s.Touch("s_a")
	s.Touch("s_b")
	for range 50 {
		if s.Touch("s_c") {
			t.Fatal("a session past max_sessions was tracked")
		}
	}
	s.Touch("s_a") // a tracked session is untouched by the full table
	if got := len(logs.lines("session table full")); got != 1 {
		t.Fatalf("%d warnings for 50 requests of one untracked session, want 1:\n%s", got, logs.lines("session table full"))
	}
	for name, want := range map[string]float64{
		"warden_sessions_active": 2, "warden_sessions_max": 2, "warden_sessions_untracked_requests_total": 50,
	} {
		if got := gathered(t, reg, name); got != want {
			t.Fatalf("%s = %v, want %v", name, got, want)
		}
	}

	clk.Add(FullLogInterval - time.Second)
	s.Touch("s_d")
	if got := len(logs.lines("session table full")); got != 1 {
		t.Fatalf("warned again within FullLogInterval: %d warnings", got)
	}
	clk.Add(time.Second)
	s.Touch("s_e")
	warnings := logs.lines("session table full")
	if len(warnings) != 2 || !strings.Contains(warnings[1], "untracked_requests_since_last_warning=51") ||
		!strings.Contains(warnings[1], "untracked_requests_total=52") {
		t.Fatalf("after FullLogInterval want a second warning counting the 51 requests since the first:\n%s", strings.Join(warnings, "\n"))
	}
}

// gathered returns the value of the unlabelled gauge or counter name in reg.
func gathered(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != name || len(f.GetMetric()) != 1 {
			continue
		}
		m := f.GetMetric()[0]
		if m.GetCounter() != nil {
			return m.GetCounter().GetValue()
		}
		return m.GetGauge().GetValue()
	}
	t.Fatalf("no metric %s", name)
	return 0
}
