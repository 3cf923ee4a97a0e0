package extproc

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/warden-gw/warden/exchange"
)

// metrics are the server's Prometheus series. Labels carry stable codes only, never values from
// a request.
type metrics struct {
	streams   prometheus.Gauge
	exchanges *prometheus.CounterVec
	decisions *prometheus.CounterVec
	errors    *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		streams: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "warden_extproc_streams_active", Help: "ext_proc streams in flight.",
		}),
		exchanges: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "warden_exchanges_total", Help: "HTTP exchanges by disposition of their request phase.",
		}, []string{"disposition"}),
		decisions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "warden_policy_decisions_total", Help: "Policy decisions by action, decision code, phase and mode.",
		}, []string{"action", "code", "phase", "shadow"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "warden_extproc_errors_total", Help: "Refusals and stream errors by code.",
		}, []string{"code"}),
	}
	if reg == nil {
		return m, nil
	}
	for _, c := range []prometheus.Collector{m.streams, m.exchanges, m.decisions, m.errors} {
		if err := reg.Register(c); err != nil {
			var are prometheus.AlreadyRegisteredError
			if !errors.As(err, &are) {
				return nil, err
			}
		}
	}
	return m, nil
}

func (m *metrics) decision(d exchange.Decision) {
	shadow := "false"
	if d.Shadow || len(d.Shadowed) > 0 {
		shadow = "true"
	}
	m.decisions.WithLabelValues(string(d.Action), string(d.Code), string(d.Phase), shadow).Inc()
}

func (m *metrics) exchange(d exchange.Disposition) { m.exchanges.WithLabelValues(string(d)).Inc() }
func (m *metrics) error(code string)               { m.errors.WithLabelValues(code).Inc() }
