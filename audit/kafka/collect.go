package kafka

import (
	"context"
	"errors"
	"fmt"
	"time"

	kafkago "github.com/segmentio/kafka-go"

	"github.com/warden-gw/warden/audit/spool"
)

// Reading batches from the spool: entries become Kafka messages (shrunk when too large).

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
	return kafkago.Message{Key: []byte(md.Key), Value: value, Headers: h}, nil
}
