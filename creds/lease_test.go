package creds

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/vault/api"
)

// fakeVault serves secrets by path from memory; down makes every call fail as an unreachable
// Vault would, and calls are counted.
type fakeVault struct {
	mu      sync.Mutex
	secrets map[string]*api.Secret
	down    bool
	reads   map[string]int
	revoked []string
	gate    chan struct{} // when set, Read waits for it (to hold concurrent callers together)
}

func newFakeVault() *fakeVault {
	return &fakeVault{secrets: map[string]*api.Secret{}, reads: map[string]int{}}
}

func (f *fakeVault) Read(ctx context.Context, path string) (*api.Secret, error) {
	if f.gate != nil {
		select {
		case <-f.gate:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reads[path]++
	if f.down {
		return nil, errors.New("dial tcp 127.0.0.1:8200: connection refused")
	}
	s, ok := f.secrets[path]
	if !ok {
		return nil, &api.ResponseError{StatusCode: http.StatusForbidden, Errors: []string{"permission denied"}}
	}
	cp := *s
	return &cp, nil
}

func (f *fakeVault) Renew(_ context.Context, leaseID string, inc int) (*api.Secret, error) {
	return &api.Secret{LeaseID: leaseID, LeaseDuration: inc, Renewable: true}, nil
}

func (f *fakeVault) Revoke(_ context.Context, leaseID string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.down {
		return errors.New("connection refused")
	}
	f.revoked = append(f.revoked, leaseID)
	return nil
}

func (f *fakeVault) Timeout() time.Duration { return time.Second }

func (f *fakeVault) readsOf(path string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.reads[path]
}

// dbCreds is a database secret engine answer: a user per read, with a lease.
func (f *fakeVault) dbCreds(user string, ttl time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.secrets["database/creds/orders"] = &api.Secret{
		LeaseID: "database/creds/orders/" + user, LeaseDuration: int(ttl / time.Second), Renewable: true,
		Data: map[string]any{"username": user, "password": "pw-" + user},
	}
}

func fakeConfig() Config {
	return Config{
		Address: "http://127.0.0.1:8200",
		Auth:    Auth{Method: "token", Token: "t"},
		Roles:   []Role{{Name: "orders-db", Source: SourceDatabase, Path: "orders", TTL: time.Hour}},
		Routes: []Route{{Host: "db.internal", Role: "orders-db", Headers: map[string]string{
			"authorization": "Basic {{ basicAuth .username .password }}",
		}}},
	}
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func newFakeBroker(t *testing.T, v Vault) (*Broker, *clock) {
	t.Helper()
	c := &clock{t: time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)}
	b, err := NewWithVault(context.Background(), fakeConfig(), v, WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	if err != nil {
		t.Fatal(err)
	}
	b.now = c.now
	t.Cleanup(func() { _ = b.Close(context.Background()) })
	return b, c
}

func TestLeaseIsCachedPerSession(t *testing.T) {
	v := newFakeVault()
	v.dbCreds("u1", time.Hour)
	b, _ := newFakeBroker(t, v)
	ctx := context.Background()
	in, err := b.Inject(ctx, "s1", "db.internal", "/q")
	if err != nil {
		t.Fatal(err)
	}
	if in.Role != "orders-db" || in.LeaseID != "database/creds/orders/u1" || in.TTL != time.Hour || header(in, "authorization") == "" {
		t.Fatalf("injection %+v", in)
	}
	if _, err := b.Inject(ctx, "s1", "db.internal", "/other"); err != nil {
		t.Fatal(err)
	}
	if n := v.readsOf("database/creds/orders"); n != 1 {
		t.Fatalf("%d Vault reads for one session, want 1 (the lease is cached)", n)
	}
	v.dbCreds("u2", time.Hour)
	in2, err := b.Inject(ctx, "s2", "db.internal", "/q")
	if err != nil || in2.LeaseID != "database/creds/orders/u2" {
		t.Fatalf("second session: %+v, %v; want its own lease", in2, err)
	}
	if _, err := b.Inject(ctx, "s1", "elsewhere", "/"); !errors.Is(err, ErrNoRoute) {
		t.Fatalf("no route: %v", err)
	}
}

func TestConcurrentInjectsOfOneSessionReadOnce(t *testing.T) {
	v := newFakeVault()
	v.dbCreds("u1", time.Hour)
	v.gate = make(chan struct{})
	b, _ := newFakeBroker(t, v)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := b.Inject(context.Background(), "s1", "db.internal", "/")
			errs <- err
		}()
	}
	close(v.gate)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := v.readsOf("database/creds/orders"); n != 1 {
		t.Fatalf("%d reads for 8 concurrent requests of one session, want 1", n)
	}
}

func TestVaultErrorsAreClassified(t *testing.T) {
	v := newFakeVault()
	v.down = true
	b, _ := newFakeBroker(t, v)
	if _, err := b.Inject(context.Background(), "s1", "db.internal", "/"); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("Vault unreachable: %v, want ErrUnavailable", err)
	}
	v.mu.Lock()
	v.down = false
	v.mu.Unlock()
	// No secret at the path: Vault answers 403, which retrying does not fix.
	if _, err := b.Inject(context.Background(), "s1", "db.internal", "/"); !errors.Is(err, ErrVault) {
		t.Fatalf("Vault refused: %v, want ErrVault", err)
	}
}

