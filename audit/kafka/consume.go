package kafka

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	kafkago "github.com/segmentio/kafka-go"

	"github.com/warden-gw/warden/internal/kafkaconn"
)

// Consumed is one message read back from the topic.
type Consumed struct {
	Partition int
	Offset    int64
	Key       []byte
	Value     []byte
	Headers   map[string]string
}

// Pos renders the message position for reports.
func (c Consumed) Pos() string { return fmt.Sprintf("partition %d offset %d", c.Partition, c.Offset) }

// partitions connects and reads the topic's partition ranges.
func (c Config) partitions(ctx context.Context) (kafkaconn.Conn, []kafkaconn.PartitionRange, error) {
	conn, err := c.connect("warden-audit-cli")
	if err != nil {
		return conn, nil, err
	}
	parts, err := conn.Partitions(ctx, conn.Client(10*time.Second), c.Topic)
	if errors.Is(err, kafkaconn.ErrTopicNotFound) {
		return conn, nil, fmt.Errorf("%w: check --topic", err)
	}
	return conn, parts, err
}

// fetchBytes bounds one fetch response. 1 MiB holds every record warden ships
// (max_message_bytes); a bigger response only takes longer to arrive and decode.
const fetchBytes = 1 << 20

// fetchWait is how long the broker may hold a fetch while the partition has nothing new
// (MaxWait). It is only the broker's wait: reading the response has its own deadline,
// readTimeout. (kafka-go's Reader gives the response only MaxWait to start arriving, so on a
// loaded machine a fetch of a few hundred KB of backlog timed out, was sent again from the same
// offset and timed out again until the caller's deadline — the reason this package drives
// kafka-go's Conn itself.)
const fetchWait = 250 * time.Millisecond

// readTimeout bounds reading one fetch response once the broker's wait is over.
const readTimeout = 30 * time.Second

// readStall bounds how long ReadAll keeps retrying a partition that holds messages below its
// high watermark but delivers none (a leader down, or unreachable at its advertised address): a
// command reading the topic must say so and end, not retry for ever. (A variable for tests.)
var readStall = 30 * time.Second

// ErrStalled is returned by ReadAll when a partition stops delivering messages it holds.
var ErrStalled = errors.New("the topic stopped delivering messages")

// ReadAll reads every message present in the topic when it is called (each partition from its
// first offset up to its high watermark) and calls fn for each, partition by partition.
func ReadAll(ctx context.Context, cfg Config, fn func(Consumed) error) error {
	conn, parts, err := cfg.partitions(ctx)
	if err != nil {
		return err
	}
	dialer := conn.Dialer()
	for _, p := range parts {
		if p.Last <= p.First {
			continue
		}
		f := partitionFetcher{cfg: cfg, dialer: dialer, partition: p.ID}
		if err := f.run(ctx, p.First, p.Last, fn); err != nil {
			return err
		}
	}
	return nil
}

// Follow calls fn for every message arriving on any partition until ctx ends or fn returns an
// error (ErrStop ends without error). fromStart begins at each partition's first offset,
// otherwise at its end. Calls of fn are serialised.
func Follow(ctx context.Context, cfg Config, fromStart bool, fn func(Consumed) error) error {
	conn, parts, err := cfg.partitions(ctx)
	if err != nil {
		return err
	}
	dialer := conn.Dialer()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var mu sync.Mutex
	var first error
	stopped := false
	serial := func(c Consumed) error {
		mu.Lock()
		defer mu.Unlock()
		if stopped {
			return ErrStop
		}
		if err := fn(c); err != nil {
			stopped = true
			if !errors.Is(err, ErrStop) && first == nil {
				first = err
			}
			cancel()
			return ErrStop
		}
		return nil
	}
	var wg sync.WaitGroup
	for _, p := range parts {
		start := p.Last
		if fromStart {
			start = p.First
		}
		wg.Go(func() {
			f := partitionFetcher{cfg: cfg, dialer: dialer, partition: p.ID}
			err := f.run(ctx, start, -1, serial)
			if err != nil && !errors.Is(err, ErrStop) && ctx.Err() == nil {
				mu.Lock()
				first = errors.Join(first, err)
				mu.Unlock()
				cancel()
			}
		})
	}
	wg.Wait()
	return first
}

// partitionFetcher reads one partition through kafka-go's Conn: one fetch at a time, the
// broker's wait (fetchWait) separate from the time the response may take to read
// (readTimeout), a failed fetch retried from the same offset with backoff until ctx ends, and
// the connection closed as soon as ctx ends.
type partitionFetcher struct {
	cfg       Config
	dialer    *kafkago.Dialer
	partition int
}

