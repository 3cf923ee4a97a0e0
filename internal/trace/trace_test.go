package trace

import (
	"context"
	"strings"
	"testing"
	"time"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	extprocv3 "github.com/envoyproxy/go-control-plane/envoy/service/ext_proc/v3"
	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"google.golang.org/grpc/metadata"

	"github.com/warden-gw/warden/exchange"
	"github.com/warden-gw/warden/extproc"
	"github.com/warden-gw/warden/extproc/extproctest"
)

const (
	envoyParent  = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	clientParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
	secret       = "sk-live-SECRETSECRETSECRET"
)

// notifyingExporter is the in-memory exporter plus a wake-up per export, so tests wait on spans
// arriving rather than on time.
type notifyingExporter struct {
	*tracetest.InMemoryExporter
	ch chan struct{}
}

func (e notifyingExporter) ExportSpans(ctx context.Context, spans []sdktrace.ReadOnlySpan) error {
	err := e.InMemoryExporter.ExportSpans(ctx, spans)
	select {
	case e.ch <- struct{}{}:
	default:
	}
	return err
}

func newTestTracer(t *testing.T, cfg Config) (*Tracer, notifyingExporter) {
	t.Helper()
	exp := notifyingExporter{tracetest.NewInMemoryExporter(), make(chan struct{}, 1)}
	tr, err := NewWithExporter(exp, cfg, sdktrace.WithSyncer(exp))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tr.Shutdown(context.Background()) })
	return tr, exp
}

// waitSpans waits until a span named name has been exported.
func waitSpans(t *testing.T, exp notifyingExporter, name string) tracetest.SpanStubs {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		spans := exp.GetSpans()
		for _, s := range spans {
			if s.Name == name {
				return spans
			}
		}
		select {
		case <-exp.ch:
		case <-deadline:
			t.Fatalf("no %s span within 10s; got %d spans", name, len(spans))
		}
	}
}

func byName(spans tracetest.SpanStubs) map[string]tracetest.SpanStub {
	m := map[string]tracetest.SpanStub{}
	for _, s := range spans {
		m[s.Name] = s
	}
	return m
}

func attr(s tracetest.SpanStub, key string) (attribute.Value, bool) {
	for _, kv := range s.Attributes {
		if string(kv.Key) == key {
			return kv.Value, true
		}
	}
	return attribute.Value{}, false
}

// denyPolicy denies every request with a named rule; audit records nothing but takes its time.
type denyPolicy struct{}

func (denyPolicy) Decide(context.Context, *exchange.Exchange, exchange.Phase) exchange.Decision {
	return exchange.Decision{Action: exchange.Deny, Phase: exchange.PhaseRequest, Policy: "k8s", Rule: "no-prod-deletes", Reason: "no"}
}

type nopAudit struct{}

func (nopAudit) RecordRequest(context.Context, *exchange.Exchange) error    { return nil }
func (nopAudit) RecordCompletion(context.Context, *exchange.Exchange) error { return nil }

