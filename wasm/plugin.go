package main

import (
	"errors"

	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm"
	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm/types"

	"github.com/warden-gw/warden/redact"
)

// vmContext is the root of the filter: one per Wasm VM (Envoy runs one VM
// per worker thread).
type vmContext struct {
	types.DefaultVMContext
}

// NewPluginContext implements types.VMContext.
func (*vmContext) NewPluginContext(uint32) types.PluginContext {
	return &pluginContext{}
}

// pluginContext holds what every HTTP stream of one filter configuration
// shares: the parsed configuration, the engine and the metrics.
type pluginContext struct {
	types.DefaultPluginContext
	cfg     Config
	eng     *redact.Engine
	opts    redact.Options
	metrics *metrics
}

// OnPluginStart implements types.PluginContext. A configuration error fails
// the start, which makes Envoy refuse the filter configuration (and log the
// reason), rather than run a filter that redacts less than asked.
func (p *pluginContext) OnPluginStart(size int) types.OnPluginStartStatus {
	var data []byte
	if size > 0 {
		var err error
		data, err = proxywasm.GetPluginConfiguration()
		if err != nil && !errors.Is(err, types.ErrorStatusNotFound) {
			proxywasm.LogCriticalf("warden redact filter: read plugin configuration: %v", err)
			return types.OnPluginStartStatusFailed
		}
	}
	cfg, err := parseConfig(data)
	if err != nil {
		proxywasm.LogCriticalf("warden redact filter: %v", err)
		return types.OnPluginStartStatusFailed
	}
	eng, err := redact.New(redact.Config{})
	if err != nil {
		proxywasm.LogCriticalf("warden redact filter: %v", err)
		return types.OnPluginStartStatusFailed
	}
	p.cfg, p.eng = cfg, eng
	p.opts = redact.Options{}
	if !cfg.PII {
		p.opts.Disable = redact.PII
	}
	p.metrics = defineMetrics()
	proxywasm.LogInfof("warden redact filter started: request=%t response=%t pii=%t max_body_bytes=%d",
		cfg.Request, cfg.Response, cfg.PII, cfg.MaxBodyBytes)
	return types.OnPluginStartStatusOK
}

// NewHttpContext implements types.PluginContext.
func (p *pluginContext) NewHttpContext(uint32) types.HttpContext {
	return &httpContext{
		p:    p,
		req:  direction{side: requestSide, on: p.cfg.Request},
		resp: direction{side: responseSide, on: p.cfg.Response},
	}
}

// Metric names, as Envoy exports them (Prometheus: the same, with the
// envoy_ prefix Envoy adds to every stat).
const (
	metricFindings = "warden_wasm_findings_total"
	metricRedacted = "warden_wasm_bodies_redacted_total" //nolint:gosec // a metric name, not a credential
	metricRejected = "warden_wasm_bodies_rejected_total"
	metricDropped  = "warden_wasm_stream_bytes_dropped_total"
	// metricUnlearned counts streamed JSON values scanned on their own because
	// 1024 fields had text held at once (redact.Stream.Limits): a bound reached
	// is counted, never silent.
	metricUnlearned = "warden_wasm_stream_fields_unlearned_total"
)

// metricClasses are the classes with their own counter
// (warden_wasm_findings_<class>_total).
var metricClasses = []redact.Class{redact.Secret, redact.Email, redact.Phone, redact.Card, redact.IBAN, redact.SSN}

func classMetricName(c redact.Class) string { return "warden_wasm_findings_" + c.String() + "_total" }

// metrics are the filter's counters. They count findings, never record a
// value. Envoy refuses an increment of 0, so every add checks for it.
type metrics struct {
	findings, redacted, rejected, dropped, unlearned proxywasm.MetricCounter
	byClass                                          map[redact.Class]proxywasm.MetricCounter
}

func defineMetrics() *metrics {
	m := &metrics{
		findings:  proxywasm.DefineCounterMetric(metricFindings),
		redacted:  proxywasm.DefineCounterMetric(metricRedacted),
		rejected:  proxywasm.DefineCounterMetric(metricRejected),
		dropped:   proxywasm.DefineCounterMetric(metricDropped),
		unlearned: proxywasm.DefineCounterMetric(metricUnlearned),
		byClass:   map[redact.Class]proxywasm.MetricCounter{},
	}
	for _, c := range metricClasses {
		m.byClass[c] = proxywasm.DefineCounterMetric(classMetricName(c))
	}
	return m
}

func (m *metrics) finding(c redact.Class) {
	m.findings.Increment(1)
	if ctr, ok := m.byClass[c]; ok {
		ctr.Increment(1)
	}
}

func add(c proxywasm.MetricCounter, n int) {
	if n > 0 {
		c.Increment(uint64(n))
	}
}
