package audit

import (
	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the audit log's Prometheus collectors.
type metrics struct {
	records      *prometheus.CounterVec
	recordErrors *prometheus.CounterVec
	// completionLost counts completion records that could not be written (the answer stood).
	completionLost *prometheus.CounterVec
	full           *prometheus.CounterVec
	dropped        prometheus.Counter
	shipped        prometheus.Counter
	shipErrors     prometheus.Counter
	truncated      prometheus.Counter
	corrupt        prometheus.Counter
	quarantined    prometheus.Counter
	checkpoints    prometheus.Counter
	ckptErrors     prometheus.Counter
	fsync          prometheus.Histogram
	recordWait     prometheus.Histogram
	spoolBytes     prometheus.GaugeFunc
	unshipped      prometheus.GaugeFunc
	unsynced       prometheus.GaugeFunc
	shipperUp      prometheus.GaugeFunc
}

func newMetrics(l *Log) *metrics {
	buckets := []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1}
	return &metrics{
		records: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "warden_audit_records_total",
			Help: "Audit records appended to the spool, by stage.",
		}, []string{"stage"}),
		recordErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "warden_audit_record_errors_total",
			Help: "Request and event records that failed, by reason (spool_full, io, timeout, closed).",
		}, []string{"reason"}),
		completionLost: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "warden_audit_completion_lost_total",
			Help: "Completion records lost after the exchange finished, by reason: spool_full, io, closed (not queued) or panic (building the record panicked); the answer was not changed.",
		}, []string{"reason"}),
		full: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "warden_audit_spool_full_total",
			Help: "Times the spool bound was hit, by action taken (rejected, dropped_oldest).",
		}, []string{"action"}),
		dropped: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "warden_audit_dropped_entries_total",
			Help: "Spool entries deleted by drop_oldest before they were shipped.",
		}),
		shipped: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "warden_audit_shipped_total",
			Help: "Spool entries acknowledged by Kafka.",
		}),
		shipErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "warden_audit_ship_errors_total",
			Help: "Failed produce attempts (each is retried).",
		}),
		truncated: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "warden_audit_truncated_total",
			Help: "Records shrunk to fit Kafka's max message size.",
		}),
		corrupt: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "warden_audit_corrupt_entries_total",
			Help: "Corrupt spool entries met by the shipper.",
		}),
		quarantined: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "warden_audit_quarantined_bytes_total",
			Help: "Bytes of torn spool tail moved to quarantine at startup.",
		}),
		checkpoints: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "warden_audit_checkpoints_total",
			Help: "Signed checkpoints written.",
		}),
		ckptErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "warden_audit_checkpoint_errors_total",
			Help: "Checkpoints that could not be signed or written (the next one covers their records).",
		}),
		fsync: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "warden_audit_fsync_seconds",
			Help: "Duration of spool fsyncs.", Buckets: buckets,
		}),
		recordWait: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "warden_audit_record_seconds",
			Help: "Time a Record call took (includes the group-commit fsync in strict mode).", Buckets: buckets,
		}),
		spoolBytes: prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "warden_audit_spool_bytes",
			Help: "Bytes in the spool (on disk plus pending).",
		}, func() float64 {
			if l.spool == nil {
				return 0
			}
			return float64(l.spool.Stats().Bytes)
		}),
		unshipped: prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "warden_audit_unshipped_entries",
			Help: "Spool entries not yet acknowledged by Kafka (0 without Kafka).",
		}, func() float64 {
			if l.spool == nil || l.shipper == nil {
				return 0
			}
			return float64(l.spool.Stats().Next - l.shipper.Position())
		}),
		unsynced: prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "warden_audit_unsynced_entries",
			Help: "Spool entries written but not yet fsynced: what a power loss could take (mode written; at most sync_interval of records).",
		}, func() float64 {
			if l.spool == nil {
				return 0
			}
			st := l.spool.Stats()
			return float64(st.Written - min(st.Durable, st.Written))
		}),
		shipperUp: prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "warden_audit_shipper_up",
			Help: "1 while the Kafka shipper runs, 0 once it stopped on an error (also on /readyz); 1 without Kafka.",
		}, func() float64 {
			if l.shipErr.Load() != nil {
				return 0
			}
			return 1
		}),
	}
}

func (m *metrics) collectors() []prometheus.Collector {
	return []prometheus.Collector{
		m.records, m.recordErrors, m.completionLost, m.full, m.dropped, m.shipped, m.shipErrors,
		m.truncated, m.corrupt, m.quarantined, m.checkpoints, m.ckptErrors, m.fsync, m.recordWait, m.spoolBytes, m.unshipped, m.unsynced, m.shipperUp,
	}
}
