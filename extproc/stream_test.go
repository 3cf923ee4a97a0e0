package extproc

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	filterv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/ext_proc/v3"
	extprocv3 "github.com/envoyproxy/go-control-plane/envoy/service/ext_proc/v3"

	"github.com/warden-gw/warden/exchange"
	"github.com/warden-gw/warden/extproc/refusal"
)

type harness struct {
	t     *testing.T
	st    *stream
	audit *fakeAudit
	creds *fakeCreds
}

func newHarness(t *testing.T, edit func(*Options, *Pipeline)) *harness {
	t.Helper()
	h := &harness{t: t, audit: &fakeAudit{}, creds: &fakeCreds{}}
	p := Pipeline{Inspect: fakeInspector{}, Policy: fakePolicy{}, Redact: fakeRedactor{}, Creds: h.creds, Audit: h.audit}
	o := DefaultOptions()
	if edit != nil {
		edit(&o, &p)
	}
	srv, err := NewServer(p, o)
	if err != nil {
		t.Fatal(err)
	}
	h.st = newStream(srv)
	return h
}

// send delivers one message and expects it to be accepted.
func (h *harness) send(req *extprocv3.ProcessingRequest) []*extprocv3.ProcessingResponse {
	h.t.Helper()
	out, err := h.st.handle(context.Background(), req)
	if err != nil {
		h.t.Fatalf("handle %T: %v", req.GetRequest(), err)
	}
	// As Server.serve and Process do: the replies are sent (repliesSent stamps the end of an
	// exchange they ended), then the completion record they left due is written, which serve does
	// when the stream ends or the next message arrives; here at once, so tests can read it.
	h.st.repliesSent()
	h.st.afterReplies(context.Background())
	return out
}

func one(t *testing.T, rs []*extprocv3.ProcessingResponse) *extprocv3.ProcessingResponse {
	t.Helper()
	if len(rs) != 1 {
		t.Fatalf("want exactly one reply, got %d: %v", len(rs), rs)
	}
	return rs[0]
}

func setHeaders(m *extprocv3.HeaderMutation) map[string]string {
	out := map[string]string{}
	for _, h := range m.GetSetHeaders() {
		if h.GetHeader().GetValue() != "" {
			out[h.GetHeader().GetKey()] = "VALUE-FIELD-USED:" + h.GetHeader().GetValue()
			continue
		}
		out[h.GetHeader().GetKey()] = string(h.GetHeader().GetRawValue())
	}
	return out
}

func TestHeaderOnlyGETIsDecidedAtHeadersAndRecordedOnce(t *testing.T) {
	h := newHarness(t, nil)
	r := one(t, h.send(reqHeaders(true, "x-api-key", "agent-key")))
	m := r.GetRequestHeaders().GetResponse().GetHeaderMutation()
	got := setHeaders(m)
	if got["authorization"] != "Bearer tok-123" {
		t.Errorf("credential not injected in raw_value: %v", got)
	}
	if got["accept-encoding"] != "identity" {
		t.Errorf("accept-encoding not forced to identity: %v", got)
	}
	if len(m.GetRemoveHeaders()) != 1 || m.GetRemoveHeaders()[0] != "x-api-key" {
		t.Errorf("agent credential header not removed: %v", m.GetRemoveHeaders())
	}
	one(t, h.send(respHeaders(true, "content-type", "application/json")))
	req, comp := h.audit.counts()
	if req != 1 || comp != 1 {
		t.Fatalf("records: %d request, %d completion; want 1 and 1", req, comp)
	}
	if h.audit.requests[0].ID != "req-1" || h.audit.completions[0].Status != 200 {
		t.Errorf("records carry id %q, status %d", h.audit.requests[0].ID, h.audit.completions[0].Status)
	}
}

