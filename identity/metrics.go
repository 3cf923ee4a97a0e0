package identity

import "github.com/prometheus/client_golang/prometheus"

// Collectors returns the tracker's Prometheus metrics, for the caller's registry:
// warden_sessions_active (live sessions on this replica), warden_sessions_max (max_sessions) and
// warden_sessions_untracked_requests_total (requests in a session the full table did not track:
// served, but nothing ends that session or revokes its leases at session end).
func (s *Sessions) Collectors() []prometheus.Collector {
	return []prometheus.Collector{
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "warden_sessions_active",
			Help: "Agent sessions tracked on this replica.",
		}, func() float64 { return float64(s.Active()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "warden_sessions_max",
			Help: "The most sessions this replica tracks (identity.sessions.max_sessions).",
		}, func() float64 { return float64(s.cfg.MaxSessions) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "warden_sessions_untracked_requests_total",
			Help: "Requests served in a session the full session table did not track; nothing ends such a session or revokes its leases at session end.",
		}, func() float64 { return float64(s.Untracked()) }),
	}
}
