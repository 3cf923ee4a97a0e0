package extproc

import (
	"bytes"
	"context"
	"errors"
	"sync"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	extprocv3 "github.com/envoyproxy/go-control-plane/envoy/service/ext_proc/v3"

	"github.com/warden-gw/warden/exchange"
)

// fakeAudit records what the server asked it to write.
type fakeAudit struct {
	mu          sync.Mutex
	requests    []exchange.Exchange
	completions []exchange.Exchange
	err         error
}

func (a *fakeAudit) RecordRequest(_ context.Context, x *exchange.Exchange) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.err != nil {
		return a.err
	}
	a.requests = append(a.requests, *x)
	return nil
}

func (a *fakeAudit) RecordCompletion(_ context.Context, x *exchange.Exchange) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.err != nil {
		return a.err
	}
	a.completions = append(a.completions, *x)
	return nil
}

func (a *fakeAudit) counts() (int, int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.requests), len(a.completions)
}

// fakePolicy denies requests whose body or path contains deny, and responses containing
// DROP.
type fakePolicy struct{}

func (fakePolicy) Decide(_ context.Context, x *exchange.Exchange, phase exchange.Phase) exchange.Decision {
	d := exchange.Decision{Action: exchange.Allow, Phase: phase, Policy: "test", Rule: "default"}
	switch {
	case phase == exchange.PhaseRequest && (bytes.Contains(x.Request.Body, []byte("deny")) || bytes.Contains([]byte(x.Request.Path), []byte("deny"))):
		d.Action, d.Rule, d.Reason = exchange.Deny, "no-deny", "the body asked for it"
	case phase == exchange.PhaseRequest && bytes.Contains(x.Request.Body, []byte("approve")):
		d.Action, d.Rule, d.Reason, d.ApprovalID = exchange.RequireApproval, "hold", "needs a human", "ap-1"
	case phase == exchange.PhaseResponse && x.Facts == dropFacts{}:
		d.Action, d.Rule, d.Reason = exchange.Deny, "no-drop", "destructive tool call"
	}
	return d
}

// fakeRedactor replaces SECRET with [R] (same length rules do not matter here).
type fakeRedactor struct{}

func (fakeRedactor) Redact(_ *exchange.Exchange, body []byte, opts RedactOptions) ([]byte, map[string]int, error) {
	n := bytes.Count(body, []byte("SECRET"))
	out := bytes.ReplaceAll(body, []byte("SECRET"), []byte("[R]"))
	for _, e := range opts.Exact {
		n += bytes.Count(out, []byte(e))
		out = bytes.ReplaceAll(out, []byte(e), []byte("[R]"))
	}
	return out, map[string]int{"secret": n}, nil
}

func (fakeRedactor) NewStream(*exchange.Exchange, RedactOptions) BodyStream { return &holdStream{} }

// holdStream holds back a trailing "SEC" prefix so that SECRET split across chunks is caught.
type holdStream struct {
	pending []byte
	n       int
}

func (s *holdStream) Write(chunk []byte) ([]byte, error) {
	buf := append(s.pending, chunk...)
	s.n += bytes.Count(buf, []byte("SECRET"))
	buf = bytes.ReplaceAll(buf, []byte("SECRET"), []byte("[R]"))
	keep := 0
	for k := len("SECRET") - 1; k > 0; k-- {
		if bytes.HasSuffix(buf, []byte("SECRET"[:k])) {
			keep = k
			break
		}
	}
	s.pending = append([]byte{}, buf[len(buf)-keep:]...)
	return buf[:len(buf)-keep], nil
}

func (s *holdStream) Close() ([]byte, error) { p := s.pending; s.pending = nil; return p, nil }
func (s *holdStream) Counts() map[string]int { return map[string]int{"secret": s.n} }

// dropFacts are the facts fakeInspector sets on a response containing DROP.
type dropFacts struct{}

func (dropFacts) CEL() map[string]any            { return nil }
func (dropFacts) ToolCalls() []exchange.ToolCall { return nil }

