package audit

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/warden-gw/warden/audit/kafka"
	"github.com/warden-gw/warden/audit/record"
	"github.com/warden-gw/warden/audit/spool"
	"github.com/warden-gw/warden/exchange"
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
	sinceCkpt int    // records since the last checkpoint snapshot
	ckptRetry bool   // the last snapshot was not signed: the next tick takes another
	closed    bool   // no record is appended any more
	sealBuf   []byte // scratch for the integrity object of the record being sealed, under mu

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
	if cfg.Mode == ModeWritten {
		opts.SyncEvery = cfg.SyncInterval
	}
	opts.WrapFile = cfg.wrapFile
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

// ChainID returns this log's chain id.
func (l *Log) ChainID() string { return l.chain }

// Collectors returns the Prometheus collectors (already registered when Config.Registerer was set).
func (l *Log) Collectors() []prometheus.Collector { return l.m.collectors() }

// build is the one place records are made from exchanges. The record is not redacted yet: every
// string of it passes the redactor as it is encoded (encode), and its decision input refers to
// x's live facts (record.Build), so it must be encoded before x changes.
func (l *Log) build(x *exchange.Exchange, stage Stage) *Record {
	return record.Build(x, stage, l.cfg.Product, l.cfg.Now())
}

// encode writes rec canonically into buf[:0] with every string through the redactor as it is
// written (the encoder writes every string of a record through one function, so a field added
// later is covered too), so that no field carries a secret from the request into the spool,
// Kafka or a SIEM; and returns it with its content hash.
func (l *Log) encode(buf []byte, rec *Record) ([]byte, string, error) {
	return record.EncodeRedactedInto(buf, rec, l.cfg.Redact)
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
