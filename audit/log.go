package audit

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/warden-gw/warden/audit/kafka"
	"github.com/warden-gw/warden/audit/spool"
	"github.com/warden-gw/warden/exchange"
	"github.com/warden-gw/warden/redact"
)

// ErrSpoolFull is returned by Record when the spool bound is reached and on_full is fail; the
// server answers 503. errors.Is works with it.
var ErrSpoolFull = spool.ErrFull

// ErrClosed is returned by Record after Close.
var ErrClosed = errors.New("audit log closed")

// Log is an open audit log. Record is safe for concurrent use.
type Log struct {
	cfg     Config
	spool   *spool.Spool
	signer  Signer
	chain   string
	m       *metrics
	shipper *kafka.Shipper

	mu        sync.Mutex // serialises the chain: seq, head and when to checkpoint
	seq       uint64
	head      string
	sinceCkpt int  // records since the last checkpoint snapshot
	ckptRetry bool // the last snapshot was not signed: the next tick takes another
	closed    bool
	sealBuf   []byte // scratch for the sealed record, reused under mu

	// The checkpointer goroutine signs snapshots of the head off the record path: a signer that
	// calls Vault must not hold up records. Only it (and resume, before it starts) touches the
	// checkpoint chain state below.
	ckpts     chan ckptSnapshot
	ckptNum   uint64
	ckptPrev  string
	ckptFails int       // consecutive signing failures
	ckptLog   time.Time // when a signing failure was last logged

	closeDone chan struct{} // closed when the first Close has finished
	closeErr  error

	full       atomic.Bool
	fullNeed   atomic.Int64 // payload bytes of the last record refused for space
	stateMu    sync.Mutex
	stateSaved uint64
	reqs       chan appendReq // to the sequencer
	seqDone    chan struct{}
	stop       chan struct{}
	wg         sync.WaitGroup
	shipStop   context.CancelFunc
	shipDone   chan struct{}
	shipErr    atomic.Pointer[error] // why the shipper stopped on its own (nil while it runs)
	Recovered  *spool.Recovery       // what Open quarantined, if anything
}

// Open opens (or creates) the audit log described by cfg, recovers its spool, resumes the chain
// where it stopped and starts the Kafka shipper when configured.
func Open(ctx context.Context, cfg Config) (*Log, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("audit config: %w", err)
	}
	if err := os.MkdirAll(cfg.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("create audit dir %s: %w (set audit.dir to a writable folder)", cfg.Dir, err)
	}
	l := &Log{
		cfg: cfg, stop: make(chan struct{}), head: ZeroHash, ckptPrev: ZeroHash,
		ckpts: make(chan ckptSnapshot, ckptQueue), closeDone: make(chan struct{}),
		reqs: make(chan appendReq, 4096), seqDone: make(chan struct{}),
	}
	l.m = newMetrics(l)
	var err error
	if l.chain, err = chainID(cfg); err != nil {
		return nil, err
	}
	if l.signer, err = openSigner(cfg); err != nil {
		return nil, err
	}
	opts := spool.Options{
		SegmentBytes: cfg.SegmentBytes, MaxBytes: cfg.MaxBytes,
		DropOldest: cfg.OnFull == OnFullDropOldest, Logger: cfg.Logger,
		OnFsync: func(d time.Duration) { l.m.fsync.Observe(d.Seconds()) },
	}
	if cfg.Mode == ModeAsync {
		opts.SyncEvery = cfg.SyncInterval
	}
	sp, rec, err := spool.Open(cfg.Dir, opts)
	if err != nil {
		return nil, fmt.Errorf("open audit spool: %w", err)
	}
	l.spool, l.Recovered = sp, rec
	if rec != nil {
		l.m.quarantined.Add(float64(rec.Bytes))
	}
	if err := l.resume(); err != nil {
		_ = sp.Close()
		return nil, err
	}
	if cfg.Registerer != nil {
		for _, c := range l.m.collectors() {
			if err := cfg.Registerer.Register(c); err != nil {
				_ = sp.Close()
				return nil, fmt.Errorf("register audit metrics: %w", err)
			}
		}
	}
	if cfg.Kafka.Enabled() {
		if err := l.startShipper(ctx); err != nil {
			_ = sp.Close()
			return nil, err
		}
	}
	l.wg.Add(1)
	go l.checkpointer()
	go l.sequencer()
	return l, nil
}

