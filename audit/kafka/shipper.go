package kafka

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	kafkago "github.com/segmentio/kafka-go"

	"github.com/warden-gw/warden/audit/spool"
)

// Message is what the shipper needs to know about one spool entry.
type Message struct {
	Key    string
	ID     string // ce_id: chain:seq
	Type   string // ce_type
	Source string // ce_source
	Time   time.Time
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

	// balancer pins kafka-go's partitioning to the partition count the lanes were built for.
	balancer         *pinnedBalancer
	partitionRefresh time.Duration
}

// NewShipper prepares a shipper reading sp. It does not contact the brokers until Run.
func NewShipper(cfg Config, sp *spool.Spool, d Describer, s Shrinker, hooks Hooks, log *slog.Logger) (*Shipper, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	conn, err := cfg.connect("warden-audit")
	if err != nil {
		return nil, err
	}
	transport := conn.Transport()
	transport.MetadataTTL = 5 * time.Second
	if log == nil {
		log = slog.Default()
	}
	codec, err := cfg.codec()
	if err != nil {
		return nil, err
	}
	bal := &pinnedBalancer{}
	w := &kafkago.Writer{
		Addr:         kafkago.TCP(cfg.Brokers...),
		Topic:        cfg.Topic,
		Balancer:     bal,                // murmur2, as the Java clients, over the lanes' count
		RequiredAcks: kafkago.RequireAll, // kafka-go's default is none
		Compression:  codec,
		MaxAttempts:  1, // the shipper retries whole batches itself
		BatchSize:    cfg.BatchSize,
		BatchBytes:   cfg.BatchBytes,
		// The shipper hands WriteMessages a complete batch and lingers itself (collect): a
		// partition batch waiting here for more messages would only add latency, since no more
		// arrive until WriteMessages returns.
		BatchTimeout: time.Microsecond,
		WriteTimeout: cfg.WriteTimeout,
		ReadTimeout:  cfg.WriteTimeout,
		Transport:    transport,
	}
	sh := &Shipper{
		cfg: cfg, sp: sp, w: w, describe: d, shrink: s, hooks: hooks, log: log, balancer: bal,
		partitionRefresh: partitionRefresh,
		posPath:          filepath.Join(sp.Dir(), "ship-"+safeName(cfg.Topic)+".pos"), changed: make(chan struct{}),
	}
	sh.pos, err = readPos(sh.posPath)
	if err != nil {
		return nil, err
	}
	return sh, nil
}

// batch is a run of spool entries ready to send; last is the index of its last entry.
type batch struct {
	msgs []kafkago.Message
	last uint64
}

// Run ships until ctx ends. It returns nil on cancellation.
//
// Stages overlap: a collector reads and describes the next batches from the spool; a dispatcher
// splits each batch by partition (the partition Kafka's murmur2 partitioner gives the record's
// key) into one lane per partition, so that produce calls for different partitions and for up to
// MaxInFlight batches are outstanding at once; each lane sends its parts strictly one after
// another, retrying a part until the broker acknowledges it before it sends the next, so a
// session's records reach Kafka in spool order even across failures (a retry can add
// duplicates, never reorder). A batch is acknowledged when all its parts are; the position
// advances over the acknowledged prefix of the spool only, and a persister fsyncs it off the
// send path, coalescing positions that arrive while an fsync runs.
func (s *Shipper) Run(ctx context.Context) error {
	defer func() {
		_ = s.w.Close()
		// Writer.Close leaves a Transport it was given open (its metadata and dial goroutines).
		if t, ok := s.w.Transport.(*kafkago.Transport); ok {
			t.CloseIdleConnections()
		}
	}()
	r := s.sp.NewReader(s.Position())
	cctx, stopCollect := context.WithCancel(ctx)
	// The dispatcher also stops when the collector fails (its error is returned), even while
	// it waits for Kafka.
	dctx, stopDispatch := context.WithCancel(ctx)
	defer stopDispatch()
	batches := make(chan batch, 2)
	collected := make(chan error, 1)
	go func() {
		defer close(batches)
		err := s.collectLoop(cctx, r, batches)
		if err != nil {
			stopDispatch()
		}
		collected <- err
	}()
	p := newPersister(s)
	go p.run()
	s.dispatch(dctx, batches, p)
	stopCollect()
	for range batches { // let the collector finish before closing its reader
	}
	err := <-collected
	_ = r.Close()
	p.stop()
	if ctx.Err() != nil || errors.Is(err, spool.ErrClosed) {
		return nil
	}
	return err
}