func TestBufferedBodyIsRedactedWithContentLengthFixed(t *testing.T) {
	h := newHarness(t, nil)
	one(t, h.send(reqHeaders(false, "content-type", "application/json", "content-length", "24")))
	r := one(t, h.send(reqBody(`{"prompt":"key SECRET x"}`, true)))
	cr := r.GetRequestBody().GetResponse()
	if got := string(cr.GetBodyMutation().GetBody()); got != `{"prompt":"key [R] x"}` {
		t.Fatalf("body sent upstream = %q", got)
	}
	if got := setHeaders(cr.GetHeaderMutation())["content-length"]; got != "22" {
		t.Errorf("content-length = %q, want 22 (the mutated body's length)", got)
	}
	if h.audit.requests[0].Redactions["secret"] != 1 {
		t.Errorf("redaction count not in the record: %v", h.audit.requests[0].Redactions)
	}
}

func TestUnchangedBodyIsNotMutated(t *testing.T) {
	h := newHarness(t, nil)
	h.send(reqHeaders(false))
	r := one(t, h.send(reqBody(`{"prompt":"hello"}`, true)))
	if r.GetRequestBody().GetResponse().GetBodyMutation() != nil {
		t.Fatalf("an unchanged body must not be replaced: %v", r)
	}
}

func TestDenyAndApprovalAnswerWithImmediateResponse(t *testing.T) {
	tests := []struct {
		name, body, code, approval string
		disp                       exchange.Disposition
	}{
		{"deny", `{"q":"deny"}`, "policy_denied", "", exchange.Denied},
		{"approval", `{"q":"approve"}`, "approval_required", "ap-1", exchange.ApprovalRequired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, nil)
			h.send(reqHeaders(false))
			ir := one(t, h.send(reqBody(tt.body, true))).GetImmediateResponse()
			if ir == nil || ir.GetStatus().GetCode() != 403 {
				t.Fatalf("want a 403 ImmediateResponse, got %v", ir)
			}
			var body refusal.Body
			if err := json.Unmarshal(ir.GetBody(), &body); err != nil {
				t.Fatalf("refusal body is not JSON: %v", err)
			}
			if body.Error != tt.code || body.RequestID != "req-1" || body.Rule == "" || body.Reason == "" || body.ApprovalID != tt.approval {
				t.Errorf("refusal body = %+v", body)
			}
			if h.creds.calls != 0 {
				t.Errorf("a refused request leased a credential")
			}
			if rs := h.send(respHeaders(true)); rs != nil {
				t.Errorf("messages after an ImmediateResponse must be ignored, got %v", rs)
			}
			req, comp := h.audit.counts()
			if req != 1 || comp != 0 || h.audit.requests[0].Disposition != tt.disp {
				t.Errorf("records %d/%d disposition %q", req, comp, h.audit.requests[0].Disposition)
			}
		})
	}
}

func TestSSEResponseIsSwitchedToStreamedAndHeldBackAcrossChunks(t *testing.T) {
	h := newHarness(t, nil)
	h.send(reqHeaders(true))
	r := one(t, h.send(respHeaders(false, "content-type", "text/event-stream; charset=utf-8")))
	mo := r.GetModeOverride()
	if mo.GetResponseBodyMode() != filterv3.ProcessingMode_STREAMED {
		t.Fatalf("mode_override = %v, want response body STREAMED", mo)
	}
	var client strings.Builder
	for i, c := range []string{"data: a SE", "CRET b\n\n", "data: c\n\n"} {
		rr := one(t, h.send(respBody(c, i == 2)))
		client.Write(rr.GetResponseBody().GetResponse().GetBodyMutation().GetBody())
	}
	if got := client.String(); got != "data: a [R] b\n\ndata: c\n\n" {
		t.Fatalf("client saw %q", got)
	}
	if _, comp := h.audit.counts(); comp != 1 {
		t.Fatalf("completion records = %d", comp)
	}
}