func openSigner(cfg Config) (Signer, error) {
	if cfg.Signer != nil {
		return cfg.Signer, nil
	}
	if vt := cfg.Checkpoint.VaultTransit; vt != nil {
		if cfg.VaultClient == nil {
			return nil, errors.New("audit.checkpoint.vault_transit needs a Vault connection: configure the top-level vault: section (address and auth)")
		}
		s, err := NewVaultTransitSigner(context.Background(), cfg.VaultClient, TransitOptions{
			Mount: vt.Mount, Key: vt.Key, RefreshInterval: vt.RefreshInterval, Logger: cfg.Logger,
			PublicKeyFile: filepath.Join(cfg.Dir, "checkpoint.key.pub"),
		})
		if err != nil {
			return nil, fmt.Errorf("audit checkpoint key: %w", err)
		}
		cfg.Logger.Info("audit: checkpoints are signed with a Vault transit key",
			"key", vt.Mount+"/"+vt.Key, "version", s.Version(), "key_id", s.KeyID(),
			"public_keys", filepath.Join(cfg.Dir, "checkpoint.key.pub"))
		return s, nil
	}
	create := cfg.Checkpoint.CreateKey != nil && *cfg.Checkpoint.CreateKey
	key, created, err := LoadOrCreateKey(cfg.Checkpoint.KeyFile, create)
	if err != nil {
		return nil, fmt.Errorf("audit checkpoint key: %w (set audit.checkpoint.key_file)", err)
	}
	s := NewEd25519Signer(key)
	if created {
		cfg.Logger.Warn("audit: generated a checkpoint signing key; provision your own key outside the audit dir for production",
			"key_file", cfg.Checkpoint.KeyFile, "public_key", cfg.Checkpoint.KeyFile+".pub", "key_id", s.KeyID())
	}
	return s, nil
}

func (l *Log) startShipper(ctx context.Context) error {
	hooks := kafka.Hooks{
		Shipped:   func(n int) { l.m.shipped.Add(float64(n)) },
		Error:     func(error) { l.m.shipErrors.Inc() },
		Truncated: func() { l.m.truncated.Inc() },
		Corrupt:   func() { l.m.corrupt.Inc() },
	}
	sh, err := kafka.NewShipper(*l.cfg.Kafka, l.spool, describeForKafka, ShrinkForKafka, hooks, l.cfg.Logger)
	if err != nil {
		return fmt.Errorf("audit kafka: %w", err)
	}
	l.shipper = sh
	l.runShipper(ctx, sh.Run)
	return nil
}

// runShipper runs the shipper until Close stops it. If it stops on its own with an error, that
// shows on /readyz (Ready) and in warden_audit_shipper_up: records still reach the spool, but
// nothing reaches Kafka any more, which an operator must see.
func (l *Log) runShipper(ctx context.Context, run func(context.Context) error) {
	sctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	l.shipStop, l.shipDone = cancel, make(chan struct{})
	go func() {
		defer close(l.shipDone)
		if err := run(sctx); err != nil && sctx.Err() == nil {
			l.cfg.Logger.Error("audit shipper stopped: records stay in the spool and are not sent to Kafka until warden restarts", "err", err)
			l.shipErr.Store(&err)
		}
	}()
}

func describeForKafka(b []byte) (kafka.Message, error) {
	info, err := Describe(b)
	if err != nil {
		return kafka.Message{}, err
	}
	typ := "dev.warden.audit.record.v1"
	if info.Checkpoint {
		typ = "dev.warden.audit.checkpoint.v1"
	}
	return kafka.Message{
		Key: info.Key, ID: info.ID, Type: typ, Source: "urn:warden:audit:" + info.ChainID,
		Time: time.UnixMilli(info.TimeMS),
	}, nil
}

// ChainID returns this log's chain id.
func (l *Log) ChainID() string { return l.chain }

// Collectors returns the Prometheus collectors (already registered when Config.Registerer was set).
func (l *Log) Collectors() []prometheus.Collector { return l.m.collectors() }

// build is the one place records are made from exchanges: BuildRecord, then every string of
// the record through the redactor, so no field (today's or one added later) carries a secret
// from the request into the spool, Kafka or a SIEM.
func (l *Log) build(x *exchange.Exchange, stage Stage) *Record {
	rec := BuildRecord(x, stage, l.cfg.Product, l.cfg.Now())
	if l.cfg.Redact != nil {
		redact.Fields(rec, l.cfg.Redact)
	}
	return rec
}

