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
		BatchTimeout: cfg.BatchTimeout,
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

// Run ships until ctx ends. It returns nil on cancellation.
func (s *Shipper) Run(ctx context.Context) error {
	defer s.w.Close()
	r := s.sp.NewReader(s.Position())
	defer r.Close()
	for {
		batch, last, err := s.collect(ctx, r)
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, spool.ErrClosed) {
				return nil
			}
			return err
		}
		if len(batch) > 0 && !s.send(ctx, batch) {
			return nil
		}
		if err := s.advance(last + 1); err != nil {
			s.log.Error("audit shipper: cannot persist position; records may be re-sent after restart", "err", err)
		}
	}
}

// collect reads up to BatchSize entries: waits for the first, then takes what is available.
func (s *Shipper) collect(ctx context.Context, r *spool.Reader) ([]kafkago.Message, uint64, error) {
	var batch []kafkago.Message
	var bytes int64
	var last uint64
	for len(batch) < s.cfg.BatchSize && bytes < s.cfg.BatchBytes {
		if len(batch) > 0 && !r.Available() {
			break
		}
		e, err := r.Next(ctx)
		if errors.Is(err, spool.ErrCorrupt) {
			// Never silent: the entries are still on disk for `warden audit verify`.
			s.log.Error("audit shipper: corrupt spool entry; skipping the rest of the segment", "err", err)
			if s.hooks.Corrupt != nil {
				s.hooks.Corrupt()
			}
			r.SkipSegment()
			continue
		}
		if err != nil {
			return nil, 0, err
		}
		m, err := s.message(e)
		if err != nil {
			s.log.Error("audit shipper: unreadable spool entry skipped", "pos", e.Pos(), "err", err)
			if s.hooks.Corrupt != nil {
				s.hooks.Corrupt()
			}
			last = e.Index
			continue
		}
		batch = append(batch, m)
		bytes += int64(len(m.Value))
		last = e.Index
	}
	return batch, last, nil
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