func TestNoModeOverrideWhenEnvoyDisallowsIt(t *testing.T) {
	h := newHarness(t, func(o *Options, _ *Pipeline) { o.AllowModeOverride = false })
	h.send(reqHeaders(true))
	r := one(t, h.send(respHeaders(false, "content-type", "text/event-stream")))
	if r.GetModeOverride() != nil {
		t.Fatalf("mode_override sent although Envoy would ignore it")
	}
	rr := one(t, h.send(respBody("data: SECRET\n\n", true)))
	if got := string(rr.GetResponseBody().GetResponse().GetBodyMutation().GetBody()); got != "data: [R]\n\n" {
		t.Fatalf("buffered SSE body = %q", got)
	}
}

func TestStreamedToolCallIsBlockedBeforeTheAgentSeesIt(t *testing.T) {
	h := newHarness(t, nil)
	h.send(reqHeaders(true))
	h.send(respHeaders(false, "content-type", "text/event-stream"))
	var client strings.Builder
	for i, c := range []string{"data: hello\n\n", "data: tool DROP TABLE\n\n", "data: [DONE]\n\n"} {
		client.Write(streamedOut(one(t, h.send(respBody(c, i == 2))), c))
	}
	got := client.String()
	if strings.Contains(got, "DROP") || !strings.HasPrefix(got, "data: hello\n\n") || !strings.Contains(got, "no-drop") {
		t.Fatalf("client saw %q", got)
	}
	if h.audit.completions[0].Disposition != exchange.Denied {
		t.Errorf("completion disposition = %q", h.audit.completions[0].Disposition)
	}
}

func TestBufferedToolCallResponseIsReplaced(t *testing.T) {
	h := newHarness(t, nil)
	h.send(reqHeaders(true))
	h.send(respHeaders(false, "content-type", "application/json"))
	ir := one(t, h.send(respBody(`{"tool":"DROP TABLE x"}`, true))).GetImmediateResponse()
	if ir.GetStatus().GetCode() != 403 || !strings.Contains(string(ir.GetBody()), "no-drop") {
		t.Fatalf("want the SDK-shaped 403, got %v", ir)
	}
}

func TestInjectedCredentialEchoedByUpstreamIsRedacted(t *testing.T) {
	h := newHarness(t, nil)
	h.send(reqHeaders(true))
	h.send(respHeaders(false, "content-type", "application/json"))
	body := `{"echo":"Bearer tok-123"}`
	r := one(t, h.send(respBody(body, true)))
	// What the client gets: a reply without a body mutation passes the body on as it came.
	if got := string(streamedOut(r, body)); strings.Contains(got, "tok-123") || got != `{"echo":"Bearer [R]"}` {
		t.Fatalf("client got %s; want the injected credential redacted", got)
	}
}

func TestStreamedRequestBodyIsHeldUntilTheDecision(t *testing.T) {
	h := newHarness(t, func(o *Options, _ *Pipeline) { o.RequestBodyMode = filterv3.ProcessingMode_STREAMED })
	h.send(reqHeaders(false))
	r1 := one(t, h.send(reqBody(`{"a":"SEC`, false)))
	if bm := r1.GetRequestBody().GetResponse().GetBodyMutation(); bm == nil || len(bm.GetBody()) != 0 {
		t.Fatalf("first chunk must be held (replaced by empty), got %v", bm)
	}
	r2 := one(t, h.send(reqBody(`RET"}`, true)))
	if got := string(r2.GetRequestBody().GetResponse().GetBodyMutation().GetBody()); got != `{"a":"[R]"}` {
		t.Fatalf("final chunk carries %q", got)
	}
}

func TestFullDuplexRequestRepliesOnlyAtEndOfStream(t *testing.T) {
	h := newHarness(t, func(o *Options, _ *Pipeline) { o.RequestBodyMode = filterv3.ProcessingMode_FULL_DUPLEX_STREAMED })
	h.send(reqHeaders(false))
	if rs := h.send(reqBody("part1 ", false)); len(rs) != 0 {
		t.Fatalf("FULL_DUPLEX chunk answered early: %v", rs)
	}
	r := one(t, h.send(reqBody("SECRET", true)))
	sr := r.GetRequestBody().GetResponse().GetBodyMutation().GetStreamedResponse()
	if string(sr.GetBody()) != "part1 [R]" || !sr.GetEndOfStream() {
		t.Fatalf("streamed_response = %v", sr)
	}
}