func TestExpiredLeaseIsReplaced(t *testing.T) {
	v := newFakeVault()
	v.dbCreds("u1", time.Hour)
	b, c := newFakeBroker(t, v)
	if _, err := b.Inject(context.Background(), "s1", "db.internal", "/"); err != nil {
		t.Fatal(err)
	}
	v.dbCreds("u2", time.Hour)
	c.add(time.Hour) // past the lease's expiry
	in, err := b.Inject(context.Background(), "s1", "db.internal", "/")
	if err != nil || in.LeaseID != "database/creds/orders/u2" {
		t.Fatalf("after expiry: %+v, %v; want a new lease", in, err)
	}
}

func TestEndSessionAndCloseRevoke(t *testing.T) {
	v := newFakeVault()
	v.dbCreds("u1", time.Hour)
	b, _ := newFakeBroker(t, v)
	ctx := context.Background()
	if _, err := b.Inject(ctx, "s1", "db.internal", "/"); err != nil {
		t.Fatal(err)
	}
	v.dbCreds("u2", time.Hour)
	if _, err := b.Inject(ctx, "s2", "db.internal", "/"); err != nil {
		t.Fatal(err)
	}
	if err := b.EndSession(ctx, "s1"); err != nil {
		t.Fatal(err)
	}
	if len(v.revoked) != 1 || v.revoked[0] != "database/creds/orders/u1" {
		t.Fatalf("revoked %v after s1 ended", v.revoked)
	}
	if err := b.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if len(v.revoked) != 2 || v.revoked[1] != "database/creds/orders/u2" {
		t.Fatalf("revoked %v after Close", v.revoked)
	}
	if _, err := b.Inject(ctx, "s3", "db.internal", "/"); !errors.Is(err, ErrClosed) {
		t.Fatalf("after Close: %v", err)
	}
}

// An exchange's own lease (a session nothing tracks) is shared with no session, even one with
// the same id, and EndExchange revokes it alone.
func TestExchangeLeaseIsRevokedAtItsEndAlone(t *testing.T) {
	v := newFakeVault()
	v.dbCreds("u1", time.Hour)
	b, _ := newFakeBroker(t, v)
	ctx := context.Background()
	tracked, err := b.Inject(ctx, "s1", "db.internal", "/")
	if err != nil {
		t.Fatal(err)
	}
	v.dbCreds("u2", time.Hour)
	own, err := b.InjectExchange(ctx, "s1", "db.internal", "/")
	if err != nil {
		t.Fatal(err)
	}
	if own.LeaseID == tracked.LeaseID {
		t.Fatal("the exchange was given the session's lease")
	}
	if err := b.EndExchange(ctx, "s1"); err != nil {
		t.Fatal(err)
	}
	if len(v.revoked) != 1 || v.revoked[0] != own.LeaseID {
		t.Fatalf("revoked %v at the exchange's end, want only %s", v.revoked, own.LeaseID)
	}
	if again, err := b.Inject(ctx, "s1", "db.internal", "/"); err != nil || again.LeaseID != tracked.LeaseID {
		t.Fatalf("the session's lease after the exchange ended: %+v, %v", again, err)
	}
	if err := b.EndExchange(ctx, "no-such-exchange"); err != nil || len(v.revoked) != 1 {
		t.Fatalf("ending an exchange without leases: %v, revoked %v", err, v.revoked)
	}
}