// fakeInspector marks responses containing DROP and guards SSE streams by holding every event
// after one containing "tool".
type fakeInspector struct{}

func (fakeInspector) InspectRequest(*exchange.Exchange) {}
func (fakeInspector) InspectResponse(x *exchange.Exchange) {
	if bytes.Contains(x.Response.Body, []byte("DROP")) {
		x.Facts = dropFacts{}
	}
}

func (fakeInspector) NewGuard(*exchange.Exchange) StreamGuard { return &fakeGuard{} }
func (fakeInspector) BlockedBody(_ *exchange.Exchange, msg string) (string, []byte) {
	return "application/json", []byte(`{"error":{"message":"` + msg + `"}}`)
}

type fakeGuard struct {
	held    []byte
	holding bool
}

func (g *fakeGuard) Write(chunk []byte) ([]byte, error) {
	if g.holding || bytes.Contains(chunk, []byte("tool")) {
		g.holding = true
		g.held = append(g.held, chunk...)
		return nil, nil
	}
	return chunk, nil
}

func (g *fakeGuard) Finish(x *exchange.Exchange) ([]byte, error) {
	if bytes.Contains(g.held, []byte("DROP")) {
		x.Facts = dropFacts{}
	}
	return g.held, nil
}

func (g *fakeGuard) Blocked(msg string) []byte {
	return []byte("data: {\"error\":\"" + msg + "\"}\n\n")
}

// fakeCreds injects a bearer token for every request.
type fakeCreds struct {
	err   error
	calls int
}

func (c *fakeCreds) Inject(context.Context, *exchange.Exchange) (Injection, error) {
	c.calls++
	if c.err != nil {
		return Injection{}, c.err
	}
	return Injection{
		Set:     []exchange.Header{{Key: "authorization", Value: "Bearer tok-123"}},
		Remove:  []string{"x-api-key"},
		Secrets: []string{"tok-123"},
	}, nil
}

var errAuditDown = errors.New("disk full")

// Message builders for tests.

func hdrs(kv ...string) *corev3.HeaderMap {
	m := &corev3.HeaderMap{}
	for i := 0; i+1 < len(kv); i += 2 {
		m.Headers = append(m.Headers, &corev3.HeaderValue{Key: kv[i], RawValue: []byte(kv[i+1])})
	}
	return m
}

func reqHeaders(eos bool, kv ...string) *extprocv3.ProcessingRequest {
	base := []string{":method", "POST", ":path", "/v1/chat/completions", ":authority", "api.example", ":scheme", "https", "x-request-id", "req-1"}
	return &extprocv3.ProcessingRequest{Request: &extprocv3.ProcessingRequest_RequestHeaders{
		RequestHeaders: &extprocv3.HttpHeaders{Headers: hdrs(append(base, kv...)...), EndOfStream: eos},
	}}
}

func reqBody(body string, eos bool) *extprocv3.ProcessingRequest {
	return &extprocv3.ProcessingRequest{Request: &extprocv3.ProcessingRequest_RequestBody{
		RequestBody: &extprocv3.HttpBody{Body: []byte(body), EndOfStream: eos},
	}}
}

func respHeaders(eos bool, kv ...string) *extprocv3.ProcessingRequest {
	return &extprocv3.ProcessingRequest{Request: &extprocv3.ProcessingRequest_ResponseHeaders{
		ResponseHeaders: &extprocv3.HttpHeaders{Headers: hdrs(append([]string{":status", "200"}, kv...)...), EndOfStream: eos},
	}}
}

func respBody(body string, eos bool) *extprocv3.ProcessingRequest {
	return &extprocv3.ProcessingRequest{Request: &extprocv3.ProcessingRequest_ResponseBody{
		ResponseBody: &extprocv3.HttpBody{Body: []byte(body), EndOfStream: eos},
	}}
}

func reqTrailers() *extprocv3.ProcessingRequest {
	return &extprocv3.ProcessingRequest{Request: &extprocv3.ProcessingRequest_RequestTrailers{
		RequestTrailers: &extprocv3.HttpTrailers{Trailers: hdrs("grpc-status", "0")},
	}}
}
