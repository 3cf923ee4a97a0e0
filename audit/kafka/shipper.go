package kafka

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"time"

	kafkago "github.com/segmentio/kafka-go"

	"github.com/warden-gw/warden/audit/spool"
)

// Message is what the shipper needs to know about one spool entry.
type Message struct {
	Key     string
	ID      string // ce_id: chain:seq
	Type    string // ce_type
	Source  string // ce_source
	Subject string
	Time    time.Time
}

// Describer extracts routing facts from a spool entry.
type Describer func(payload []byte) (Message, error)

// Shrinker returns a version of payload of at most max bytes, marked as truncated.
type Shrinker func(payload []byte, max int) ([]byte, error)

// Hooks reports shipper events (for metrics); nil functions are skipped.
type Hooks struct {
	Shipped   func(n int)
	Error     func(err error)
	Truncated func()
	Corrupt   func()
}

// Shipper sends spool entries to Kafka in order and persists its position after each
// acknowledged batch.
type Shipper struct {
	cfg      Config
	sp       *spool.Spool
	w        *kafkago.Writer
	describe Describer
	shrink   Shrinker
	hooks    Hooks
	log      *slog.Logger
	posPath  string

	mu      sync.Mutex
	pos     uint64
	changed chan struct{}
}

// NewShipper prepares a shipper reading sp. It does not contact the brokers until Run.
func NewShipper(cfg Config, sp *spool.Spool, d Describer, s Shrinker, hooks Hooks, log *slog.Logger) (*Shipper, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	tc, err := cfg.tlsConfig()
	if err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.Default()
	}
	w := &kafkago.Writer{
		Addr:         kafkago.TCP(cfg.Brokers...),
		Topic:        cfg.Topic,
		Balancer:     &kafkago.Murmur2Balancer{}, // same partition for a key as Java clients
		RequiredAcks: kafkago.RequireAll,         // kafka-go's default is none
		MaxAttempts:  1,                          // the shipper retries whole batches itself
		BatchSize:    cfg.BatchSize,
		BatchBytes:   cfg.BatchBytes,
		// The shipper hands WriteMessages a complete batch and lingers itself (collect): a
		// partition batch waiting here for more messages would only add latency, since no more
		// arrive until WriteMessages returns.
		BatchTimeout: time.Microsecond,
		WriteTimeout: cfg.WriteTimeout,
		ReadTimeout:  cfg.WriteTimeout,
		Transport: &kafkago.Transport{
			ClientID: cfg.ClientID, TLS: tc, DialTimeout: 5 * time.Second,
			MetadataTTL: 5 * time.Second,
		},
	}
	sh := &Shipper{
		cfg: cfg, sp: sp, w: w, describe: d, shrink: s, hooks: hooks, log: log,
		posPath: filepath.Join(sp.Dir(), "ship-"+safeName(cfg.Topic)+".pos"), changed: make(chan struct{}),
	}
	sh.pos, err = readPos(sh.posPath)
	if err != nil {
		return nil, err
	}
	return sh, nil
}

func safeName(s string) string {
	b := []byte(s)
	for i, c := range b {
		if !safeNameByte(c) {
			b[i] = '_'
		}
	}
	return string(b)
}

func safeNameByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_'
}

type posFile struct {
	Next uint64 `json:"next"`
}

func readPos(path string) (uint64, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read shipper position: %w", err)
	}
	var p posFile
	if err := json.Unmarshal(b, &p); err != nil {
		return 0, fmt.Errorf("shipper position file %s is damaged (%w): delete it to re-ship the spool (consumers drop duplicates by chain and seq)", path, err)
	}
	return p.Next, nil
}

func (s *Shipper) writePos(next uint64) error {
	b, _ := json.Marshal(posFile{Next: next})
	tmp := s.posPath + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("write shipper position: %w", err)
	}
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, s.posPath)
	}
	if err != nil {
		return fmt.Errorf("write shipper position: %w", err)
	}
	return nil
}

// Position returns the index of the first entry not yet acknowledged by Kafka.
func (s *Shipper) Position() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pos
}