func TestProtocolConfigOverridesConfiguredModes(t *testing.T) {
	h := newHarness(t, nil)
	m := reqHeaders(false)
	m.ProtocolConfig = &extprocv3.ProtocolConfiguration{RequestBodyMode: filterv3.ProcessingMode_FULL_DUPLEX_STREAMED}
	h.send(m)
	if rs := h.send(reqBody("x", false)); len(rs) != 0 {
		t.Fatalf("protocol_config ignored: got %v", rs)
	}
}

func TestBodyOverLimitIs413(t *testing.T) {
	h := newHarness(t, func(o *Options, _ *Pipeline) { o.MaxBodyBytes = 10 })
	h.send(reqHeaders(false))
	ir := one(t, h.send(reqBody(strings.Repeat("x", 11), true))).GetImmediateResponse()
	if ir.GetStatus().GetCode() != 413 || !strings.Contains(string(ir.GetBody()), "body_too_large") {
		t.Fatalf("want 413 body_too_large, got %v", ir)
	}
	if req, _ := h.audit.counts(); req != 1 {
		t.Errorf("a refused oversized body left %d records", req)
	}
}

func TestAuditFailureFailsClosed(t *testing.T) {
	h := newHarness(t, nil)
	h.audit.err = errAuditDown
	ir := one(t, h.send(reqHeaders(true))).GetImmediateResponse()
	if ir.GetStatus().GetCode() != 503 || !strings.Contains(string(ir.GetBody()), "audit_unavailable") {
		t.Fatalf("want 503 audit_unavailable, got %v", ir)
	}
}

func TestCredentialFailureIsRefusedWithItsStatus(t *testing.T) {
	h := newHarness(t, nil)
	h.creds.err = &Reject{Status: 503, Code: "credentials_unavailable", Reason: "vault unreachable"}
	ir := one(t, h.send(reqHeaders(true))).GetImmediateResponse()
	if ir.GetStatus().GetCode() != 503 || !strings.Contains(string(ir.GetBody()), "credentials_unavailable") {
		t.Fatalf("got %v", ir)
	}
	if h.audit.requests[0].ErrorCode != "credentials_unavailable" {
		t.Errorf("record error code = %q", h.audit.requests[0].ErrorCode)
	}
}

func TestProtocolViolationsAreErrors(t *testing.T) {
	tests := []struct {
		name string
		msgs []*extprocv3.ProcessingRequest
	}{
		{"body before headers", []*extprocv3.ProcessingRequest{reqBody("x", true)}},
		{"headers twice", []*extprocv3.ProcessingRequest{reqHeaders(false), reqHeaders(false)}},
		{"body after end of stream", []*extprocv3.ProcessingRequest{reqHeaders(false), reqBody("a", true), reqBody("b", true)}},
		{"response before request", []*extprocv3.ProcessingRequest{respHeaders(true)}},
		{"unknown oneof", []*extprocv3.ProcessingRequest{{}}},
		{"huge headers", []*extprocv3.ProcessingRequest{reqHeaders(true, "x-big", strings.Repeat("a", 300<<10))}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, nil)
			var err error
			for _, m := range tt.msgs {
				if _, err = h.st.handle(context.Background(), m); err != nil {
					break
				}
			}
			if !errors.Is(err, ErrProtocol) {
				t.Fatalf("want ErrProtocol, got %v", err)
			}
		})
	}
}

