package extproc

import (
	"bytes"
	"context"
	"fmt"
	"mime"
	"runtime/debug"
	"strconv"
	"time"

	filterv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/ext_proc/v3"
	extprocv3 "github.com/envoyproxy/go-control-plane/envoy/service/ext_proc/v3"

	"github.com/warden-gw/warden/exchange"
)

func (st *stream) onResponseHeaders(ctx context.Context, h *extprocv3.HttpHeaders) ([]*extprocv3.ProcessingResponse, error) {
	if !st.reqHeaders {
		return nil, fmt.Errorf("%w: response_headers before request_headers", ErrProtocol)
	}
	if st.respHeaders {
		return nil, fmt.Errorf("%w: response_headers twice", ErrProtocol)
	}
	st.respHeaders = true
	hs, err := readHeaders(h.GetHeaders(), st.srv.opts.MaxHeaderBytes)
	if err != nil {
		return nil, err
	}
	r := &st.x.Response
	r.Headers = hs[:0] // the regular headers, kept in hs's array (each written at or before its read)
	for _, f := range hs {
		if f.Key == ":status" {
			r.Status, _ = strconv.Atoi(f.Value)
			continue
		}
		if f.Key[0] != ':' {
			r.Headers = append(r.Headers, f)
		}
	}
	if len(r.Headers) == 0 {
		r.Headers = nil // as when none were appended
	}
	if !st.decided {
		// The upstream answered before the request body ended (Envoy allows it): the request
		// went upstream without a body decision. Record that, then handle the response.
		st.decided, st.early = true, true
		st.x.ErrorCode = "early_response"
		st.x.Disposition = exchange.Allowed
		if err := st.record(ctx); err != nil {
			return st.auditFailed(err), nil
		}
		st.upstream = true
	}
	if h.GetEndOfStream() || st.respMode == filterv3.ProcessingMode_NONE {
		st.respEOS = h.GetEndOfStream()
		return st.finishResponse(ctx, nil, st.sessionReplier(headersReplier(exchange.PhaseResponse)))
	}
	var (
		override *filterv3.ProcessingMode
		edit     *headerEdit
	)
	events := isEventStream(r.Headers.Get("content-type"))
	if events && st.srv.opts.AllowModeOverride &&
		(st.respMode == filterv3.ProcessingMode_BUFFERED || st.respMode == filterv3.ProcessingMode_BUFFERED_PARTIAL) {
		// An SSE or NDJSON response must reach the agent event by event: ask Envoy to stream it.
		override = st.srv.opts.StreamedOverride
		if override == nil {
			override = streamedResponseMode(st.reqMode)
		}
		st.respMode = filterv3.ProcessingMode_STREAMED
		// Envoy settled content-length when it sent these headers, with the configured mode:
		// BUFFERED with headers SEND keeps it, and after the override Envoy only refuses to *set*
		// it. Redaction may change the stream's length, so warden removes it here, or the agent
		// gets a stale length (a hung or cut HTTP/1 response, an HTTP/2 protocol error).
		edit = &headerEdit{}
		edit.Remove("content-length")
	}
	if st.respMode == filterv3.ProcessingMode_STREAMED || st.respMode == filterv3.ProcessingMode_FULL_DUPLEX_STREAMED {
		if enc := r.Headers.Get("content-encoding"); enc != "" && enc != "identity" {
			// warden asks upstreams for identity encoding; one that compresses anyway cannot be
			// scanned chunk by chunk, and an encoded body is never passed on unscanned.
			return st.refuseErr(ctx, &Reject{Status: 502, Code: "encoded_body", Reason: "the upstream sent a streamed response with content-encoding " + enc + ", which warden cannot scan"}), nil
		}
		st.startStreaming()
	}
	return []*extprocv3.ProcessingResponse{headersReply(exchange.PhaseResponse, st.withSession(edit), override, 0)}, nil
}