// run calls fn for each message from offset from up to (not including) until; until < 0 follows
// the partition until ctx ends. fn's error ends run and is returned.
func (f *partitionFetcher) run(ctx context.Context, from, until int64, fn func(Consumed) error) error {
	var conn *kafkago.Conn
	defer func() {
		if conn != nil {
			_ = conn.Close()
		}
	}()
	offset, backoff := from, 100*time.Millisecond
	var lastErr error
	progress := time.Now()
	for until < 0 || offset < until {
		if until >= 0 && lastErr != nil && time.Since(progress) >= readStall {
			return fmt.Errorf("read %s/%d: %w: no message at offset %d (of %d) within %s from %v; last error: %w",
				f.cfg.Topic, f.partition, ErrStalled, offset, until, readStall, f.cfg.Brokers, lastErr)
		}
		if err := ctx.Err(); err != nil {
			if lastErr != nil {
				return fmt.Errorf("read %s/%d at offset %d: %w (last error: %w)", f.cfg.Topic, f.partition, offset, err, lastErr)
			}
			return fmt.Errorf("read %s/%d at offset %d: %w", f.cfg.Topic, f.partition, offset, err)
		}
		if conn == nil {
			c, err := f.dial(ctx)
			if err != nil {
				lastErr = err
				backOff(ctx, &backoff)
				continue
			}
			conn = c
		}
		next, err := f.fetch(ctx, conn, offset, until, fn)
		if next > offset {
			progress = time.Now()
		}
		offset = next
		if err != nil {
			var stop fnError
			if errors.As(err, &stop) {
				return stop.err
			}
			lastErr = err
			_ = conn.Close()
			conn = nil
			backOff(ctx, &backoff)
			continue
		}
		backoff = 100 * time.Millisecond
	}
	return nil
}

// fnError carries the callback's error out of fetch, so run does not retry it.
type fnError struct{ err error }

func (e fnError) Error() string { return e.err.Error() }

// fetch reads one fetch response from offset and returns the offset after the last message it
// handed to fn.
func (f *partitionFetcher) fetch(ctx context.Context, conn *kafkago.Conn, offset, until int64, fn func(Consumed) error) (int64, error) {
	if _, err := conn.Seek(offset, kafkago.SeekAbsolute); err != nil {
		return offset, err
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.SetReadDeadline(time.Now()) })
	defer stop()
	if err := conn.SetReadDeadline(time.Now().Add(fetchWait + readTimeout)); err != nil {
		return offset, err
	}
	batch := conn.ReadBatchWith(kafkago.ReadBatchConfig{MinBytes: 1, MaxBytes: fetchBytes, MaxWait: fetchWait})
	for until < 0 || offset < until {
		m, err := batch.ReadMessage()
		if err != nil {
			break
		}
		if m.Offset < offset {
			continue // a compressed batch starts before the offset asked for
		}
		if until >= 0 && m.Offset >= until {
			break
		}
		if err := fn(toConsumed(m)); err != nil {
			_ = batch.Close()
			return offset, fnError{err}
		}
		offset = m.Offset + 1
	}
	if err := batch.Close(); err != nil && !errors.Is(err, io.EOF) {
		return offset, err
	}
	return offset, nil
}

// dial connects to the partition's leader through the first broker that answers.
func (f *partitionFetcher) dial(ctx context.Context) (*kafkago.Conn, error) {
	var errs error
	for _, b := range f.cfg.Brokers {
		c, err := f.dialer.DialLeader(ctx, "tcp", b, f.cfg.Topic, f.partition)
		if err == nil {
			return c, nil
		}
		errs = errors.Join(errs, err)
	}
	return nil, fmt.Errorf("connect to the leader of %s/%d: %w", f.cfg.Topic, f.partition, errs)
}

// backOff waits *d (or until ctx ends) and doubles *d up to 2 s.
func backOff(ctx context.Context, d *time.Duration) {
	sleepCtx(ctx, *d)
	*d = min(*d*2, 2*time.Second)
}

func toConsumed(m kafkago.Message) Consumed {
	h := make(map[string]string, len(m.Headers))
	for _, x := range m.Headers {
		h[x.Key] = string(x.Value)
	}
	return Consumed{Partition: m.Partition, Offset: m.Offset, Key: m.Key, Value: m.Value, Headers: h}
}

// ErrStop ends Follow without error.
var ErrStop = errors.New("stop following")
