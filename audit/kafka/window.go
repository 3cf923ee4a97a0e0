package kafka

import (
	"context"
	"sync"

	kafkago "github.com/segmentio/kafka-go"
)

// The window of batches in flight and the acknowledged prefix it publishes.

// part is the share of one batch that goes to one partition.
type part struct {
	batch int // the batch's number in dispatch order
	msgs  []kafkago.Message
}

// window tracks dispatched batches until they are acknowledged and publishes the acknowledged
// prefix. Its slots bound how many batches (and so how much memory) are outstanding.
type window struct {
	p     *persister
	slots chan struct{}
	mu    sync.Mutex
	next  int              // number of the oldest batch not yet acknowledged
	open  map[int]*pending // dispatched, not yet folded into the prefix
}

type pending struct {
	parts int    // parts not yet acknowledged
	last  uint64 // spool index of the batch's last entry
}

// add registers batch n (its slot already taken) with the number of its parts.
func (w *window) add(n, parts int, last uint64) {
	w.mu.Lock()
	w.open[n] = &pending{parts: parts + 1, last: last}
	w.mu.Unlock()
	w.ack(n) // the +1 above: a batch with no parts is acknowledged at once
}

// ack records that one part of batch n is acknowledged; when that completes the oldest
// batches, their slots are freed and the position moves past them.
func (w *window) ack(n int) {
	w.mu.Lock()
	w.open[n].parts--
	var next uint64
	advanced := false
	for {
		b, ok := w.open[w.next]
		if !ok || b.parts > 0 {
			break
		}
		next, advanced = b.last+1, true
		delete(w.open, w.next)
		w.next++
		<-w.slots
	}
	w.mu.Unlock()
	if advanced {
		w.p.offer(next)
	}
}

// drain waits until every dispatched batch is acknowledged (it holds all slots meanwhile).
func (w *window) drain(ctx context.Context) bool {
	n := 0
	defer func() {
		for ; n > 0; n-- {
			<-w.slots
		}
	}()
	for ; n < cap(w.slots); n++ {
		select {
		case w.slots <- struct{}{}:
		case <-ctx.Done():
			return false
		}
	}
	return true
}