// WaitFor blocks until Position() >= index or ctx ends.
func (s *Shipper) WaitFor(ctx context.Context, index uint64) error {
	for {
		s.mu.Lock()
		if s.pos >= index {
			s.mu.Unlock()
			return nil
		}
		ch := s.changed
		s.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// batch is a run of spool entries ready to send; last is the index of its last entry.
type batch struct {
	msgs []kafkago.Message
	last uint64
}

// Run ships until ctx ends. It returns nil on cancellation.
//
// Three stages overlap: a collector reads and describes the next batch from the spool while the
// current one is in flight, the sender produces batches one at a time and in order (so the
// acknowledged prefix of the spool only grows), and a persister fsyncs the position of the
// newest acknowledged batch, coalescing positions that arrive while an fsync runs.
func (s *Shipper) Run(ctx context.Context) error {
	defer s.w.Close()
	r := s.sp.NewReader(s.Position())
	cctx, stopCollect := context.WithCancel(ctx)
	batches := make(chan batch, 2)
	collected := make(chan error, 1)
	go func() {
		defer close(batches)
		collected <- s.collectLoop(cctx, r, batches)
	}()
	p := newPersister(s)
	go p.run()
	err := s.sendLoop(ctx, batches, p)
	stopCollect()
	for range batches { // let the collector finish before closing its reader
	}
	if cerr := <-collected; err == nil {
		err = cerr
	}
	_ = r.Close()
	p.stop()
	if ctx.Err() != nil || errors.Is(err, spool.ErrClosed) {
		return nil
	}
	return err
}

// sendLoop produces each collected batch until it is acknowledged, then hands its position to
// the persister. It returns when the collector stops or ctx ends.
func (s *Shipper) sendLoop(ctx context.Context, batches <-chan batch, p *persister) error {
	for b := range batches {
		if len(b.msgs) > 0 && !s.send(ctx, b.msgs) {
			return nil
		}
		p.offer(b.last + 1)
	}
	return nil
}

// collectLoop reads batches from the spool until ctx ends or the spool fails.
func (s *Shipper) collectLoop(ctx context.Context, r *spool.Reader, out chan<- batch) error {
	for {
		msgs, last, err := s.collect(ctx, r)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		select {
		case out <- batch{msgs: msgs, last: last}:
		case <-ctx.Done():
			return nil
		}
	}
}

// collect reads up to BatchSize entries: it waits for the first, then takes what is available
// and waits up to BatchTimeout for more while the batch is not full.
func (s *Shipper) collect(ctx context.Context, r *spool.Reader) ([]kafkago.Message, uint64, error) {
	var c collected
	for len(c.msgs) == 0 {
		if err := s.readOne(ctx, r, &c); err != nil {
			return nil, 0, err
		}
	}
	linger, cancel := context.WithTimeout(ctx, s.cfg.BatchTimeout)
	defer cancel()
	for len(c.msgs) < s.cfg.BatchSize && c.bytes < s.cfg.BatchBytes {
		err := s.readOne(linger, r, &c)
		if err != nil && ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
			break // lingered long enough: send what we have
		}
		if err != nil {
			return nil, 0, err
		}
	}
	return c.msgs, c.last, nil
}

// collected is a batch being read.
type collected struct {
	msgs  []kafkago.Message
	bytes int64
	last  uint64
}

// readOne reads the next entry into c. Corrupt and unreadable entries are reported and skipped.
func (s *Shipper) readOne(ctx context.Context, r *spool.Reader, c *collected) error {
	e, err := r.Next(ctx)
	if errors.Is(err, spool.ErrCorrupt) {
		// Never silent: the entries are still on disk for `warden audit verify`.
		s.log.Error("audit shipper: corrupt spool entry; skipping the rest of the segment", "err", err)
		if s.hooks.Corrupt != nil {
			s.hooks.Corrupt()
		}
		r.SkipSegment()
		return nil
	}
	if err != nil {
		return err
	}
	m, err := s.message(e)
	if err != nil {
		s.log.Error("audit shipper: unreadable spool entry skipped", "pos", e.Pos(), "err", err)
		if s.hooks.Corrupt != nil {
			s.hooks.Corrupt()
		}
		c.last = e.Index
		return nil
	}
	c.msgs = append(c.msgs, m)
	c.bytes += int64(len(m.Value))
	c.last = e.Index
	return nil
}

func (s *Shipper) message(e spool.Entry) (kafkago.Message, error) {
	md, err := s.describe(e.Payload)
	if err != nil {
		return kafkago.Message{}, err
	}
	value := append([]byte(nil), e.Payload...)
	// Leave room for key, headers and record overhead within the broker's limit.
	limit := s.cfg.MaxMessageBytes - 1024 - len(md.Key)
	if len(value) > limit {
		value, err = s.shrink(value, limit)
		if err != nil {
			return kafkago.Message{}, fmt.Errorf("shrink oversized record %s: %w", md.ID, err)
		}
		if s.hooks.Truncated != nil {
			s.hooks.Truncated()
		}
	}
	src := s.cfg.Source
	if src == "" {
		src = md.Source
	}
	h := []kafkago.Header{
		{Key: "ce_specversion", Value: []byte("1.0")},
		{Key: "ce_id", Value: []byte(md.ID)},
		{Key: "ce_source", Value: []byte(src)},
		{Key: "ce_type", Value: []byte(md.Type)},
		{Key: "ce_time", Value: []byte(md.Time.UTC().Format(time.RFC3339Nano))},
		{Key: "content-type", Value: []byte("application/json")},
	}
	if md.Subject != "" {
		h = append(h, kafkago.Header{Key: "ce_subject", Value: []byte(md.Subject)})
	}
	return kafkago.Message{Key: []byte(md.Key), Value: value, Headers: h}, nil
}

// send writes the batch until the broker acknowledges it or ctx ends (returns false).
func (s *Shipper) send(ctx context.Context, batch []kafkago.Message) bool {
	wait := s.cfg.RetryMin
	for {
		err := s.w.WriteMessages(ctx, batch...)
		if err == nil {
			if s.hooks.Shipped != nil {
				s.hooks.Shipped(len(batch))
			}
			return true
		}
		if ctx.Err() != nil {
			return false
		}
		if s.hooks.Error != nil {
			s.hooks.Error(err)
		}
		s.log.Warn("audit shipper: produce failed; records stay in the spool and will be retried",
			"err", err, "batch", len(batch), "retry_in", wait)
		jitter := time.Duration(rand.Int64N(int64(wait)/2 + 1)) //nolint:gosec // retry jitter, not a secret
		t := time.NewTimer(wait/2 + jitter)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return false
		}
		wait = min(wait*2, s.cfg.RetryMax)
	}
}

