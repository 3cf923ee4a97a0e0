package creds

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"time"
)

// lease is the cached credential of one (session, role). Its fields are
// written by the one goroutine that fetches it before ready is closed, and
// afterwards only through atomics by its keeper.
type lease struct {
	role    *Role
	ready   chan struct{} // closed when the first read finished
	err     error         // first read failed; set before ready is closed
	cur     atomic.Pointer[secretData]
	expires atomic.Int64 // unix nanoseconds; math.MaxInt64 without a lease
	margin  time.Duration
	dead    atomic.Bool // revoked, deleted or replaced: never serve again
	quit    chan struct{}
	once    sync.Once
}

// wait blocks until the first read finished or ctx ends; a finished read
// wins over a cancelled ctx.
func (l *lease) wait(ctx context.Context) error {
	select {
	case <-l.ready:
		return nil
	default:
	}
	select {
	case <-l.ready:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (l *lease) stop() { l.once.Do(func() { close(l.quit) }) }

func (l *lease) usable(now time.Time) bool {
	return !l.dead.Load() && now.UnixNano() < l.expires.Load()-int64(l.margin)
}

// Event kinds, reported to the test hook.
const (
	evIssued      = "issued"
	evRenewed     = "renewed"
	evRenewFailed = "renew_failed"
	evDead        = "dead"
	evRefreshed   = "refreshed"
	evRevoked     = "revoked"
)

type event struct {
	kind, session, role, leaseID string
	err                          error
}

func (b *Broker) emit(e event) {
	if b.event != nil {
		b.event(e)
	}
}

// acquire returns a usable lease for (sessionID, role), reading it from Vault
// when there is none. Concurrent callers wait for the same read.
func (b *Broker) acquire(ctx context.Context, sessionID, role string) (*lease, error) {
	for attempt := 0; ; attempt++ {
		b.mu.RLock()
		closed := b.closed
		l := b.sessions[sessionID][role]
		b.mu.RUnlock()
		if closed {
			return nil, ErrClosed
		}
		created := false
		if l == nil {
			l, created = b.start(sessionID, role)
			if l == nil {
				return nil, ErrClosed
			}
		}
		if err := l.wait(ctx); err != nil {
			return nil, fmt.Errorf("%w: waiting for a credential of role %q: %w", ErrUnavailable, role, err)
		}
		if l.err != nil {
			return nil, l.err
		}
		if l.usable(b.now()) {
			return l, nil
		}
		b.drop(sessionID, role, l)
		if created || attempt > 0 {
			return nil, fmt.Errorf("%w: role %q: vault issued a lease that is already expiring (raise the role's TTL in Vault)", ErrVault, role)
		}
	}
}

// start registers a new lease for (sessionID, role), unless another caller
// did first, and reads it in the background.
func (b *Broker) start(sessionID, role string) (l *lease, created bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil, false
	}
	if l = b.sessions[sessionID][role]; l != nil {
		return l, false
	}
	l = &lease{role: b.roles[role], ready: make(chan struct{}), quit: make(chan struct{})}
	roles := b.sessions[sessionID]
	if roles == nil {
		roles = make(map[string]*lease)
		b.sessions[sessionID] = roles
	}
	roles[role] = l
	b.wg.Add(1)
	go b.fetch(sessionID, role, l)
	return l, true
}

// drop removes l from the cache if it is still there and stops its keeper.
// The lease is not revoked: it is expired, revoked already, or Invalidate was
// told the upstream rejects it.
func (b *Broker) drop(sessionID, role string, l *lease) {
	l.dead.Store(true)
	l.stop()
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.sessions[sessionID][role] == l {
		delete(b.sessions[sessionID], role)
		if len(b.sessions[sessionID]) == 0 {
			delete(b.sessions, sessionID)
		}
	}
}

func (b *Broker) fetch(sessionID, role string, l *lease) {
	defer b.wg.Done()
	ctx, cancel := context.WithTimeout(b.bg, b.vault.Timeout()+time.Second)
	sd, err := read(ctx, b.vault, l.role)
	cancel()
	if err != nil {
		l.err = fmt.Errorf("lease credential of role %q: %w", role, err)
		b.drop(sessionID, role, l)
		close(l.ready)
		b.log.Warn("creds: credential read failed", "session", sessionID, "role", role, "err", err)
		return
	}
	l.cur.Store(sd)
	if sd.leaseID != "" {
		l.expires.Store(b.now().Add(sd.ttl).UnixNano())
		l.margin = min(sd.ttl/10, 30*time.Second)
	} else {
		l.expires.Store(math.MaxInt64)
	}
	close(l.ready)
	b.log.Info("creds: credential issued", "session", sessionID, "role", role,
		"lease_id", sd.leaseID, "ttl", sd.ttl, "version", sd.version)
	b.emit(event{kind: evIssued, session: sessionID, role: role, leaseID: sd.leaseID})
	b.wg.Add(1)
	go b.keep(sessionID, role, l)
}

// keep renews l's lease when a third of its TTL is left, or re-reads a
// secret without lease every role TTL, until the lease is dropped, its
// session ends or the broker closes. A lease Vault no longer knows (revoked)
// is marked dead so the next Inject replaces it; while Vault is unreachable,
// renewal is retried until the lease expires.
func (b *Broker) keep(sessionID, role string, l *lease) {
	defer b.wg.Done()
	granted := l.cur.Load().ttl
	retrying := false
	for {
		sd := l.cur.Load()
		wait := b.nextWait(l, sd, granted, retrying)
		if wait < 0 {
			return
		}
		t := time.NewTimer(wait)
		select {
		case <-l.quit:
			t.Stop()
			return
		case <-b.bg.Done():
			t.Stop()
			return
		case <-t.C:
		}
		var err error
		if sd.leaseID != "" {
			var done bool
			granted, done, err = b.renew(sessionID, role, l, sd, granted)
			if done {
				return
			}
		} else {
			err = b.refresh(sessionID, role, l)
		}
		retrying = err != nil
		if err != nil && !errors.Is(err, ErrUnavailable) {
			l.dead.Store(true)
			b.log.Warn("creds: credential no longer valid; the next request leases a new one",
				"session", sessionID, "role", role, "lease_id", sd.leaseID, "err", err)
			b.emit(event{kind: evDead, session: sessionID, role: role, leaseID: sd.leaseID, err: err})
			b.drop(sessionID, role, l)
			return
		}
	}
}

// nextWait says how long to sleep before the next renewal or refresh, or -1
// to stop (the lease is not renewable or already expired).
func (b *Broker) nextWait(l *lease, sd *secretData, granted time.Duration, retrying bool) time.Duration {
	if sd.leaseID == "" {
		if retrying {
			return 5 * time.Second
		}
		return roleTTL(l.role)
	}
	remaining := time.Duration(l.expires.Load() - b.now().UnixNano())
	if !sd.renewable || remaining <= 0 {
		return -1
	}
	if retrying {
		return min(5*time.Second, remaining/4+time.Millisecond)
	}
	return max(remaining-granted/3, 0)
}

func roleTTL(r *Role) time.Duration {
	if r.TTL > 0 {
		return r.TTL
	}
	return defaultTTL
}

// renew extends sd's lease. done reports that renewing is pointless now
// (Vault granted no extension: the max TTL is reached; the lease is replaced
// when it expires).
func (b *Broker) renew(sessionID, role string, l *lease, sd *secretData, granted time.Duration) (time.Duration, bool, error) {
	ctx, cancel := context.WithTimeout(b.bg, b.vault.Timeout()+time.Second)
	defer cancel()
	s, err := b.vault.Renew(ctx, sd.leaseID, int(l.role.TTL/time.Second))
	if err != nil {
		err = classify(err, "renew lease "+sd.leaseID)
		b.log.Warn("creds: lease renewal failed", "session", sessionID, "role", role, "lease_id", sd.leaseID, "err", err)
		b.emit(event{kind: evRenewFailed, session: sessionID, role: role, leaseID: sd.leaseID, err: err})
		return granted, false, err
	}
	ttl := time.Duration(s.LeaseDuration) * time.Second
	oldExpiry := l.expires.Load()
	newExpiry := b.now().Add(ttl).UnixNano()
	l.expires.Store(newExpiry)
	b.log.Debug("creds: lease renewed", "session", sessionID, "role", role, "lease_id", sd.leaseID, "ttl", ttl)
	b.emit(event{kind: evRenewed, session: sessionID, role: role, leaseID: sd.leaseID})
	if newExpiry-oldExpiry < int64(time.Second) || !s.Renewable {
		return ttl, true, nil
	}
	return ttl, false, nil
}

func (b *Broker) refresh(sessionID, role string, l *lease) error {
	ctx, cancel := context.WithTimeout(b.bg, b.vault.Timeout()+time.Second)
	defer cancel()
	sd, err := read(ctx, b.vault, l.role)
	if err != nil {
		if errors.Is(err, ErrUnavailable) {
			b.log.Warn("creds: secret refresh failed; serving the cached value", "session", sessionID, "role", role, "err", err)
		}
		return err
	}
	l.cur.Store(sd)
	b.emit(event{kind: evRefreshed, session: sessionID, role: role})
	return nil
}
