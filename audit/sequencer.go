package audit

import (
	"bytes"
	"errors"
	"fmt"
	"sync"

	"github.com/warden-gw/warden/audit/record"
	"github.com/warden-gw/warden/audit/spool"
)

type appendReq struct {
	body    []byte
	content string
	reply   chan appendRes
}

type appendRes struct {
	t   spool.Ticket
	err error
}

// bodyPool recycles the encoding buffers of records.
var bodyPool = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

var replyPool = sync.Pool{New: func() any { return make(chan appendRes, 1) }}

// append hands body to the sequencer, which links it into the chain and queues it. A single
// goroutine does this instead of callers taking a mutex: with a thousand concurrent callers a
// contended mutex hands off to goroutines that are not running, and throughput collapses.
func (l *Log) append(body []byte, content string) (spool.Ticket, error) {
	reply := replyPool.Get().(chan appendRes)
	select {
	case l.reqs <- appendReq{body: body, content: content, reply: reply}:
	case <-l.seqDone:
		return spool.Ticket{}, ErrClosed
	}
	return l.awaitAppend(reply)
}

// awaitAppend waits for the sequencer's answer to one append. The sequencer answers a batch
// before it can stop, so when it has stopped a reply may be waiting: the record was then
// appended, and the caller must hear so, not ErrClosed (it would refuse a request, or count a
// completion lost, whose record is in the chain).
func (l *Log) awaitAppend(reply chan appendRes) (spool.Ticket, error) {
	select {
	case res := <-reply:
		replyPool.Put(reply)
		return res.t, res.err
	case <-l.seqDone:
		select {
		case res := <-reply:
			return res.t, res.err
		default:
			return spool.Ticket{}, ErrClosed
		}
	}
}

// maxSeqBatch bounds how many queued appends the sequencer links under one lock.
const maxSeqBatch = 512

// sequencer owns the order of the chain. It takes every request already queued (up to
// maxSeqBatch) and links them under one lock, so that the chain is extended a batch at a time.
func (l *Log) sequencer() {
	defer close(l.seqDone)
	batch := make([]appendReq, 0, maxSeqBatch)
	for {
		select {
		case req := <-l.reqs:
			batch = append(batch[:0], req)
		drain:
			for len(batch) < maxSeqBatch {
				select {
				case req := <-l.reqs:
					batch = append(batch, req)
				default:
					break drain
				}
			}
			l.appendBatch(batch)
			clear(batch) // drop references to the bodies
		case <-l.stop:
			return
		}
	}
}

// appendBatch links a batch of records into the chain, in order, and answers each caller.
func (l *Log) appendBatch(batch []appendReq) {
	l.mu.Lock()
	res := make([]appendRes, len(batch))
	for i, req := range batch {
		res[i].t, res[i].err = l.appendOneLocked(req.body, req.content)
	}
	l.mu.Unlock()
	for i, req := range batch {
		req.reply <- res[i]
	}
}

func (l *Log) appendOneLocked(body []byte, content string) (spool.Ticket, error) {
	if l.closed {
		return spool.Ticket{}, ErrClosed
	}
	t, dropped, err := l.appendLocked(body, content)
	if dropped != nil {
		l.noteDropped(dropped)
	}
	if err != nil {
		return t, err
	}
	if l.sinceCkpt >= l.cfg.Checkpoint.Every {
		l.snapshotLocked(false)
	}
	return t, nil
}

func (l *Log) appendLocked(body []byte, content string) (spool.Ticket, *spool.Dropped, error) {
	seq := l.seq + 1
	in := Integrity{ChainID: l.chain, Seq: seq, PrevHash: l.head, ContentHash: content}
	in.Hash = ChainHash(l.chain, seq, l.head, content)
	if !bytes.HasSuffix(body, []byte("}}")) {
		return spool.Ticket{}, nil, errors.New("record encoding does not end with the unmapped object")
	}
	// The record is sealed straight into the spool's buffer: only the small integrity object
	// goes through a scratch buffer, the body is copied once.
	l.sealBuf = record.AppendIntegrity(l.sealBuf[:0], in)
	n := record.SealedLen(body, l.sealBuf)
	t, dropped, err := l.spool.AppendWith(n, func(dst []byte) []byte { return record.AppendSealed(dst, body, l.sealBuf) })
	if errors.Is(err, spool.ErrFull) {
		l.fullNeed.Store(int64(n))
		l.full.Store(true)
		l.m.full.WithLabelValues("rejected").Inc()
		return t, dropped, fmt.Errorf("%w: %d bytes used of audit.max_bytes; the request is refused until Kafka drains the spool or the bound is raised", ErrSpoolFull, l.spool.Stats().Bytes)
	}
	if err != nil {
		return t, dropped, fmt.Errorf("append audit record: %w", err)
	}
	l.full.Store(false)
	l.seq, l.head = seq, in.Hash
	l.sinceCkpt++
	return t, dropped, nil
}

// noteDropped records, in the chain itself, that drop_oldest deleted entries. Appending the
// marker may itself make room by dropping more; that is recorded too (a bounded number of
// times), so that no drop ever goes unrecorded.
func (l *Log) noteDropped(d *spool.Dropped) {
	for range 8 {
		if d == nil {
			return
		}
		l.m.full.WithLabelValues("dropped_oldest").Inc()
		l.m.dropped.Add(float64(d.Count))
		rec, err := l.buildEvent(Event{
			Kind: EventSpoolDropped, ID: fmt.Sprintf("%s-drop-%d", l.chain, d.First),
			ErrorCode: "audit_spool_dropped",
			Error:     fmt.Sprintf("audit spool full: %d entries (%d bytes) deleted unshipped by on_full=drop_oldest", d.Count, d.Bytes),
			Marker:    &Marker{Kind: "spool_dropped", FirstIndex: d.First, Count: d.Count, Bytes: d.Bytes},
		})
		if err != nil {
			l.cfg.Logger.Error("audit: could not record the spool-drop marker", "err", err, "dropped", d.Count)
			return
		}
		body, content, err := l.encode(nil, rec)
		var next *spool.Dropped
		if err == nil {
			_, next, err = l.appendLocked(body, content)
		}
		if err != nil {
			l.cfg.Logger.Error("audit: could not record the spool-drop marker", "err", err, "dropped", d.Count)
			return
		}
		d = next
	}
	if d != nil {
		l.cfg.Logger.Error("audit: spool drops keep cascading; the spool bound is too small for its segments", "dropped", d.Count)
	}
}