func (st *stream) onResponseBody(ctx context.Context, b *extprocv3.HttpBody) ([]*extprocv3.ProcessingResponse, error) {
	if !st.respHeaders {
		return nil, fmt.Errorf("%w: response_body before response_headers", ErrProtocol)
	}
	if st.respEOS {
		return nil, fmt.Errorf("%w: response_body after the response body ended", ErrProtocol)
	}
	if st.streaming {
		return st.streamChunk(ctx, b.GetBody(), b.GetEndOfStream())
	}
	if err := st.appendBody(&st.respBody, b.GetBody()); err != nil {
		return st.refuseErr(ctx, &Reject{Status: 502, Code: "response_too_large", Reason: fmt.Sprintf("the upstream response exceeds warden's limit of %d bytes (limits.max_body_bytes)", st.srv.opts.MaxBodyBytes)}), nil
	}
	st.respEOS = b.GetEndOfStream()
	return st.finishResponse(ctx, st.respBody, func(h *headerEdit, body []byte, changed bool) *extprocv3.ProcessingResponse {
		return bodyReply(exchange.PhaseResponse, h, body, changed)
	})
}

// finishResponse runs the response phase on a whole (buffered) response body.
func (st *stream) finishResponse(ctx context.Context, body []byte, reply replier) ([]*extprocv3.ProcessingResponse, error) {
	x, p := &st.x, st.srv.pipe
	var (
		plain   []byte
		decoded bool
		err     error
	)
	// Decoding (up to max_body_bytes of gzip or brotli) and inspection are CPU work: they take a
	// slot, as on the request side.
	werr := st.srv.work(ctx, func() {
		if plain, decoded, err = st.decode(body, x.Response.Headers); err != nil {
			return
		}
		x.Response.Body = plain
		if p.Inspect != nil {
			p.Inspect.InspectResponse(x)
		}
	})
	if werr != nil {
		return nil, werr
	}
	if err != nil {
		return st.refuseErr(ctx, err), nil
	}
	if blocked := st.decideResponse(ctx); blocked != nil {
		return blocked, nil
	}
	edit := &headerEdit{}
	out, changed, err := st.redactWhole(ctx, edit, body, plain, decoded,
		RedactOptions{Phase: exchange.PhaseResponse, ContentType: x.Response.Headers.Get("content-type"), Exact: st.secrets})
	// Inspection, the response policy and redaction were the readers of the shared reading.
	exchange.ReleaseJSON(x.Response.JSON)
	x.Response.JSON = nil
	if err != nil {
		if ctx.Err() != nil {
			return nil, err
		}
		return st.refuseErr(ctx, &Reject{Status: 502, Code: "redaction_failed", Reason: "the response body could not be scanned for secrets"}), nil
	}
	return st.complete(ctx, reply(edit, out, changed))
}

// decide runs the policy in a CPU slot. When ctx ends while it waits for a slot, the policy runs
// anyway: with ctx done it decides at once (warden's policy set denies with policy_error), so a
// cancelled stream never counts as allowed.
func (st *stream) decide(ctx context.Context, phase exchange.Phase) exchange.Decision {
	var d exchange.Decision
	decide := func() { d = st.srv.pipe.Policy.Decide(ctx, &st.x, phase) }
	if st.srv.work(ctx, decide) != nil {
		decide()
	}
	return d
}

// decideResponse evaluates the response-phase policies. A blocking decision replaces the response
// with an error the agent's SDK raises, before the agent can act on it.
func (st *stream) decideResponse(ctx context.Context) []*extprocv3.ProcessingResponse {
	p := st.srv.pipe
	if p.Policy == nil {
		return nil
	}
	d := st.decide(ctx, exchange.PhaseResponse)
	st.addDecision(d)
	st.srv.metrics.decision(d)
	if !d.Blocks() {
		return nil
	}
	st.x.Disposition = exchange.Denied
	st.x.Status = 403
	msg := blockMessage(d, st.x.ID)
	ct, body := "application/json", []byte(nil)
	if p.Inspect != nil {
		ct, body = p.Inspect.BlockedBody(&st.x, msg)
	}
	if body == nil {
		return st.refuseDecision(ctx, d)
	}
	if err := st.record(ctx); err != nil {
		return st.auditFailed(err)
	}
	st.closed = true
	return []*extprocv3.ProcessingResponse{immediateReply(403, ct, body, "warden_policy_denied")}
}

func blockMessage(d exchange.Decision, requestID string) string {
	return fmt.Sprintf("warden blocked this response (rule %s): %s [request_id %s]", d.Rule, d.Reason, requestID)
}