func TestCancelledExchangeStillLeavesItsRecords(t *testing.T) {
	t.Run("before the decision", func(t *testing.T) {
		h := newHarness(t, nil)
		h.send(reqHeaders(false))
		h.st.finish(context.Background(), context.Canceled)
		if req, _ := h.audit.counts(); req != 1 || h.audit.requests[0].Disposition != exchange.Cancelled {
			t.Fatalf("records = %d, %+v", req, h.audit.requests)
		}
	})
	t.Run("mid response stream", func(t *testing.T) {
		h := newHarness(t, nil)
		h.send(reqHeaders(true))
		h.send(respHeaders(false, "content-type", "text/event-stream"))
		h.send(respBody("data: a\n\n", false))
		h.st.finish(context.Background(), context.Canceled)
		req, comp := h.audit.counts()
		if req != 1 || comp != 1 || h.audit.completions[0].Disposition != exchange.Cancelled {
			t.Fatalf("records = %d/%d", req, comp)
		}
	})
}

func TestTrailersAfterBufferedBody(t *testing.T) {
	h := newHarness(t, nil)
	h.send(reqHeaders(false))
	r := one(t, h.send(reqBody("SECRET", false)))
	if string(r.GetRequestBody().GetResponse().GetBodyMutation().GetBody()) != "[R]" {
		t.Fatalf("BUFFERED body followed by trailers must be processed at the body message: %v", r)
	}
	if one(t, h.send(reqTrailers())).GetRequestTrailers() == nil {
		t.Fatal("trailers not answered")
	}
}

// fakeApprover holds the request, then approves it.
type fakeApprover struct {
	held    time.Duration
	holdOK  bool
	approve bool
}

func (a *fakeApprover) Resolve(_ context.Context, _ *exchange.Exchange, d exchange.Decision, hold func(time.Duration) (time.Duration, bool)) (exchange.Decision, error) {
	a.held, a.holdOK = hold(10 * time.Minute)
	if a.approve {
		return exchange.Decision{Action: exchange.Allow, Phase: d.Phase, Rule: d.Rule, ApprovalID: d.ApprovalID, Reason: "approved"}, nil
	}
	return d, nil
}

func TestApprovalHoldExtendsEnvoysTimeoutThenAnswers(t *testing.T) {
	ap := &fakeApprover{approve: true}
	h := newHarness(t, func(o *Options, p *Pipeline) { o.MaxMessageTimeout = 2 * time.Minute; p.Approve = ap })
	var sent []*extprocv3.ProcessingResponse
	h.st.send = func(r *extprocv3.ProcessingResponse) error { sent = append(sent, r); return nil }
	h.send(reqHeaders(false))
	r := one(t, h.send(reqBody(`{"q":"approve"}`, true)))
	if !ap.holdOK || ap.held != 2*time.Minute {
		t.Fatalf("hold = %v, %v; want 2m clamped to max_message_timeout", ap.held, ap.holdOK)
	}
	if len(sent) != 1 || sent[0].GetOverrideMessageTimeout().AsDuration() != 2*time.Minute || sent[0].GetResponse() != nil {
		t.Fatalf("want one bare override_message_timeout before the answer, got %v", sent)
	}
	if r.GetRequestBody() == nil {
		t.Fatalf("an approved request must continue, got %v", r)
	}
	if h.audit.requests[0].Decisions[0].Action != exchange.Allow {
		t.Errorf("record decision %+v", h.audit.requests[0].Decisions)
	}
}

func TestApprovalWithoutHoldAnswers403WithTheID(t *testing.T) {
	ap := &fakeApprover{}
	h := newHarness(t, func(o *Options, p *Pipeline) { o.MaxMessageTimeout = 0; p.Approve = ap })
	h.st.send = func(*extprocv3.ProcessingResponse) error {
		t.Fatal("nothing may be sent when holding is disabled")
		return nil
	}
	h.send(reqHeaders(false))
	ir := one(t, h.send(reqBody(`{"q":"approve"}`, true))).GetImmediateResponse()
	if ap.holdOK || ir.GetStatus().GetCode() != 403 || !strings.Contains(string(ir.GetBody()), `"approval_id":"ap-1"`) {
		t.Fatalf("hold %v, reply %v", ap.holdOK, ir)
	}
}

