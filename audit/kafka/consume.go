package kafka

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	kafkago "github.com/segmentio/kafka-go"
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

func (c Config) client() (*kafkago.Client, *kafkago.Dialer, error) {
	tc, err := c.tlsConfig()
	if err != nil {
		return nil, nil, err
	}
	id := c.ClientID
	if id == "" {
		id = "warden-audit-cli"
	}
	cl := &kafkago.Client{
		Addr: kafkago.TCP(c.Brokers...), Timeout: 10 * time.Second,
		Transport: &kafkago.Transport{ClientID: id, TLS: tc, DialTimeout: 5 * time.Second},
	}
	return cl, &kafkago.Dialer{ClientID: id, TLS: tc, Timeout: 5 * time.Second}, nil
}

type partRange struct {
	id          int
	first, last int64 // [first, last)
}

func (c Config) partitions(ctx context.Context, cl *kafkago.Client) ([]partRange, error) {
	md, err := cl.Metadata(ctx, &kafkago.MetadataRequest{Topics: []string{c.Topic}})
	if err != nil {
		return nil, fmt.Errorf("read metadata of topic %s from %v: %w", c.Topic, c.Brokers, err)
	}
	if len(md.Topics) != 1 || md.Topics[0].Error != nil || len(md.Topics[0].Partitions) == 0 {
		return nil, fmt.Errorf("topic %s not found on %v: check --topic", c.Topic, c.Brokers)
	}
	var reqs []kafkago.OffsetRequest
	for _, p := range md.Topics[0].Partitions {
		reqs = append(reqs, kafkago.FirstOffsetOf(p.ID), kafkago.LastOffsetOf(p.ID))
	}
	lo, err := cl.ListOffsets(ctx, &kafkago.ListOffsetsRequest{Topics: map[string][]kafkago.OffsetRequest{c.Topic: reqs}})
	if err != nil {
		return nil, fmt.Errorf("list offsets of topic %s: %w", c.Topic, err)
	}
	var out []partRange
	for _, po := range lo.Topics[c.Topic] {
		if po.Error != nil {
			return nil, fmt.Errorf("list offsets of %s/%d: %w", c.Topic, po.Partition, po.Error)
		}
		out = append(out, partRange{id: po.Partition, first: po.FirstOffset, last: po.LastOffset})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	return out, nil
}

// ReadAll reads every message present in the topic when it is called (each partition from its
// first offset up to its high watermark) and calls fn for each, partition by partition.
func ReadAll(ctx context.Context, cfg Config, fn func(Consumed) error) error {
	cl, dialer, err := cfg.client()
	if err != nil {
		return err
	}
	parts, err := cfg.partitions(ctx, cl)
	if err != nil {
		return err
	}
	for _, p := range parts {
		if p.last <= p.first {
			continue
		}
		if err := readPartition(ctx, cfg, dialer, p, fn); err != nil {
			return err
		}
	}
	return nil
}

func readPartition(ctx context.Context, cfg Config, dialer *kafkago.Dialer, p partRange, fn func(Consumed) error) error {
	r := kafkago.NewReader(kafkago.ReaderConfig{
		Brokers: cfg.Brokers, Topic: cfg.Topic, Partition: p.id,
		Dialer: dialer, MinBytes: 1, MaxBytes: 16 << 20, MaxWait: 200 * time.Millisecond,
	})
	defer r.Close()
	if err := r.SetOffset(p.first); err != nil {
		return fmt.Errorf("seek %s/%d: %w", cfg.Topic, p.id, err)
	}
	for {
		m, err := r.FetchMessage(ctx)
		if err != nil {
			return fmt.Errorf("read %s/%d: %w", cfg.Topic, p.id, err)
		}
		if err := fn(toConsumed(m)); err != nil {
			return err
		}
		if m.Offset+1 >= p.last {
			return nil
		}
	}
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
	cl, dialer, err := cfg.client()
	if err != nil {
		return err
	}
	parts, err := cfg.partitions(ctx, cl)
	if err != nil {
		return err
	}
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
				Brokers: cfg.Brokers, Topic: cfg.Topic, Partition: p.id,
				Dialer: dialer, MinBytes: 1, MaxBytes: 16 << 20, MaxWait: 200 * time.Millisecond,
			})
			defer r.Close()
			start := p.last
			if fromStart {
				start = p.first
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