// One exchange through the real ext_proc server over gRPC, with the trace context Envoy puts in
// the stream's metadata: one warden.exchange span, child of Envoy's span, with the request phase
// and its stages under it, the decision and rule on it, and no secret anywhere in it.
func TestExchangeThroughTheServerIsOneTraceUnderEnvoysSpan(t *testing.T) {
	tr, exp := newTestTracer(t, Config{})
	opts := extproc.DefaultOptions()
	opts.Tracer = tr
	srv, err := extproc.NewServer(extproc.Pipeline{Policy: denyPolicy{}, Audit: nopAudit{}}, opts)
	if err != nil {
		t.Fatal(err)
	}
	client := extproctest.StartServer(t, srv)
	ctx := metadata.AppendToOutgoingContext(context.Background(), "traceparent", envoyParent)
	stream, err := client.Process(ctx)
	if err != nil {
		t.Fatal(err)
	}
	h := func(kv ...string) *corev3.HeaderMap {
		m := &corev3.HeaderMap{}
		for i := 0; i+1 < len(kv); i += 2 {
			m.Headers = append(m.Headers, &corev3.HeaderValue{Key: kv[i], RawValue: []byte(kv[i+1])})
		}
		return m
	}
	msgs := []*extprocv3.ProcessingRequest{
		{Request: &extprocv3.ProcessingRequest_RequestHeaders{RequestHeaders: &extprocv3.HttpHeaders{Headers: h(
			":method", "DELETE", ":path", "/api/v1/namespaces/prod/pods/web?token="+secret, ":authority", "k8s.internal",
			":scheme", "https", "x-request-id", "req-7", "authorization", "Bearer "+secret, "traceparent", clientParent)}}},
		{Request: &extprocv3.ProcessingRequest_RequestBody{RequestBody: &extprocv3.HttpBody{Body: []byte(`{"password":"` + secret + `"}`), EndOfStream: true}}},
	}
	for _, m := range msgs {
		if err := stream.Send(m); err != nil {
			t.Fatal(err)
		}
		if _, err := stream.Recv(); err != nil {
			t.Fatal(err)
		}
	}
	_ = stream.CloseSend()
	spans := byName(waitSpans(t, exp, "warden.exchange"))
	root := spans["warden.exchange"]
	if got := root.Parent.TraceID().String(); got != "4bf92f3577b34da6a3ce929d0e0e4736" || root.Parent.SpanID().String() != "00f067aa0ba902b7" {
		t.Fatalf("exchange span parent %s/%s, want Envoy's span from the gRPC metadata", got, root.Parent.SpanID())
	}
	for k, want := range map[string]string{
		"warden.decision": "deny", "warden.rule": "no-prod-deletes", "warden.disposition": "denied",
		"warden.request_id": "req-7", "http.request.method": "DELETE",
	} {
		if v, ok := attr(root, k); !ok || v.AsString() != want {
			t.Errorf("attribute %s = %q, want %q", k, v.AsString(), want)
		}
	}
	if _, ok := attr(root, "warden.timing.policy_ms"); !ok {
		t.Error("no policy timing on the exchange span")
	}
	req, pol := spans["warden.request"], spans["warden.policy"]
	if req.Parent.SpanID() != root.SpanContext.SpanID() || pol.Parent.SpanID() != req.SpanContext.SpanID() {
		t.Fatalf("stage spans not nested: request under %s, policy under %s", req.Parent.SpanID(), pol.Parent.SpanID())
	}
	if _, ok := spans["warden.audit_write"]; !ok {
		t.Fatalf("no audit write span; spans %v", keys(spans))
	}
	if pol.StartTime.Before(root.StartTime) || pol.EndTime.After(root.EndTime) {
		t.Fatal("the policy span lies outside the exchange")
	}
	for _, s := range exp.GetSpans() {
		for _, kv := range s.Attributes {
			if strings.Contains(kv.Value.String(), "SECRET") {
				t.Fatalf("span %s attribute %s carries request data: %s", s.Name, kv.Key, kv.Value.String())
			}
		}
		// Anywhere else a span carries text to the collector: its name, status, events and
		// resource.
		text := s.Name + " " + s.Status.Description + " " + s.Resource.String()
		for _, ev := range s.Events {
			text += " " + ev.Name
			for _, kv := range ev.Attributes {
				text += " " + kv.Value.String()
			}
		}
		if strings.Contains(text, "SECRET") {
			t.Fatalf("span %s carries request data outside its attributes: %s", s.Name, text)
		}
	}
}

