package approval

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	kafkago "github.com/segmentio/kafka-go"

	"github.com/warden-gw/warden/internal/kafkaconn"
)

// KafkaConfig names the compacted topic that shares approval state between replicas. Create it
// with cleanup.policy=compact; every replica reads it from the start at boot.
type KafkaConfig struct {
	// Brokers, client_id (default warden-approvals), tls and sasl: the same keys as audit.kafka.
	kafkaconn.Settings `yaml:",inline"`
	Topic              string        `yaml:"topic"`           // default warden.approvals
	WriteTimeout       time.Duration `yaml:"write_timeout"`   // produce and read-back; default 10s
	StartupTimeout     time.Duration `yaml:"startup_timeout"` // catching up at boot; default 30s
}

// KafkaStore shares approval state through a compacted topic: key = approval id, value = the JSON
// state (a nil value deletes). Every replica consumes every partition from the start into memory
// and writes transitions to the topic.
//
// Conflict rule: per key, a record is applied only if its version is greater than the version
// held; so among records with the same version the first one in the partition's log wins and
// later ones are ignored. Kafka orders a key's records (one partition), so every replica picks the
// same winner. Put waits until it reads its own record back and returns ErrConflict if it lost.
// A loser then re-publishes the winning state so that compaction (which keeps the last record of a
// key) keeps the winner too.
type KafkaStore struct {
	cfg  KafkaConfig
	conn kafkaconn.Conn
	w    *kafkago.Writer
	log  *slog.Logger

	mu       sync.Mutex
	idx      index
	watchers []func(Approval)
	waits    map[string]chan bool // WriteID → applied?

	health atomic.Pointer[error] // the last write's failure; nil after a write that worked

	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// NewKafkaStore connects, starts one consumer per partition and returns once every partition has
// been read up to the end it had at startup.
func NewKafkaStore(ctx context.Context, cfg KafkaConfig, log *slog.Logger) (*KafkaStore, error) {
	if len(cfg.Brokers) == 0 {
		return nil, errors.New("approval.kafka.brokers: list at least one broker")
	}
	if cfg.Topic == "" {
		cfg.Topic = "warden.approvals"
	}
	if cfg.WriteTimeout == 0 {
		cfg.WriteTimeout = 10 * time.Second
	}
	if cfg.StartupTimeout == 0 {
		cfg.StartupTimeout = 30 * time.Second
	}
	if log == nil {
		log = slog.Default()
	}
	conn, err := cfg.Connect("approval.kafka", "warden-approvals")
	if err != nil {
		return nil, err
	}
	sctx, cancel := context.WithTimeout(ctx, cfg.StartupTimeout)
	defer cancel()
	parts, err := conn.Partitions(sctx, conn.Client(0), cfg.Topic)
	if errors.Is(err, kafkaconn.ErrTopicNotFound) {
		return nil, fmt.Errorf("approval topic: %w: create it with cleanup.policy=compact", err)
	}
	if err != nil {
		return nil, fmt.Errorf("approval topic: %w", err)
	}
	rctx, rcancel := context.WithCancel(context.WithoutCancel(ctx))
	s := &KafkaStore{
		cfg: cfg, conn: conn, log: log, idx: newIndex(), waits: map[string]chan bool{}, cancel: rcancel,
		w: &kafkago.Writer{
			Addr: kafkago.TCP(cfg.Brokers...), Topic: cfg.Topic, Balancer: &kafkago.Hash{},
			RequiredAcks: kafkago.RequireAll, BatchTimeout: time.Millisecond, WriteTimeout: cfg.WriteTimeout,
			Transport: conn.Transport(),
		},
	}
	caught := make(chan int, len(parts))
	for _, p := range parts {
		s.wg.Add(1)
		go s.consume(rctx, p, caught)
	}
	for range parts {
		select {
		case <-caught:
		case <-sctx.Done():
			_ = s.Close()
			return nil, fmt.Errorf("read approval topic %s up to its end within %s: %w (is Kafka reachable?)",
				cfg.Topic, cfg.StartupTimeout, sctx.Err())
		}
	}
	return s, nil
}

// consume follows one partition from its first offset and reports on caught when it has read up
// to the end the partition had at startup.
func (s *KafkaStore) consume(ctx context.Context, p kafkaconn.PartitionRange, caught chan<- int) {
	defer s.wg.Done()
	r := kafkago.NewReader(kafkago.ReaderConfig{
		Brokers: s.cfg.Brokers, Topic: s.cfg.Topic, Partition: p.ID,
		MinBytes: 1, MaxBytes: 8 << 20, MaxWait: 250 * time.Millisecond,
		Dialer: s.conn.Dialer(),
	})
	defer r.Close()
	done := p.Last <= p.First
	if done {
		caught <- p.ID
	}
	if err := r.SetOffset(p.First); err != nil {
		s.log.Error("seek approval topic", "partition", p.ID, "err", err)
		return
	}
	for {
		m, err := r.FetchMessage(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			s.log.Warn("read approval topic; retrying", "partition", p.ID, "err", err)
			select {
			case <-ctx.Done():
				return
			case <-time.After(time.Second):
			}
			continue
		}
		s.apply(m.Key, m.Value)
		if !done && m.Offset+1 >= p.Last {
			done = true
			caught <- p.ID
		}
	}
}

// apply applies one record under the conflict rule and tells a waiting Put whether it won.
func (s *KafkaStore) apply(key, value []byte) {
	id := string(key)
	if value == nil {
		s.mu.Lock()
		s.idx.del(id)
		s.mu.Unlock()
		return
	}
	var a Approval
	if err := json.Unmarshal(value, &a); err != nil || a.ID != id || a.Version < 1 {
		s.log.Warn("skipping an unreadable approval record", "key", id)
		return
	}
	s.mu.Lock()
	cur, ok := s.idx.get(id)
	applied := !ok || a.Version > cur.Version
	if applied {
		s.idx.set(a)
	}
	if ch, ok := s.waits[a.WriteID]; ok && a.WriteID != "" {
		ch <- applied
		delete(s.waits, a.WriteID)
	}
	ws := s.watchers
	s.mu.Unlock()
	if applied {
		for _, w := range ws {
			w(a)
		}
	}
}

// Put implements Store: it produces next and waits to read it back.
func (s *KafkaStore) Put(ctx context.Context, next Approval) error {
	s.mu.Lock()
	cur, ok := s.idx.get(next.ID)
	if (!ok && next.Version != 1) || (ok && cur.Version+1 != next.Version) {
		s.mu.Unlock()
		return fmt.Errorf("approval %s version %d: %w", next.ID, next.Version, ErrConflict)
	}
	next.WriteID = randomID("w_")
	ch := make(chan bool, 1)
	s.waits[next.WriteID] = ch
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.waits, next.WriteID)
		s.mu.Unlock()
	}()

	val, err := json.Marshal(next)
	if err != nil {
		return fmt.Errorf("encode approval %s: %w", next.ID, err)
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.WriteTimeout)
	defer cancel()
	if err := s.w.WriteMessages(ctx, kafkago.Message{Key: []byte(next.ID), Value: val}); err != nil {
		return s.unavailable(fmt.Errorf("write approval %s to topic %s: %w", next.ID, s.cfg.Topic, err))
	}
	select {
	case applied := <-ch:
		s.health.Store(nil)
		if applied {
			return nil
		}
		s.repair(ctx, next.ID)
		return fmt.Errorf("approval %s version %d: %w", next.ID, next.Version, ErrConflict)
	case <-ctx.Done():
		return s.unavailable(fmt.Errorf("approval %s: write not read back from topic %s: %w", next.ID, s.cfg.Topic, ctx.Err()))
	}
}

