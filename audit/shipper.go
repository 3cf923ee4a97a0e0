package audit

import (
	"context"
	"fmt"
	"time"

	"github.com/warden-gw/warden/audit/kafka"
)

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