// startStreaming prepares chunk-by-chunk processing of the response body.
func (st *stream) startStreaming() {
	st.streaming = true
	st.x.Response.Streamed = true
	p := st.srv.pipe
	if p.Redact != nil {
		st.respStream = p.Redact.NewStream(&st.x, RedactOptions{Phase: exchange.PhaseResponse, ContentType: st.x.Response.Headers.Get("content-type"), Exact: st.secrets})
	}
	if p.Inspect != nil {
		st.guard = p.Inspect.NewGuard(&st.x)
	}
}

// pass runs one piece of a streamed body through the redactor, then the guard.
func (st *stream) pass(chunk []byte, eos bool) ([]byte, error) {
	out := chunk
	if st.respStream != nil {
		r, err := st.respStream.Write(chunk)
		if err != nil {
			return nil, err
		}
		if eos {
			tail, err := st.respStream.Close()
			if err != nil {
				return nil, err
			}
			r = append(r, tail...)
			st.x.AddRedactions(st.respStream.Counts())
		}
		out = r
	}
	if st.guard != nil {
		return st.guard.Write(out)
	}
	return out, nil
}

// streamChunk handles one chunk of a STREAMED or FULL_DUPLEX_STREAMED response body.
func (st *stream) streamChunk(ctx context.Context, chunk []byte, eos bool) ([]*extprocv3.ProcessingResponse, error) {
	if max := st.srv.opts.MaxBodyBytes; max > 0 && int64(len(chunk)) > max {
		return st.refuseErr(ctx, &Reject{Status: 502, Code: "response_too_large", Reason: "a response chunk exceeds warden's limit"}), nil
	}
	out, err := st.pass(chunk, eos)
	if err != nil {
		return st.refuseErr(ctx, &Reject{Status: 502, Code: "stream_blocked", Reason: "the streamed response could not be processed safely: " + err.Error()}), nil
	}
	if !eos {
		st.end.write(out)
		if st.respMode == filterv3.ProcessingMode_FULL_DUPLEX_STREAMED {
			if len(out) == 0 {
				return nil, nil
			}
			return []*extprocv3.ProcessingResponse{streamedBodyReply(exchange.PhaseResponse, out, false)}, nil
		}
		// A chunk that goes on exactly as it came needs no body mutation: Envoy injects the queued
		// chunk unchanged when the reply has none (processor_state.cc,
		// ProcessorState::handleBodyResponse, StreamedBodyCallback), so the reply does not carry
		// the event back to Envoy.
		return []*extprocv3.ProcessingResponse{bodyReply(exchange.PhaseResponse, nil, out, !bytes.Equal(out, chunk))}, nil
	}
	st.respEOS = true
	out, err = st.finishGuard(ctx, out)
	if err != nil {
		return st.refuseErr(ctx, &Reject{Status: 502, Code: "stream_blocked", Reason: err.Error()}), nil
	}
	if st.respMode == filterv3.ProcessingMode_FULL_DUPLEX_STREAMED {
		return st.complete(ctx, streamedBodyReply(exchange.PhaseResponse, out, true))
	}
	return st.complete(ctx, bodyReply(exchange.PhaseResponse, nil, out, true))
}

// finishGuard ends the guard at end of stream: the response-phase policy sees the assembled tool
// calls, and the held bytes are released or replaced by an error event.
func (st *stream) finishGuard(ctx context.Context, out []byte) ([]byte, error) {
	var held []byte
	if st.guard != nil {
		var err error
		if held, err = st.guard.Finish(&st.x); err != nil {
			return nil, err
		}
	}
	p := st.srv.pipe
	if p.Policy == nil {
		return append(out, held...), nil
	}
	d := st.decide(ctx, exchange.PhaseResponse)
	st.addDecision(d)
	st.srv.metrics.decision(d)
	if !d.Blocks() {
		return append(out, held...), nil
	}
	st.x.Disposition = exchange.Denied
	if st.guard == nil {
		return nil, fmt.Errorf("%s", blockMessage(d, st.x.ID))
	}
	return append(out, st.guard.Blocked(blockMessage(d, st.x.ID))...), nil
}

