// Package creds is warden's credential broker: it leases short-lived
// credentials from HashiCorp Vault per agent session, injects them into
// upstream requests as headers, renews them while the session lives and
// revokes them when it ends, so that an agent never holds a long-lived secret.
//
// Routes map an upstream (host, path) to a role; RoleFor answers that without
// calling Vault so policy can decide first. Inject returns the headers to set,
// the agent headers to strip and the raw values the redactor must hide.
// Secret values are never logged and never part of an error message.
package creds

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"
)

// Broker leases, caches, renews and revokes credentials. It is safe for
// concurrent use.
type Broker struct {
	vc     *Client // login and token renewal; nil for a broker built on a given Vault
	vault  Vault   // reads, renewals and revocations
	auth   Auth
	log    *slog.Logger
	routes Routes
	roles  map[string]*Role
	now    func() time.Time
	event  func(event) // test hook; nil in production

	bg     context.Context // cancelled by Close; parent of background Vault calls
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu       sync.RWMutex
	sessions map[string]map[string]*lease // session → role → lease
	closed   bool
}

// Option customises a Broker.
type Option func(*Broker)

// WithLogger sets the logger (default slog.Default()).
func WithLogger(l *slog.Logger) Option { return func(b *Broker) { b.log = l } }

// New validates cfg and logs in to Vault. A token-method broker checks its
// token with a lookup; login methods keep their token renewed and log in
// again when it cannot be renewed.
func New(ctx context.Context, cfg Config, opts ...Option) (*Broker, error) {
	b, err := assemble(ctx, cfg, opts...)
	if err != nil {
		return nil, err
	}
	if b.vc, err = NewClient(ctx, cfg, b.log); err != nil {
		b.cancel()
		return nil, err
	}
	b.vault = apiVault{b.vc.API()}
	b.log.Info("creds: logged in to vault", "address", cfg.Address, "method", b.auth.Method,
		"roles", len(b.roles), "routes", len(b.routes.routes))
	return b, nil
}

// NewWithVault is New on a Vault the caller provides (already logged in, or a fake in tests):
// the lease logic — caching per session and role, renewal, refresh, revocation — is the same.
func NewWithVault(ctx context.Context, cfg Config, v Vault, opts ...Option) (*Broker, error) {
	b, err := assemble(ctx, cfg, opts...)
	if err != nil {
		return nil, err
	}
	b.vault = v
	return b, nil
}

func assemble(ctx context.Context, cfg Config, opts ...Option) (*Broker, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	routes, err := compileRoutes(cfg.Routes)
	if err != nil {
		return nil, fmt.Errorf("invalid creds config: %w", err)
	}
	b := &Broker{
		auth:     cfg.Auth,
		log:      slog.Default(),
		routes:   Routes{routes: routes},
		roles:    make(map[string]*Role, len(cfg.Roles)),
		now:      time.Now,
		sessions: make(map[string]map[string]*lease),
	}
	for i := range cfg.Roles {
		r := cfg.Roles[i]
		b.roles[r.Name] = &r
	}
	for _, o := range opts {
		o(b)
	}
	b.bg, b.cancel = context.WithCancel(context.WithoutCancel(ctx))
	return b, nil
}

// RoleFor returns the role of the first route matching host and path. It
// does not call Vault; policy sees the result as creds.role.
func (b *Broker) RoleFor(host, path string) (role string, ok bool) {
	return b.routes.RoleFor(host, path)
}

// Inject returns the credential headers for a request of sessionID to host
// and path. The lease is cached per (session, role): concurrent callers share
// one Vault call, later callers reuse it while it is valid. With Vault
// unreachable, a cached lease keeps serving until it expires; without one the
// error wraps ErrUnavailable. ErrNoRoute means the request needs no
// credential.
func (b *Broker) Inject(ctx context.Context, sessionID, host, path string) (Injection, error) {
	rt := b.routes.match(host, path)
	if rt == nil {
		return Injection{}, fmt.Errorf("%w: host %q path %q", ErrNoRoute, host, path)
	}
	l, err := b.acquire(ctx, sessionID, rt.role)
	if err != nil {
		return Injection{}, err
	}
	sd := l.cur.Load()
	set, err := rt.render(sd.data)
	if err != nil {
		return Injection{}, fmt.Errorf("%w: role %q: %w", ErrVault, rt.role, err)
	}
	in := Injection{
		Role:    rt.role,
		LeaseID: sd.leaseID,
		Version: sd.version,
		Set:     set,
		Remove:  slices.Clone(rt.remove),
		Secrets: make([]string, 0, len(sd.values)+2*len(set)),
	}
	if sd.leaseID != "" {
		in.TTL = time.Duration(l.expires.Load() - b.now().UnixNano()).Truncate(time.Second)
	}
	in.Secrets = append(in.Secrets, sd.values...)
	for _, h := range set {
		in.Secrets = append(in.Secrets, h.Value)
		// "Bearer X", "Basic X": the upstream may echo X alone.
		if _, after, ok := strings.Cut(h.Value, " "); ok && len(after) >= 8 {
			in.Secrets = append(in.Secrets, after)
		}
	}
	return in, nil
}

