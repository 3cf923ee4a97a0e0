package creds

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"
)

// reportPercentiles adds p50 and p99 of the per-operation durations.
func reportPercentiles(b *testing.B, d []time.Duration) {
	if len(d) == 0 {
		return
	}
	slices.Sort(d)
	b.ReportMetric(float64(d[len(d)/2].Nanoseconds()), "p50-ns/op")
	b.ReportMetric(float64(d[len(d)*99/100].Nanoseconds()), "p99-ns/op")
}

// BenchmarkInjectWarm measures the latency Inject adds to a request whose
// session already holds the credential: route match, cache lookup, header
// rendering and the redactor list. No Vault call happens.
func BenchmarkInjectWarm(b *testing.B) {
	e := newEnv(b, true)
	br, _ := newBroker(b, e.config())
	ctx := context.Background()
	for _, c := range []struct{ name, host string }{
		{"kv2-bearer", "api.openai.com"},
		{"database-basic", "db.orders.internal"},
	} {
		b.Run(c.name, func(b *testing.B) {
			if _, err := br.Inject(ctx, "warm", c.host, "/v1/x"); err != nil {
				b.Fatal(err)
			}
			var durations []time.Duration
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				start := time.Now()
				_, err := br.Inject(ctx, "warm", c.host, "/v1/x")
				durations = append(durations, time.Since(start))
				if err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			reportPercentiles(b, durations)
		})
	}
}

// BenchmarkInjectCold measures one lease on a new session: a KV v2 read, or
// a database engine lease (Vault creates a PostgreSQL role). The revocation
// at session end is measured separately as revoke-ns/op.
func BenchmarkInjectCold(b *testing.B) {
	e := newEnv(b, true)
	br, _ := newBroker(b, e.config())
	ctx := context.Background()
	for _, c := range []struct{ name, host string }{
		{"kv2", "api.openai.com"},
		{"database", "db.orders.internal"},
	} {
		b.Run(c.name, func(b *testing.B) {
			var lease, revoke []time.Duration
			i := 0
			for b.Loop() {
				i++
				session := fmt.Sprintf("cold-%s-%d", c.name, i)
				start := time.Now()
				if _, err := br.Inject(ctx, session, c.host, "/"); err != nil {
					b.Fatal(err)
				}
				lease = append(lease, time.Since(start))
				b.StopTimer()
				start = time.Now()
				if err := br.EndSession(ctx, session); err != nil {
					b.Fatal(err)
				}
				revoke = append(revoke, time.Since(start))
				b.StartTimer()
			}
			reportPercentiles(b, lease)
			slices.Sort(revoke)
			b.ReportMetric(float64(revoke[len(revoke)/2].Nanoseconds()), "revoke-p50-ns/op")
		})
	}
}

// BenchmarkInjectWarmNoVault is BenchmarkInjectWarm on a cache seeded in
// memory, for machines without the Vault binary: the same code path, since a
// warm Inject never calls Vault.
func BenchmarkInjectWarmNoVault(b *testing.B) {
	cfg := validConfig()
	cfg.Routes = append(cfg.Routes, Route{
		Host: "*.orders.internal", Role: "db",
		Headers: map[string]string{"authorization": "Basic {{ basicAuth .username .password }}"},
	})
	routes, err := compileRoutes(cfg.Routes)
	if err != nil {
		b.Fatal(err)
	}
	br := &Broker{routes: Routes{routes: routes}, now: time.Now, sessions: map[string]map[string]*lease{}}
	seed := func(role string, sd *secretData) {
		l := &lease{ready: make(chan struct{}), quit: make(chan struct{})}
		close(l.ready)
		l.cur.Store(sd)
		l.expires.Store(time.Now().Add(time.Hour).UnixNano())
		if br.sessions["warm"] == nil {
			br.sessions["warm"] = map[string]*lease{}
		}
		br.sessions["warm"][role] = l
	}
	seed("openai", &secretData{data: map[string]any{"api_key": "sk-0123456789abcdef"}, values: []string{"sk-0123456789abcdef"}})
	seed("db", &secretData{
		data:   map[string]any{"username": "v-root-app-x", "password": "p-0123456789"},
		values: []string{"v-root-app-x", "p-0123456789"}, leaseID: "database/creds/app/x", ttl: time.Hour,
	})
	ctx := context.Background()
	for _, c := range []struct{ name, host string }{{"kv2-bearer", "api.openai.com"}, {"database-basic", "db.orders.internal"}} {
		b.Run(c.name, func(b *testing.B) {
			var durations []time.Duration
			b.ReportAllocs()
			for b.Loop() {
				start := time.Now()
				_, err := br.Inject(ctx, "warm", c.host, "/v1/x")
				durations = append(durations, time.Since(start))
				if err != nil {
					b.Fatal(err)
				}
			}
			reportPercentiles(b, durations)
		})
	}
}