// lanes are the per-partition senders of one partition count.
type lanes struct {
	in []chan part
	wg sync.WaitGroup
}

func (s *Shipper) startLanes(ctx context.Context, partitions int, w *window) *lanes {
	ls := &lanes{in: make([]chan part, partitions)}
	for i := range ls.in {
		// A lane holds at most one part per outstanding batch: sends into it never block.
		ls.in[i] = make(chan part, cap(w.slots))
		ls.wg.Add(1)
		go func() {
			defer ls.wg.Done()
			for pt := range ls.in[i] {
				for _, c := range s.chunks(pt.msgs) {
					if !s.send(ctx, c) {
						return
					}
				}
				w.ack(pt.batch)
			}
		}()
	}
	return ls
}

func (ls *lanes) stop() {
	for _, c := range ls.in {
		close(c)
	}
	ls.wg.Wait()
}

// partitionRefresh is how often the dispatcher re-reads the topic's partition count (tests
// shorten it through Shipper.partitionRefresh).
const partitionRefresh = 30 * time.Second

// dispatch hands each batch's parts to the lanes until the batches end or ctx ends, then stops
// the lanes.
func (s *Shipper) dispatch(ctx context.Context, batches <-chan batch, p *persister) {
	w := &window{p: p, slots: make(chan struct{}, s.cfg.MaxInFlight), open: map[int]*pending{}}
	count, ok := s.waitPartitions(ctx)
	if !ok {
		return
	}
	s.balancer.count.Store(int64(count))
	ls := s.startLanes(ctx, count, w)
	defer func() { ls.stop() }()
	checked := time.Now()
	var split [][]kafkago.Message
	for num := 0; ; num++ {
		var b batch
		select {
		case b, ok = <-batches:
		case <-ctx.Done():
			return
		}
		if !ok {
			return
		}
		if time.Since(checked) > s.partitionRefresh {
			checked = time.Now()
			if c, err := s.partitions(ctx); err == nil && c != count {
				// A key's partition changes with the count: let every part sent under the old
				// count be acknowledged before the new lanes start, so no session overtakes itself.
				s.log.Info("audit shipper: topic partition count changed", "from", count, "to", c)
				if !w.drain(ctx) {
					return
				}
				ls.stop()
				s.balancer.count.Store(int64(c))
				count, ls = c, s.startLanes(ctx, c, w)
			}
		}
		select {
		case w.slots <- struct{}{}:
		case <-ctx.Done():
			return
		}
		split = splitByPartition(split, b.msgs, count)
		parts := 0
		for _, msgs := range split {
			if msgs != nil {
				parts++
			}
		}
		w.add(num, parts, b.last)
		for i, msgs := range split {
			if msgs != nil {
				ls.in[i] <- part{batch: num, msgs: msgs}
			}
		}
	}
}

// partitioner is murmur2 over a partition list, as the Java clients; splitByPartition and the
// writer's pinnedBalancer both use it, so a lane's records all go to that lane's partition.
var partitioner = kafkago.Murmur2Balancer{Consistent: true}

// pinnedBalancer partitions over the count the lanes were built for, not over whatever count
// kafka-go's metadata cache holds at the moment: when partitions are added, kafka-go sees the
// new count up to 30 s before the dispatcher, and must not send a lane's records to a partition
// another lane feeds until the dispatcher has drained and rebuilt its lanes.
type pinnedBalancer struct {
	count atomic.Int64
}

