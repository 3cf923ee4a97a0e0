// Package trace exports one OpenTelemetry trace per exchange warden processed: a server span for
// the exchange, parented on the trace context Envoy forwards, with a child span per stage
// (identity, inspection, policy, approval wait, credentials, redaction, audit write). Spans carry
// the decision, the rule, the disposition and the timings, never body data, header values or
// query strings. Tracing is off unless tracing.endpoint names an OTLP collector.
package trace

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	oteltrace "go.opentelemetry.io/otel/trace"
)

// Protocols an OTLP exporter speaks.
const (
	ProtocolGRPC = "grpc"
	ProtocolHTTP = "http/protobuf"
)

// Config is the tracing: section of warden's YAML. The zero value is off.
type Config struct {
	// Endpoint is the OTLP collector: host:port for grpc (default port 4317), or host:port or a
	// URL for http/protobuf (4318). Empty: tracing is off.
	Endpoint string `yaml:"endpoint"`
	// Protocol is grpc (default) or http/protobuf.
	Protocol string `yaml:"protocol"`
	// Insecure sends spans without TLS (a collector on the same host or pod).
	Insecure bool `yaml:"insecure"`
	// SampleRatio samples exchanges that arrive without a sampled parent (0..1, default 1). An
	// exchange whose parent (Envoy's span) says sampled or not follows it.
	SampleRatio *float64 `yaml:"sample_ratio"`
	// ServiceName is the service.name resource attribute; default warden.
	ServiceName string `yaml:"service_name"`
}

// Enabled reports whether a collector is configured.
func (c Config) Enabled() bool { return c.Endpoint != "" }

// Tracer builds and exports the spans of exchanges. Its methods are safe for concurrent use.
type Tracer struct {
	provider *sdktrace.TracerProvider
	tracer   oteltrace.Tracer
	prop     propagation.TraceContext
}

// New connects an OTLP exporter (lazily: a collector that is down loses spans, never requests)
// and returns a Tracer batching spans to it. It returns nil, nil when tracing is off.
func New(ctx context.Context, cfg Config) (*Tracer, error) {
	if !cfg.Enabled() {
		return nil, nil
	}
	var exp sdktrace.SpanExporter
	var err error
	switch cfg.Protocol {
	case "", ProtocolGRPC:
		opts := []otlptracegrpc.Option{otlptracegrpc.WithEndpoint(cfg.Endpoint)}
		if cfg.Insecure {
			opts = append(opts, otlptracegrpc.WithInsecure())
		}
		exp, err = otlptracegrpc.New(ctx, opts...)
	case ProtocolHTTP:
		opts := []otlptracehttp.Option{otlptracehttp.WithEndpoint(cfg.Endpoint)}
		if strings.Contains(cfg.Endpoint, "://") {
			opts = []otlptracehttp.Option{otlptracehttp.WithEndpointURL(cfg.Endpoint)}
		}
		if cfg.Insecure {
			opts = append(opts, otlptracehttp.WithInsecure())
		}
		exp, err = otlptracehttp.New(ctx, opts...)
	default:
		return nil, fmt.Errorf("tracing.protocol %q: use %s or %s", cfg.Protocol, ProtocolGRPC, ProtocolHTTP)
	}
	if err != nil {
		return nil, fmt.Errorf("tracing: OTLP exporter for %s: %w", cfg.Endpoint, err)
	}
	return NewWithExporter(exp, cfg, sdktrace.WithBatcher(exp))
}

// NewWithExporter returns a Tracer on exp (tests pass tracetest's in-memory exporter and
// sdktrace.WithSyncer). opts add to, or replace, how spans reach exp.
func NewWithExporter(exp sdktrace.SpanExporter, cfg Config, opts ...sdktrace.TracerProviderOption) (*Tracer, error) {
	ratio := 1.0
	if cfg.SampleRatio != nil {
		ratio = *cfg.SampleRatio
	}
	if ratio < 0 || ratio > 1 {
		return nil, fmt.Errorf("tracing.sample_ratio %v: must be between 0 and 1", ratio)
	}
	name := cfg.ServiceName
	if name == "" {
		name = "warden"
	}
	if exp == nil {
		return nil, errors.New("tracing: no exporter")
	}
	res := resource.NewSchemaless(attribute.String("service.name", name))
	all := append([]sdktrace.TracerProviderOption{
		sdktrace.WithResource(res),
		sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.TraceIDRatioBased(ratio))),
	}, opts...)
	if len(opts) == 0 {
		all = append(all, sdktrace.WithBatcher(exp))
	}
	p := sdktrace.NewTracerProvider(all...)
	return &Tracer{provider: p, tracer: p.Tracer("github.com/warden-gw/warden")}, nil
}

// Shutdown flushes the spans still batched and stops the exporter.
func (t *Tracer) Shutdown(ctx context.Context) error {
	if t == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	return t.provider.Shutdown(ctx)
}
