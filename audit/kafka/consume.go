package kafka

import (
	"context"
	"errors"
	"fmt"
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

// fetchBytes bounds one fetch response. kafka-go gives a fetch its read timeout (10 s) to arrive
// and decode whole; a 16 MiB response on a slow or busy machine missed it and was fetched again
// from the same offset, forever. 1 MiB still holds every record warden ships (max_message_bytes).
const fetchBytes = 1 << 20

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
		if err := readPartition(ctx, cfg, dialer, p, fn); err != nil {
			return err
		}
	}
	return nil
}

// readStall bounds how long ReadAll waits for the next message of a partition that has more
// below its high watermark. kafka-go's Reader retries a fetch that fails (a leader down or
// unreachable at its advertised address) for ever; a command reading the topic must instead
// say so and end.
const readStall = 30 * time.Second

func readPartition(ctx context.Context, cfg Config, dialer *kafkago.Dialer, p kafkaconn.PartitionRange, fn func(Consumed) error) error {
	var lastErr lastError
	r := kafkago.NewReader(kafkago.ReaderConfig{
		Brokers: cfg.Brokers, Topic: cfg.Topic, Partition: p.ID,
		Dialer: dialer, MinBytes: 1, MaxBytes: fetchBytes, MaxWait: 200 * time.Millisecond,
		ErrorLogger: &lastErr,
	})
	defer r.Close()
	if err := r.SetOffset(p.First); err != nil {
		return fmt.Errorf("seek %s/%d: %w", cfg.Topic, p.ID, err)
	}
	next := p.First
	for {
		fctx, cancel := context.WithTimeout(ctx, readStall)
		m, err := r.FetchMessage(fctx)
		cancel()
		if err != nil {
			if ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
				err = fmt.Errorf("%w: no message at offset %d (of %d) within %s from %v; last broker error: %s",
					ErrStalled, next, p.Last, readStall, cfg.Brokers, lastErr.get())
			}
			return fmt.Errorf("read %s/%d: %w", cfg.Topic, p.ID, err)
		}
		if err := fn(toConsumed(m)); err != nil {
			return err
		}
		next = m.Offset + 1
		if next >= p.Last {
			return nil
		}
	}
}

// ErrStalled is returned by ReadAll when a partition stops delivering messages it holds.
var ErrStalled = errors.New("the topic stopped delivering messages")

// lastError keeps the last error kafka-go's Reader logged, for the error ReadAll returns.
type lastError struct {
	mu  sync.Mutex
	msg string
}

// Printf implements kafkago.Logger.
func (l *lastError) Printf(format string, args ...any) {
	l.mu.Lock()
	l.msg = fmt.Sprintf(format, args...)
	l.mu.Unlock()
}

func (l *lastError) get() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.msg == "" {
		return "none"
	}
	return l.msg
}

func toConsumed(m kafkago.Message) Consumed {
	h := make(map[string]string, len(m.Headers))
	for _, x := range m.Headers {
		h[x.Key] = string(x.Value)
	}
	return Consumed{Partition: m.Partition, Offset: m.Offset, Key: m.Key, Value: m.Value, Headers: h}
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
	var wg sync.WaitGroup
	for _, p := range parts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := kafkago.NewReader(kafkago.ReaderConfig{
				Brokers: cfg.Brokers, Topic: cfg.Topic, Partition: p.ID,
				Dialer: dialer, MinBytes: 1, MaxBytes: fetchBytes, MaxWait: 200 * time.Millisecond,
			})
			defer r.Close()
			start := p.Last
			if fromStart {
				start = p.First
			}
			if err := r.SetOffset(start); err != nil {
				mu.Lock()
				first = errors.Join(first, err)
				mu.Unlock()
				cancel()
				return
			}
			for {
				m, err := r.FetchMessage(ctx)
				if err != nil {
					return // ctx ended
				}
				mu.Lock()
				if stopped {
					mu.Unlock()
					return
				}
				ferr := fn(toConsumed(m))
				if ferr != nil {
					stopped = true
					if !errors.Is(ferr, ErrStop) && first == nil {
						first = ferr
					}
				}
				mu.Unlock()
				if ferr != nil {
					cancel()
					return
				}
			}
		}()
	}
	wg.Wait()
	return first
}

// ErrStop ends Follow without error.
var ErrStop = errors.New("stop following")