// exchangeKey is the cache key of an exchange's own leases (InjectExchange). Session ids are
// "s_" + hex (identity.SessionID) or "anonymous"; the NUL keeps the two key spaces apart.
func exchangeKey(exchangeID string) string { return "\x00exchange:" + exchangeID }

// InjectExchange is Inject for an exchange whose session nothing tracks (so nothing would end
// it and revoke its leases): the lease is the exchange's own, shared with no session (not even
// the same session once it is tracked), and EndExchange revokes it when the exchange ends.
// exchangeID must be unique among the exchanges in flight: a request id a client chose is not
// (pipeline.Credentials adds the exchange's address).
func (b *Broker) InjectExchange(ctx context.Context, exchangeID, host, path string) (Injection, error) {
	if exchangeID == "" {
		return Injection{}, errors.New("creds: an exchange lease needs the exchange's id")
	}
	return b.Inject(ctx, exchangeKey(exchangeID), host, path)
}

// EndExchange revokes the leases InjectExchange leased for exchangeID; without any it does
// nothing (no Vault call).
func (b *Broker) EndExchange(ctx context.Context, exchangeID string) error {
	key := exchangeKey(exchangeID)
	b.mu.RLock()
	_, has := b.sessions[key]
	b.mu.RUnlock()
	if !has { // the common case: a tracked session's exchange, which has no leases of its own
		return nil
	}
	return b.EndSession(ctx, key)
}

// Invalidate drops the cached credential of (sessionID, role) without
// revoking it, so that the next Inject leases a new one. Call it when an
// upstream rejects an injected credential (HTTP 401).
func (b *Broker) Invalidate(sessionID, role string) {
	b.mu.Lock()
	l := b.sessions[sessionID][role]
	b.mu.Unlock()
	if l != nil {
		b.drop(sessionID, role, l)
	}
}

// EndSession revokes the leases of sessionID (a database user is dropped) and
// forgets its cached credentials. Secrets without a lease (kv2) are only
// forgotten.
func (b *Broker) EndSession(ctx context.Context, sessionID string) error {
	b.mu.Lock()
	leases := b.sessions[sessionID]
	delete(b.sessions, sessionID)
	b.mu.Unlock()
	return b.revokeAll(ctx, sessionID, leases)
}

// Close revokes every lease, revokes the broker's own login token (not a
// configured static token) and stops background renewal. Inject fails with
// ErrClosed afterwards.
func (b *Broker) Close(ctx context.Context) error {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return nil
	}
	b.closed = true
	all := b.sessions
	b.sessions = nil
	b.mu.Unlock()
	var errs []error
	for sid, leases := range all {
		if err := b.revokeAll(ctx, sid, leases); err != nil {
			errs = append(errs, err)
		}
	}
	b.cancel()
	b.wg.Wait()
	if b.vc != nil {
		if err := b.vc.Close(ctx); err != nil {
			b.log.Warn("creds: close vault client", "err", err)
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("close credential broker: %w", errors.Join(errs...))
	}
	return nil
}

func (b *Broker) revokeAll(ctx context.Context, sessionID string, leases map[string]*lease) error {
	var errs []error
	for role, l := range leases {
		l.stop()
		if err := l.wait(ctx); err != nil {
			errs = append(errs, fmt.Errorf("role %q: wait for lease: %w", role, err))
			continue
		}
		if l.err != nil {
			continue
		}
		sd := l.cur.Load()
		if sd.leaseID == "" {
			continue
		}
		if err := b.vault.Revoke(ctx, sd.leaseID); err != nil {
			errs = append(errs, fmt.Errorf("revoke lease %s of role %q: %w", sd.leaseID, role, classify(err, "revoke")))
			continue
		}
		b.log.Info("creds: lease revoked", "session", sessionID, "role", role, "lease_id", sd.leaseID)
		b.emit(event{kind: evRevoked, session: sessionID, role: role, leaseID: sd.leaseID})
	}
	if len(errs) > 0 {
		return fmt.Errorf("end session %q: %w", sessionID, errors.Join(errs...))
	}
	return nil
}
