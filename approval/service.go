package approval

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/warden-gw/warden/exchange"
	"github.com/warden-gw/warden/redact"
)

// Config is the approval: section of warden's YAML.
type Config struct {
	// Timeout is how long a request stays pending before it expires. Holding a request in flight
	// is bounded by Envoy's max_message_timeout (300s in envoy/bootstrap.yaml) as well.
	Timeout time.Duration `yaml:"timeout"` // default 5m
	// Window is how long an approval may be used after it is granted.
	Window time.Duration `yaml:"window"` // default 10m
	// Reusable lets an approved action through any number of times within Window; otherwise once.
	Reusable bool `yaml:"reusable"`
	// ApproverGroups lists the groups (identity groups claim) whose members may decide.
	ApproverGroups []string `yaml:"approver_groups"`
	// FourEyes also refuses the human the agent acts for (on_behalf_of) as approver. The
	// requesting subject itself is always refused.
	FourEyes   bool          `yaml:"four_eyes"`
	MaxPending int           `yaml:"max_pending"` // default 1000
	Retention  time.Duration `yaml:"retention"`   // terminal approvals are deleted after; default 24h
	Sweep      time.Duration `yaml:"sweep"`       // janitor interval; default 1s
	Webhook    WebhookConfig `yaml:"webhook"`
	Kafka      *KafkaConfig  `yaml:"kafka"` // nil: state in memory, single replica only

	// DevApprover (`warden dev` only, never production) also accepts DevApproverToken on the
	// approvals API as approver DevApproverSubject, so approvals can be tried without an OIDC
	// provider. The token is never read from YAML: warden dev makes one and writes it to a 0600
	// file, and a configuration that sets dev_approver without it (warden serve) is refused.
	DevApprover      bool   `yaml:"dev_approver"`
	DevApproverToken string `yaml:"-"`
}

func (c Config) withDefaults() Config {
	if c.Timeout == 0 {
		c.Timeout = 5 * time.Minute
	}
	if c.Window == 0 {
		c.Window = 10 * time.Minute
	}
	if c.MaxPending == 0 {
		c.MaxPending = 1000
	}
	if c.Retention == 0 {
		c.Retention = 24 * time.Hour
	}
	if c.Sweep == 0 {
		c.Sweep = time.Second
	}
	if c.Webhook.Timeout == 0 {
		c.Webhook.Timeout = 5 * time.Second
	}
	return c
}

// Option changes a Service.
type Option func(*Service)

// WithEvents reports every step to fn (the audit log subscribes here).
func WithEvents(fn func(context.Context, Event)) Option { return func(s *Service) { s.events = fn } }

// WithClock sets the clock (tests).
func WithClock(now func() time.Time) Option { return func(s *Service) { s.now = now } }

// WithTicks drives the janitor from ticks instead of a ticker (tests).
func WithTicks(ticks <-chan time.Time) Option { return func(s *Service) { s.ticks = ticks } }

// WithView sets what approvers are shown of an exchange: the caller returns the exchange with its
// tool calls filled in and its secrets (a token in the URL) redacted. Approvals go to webhooks,
// the approvals API and the shared Kafka topic, so without a view they show the method, host and
// path with its query string removed, and no tool calls. The digest that binds an approval to its
// action is always taken from the real exchange.
func WithView(fn func(*exchange.Exchange) *exchange.Exchange) Option {
	return func(s *Service) { s.view = fn }
}

// WithLogger sets the logger.
func WithLogger(l *slog.Logger) Option { return func(s *Service) { s.log = l } }

// WithHTTPClient sets the webhook client.
func WithHTTPClient(c *http.Client) Option { return func(s *Service) { s.client = c } }

// Service creates, decides and consumes approval requests.
type Service struct {
	cfg    Config
	store  Store
	now    func() time.Time
	ticks  <-chan time.Time
	events func(context.Context, Event)
	view   func(*exchange.Exchange) *exchange.Exchange
	redact func(string) string
	log    *slog.Logger
	client *http.Client

	mu      sync.Mutex
	waiters map[string][]chan struct{}
	bg      sync.WaitGroup
	stop    chan struct{}
	done    chan struct{}
	once    sync.Once
}

// WithRedact passes every string of every approval version (the action's path, reason and
// tool calls, the approver's note) through fn before it is stored, so the API, webhooks, the
// Kafka topic and the audit events never carry a secret the request or the approver wrote.
func WithRedact(fn func(string) string) Option { return func(s *Service) { s.redact = fn } }

// put is the one place approval versions are written.
func (s *Service) put(ctx context.Context, a Approval) error {
	if s.redact != nil {
		redact.Fields(&a, s.redact)
	}
	return s.store.Put(ctx, a)
}