// Without Envoy's trace context (warden dev, or an Envoy without tracing) the request's own
// traceparent parents the exchange; without either it starts a trace; a parent that says "not
// sampled" is followed.
func TestParentChoice(t *testing.T) {
	tr, exp := newTestTracer(t, Config{})
	x := func(hs ...exchange.Header) *exchange.Exchange {
		now := time.Now()
		x := &exchange.Exchange{ID: "r", Start: now.Add(-time.Millisecond), End: now, Request: exchange.Request{Method: "GET", Headers: hs}}
		x.Time("policy", 10*time.Microsecond)
		return x
	}
	tr.TraceExchange(context.Background(), x(exchange.Header{Key: "traceparent", Value: clientParent}))
	tr.TraceExchange(context.Background(), x())
	tr.TraceExchange(context.Background(), x(exchange.Header{Key: "traceparent", Value: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00"}))
	var roots []tracetest.SpanStub
	for _, s := range exp.GetSpans() {
		if s.Name == "warden.exchange" {
			roots = append(roots, s)
		}
	}
	if len(roots) != 2 {
		t.Fatalf("%d exchange spans, want 2 (the unsampled parent is followed)", len(roots))
	}
	if roots[0].Parent.TraceID().String() != "0af7651916cd43dd8448eb211c80319c" {
		t.Fatalf("header parent ignored: %v", roots[0].Parent)
	}
	if roots[1].Parent.IsValid() {
		t.Fatalf("a request without trace context got parent %v", roots[1].Parent)
	}
}

func TestOffByDefaultAndConfigErrors(t *testing.T) {
	if tr, err := New(context.Background(), Config{}); tr != nil || err != nil {
		t.Fatalf("zero config: %v %v, want tracing off", tr, err)
	}
	var nilTracer *Tracer
	nilTracer.TraceExchange(context.Background(), &exchange.Exchange{Start: time.Now()}) // no panic
	if _, err := New(context.Background(), Config{Endpoint: "127.0.0.1:4317", Protocol: "thrift"}); err == nil {
		t.Fatal("unknown protocol accepted")
	}
	bad := 1.5
	if _, err := New(context.Background(), Config{Endpoint: "127.0.0.1:4317", SampleRatio: &bad}); err == nil {
		t.Fatal("sample_ratio 1.5 accepted")
	}
	tr, err := New(context.Background(), Config{Endpoint: "127.0.0.1:1", Insecure: true})
	if err != nil {
		t.Fatalf("an unreachable collector must not stop warden: %v", err)
	}
	tr.TraceExchange(context.Background(), &exchange.Exchange{Start: time.Now()})
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_ = tr.Shutdown(ctx) // the lost spans are the collector's problem, not an error warden stops for
}

func keys(m map[string]tracetest.SpanStub) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

type allowIdentity struct{}

func (allowIdentity) Identify(_ context.Context, x *exchange.Exchange, _ extproc.Metadata) ([]string, error) {
	x.Identity.Session = "s-1"
	return nil, nil
}

type approvalPolicy struct{}

func (approvalPolicy) Decide(_ context.Context, _ *exchange.Exchange, p exchange.Phase) exchange.Decision {
	if p != exchange.PhaseRequest {
		return exchange.Decision{Action: exchange.Allow, Phase: p}
	}
	return exchange.Decision{Action: exchange.RequireApproval, Phase: p, Rule: "k8s-delete"}
}

type approvedAlready struct{}

func (approvedAlready) Resolve(_ context.Context, _ *exchange.Exchange, d exchange.Decision, _ func(time.Duration) (time.Duration, bool)) (exchange.Decision, error) {
	d.Action, d.ApprovalID = exchange.Allow, "apr_1"
	return d, nil
}

type injectOne struct{}

func (injectOne) Inject(context.Context, *exchange.Exchange) (extproc.Injection, error) {
	return extproc.Injection{Set: []exchange.Header{{Key: "authorization", Value: "Bearer " + secret}}, Secrets: []string{secret}}, nil
}

// An approved action that gets a credential: the identity, policy, approval wait and credentials
// stages each have their span, and the injected credential is in none of them.
func TestEveryStageHasASpan(t *testing.T) {
	tr, exp := newTestTracer(t, Config{})
	opts := extproc.DefaultOptions()
	opts.Tracer = tr
	srv, err := extproc.NewServer(extproc.Pipeline{
		Identity: allowIdentity{}, Policy: approvalPolicy{}, Approve: approvedAlready{}, Creds: injectOne{}, Audit: nopAudit{},
	}, opts)
	if err != nil {
		t.Fatal(err)
	}
	client := extproctest.StartServer(t, srv)
	stream, err := client.Process(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	err = stream.Send(&extprocv3.ProcessingRequest{Request: &extprocv3.ProcessingRequest_RequestHeaders{RequestHeaders: &extprocv3.HttpHeaders{
		Headers: &corev3.HeaderMap{Headers: []*corev3.HeaderValue{
			{Key: ":method", RawValue: []byte("DELETE")},
			{Key: ":path", RawValue: []byte("/api/v1/namespaces/prod/pods/web")},
			{Key: ":authority", RawValue: []byte("k8s.internal")},
			{Key: "traceparent", RawValue: []byte(clientParent)},
		}}, EndOfStream: true,
	}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := stream.Recv(); err != nil {
		t.Fatal(err)
	}
	_ = stream.CloseSend()
	spans := byName(waitSpans(t, exp, "warden.exchange"))
	root := spans["warden.exchange"]
	if root.Parent.TraceID().String() != "0af7651916cd43dd8448eb211c80319c" {
		t.Fatalf("without Envoy's metadata the request's traceparent must parent the exchange; got %v", root.Parent)
	}
	for _, name := range []string{"warden.identity", "warden.request", "warden.policy", "warden.approval_wait", "warden.credentials", "warden.audit_write"} {
		if _, ok := spans[name]; !ok {
			t.Errorf("no %s span; spans: %v", name, keys(spans))
		}
	}
	if v, _ := attr(root, "warden.approval_id"); v.AsString() != "apr_1" {
		t.Errorf("approval id on the exchange span: %q", v.AsString())
	}
	for _, s := range exp.GetSpans() {
		for _, kv := range s.Attributes {
			if strings.Contains(kv.Value.String(), "SECRET") {
				t.Fatalf("span %s attribute %s carries the injected credential", s.Name, kv.Key)
			}
		}
	}
}
