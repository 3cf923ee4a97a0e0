package identity

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// SessionID derives a stable session id from who acts and the client's own session value (may be
// empty). Every replica derives the same id for the same inputs. Fields are length-prefixed so
// that ("ab","c") and ("a","bc") differ.
func SessionID(issuer, subject, agent, clientSession string) string {
	h := sha256.New()
	for _, f := range []string{"warden-session-v1", issuer, subject, agent, clientSession} {
		fmt.Fprintf(h, "%d:%s\n", len(f), f)
	}
	return "s_" + hex.EncodeToString(h.Sum(nil)[:16])
}

// EndFunc is told that a session ended (idle timeout, max lifetime, or tracker closed).
type EndFunc func(ctx context.Context, sessionID string)

// SessionOption changes how a Sessions tracker keeps time (for tests).
type SessionOption func(*Sessions)

// WithClock makes the tracker read time from now.
func WithClock(now func() time.Time) SessionOption { return func(s *Sessions) { s.now = now } }

// WithSessionLogger makes the tracker log to l (default slog.Default()).
func WithSessionLogger(l *slog.Logger) SessionOption { return func(s *Sessions) { s.log = l } }

// WithTicks drives the janitor from ticks instead of a time.Ticker of SweepInterval.
func WithTicks(ticks <-chan time.Time) SessionOption { return func(s *Sessions) { s.ticks = ticks } }

// Sessions tracks agent sessions on this replica. A session starts at its first Touch and ends
// when it has been idle for IdleTimeout or has lived for MaxLifetime; then every OnEnd callback
// runs (the credential broker revokes the session's leases, the audit log closes its records). A
// later request with the same id starts a new session under the same id.
type Sessions struct {
	cfg   SessionConfig
	now   func() time.Time
	ticks <-chan time.Time
	log   *slog.Logger

	mu      sync.Mutex
	live    map[string]*session
	subs    []EndFunc
	closed  bool
	stop    chan struct{}
	done    chan struct{}
	pending sync.WaitGroup // callbacks fired outside the janitor

	// untracked counts Touch calls that found the table full: requests of a session that is not
	// tracked (every request of such a session counts, as each finds it missing);
	// untrackedLogged is its value at the last warning, loggedFull when that warning was.
	untracked, untrackedLogged uint64
	loggedFull                 time.Time
}

// FullLogInterval is the least time between two "session table full" warnings: a full table is
// logged once, then at most once per interval with the number of untracked sessions since.
const FullLogInterval = time.Minute

type session struct {
	start, last time.Time
}

// NewSessions starts a tracker and its janitor; Close stops it.
func NewSessions(cfg SessionConfig, opts ...SessionOption) *Sessions {
	s := &Sessions{
		cfg: cfg.withDefaults(), now: time.Now, log: slog.Default(),
		live: map[string]*session{}, stop: make(chan struct{}), done: make(chan struct{}),
	}
	for _, o := range opts {
		o(s)
	}
	var t *time.Ticker
	if s.ticks == nil {
		t = time.NewTicker(s.cfg.SweepInterval)
		s.ticks = t.C
	}
	go s.janitor(t)
	return s
}

func (s *Sessions) janitor(t *time.Ticker) {
	defer close(s.done)
	if t != nil {
		defer t.Stop()
	}
	for {
		select {
		case <-s.stop:
			return
		case <-s.ticks:
			s.Sweep(context.Background())
		}
	}
}

// OnEnd registers fn to run whenever a session ends. Callbacks run one after another, outside
// the tracker's lock.
func (s *Sessions) OnEnd(fn EndFunc) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.subs = append(s.subs, fn)
}

// Touch records activity in session id, starting it if needed. It reports whether a new session
// started. A session found past its idle timeout or lifetime is ended first (its callbacks run in
// the background) and a new one starts.
func (s *Sessions) Touch(id string) (started bool) {
	now := s.now()
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return false
	}
	cur, ok := s.live[id]
	if ok && !s.due(cur, now) {
		cur.last = now
		s.mu.Unlock()
		return false
	}
	if !ok && len(s.live) >= s.cfg.MaxSessions {
		s.full(now) // unlocks
		return false
	}
	s.live[id] = &session{start: now, last: now}
	subs := s.subs
	if ok {
		s.pending.Add(1) // under the lock, so Close cannot be waiting yet
	}
	s.mu.Unlock()
	if ok { // the old session ended; tell subscribers without holding up this request
		go func() {
			defer s.pending.Done()
			fire(context.Background(), subs, id)
		}()
	}
	return true
}

// full counts a request whose session the full table did not take and warns, at most once per FullLogInterval.
// It is called with s.mu held and releases it.
func (s *Sessions) full(now time.Time) {
	s.untracked++
	total, since := s.untracked, s.untracked-s.untrackedLogged
	warn := s.loggedFull.IsZero() || now.Sub(s.loggedFull) >= FullLogInterval
	if warn {
		s.loggedFull, s.untrackedLogged = now, s.untracked
	}
	s.mu.Unlock()
	if warn {
		s.log.Warn("session table full: new sessions are served but not tracked, so nothing ends them; "+
			"their credential leases are leased per exchange and revoked when the exchange ends; raise "+
			"identity.sessions.max_sessions or shorten idle_timeout",
			"max_sessions", s.cfg.MaxSessions, "untracked_requests_since_last_warning", since, "untracked_requests_total", total)
	}
}

// Tracked reports whether session id is in the table, so that something ends it: its idle
// timeout, its lifetime, or the tracker's Close. A session the full table did not take is not
// (nor one that ended or never started); its credential leases are then the exchange's own
// (pipeline.Credentials).
func (s *Sessions) Tracked(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.live[id]
	return ok && !s.closed
}

// Untracked returns how many requests came in a session the full table did not track
// (warden_sessions_untracked_requests_total).
func (s *Sessions) Untracked() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.untracked
}

func (s *Sessions) due(x *session, now time.Time) bool {
	return now.Sub(x.last) >= s.cfg.IdleTimeout || now.Sub(x.start) >= s.cfg.MaxLifetime
}

// Sweep ends every session past its idle timeout or lifetime and returns how many ended. The
// janitor calls it every SweepInterval.
func (s *Sessions) Sweep(ctx context.Context) int {
	now := s.now()
	s.mu.Lock()
	var ended []string
	for id, x := range s.live {
		if s.due(x, now) {
			ended = append(ended, id)
			delete(s.live, id)
		}
	}
	subs := s.subs
	s.mu.Unlock()
	for _, id := range ended {
		fire(ctx, subs, id)
	}
	return len(ended)
}

// Active returns the number of live sessions.
func (s *Sessions) Active() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.live)
}

// Close stops the janitor and ends every live session, running the callbacks before it returns.
func (s *Sessions) Close(ctx context.Context) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	close(s.stop)
	s.mu.Unlock()
	<-s.done
	s.pending.Wait()
	s.mu.Lock()
	ids := make([]string, 0, len(s.live))
	for id := range s.live {
		ids = append(ids, id)
	}
	s.live = map[string]*session{}
	subs := s.subs
	s.mu.Unlock()
	for _, id := range ids {
		fire(ctx, subs, id)
	}
	return nil
}

func fire(ctx context.Context, subs []EndFunc, id string) {
	for _, fn := range subs {
		fn(ctx, id)
	}
}