// persister writes the shipper position off the send path: an fsync of the position file does
// not hold up the next produce request.
type persister struct {
	s    *Shipper
	mu   sync.Mutex
	next uint64 // newest acknowledged position not yet written
	kick chan struct{}
	quit chan struct{}
	done chan struct{}
}

func newPersister(s *Shipper) *persister {
	return &persister{s: s, kick: make(chan struct{}, 1), quit: make(chan struct{}), done: make(chan struct{})}
}

// offer records that every entry below next is acknowledged.
func (p *persister) offer(next uint64) {
	p.mu.Lock()
	if next > p.next {
		p.next = next
	}
	p.mu.Unlock()
	select {
	case p.kick <- struct{}{}:
	default:
	}
}

func (p *persister) run() {
	defer close(p.done)
	for {
		select {
		case <-p.kick:
			p.flush()
		case <-p.quit:
			p.flush() // positions acknowledged before the stop are kept
			return
		}
	}
}

// stop writes the last acknowledged position and ends run.
func (p *persister) stop() {
	close(p.quit)
	<-p.done
}

func (p *persister) flush() {
	p.mu.Lock()
	next := p.next
	p.mu.Unlock()
	if next <= p.s.Position() {
		return
	}
	if err := p.s.advance(next); err != nil {
		p.s.log.Error("audit shipper: cannot persist position; records may be re-sent after restart", "err", err)
	}
}

// advance persists next, publishes it to WaitFor and trims the shipped segments.
func (s *Shipper) advance(next uint64) error {
	err := s.writePos(next)
	s.mu.Lock()
	s.pos = next
	close(s.changed)
	s.changed = make(chan struct{})
	s.mu.Unlock()
	if err != nil {
		return err
	}
	return s.sp.Trim(next)
}