// viewOf is what approvers see of x (WithView).
func (s *Service) viewOf(x *exchange.Exchange) *exchange.Exchange {
	if s.view != nil {
		return s.view(x)
	}
	v := *x
	v.Request.Path, _, _ = strings.Cut(v.Request.Path, "?")
	v.ToolCalls = nil
	return &v
}

// New builds a Service on store and starts its janitor (expiry and retention). Close stops it;
// it does not close the store.
func New(ctx context.Context, cfg Config, store Store, opts ...Option) (*Service, error) {
	cfg = cfg.withDefaults()
	if len(cfg.ApproverGroups) == 0 {
		return nil, errors.New("approval.approver_groups: list the groups whose members may approve")
	}
	if cfg.Timeout < 0 || cfg.Window < 0 {
		return nil, errors.New("approval.timeout and approval.window must not be negative")
	}
	if err := cfg.Webhook.validate(); err != nil {
		return nil, err
	}
	if err := cfg.validateDev(); err != nil {
		return nil, err
	}
	if store == nil {
		return nil, errors.New("approval: a store is required (NewMemoryStore or NewKafkaStore)")
	}
	s := &Service{
		cfg: cfg, store: store, now: time.Now, log: slog.Default(), waiters: map[string][]chan struct{}{},
		stop: make(chan struct{}), done: make(chan struct{}), events: func(context.Context, Event) {},
	}
	for _, o := range opts {
		o(s)
	}
	if s.client == nil {
		s.client = &http.Client{Timeout: cfg.Webhook.Timeout}
	}
	store.Watch(s.changed)
	var t *time.Ticker
	if s.ticks == nil {
		t = time.NewTicker(cfg.Sweep)
		s.ticks = t.C
	}
	go s.janitor(context.WithoutCancel(ctx), t)
	return s, nil
}

// Close stops the janitor and waits for webhook deliveries in flight.
func (s *Service) Close() error {
	s.once.Do(func() { close(s.stop) })
	<-s.done
	s.bg.Wait()
	return nil
}

func (s *Service) janitor(ctx context.Context, t *time.Ticker) {
	defer close(s.done)
	if t != nil {
		defer t.Stop()
	}
	for {
		select {
		case <-s.stop:
			return
		case <-s.ticks:
			s.sweep(ctx)
		}
	}
}

// changed wakes the Wait calls of an approval that is no longer pending.
func (s *Service) changed(a Approval) {
	if a.Status == Pending {
		return
	}
	s.mu.Lock()
	ws := s.waiters[a.ID]
	delete(s.waiters, a.ID)
	s.mu.Unlock()
	for _, ch := range ws {
		close(ch)
	}
}

// Request creates an approval request for the exchange's action, or returns the pending or still
// usable approved one with the same digest. The caller puts its ID in the decision.
//
// Replicas agree on one request per action: the id is derived from the digest, the request's
// sequence number for that digest and the current time bucket (requestID), so two replicas that
// see the same action at the same instant write the same id with version 1, the store's
// compare-and-set keeps the first, and the other replica returns it instead of opening its own.
// Only the replica whose write won reports EventRequested and posts the webhook.
func (s *Service) Request(ctx context.Context, x *exchange.Exchange, d exchange.Decision) (Approval, error) {
	key := KeyOf(x)
	digest := key.Digest
	for attempt := 0; attempt < 4; attempt++ {
		now := s.now()
		open, seq, pending := s.scan(key, now)
		if open.ID != "" {
			return open, nil
		}
		if pending >= s.cfg.MaxPending {
			return Approval{}, fmt.Errorf("%w (%d): decide or let some expire, or raise approval.max_pending", ErrTooMany, pending)
		}
		id := x.Identity
		a := Approval{
			ID: s.requestID(digest, seq, now), Version: 1, Status: Pending, Digest: digest, DigestVersion: DigestIssuer, Seq: seq,
			Created: now, Expires: now.Add(s.cfg.Timeout),
			Requester: Requester{Subject: id.Subject, Issuer: id.Issuer, Agent: id.Agent, OnBehalfOf: id.OnBehalfOf, Session: id.Session},
			Action:    actionOf(s.viewOf(x), d),
		}
		err := s.put(ctx, a)
		if errors.Is(err, ErrConflict) {
			// Another replica opened this very request first; use it. If the id is taken by a
			// request this replica had not seen, the next scan knows it and picks the next seq.
			if cur, ok := s.store.Get(a.ID); ok && s.open(cur, s.now()) {
				return cur, nil
			}
			continue
		}
		if err != nil {
			return Approval{}, fmt.Errorf("store approval request: %w", err)
		}
		a, _ = s.store.Get(a.ID)
		s.events(ctx, Event{Kind: EventRequested, Approval: a})
		s.notify(a)
		return a, nil
	}
	return Approval{}, fmt.Errorf("open an approval request: %w", ErrConflict)
}