// Record appends the record of x at stage to the chain. In durable mode it returns after the
// record is fsynced (group-committed with concurrent callers). Pass context.WithoutCancel(ctx)
// so that a cancelled client still leaves its record.
func (l *Log) Record(ctx context.Context, x *exchange.Exchange, stage Stage) error {
	start := time.Now()
	rec := l.build(x, stage)
	buf := bodyPool.Get().(*[]byte)
	body, content, err := encodeRecordInto(*buf, rec)
	if err != nil {
		bodyPool.Put(buf)
		return err
	}
	t, err := l.append(body, content)
	if !errors.Is(err, ErrClosed) { // the sequencer is done with body (it copies what it keeps)
		*buf = body[:0]
		bodyPool.Put(buf)
	}
	if err != nil {
		reason := "io"
		if errors.Is(err, ErrSpoolFull) {
			reason = "spool_full"
		}
		l.m.recordErrors.WithLabelValues(reason).Inc()
		return err
	}
	if l.cfg.Mode == ModeDurable {
		if err := l.spool.Wait(ctx, t); err != nil {
			l.m.recordErrors.WithLabelValues("io").Inc()
			return fmt.Errorf("audit record not durable: %w", err)
		}
	}
	l.m.records.WithLabelValues(string(stage)).Inc()
	l.m.recordWait.Observe(time.Since(start).Seconds())
	return nil
}

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
	select {
	case res := <-reply:
		replyPool.Put(reply)
		return res.t, res.err
	case <-l.seqDone:
		return spool.Ticket{}, ErrClosed
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
	payload, err := sealRecordInto(l.sealBuf, body, in)
	if err != nil {
		return spool.Ticket{}, nil, err
	}
	l.sealBuf = payload[:0] // Append copies the payload
	t, dropped, err := l.spool.Append(payload)
	if errors.Is(err, spool.ErrFull) {
		l.fullNeed.Store(int64(len(payload)))
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
		x := &exchange.Exchange{
			ID: fmt.Sprintf("%s-drop-%d", l.chain, d.First), Start: l.cfg.Now(),
			Disposition: exchange.Failed, ErrorCode: "audit_spool_dropped",
			Error: fmt.Sprintf("audit spool full: %d entries (%d bytes) deleted unshipped by on_full=drop_oldest", d.Count, d.Bytes),
		}
		rec := l.build(x, StageRequest)
		rec.API.Operation = "warden.audit.spool_dropped"
		rec.SeverityID, rec.Severity = 4, "High"
		rec.Unmapped.Warden.Marker = &Marker{Kind: "spool_dropped", FirstIndex: d.First, Count: d.Count, Bytes: d.Bytes}
		body, content, err := encodeRecord(rec)
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

// Ready reports whether Record can succeed (for /readyz).
func (l *Log) Ready() error {
	if err := l.spool.Err(); err != nil {
		return fmt.Errorf("audit spool: %w", err)
	}
	// A refused record sets full; only a later record clears it. With readiness-based load
	// balancing no request arrives while the replica is unready, so ask the spool whether the
	// refused record would fit now (the shipper trimmed, or the operator made room).
	if p := l.shipErr.Load(); p != nil {
		return fmt.Errorf("audit shipper stopped (records are kept in the spool; restart warden to resume shipping): %w", *p)
	}
	if l.full.Load() && !l.spool.HasRoom(int(l.fullNeed.Load())) {
		return fmt.Errorf("audit spool full (%d bytes): requests are refused until it drains", l.spool.Stats().Bytes)
	}
	return nil
}

// Close signs a final checkpoint, flushes the spool, gives the shipper until ctx ends (30s when
// ctx has no deadline) to send what is left, and stops it. Records not shipped stay in the spool
// for the next start.
func (l *Log) Close(ctx context.Context) error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		select { // a second Close returns when the first has finished
		case <-l.closeDone:
			return l.closeErr
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	l.closed = true // from here no record is appended: the checkpointer's final snapshot is the head
	l.mu.Unlock()
	defer close(l.closeDone)
	close(l.stop)
	l.wg.Wait()
	<-l.seqDone
	var errs []error
	if l.shipper != nil {
		if _, ok := ctx.Deadline(); !ok { // never hang a shutdown on an unreachable broker
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, 30*time.Second)
			defer cancel()
		}
		next := l.spool.Stats().Next
		if err := l.shipper.WaitFor(ctx, next); err != nil {
			l.cfg.Logger.Warn("audit: closing with records not yet shipped; they are sent at next start",
				"unshipped", next-l.shipper.Position())
		}
		l.shipStop()
		<-l.shipDone
	}
	if err := l.spool.Close(); err != nil {
		errs = append(errs, fmt.Errorf("close audit spool: %w", err))
	}
	l.closeErr = errors.Join(errs...)
	return l.closeErr
}
