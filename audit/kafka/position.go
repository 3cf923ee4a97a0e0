package kafka

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sync"

	"github.com/warden-gw/warden/audit/spool"
)

// The shipper's position: the spool index up to which Kafka acknowledged, persisted so that a
// restart neither loses nor (beyond one batch) repeats records.

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
	if err := spool.WriteFile(s.posPath, b, 0o600); err != nil {
		return fmt.Errorf("shipper position: %w", err)
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