// finishResponseAtTrailers ends a response body that ended with trailers instead of an
// end_of_stream body message.
func (st *stream) finishResponseAtTrailers(ctx context.Context) ([]*extprocv3.ProcessingResponse, error) {
	if !st.streaming {
		return st.finishResponse(ctx, st.respBody, func(*headerEdit, []byte, bool) *extprocv3.ProcessingResponse {
			return trailersReply(exchange.PhaseResponse)
		})
	}
	out, err := st.pass(nil, true)
	if err == nil {
		out, err = st.finishGuard(ctx, out)
	}
	if err != nil {
		return st.refuseErr(ctx, &Reject{Status: 502, Code: "stream_blocked", Reason: err.Error()}), nil
	}
	if st.respMode == filterv3.ProcessingMode_FULL_DUPLEX_STREAMED {
		replies := []*extprocv3.ProcessingResponse{streamedBodyReply(exchange.PhaseResponse, out, false), trailersReply(exchange.PhaseResponse)}
		return st.completeAll(ctx, replies)
	}
	if len(out) > 0 {
		return nil, fmt.Errorf("%w: response trailers ended a STREAMED body while warden held %d bytes", ErrProtocol, len(out))
	}
	return st.complete(ctx, trailersReply(exchange.PhaseResponse))
}

// complete returns the reply that releases the end of the response; the completion record is
// written once it is sent (afterReplies).
func (st *stream) complete(ctx context.Context, reply *extprocv3.ProcessingResponse) ([]*extprocv3.ProcessingResponse, error) {
	return st.completeAll(ctx, []*extprocv3.ProcessingResponse{reply})
}

func (st *stream) completeAll(ctx context.Context, replies []*extprocv3.ProcessingResponse) ([]*extprocv3.ProcessingResponse, error) {
	if st.x.Disposition == "" || st.x.Disposition == exchange.Allowed {
		st.x.Disposition = exchange.Allowed
		st.x.Status = st.x.Response.Status
	}
	if st.recordedRequest && st.upstream {
		// The upstream already acted and the request record exists: the completion record
		// cannot change the answer (record), so the answer does not wait for it.
		st.completionDue = true
		return replies, nil
	}
	if err := st.record(ctx); err != nil {
		return st.auditFailed(err), nil
	}
	return replies, nil
}

// repliesSent runs once the replies to a message are sent. When they ended the exchange, the
// exchange ended now (x.End), and its completion record is due when the stream ends: Envoy closes
// the stream right after the reply it expects last (Filter::closeGrpcStreamIfLastRespReceived in
// ext_proc.cc; with BUFFERED bodies, when the HTTP stream ends a moment later), so the record
// follows at once, yet the reply goes out first: gRPC's writer and, when it shares the process,
// the peer run before the record's CPU work instead of waiting behind it.
func (st *stream) repliesSent() {
	if st.completionDue && !st.completionSent {
		st.completionSent = true
		st.x.End = time.Now()
	}
}

// afterReplies writes the completion record of an exchange whose replies ended it. If sending
// them failed, finish records the exchange instead, with what the failure means for it.
func (st *stream) afterReplies(ctx context.Context) {
	if !st.completionDue {
		return
	}
	st.completionDue = false
	_ = st.recordSafely(ctx) // a completion record's failure is logged by record and never answered
}

// recordSafely is record where no reply can carry an error any more (after the last reply, or as
// the stream ends): a panic while writing the record is counted and logged, instead of ending
// the process from the stream's last deferred call. The auditor counts the record it lost.
func (st *stream) recordSafely(ctx context.Context) (err error) {
	defer func() {
		if r := recover(); r != nil {
			st.srv.metrics.error("panic")
			st.srv.log.Error("panic while writing an audit record", "request_id", st.x.ID, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			err = fmt.Errorf("panic while writing an audit record: %v", r)
		}
	}()
	return st.record(ctx)
}

// isEventStream reports whether a response streams events to the agent: server-sent events, or
// JSON values one per line (Ollama streams application/x-ndjson).
func isEventStream(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && (mt == "text/event-stream" || ndjsonTypes[mt])
}

var ndjsonTypes = map[string]bool{
	"application/x-ndjson": true, "application/ndjson": true, "application/jsonl": true,
	"application/x-jsonlines": true, "application/jsonlines": true, "application/json-lines": true,
}