// An SDK closes its stream at the final SSE event; the upstream's body ends a moment later and
// Envoy resets the ext_proc stream. The completion record says the agent got the whole answer.
// A stream cut before its final event stays cancelled, and text that merely mentions a marker
// inside a JSON string does not count.
func TestClientClosingAtTheFinalEventIsRecordedAsDelivered(t *testing.T) {
	for _, tc := range []struct {
		name   string
		chunks []string
		want   exchange.Disposition
	}{
		{"OpenAI [DONE] split across chunks", []string{"data: {\"x\":1}\n\ndat", "a: [DO", "NE]\n\n"}, exchange.Allowed},
		{"Anthropic message_stop", []string{"event: content_block_stop\ndata: {}\n\n", "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"}, exchange.Allowed},
		{"Responses completed", []string{"event: response.completed\ndata: {\"type\":\"response.completed\"}\n\n"}, exchange.Allowed},
		{"cut before the end", []string{"data: {\"x\":1}\n\n"}, exchange.Cancelled},
		{"marker inside a JSON string", []string{"data: {\"text\":\"\\ndata: [DONE]\"}\n\n"}, exchange.Cancelled},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, func(_ *Options, p *Pipeline) { p.Inspect, p.Redact = nil, nil })
			h.send(reqHeaders(true))
			h.send(respHeaders(false, "content-type", "text/event-stream"))
			for _, c := range tc.chunks {
				h.send(respBody(c, false))
			}
			h.st.finish(context.Background(), context.Canceled)
			if _, comp := h.audit.counts(); comp != 1 {
				t.Fatalf("%d completion records", comp)
			}
			if got := h.audit.completions[0].Disposition; got != tc.want {
				t.Fatalf("completion recorded as %s, want %s", got, tc.want)
			}
		})
	}
}

// An NDJSON response (Ollama streams application/x-ndjson) is streamed to the agent line by
// line like SSE, not buffered whole.
func TestNDJSONResponseIsSwitchedToStreamed(t *testing.T) {
	h := newHarness(t, nil)
	h.send(reqHeaders(true))
	r := one(t, h.send(respHeaders(false, "content-type", "application/x-ndjson")))
	if r.GetModeOverride().GetResponseBodyMode() != filterv3.ProcessingMode_STREAMED {
		t.Fatalf("mode_override = %v, want response body STREAMED", r.GetModeOverride())
	}
	rr := one(t, h.send(respBody("{\"response\":\"a SECRET\"}\n", false)))
	if got := string(rr.GetResponseBody().GetResponse().GetBodyMutation().GetBody()); got != "{\"response\":\"a [R]\"}\n" {
		t.Fatalf("first line reached the agent as %q", got)
	}
}

// streamedOut is what Envoy passes on for a response body message (a STREAMED chunk or a
// BUFFERED body): the reply's body mutation, or the bytes as they came when the reply carries
// none (processor_state.cc, ProcessorState::handleBodyResponse).
func streamedOut(r *extprocv3.ProcessingResponse, chunk string) []byte {
	if bm := r.GetResponseBody().GetResponse().GetBodyMutation(); bm != nil {
		return bm.GetBody()
	}
	return []byte(chunk)
}

// A streamed chunk that goes on unchanged is answered without a body mutation (Envoy passes it on
// as it came); one that changed carries its new bytes.
func TestUnchangedStreamedChunkCarriesNoMutation(t *testing.T) {
	h := newHarness(t, nil)
	h.send(reqHeaders(true))
	h.send(respHeaders(false, "content-type", "text/event-stream"))
	if bm := one(t, h.send(respBody("data: hello\n\n", false))).GetResponseBody().GetResponse().GetBodyMutation(); bm != nil {
		t.Fatalf("unchanged chunk answered with a body mutation %q", bm.GetBody())
	}
	r := one(t, h.send(respBody("data: a SECRET\n\n", false)))
	if got := string(r.GetResponseBody().GetResponse().GetBodyMutation().GetBody()); got != "data: a [R]\n\n" {
		t.Fatalf("changed chunk reached the agent as %q", got)
	}
}