// unavailable marks a failed write as ErrStoreUnavailable and remembers it for Health. The
// caller's deadline (a request's message budget) ending is the same failure seen sooner.
func (s *KafkaStore) unavailable(err error) error {
	err = fmt.Errorf("%w: %w", ErrStoreUnavailable, err)
	s.health.Store(&err)
	return err
}

// Health implements HealthReporter.
func (s *KafkaStore) Health() error {
	if p := s.health.Load(); p != nil {
		return *p
	}
	return nil
}

// repair re-publishes the state that beat this replica's write, so that the last record of the
// key (the one compaction keeps) is the winner. Replicas ignore it: its version is not greater.
func (s *KafkaStore) repair(ctx context.Context, id string) {
	s.mu.Lock()
	cur, ok := s.idx.get(id)
	s.mu.Unlock()
	if !ok {
		return
	}
	val, err := json.Marshal(cur)
	if err == nil {
		err = s.w.WriteMessages(ctx, kafkago.Message{Key: []byte(id), Value: val})
	}
	if err != nil {
		s.log.Warn("re-publish the winning approval state", "id", id, "err", err)
	}
}

// Delete writes a tombstone for id; compaction then removes the key.
func (s *KafkaStore) Delete(ctx context.Context, id string) error {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.WriteTimeout)
	defer cancel()
	if err := s.w.WriteMessages(ctx, kafkago.Message{Key: []byte(id)}); err != nil {
		return s.unavailable(fmt.Errorf("delete approval %s from topic %s: %w", id, s.cfg.Topic, err))
	}
	return nil
}

// IDSalt implements IDSalter: every replica on the topic derives the same ids.
func (s *KafkaStore) IDSalt() string { return "kafka:" + s.cfg.Topic }

// Get implements Store.
func (s *KafkaStore) Get(id string) (Approval, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.idx.get(id)
}

// List implements Store.
func (s *KafkaStore) List() []Approval {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.idx.all()
}

// ByDigest implements Store.
func (s *KafkaStore) ByDigest(digest string) []Approval {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.idx.withDigest(digest)
}

// Live implements Store.
func (s *KafkaStore) Live() []Approval {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.idx.liveOnes()
}

// TerminalBefore implements Store.
func (s *KafkaStore) TerminalBefore(t time.Time) []Approval {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.idx.terminalBefore(t)
}

// Watch implements Store.
func (s *KafkaStore) Watch(fn func(Approval)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.watchers = append(s.watchers, fn)
}

// Close stops the consumers and the producer.
func (s *KafkaStore) Close() error {
	s.cancel()
	s.wg.Wait()
	return s.w.Close()
}

func randomID(prefix string) string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return prefix + hex.EncodeToString(b[:])
}
