package trace

import (
	"context"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	oteltrace "go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc/metadata"

	"github.com/warden-gw/warden/exchange"
)

// stageNames names the spans of the stages extproc times (exchange.Exchange.Time).
var stageNames = map[string]string{ //nolint:gosec // G101: span names, not credentials
	"identity": "warden.identity",
	"request":  "warden.request",
	"inspect":  "warden.inspection",
	"policy":   "warden.policy",
	"approval": "warden.approval_wait",
	"creds":    "warden.credentials",
	"redact":   "warden.redaction",
	"audit":    "warden.audit_write",
}

// TraceExchange records x as a span tree: warden.exchange from the first message to the end of
// the exchange, and a child for each stage run at the time it ran (the stages of the request
// phase under warden.request). The parent is the trace context in the ext_proc stream's gRPC
// metadata (Envoy's span for the stream), else the request's own traceparent header (a client
// that traces, or `warden dev`), else a new trace.
func (t *Tracer) TraceExchange(ctx context.Context, x *exchange.Exchange) {
	if t == nil || x.Start.IsZero() {
		return
	}
	parent := t.parent(ctx, x)
	end := x.End
	for _, r := range x.Stages {
		end = later(end, r.Start.Add(r.Dur))
	}
	if end.IsZero() || end.Before(x.Start) {
		end = time.Now()
	}
	rctx, root := t.tracer.Start(parent, "warden.exchange",
		oteltrace.WithSpanKind(oteltrace.SpanKindServer), oteltrace.WithTimestamp(x.Start),
		oteltrace.WithAttributes(attributes(x)...))
	if !root.IsRecording() {
		root.End(oteltrace.WithTimestamp(end))
		return
	}
	if x.Disposition == exchange.Failed {
		root.SetStatus(codes.Error, x.ErrorCode)
	}
	// The request phase first, so the stages inside it can hang from it.
	var reqCtx context.Context
	var reqStart, reqEnd time.Time
	for _, r := range x.Stages {
		if r.Stage == "request" && reqCtx == nil {
			reqStart, reqEnd = r.Start, r.Start.Add(r.Dur)
			var sp oteltrace.Span
			reqCtx, sp = t.tracer.Start(rctx, stageNames["request"], oteltrace.WithTimestamp(reqStart))
			sp.End(oteltrace.WithTimestamp(reqEnd))
		}
	}
	for _, r := range x.Stages {
		if r.Stage == "request" {
			continue
		}
		name, ok := stageNames[r.Stage]
		if !ok {
			name = "warden." + r.Stage
		}
		pctx, stop := rctx, r.Start.Add(r.Dur)
		if reqCtx != nil && !r.Start.Before(reqStart) && !stop.After(reqEnd) {
			pctx = reqCtx
		}
		_, sp := t.tracer.Start(pctx, name, oteltrace.WithTimestamp(r.Start),
			oteltrace.WithAttributes(attribute.Float64("warden.duration_ms", ms(r.Dur))))
		sp.End(oteltrace.WithTimestamp(stop))
	}
	root.End(oteltrace.WithTimestamp(end))
}

// attributes describe the exchange without body data, header values, query strings or the
// acting identity's name.
func attributes(x *exchange.Exchange) []attribute.KeyValue {
	d := x.Final()
	as := []attribute.KeyValue{
		attribute.String("warden.request_id", x.ID),
		attribute.String("http.request.method", x.Request.Method),
		attribute.String("server.address", x.Request.Authority),
		attribute.String("warden.disposition", string(x.Disposition)),
		attribute.String("warden.decision", string(d.Action)),
	}
	if x.Status != 0 {
		as = append(as, attribute.Int("http.response.status_code", x.Status))
	}
	for _, kv := range []struct{ k, v string }{
		{"warden.rule", d.Rule},
		{"warden.policy", d.Policy},
		{"warden.approval_id", d.ApprovalID},
		{"warden.error_code", x.ErrorCode},
		{"warden.session", x.Identity.Session},
	} {
		if kv.v != "" {
			as = append(as, attribute.String(kv.k, kv.v))
		}
	}
	if x.StagesDropped > 0 {
		as = append(as, attribute.Int("warden.stage_spans_dropped", x.StagesDropped))
	}
	if d.Shadow {
		as = append(as, attribute.Bool("warden.shadow", true))
	}
	for stage, dur := range x.Timings {
		as = append(as, attribute.Float64("warden.timing."+stage+"_ms", ms(dur)))
	}
	return as
}

// parent extracts the trace context to parent the exchange on.
func (t *Tracer) parent(ctx context.Context, x *exchange.Exchange) context.Context {
	base := context.WithoutCancel(ctx)
	if md, ok := metadata.FromIncomingContext(ctx); ok {
		if p := t.prop.Extract(base, mdCarrier(md)); oteltrace.SpanContextFromContext(p).IsValid() {
			return p
		}
	}
	if p := t.prop.Extract(base, headerCarrier(x.Request.Headers)); oteltrace.SpanContextFromContext(p).IsValid() {
		return p
	}
	return base
}

// mdCarrier reads gRPC metadata (keys are lower case).
type mdCarrier metadata.MD

func (c mdCarrier) Get(key string) string {
	if v := metadata.MD(c).Get(key); len(v) > 0 {
		return v[0]
	}
	return ""
}
func (c mdCarrier) Set(string, string) {}
func (c mdCarrier) Keys() []string {
	out := make([]string, 0, len(c))
	for k := range c {
		out = append(out, k)
	}
	return out
}

// headerCarrier reads the request's headers.
type headerCarrier exchange.Headers

func (c headerCarrier) Get(key string) string { return exchange.Headers(c).Get(key) }
func (c headerCarrier) Set(string, string)    {}
func (c headerCarrier) Keys() []string {
	out := make([]string, 0, len(c))
	for _, h := range c {
		out = append(out, h.Key)
	}
	return out
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