// Balance implements kafkago.Balancer.
func (b *pinnedBalancer) Balance(msg kafkago.Message, partitions ...int) int {
	if n := int(b.count.Load()); n > 0 && n <= len(partitions) {
		partitions = partitions[:n]
	}
	return partitioner.Balance(msg, partitions...)
}

// sizeBound is at least the bytes kafka-go counts for m against Writer.BatchBytes (key, value,
// headers with their length prefixes, and the per-message framing), and at least m's size in a
// v2 record batch.
func sizeBound(m kafkago.Message) int64 {
	n := int64(len(m.Key) + len(m.Value) + 64)
	for _, h := range m.Headers {
		n += int64(len(h.Key) + len(h.Value) + 10)
	}
	return n
}

// chunks cuts a lane's part into pieces that kafka-go sends as one produce request each. kafka-go
// would otherwise split a part larger than BatchSize or BatchBytes into several requests that it
// sends (and fails) independently, and a retry of the whole part could then put a session's
// later records before its earlier ones.
func (s *Shipper) chunks(msgs []kafkago.Message) [][]kafkago.Message {
	var out [][]kafkago.Message
	start, bytes := 0, int64(0)
	for i, m := range msgs {
		n := sizeBound(m)
		if i > start && (i-start >= s.cfg.BatchSize || bytes+n > s.cfg.BatchBytes) {
			out = append(out, msgs[start:i])
			start, bytes = i, 0
		}
		bytes += n
	}
	return append(out, msgs[start:])
}

// splitByPartition groups msgs by the partition the partitioner gives their key among count.
func splitByPartition(split [][]kafkago.Message, msgs []kafkago.Message, count int) [][]kafkago.Message {
	if len(split) != count {
		split = make([][]kafkago.Message, count)
	}
	ids := make([]int, count)
	for i := range ids {
		ids[i] = i
	}
	for i := range split {
		split[i] = nil
	}
	for _, m := range msgs {
		pt := partitioner.Balance(m, ids...)
		split[pt] = append(split[pt], m)
	}
	return split
}

// waitPartitions reads the topic's partition count, retrying with backoff while the brokers are
// unreachable or the topic is missing. ok is false when ctx ended first.
func (s *Shipper) waitPartitions(ctx context.Context) (count int, ok bool) {
	wait := s.cfg.RetryMin
	for {
		n, err := s.partitions(ctx)
		if err == nil {
			return n, true
		}
		if ctx.Err() != nil {
			return 0, false
		}
		if s.hooks.Error != nil {
			s.hooks.Error(err)
		}
		s.log.Warn("audit shipper: cannot read the topic's partitions; records stay in the spool", "err", err, "retry_in", wait)
		if !sleepCtx(ctx, wait) {
			return 0, false
		}
		wait = min(wait*2, s.cfg.RetryMax)
	}
}

// partitions asks the brokers how many partitions the topic has.
func (s *Shipper) partitions(ctx context.Context) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.WriteTimeout)
	defer cancel()
	cl := &kafkago.Client{Addr: s.w.Addr, Transport: s.w.Transport, Timeout: s.cfg.WriteTimeout}
	md, err := cl.Metadata(ctx, &kafkago.MetadataRequest{Topics: []string{s.cfg.Topic}})
	if err != nil {
		return 0, fmt.Errorf("read metadata of topic %s: %w", s.cfg.Topic, err)
	}
	if len(md.Topics) == 1 && md.Topics[0].Error != nil {
		return 0, fmt.Errorf("topic %s is not available on the brokers (create it; see docs/audit.md): %w", s.cfg.Topic, md.Topics[0].Error)
	}
	if len(md.Topics) != 1 || len(md.Topics[0].Partitions) == 0 {
		return 0, fmt.Errorf("topic %s is not available on the brokers (create it; see docs/audit.md)", s.cfg.Topic)
	}
	return len(md.Topics[0].Partitions), nil
}

// sleepCtx waits d or until ctx ends (false).
func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
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
		if !sleepCtx(ctx, wait/2+jitter) {
			return false
		}
		wait = min(wait*2, s.cfg.RetryMax)
	}
}