// scan returns the oldest open request for k's action (if any; an old replica's for the same
// issuer included, Key), the sequence number a new request for its digest gets, and how many
// requests are pending.
func (s *Service) scan(k Key, now time.Time) (open Approval, seq, pending int) {
	for _, a := range s.store.Live() {
		if a.Status == Pending && now.Before(a.Expires) {
			pending++
		}
	}
	for _, a := range k.Select(s.store.ByDigest) {
		if a.Digest == k.Digest {
			seq = max(seq, a.Seq)
		}
		if open.ID == "" && s.open(a, now) {
			open = a
		}
	}
	return open, seq + 1, pending
}

// requestID derives a request's id from the store's salt (IDSalter), the digest, its sequence
// number and a time bucket. The salt keeps a memory store that restarted empty from handing out
// the ids of its previous run; the bucket (an hour, or half the retention if shorter) keeps an id
// from being reused after the retention deleted the request that had it. Replicas straddling a
// bucket's edge may still open two requests, which Decide then links (Superseded).
func (s *Service) requestID(digest string, seq int, now time.Time) string {
	bucket := min(time.Hour, s.cfg.Retention/2)
	if bucket < time.Second {
		bucket = time.Second
	}
	salt := ""
	if st, ok := s.store.(IDSalter); ok {
		salt = st.IDSalt()
	}
	sum := sha256.Sum256(fmt.Appendf(nil, "warden-approval-id-v1\n%s\n%s\n%d\n%d", salt, digest, seq, now.Truncate(bucket).Unix()))
	return "apr_" + hex.EncodeToString(sum[:16])
}

// open reports whether a is pending and unexpired, or approved and still usable.
func (s *Service) open(a Approval, now time.Time) bool {
	switch a.Status {
	case Pending:
		return now.Before(a.Expires)
	case Approved:
		return now.Before(a.UsableUntil) && (s.cfg.Reusable || a.Uses == 0)
	}
	return false
}

// Health reports whether the approval store currently takes writes (nil) or why not. Readiness
// shows it as "approvals degraded"; requests that need no approval are not affected.
func (s *Service) Health() error {
	if h, ok := s.store.(HealthReporter); ok {
		return h.Health()
	}
	return nil
}

// Get returns an approval by id.
func (s *Service) Get(id string) (Approval, bool) { return s.store.Get(id) }

// Pending lists the pending, unexpired requests, oldest first.
func (s *Service) Pending() []Approval {
	now := s.now()
	var out []Approval
	for _, a := range s.store.Live() {
		if a.Status == Pending && now.Before(a.Expires) {
			out = append(out, a)
		}
	}
	return out
}

// Wait blocks until the request is decided or expires, or ctx ends, and returns its status.
// After Approved, call Consume with the exchange's Key to let the request through. A request superseded
// by its twin returns the twin's status.
func (s *Service) Wait(ctx context.Context, id string) (Status, error) {
	const maxHops = 4
	hops := 0
	for {
		a, ok := s.store.Get(id)
		if !ok {
			return "", fmt.Errorf("wait for approval %s: %w", id, ErrNotFound)
		}
		if a.Status == Superseded && a.LinkedTo != "" && hops < maxHops {
			id, hops = a.LinkedTo, hops+1 // the twin's decision stands for this request
			continue
		}
		if a.Status != Pending {
			return a.Status, nil
		}
		if !s.now().Before(a.Expires) {
			if err := s.expire(ctx, a); err != nil && !errors.Is(err, ErrConflict) {
				return Expired, nil // past its deadline: never released, even if the write failed
			}
			continue
		}
		ch := make(chan struct{})
		s.mu.Lock()
		s.waiters[id] = append(s.waiters[id], ch)
		s.mu.Unlock()
		if cur, _ := s.store.Get(id); cur.Status != Pending { // changed before we registered
			s.dropWaiter(id, ch)
			continue
		}
		timer := time.NewTimer(a.Expires.Sub(s.now()))
		select {
		case <-ch:
		case <-timer.C:
		case <-ctx.Done():
			timer.Stop()
			s.dropWaiter(id, ch)
			return Pending, ctx.Err()
		}
		timer.Stop()
	}
}

func (s *Service) dropWaiter(id string, ch chan struct{}) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ws := s.waiters[id]
	for i, c := range ws {
		if c == ch {
			s.waiters[id] = slices.Delete(ws, i, i+1)
			break
		}
	}
	if len(s.waiters[id]) == 0 {
		delete(s.waiters, id)
	}
}
