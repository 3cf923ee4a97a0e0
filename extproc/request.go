package extproc

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"time"

	extprocv3 "github.com/envoyproxy/go-control-plane/envoy/service/ext_proc/v3"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/warden-gw/warden/exchange"
	"github.com/warden-gw/warden/extproc/refusal"
)

// replier builds the reply that carries the outcome of a phase: a headers reply, a body reply
// for the mode in use, or a trailers reply.
type replier func(h *headerEdit, body []byte, changed bool) *extprocv3.ProcessingResponse

func headersReplier(phase exchange.Phase) replier {
	return func(h *headerEdit, _ []byte, _ bool) *extprocv3.ProcessingResponse {
		return headersReply(phase, h, nil, 0)
	}
}

// decideRequest runs the request phase once the request is complete (or header-only): decode,
// inspect, decide, redact, inject credentials, and write the durable request record before the
// reply that lets the request go upstream. alwaysBody says the reply must carry the whole body
// (the chunks were held back).
func (st *stream) decideRequest(ctx context.Context, body []byte, alwaysBody bool, reply replier) ([]*extprocv3.ProcessingResponse, error) {
	st.decided = true
	x, p := &st.x, st.srv.pipe
	start := time.Now()
	defer func() { x.Time("request", time.Since(start)) }()

	var (
		plain   []byte
		decoded bool
		d       exchange.Decision
		err     error
	)
	werr := st.srv.work(ctx, func() {
		if plain, decoded, err = st.decode(body, x.Request.Headers); err != nil {
			return
		}
		x.Request.Body, x.Request.Decoded = plain, decoded
		if p.Inspect != nil {
			t := time.Now()
			p.Inspect.InspectRequest(x)
			x.Time("inspect", time.Since(t))
		}
		if p.Policy != nil {
			t := time.Now()
			d = p.Policy.Decide(ctx, x, exchange.PhaseRequest)
			x.Time("policy", time.Since(t))
		}
	})
	if werr != nil {
		return nil, werr
	}
	if err != nil {
		return st.refuseErr(ctx, err), nil
	}
	if p.Policy != nil {
		if d.Action == exchange.RequireApproval && !d.Shadow && p.Approve != nil {
			t := time.Now()
			var aerr error
			d, aerr = p.Approve.Resolve(ctx, x, d, st.hold)
			x.Time("approval", time.Since(t))
			if aerr != nil {
				st.addDecision(d)
				st.srv.metrics.decision(d)
				return st.refuseErr(ctx, aerr), nil
			}
		}
		st.addDecision(d)
		st.srv.metrics.decision(d)
		if d.Blocks() {
			return st.refuseDecision(ctx, d), nil
		}
	}
	edit := &headerEdit{}
	out, changed, err := st.redactWhole(ctx, edit, body, plain, decoded,
		RedactOptions{Phase: exchange.PhaseRequest, ContentType: x.Request.Headers.Get("content-type")})
	if err != nil {
		if ctx.Err() != nil {
			return nil, err
		}
		st.srv.log.Error("redaction failed; refusing the request", "request_id", x.ID, "error", err)
		return st.refuseErr(ctx, &Reject{Status: 500, Code: "redaction_failed", Reason: "the request body could not be scanned for secrets"}), nil
	}
	if err := st.inject(ctx, edit); err != nil {
		return st.refuseErr(ctx, err), nil
	}
	x.Disposition = exchange.Allowed
	if err := st.record(ctx); err != nil {
		return st.auditFailed(err), nil
	}
	st.upstream = true
	r := reply(edit, out, changed || alwaysBody)
	// The request phase is over: a stream waiting for its response keeps no copy of the body.
	// Response-phase rules see the request's headers and inspected facts, not its raw body.
	st.refusalBody = refusal.Remember(&x.Request)
	exchange.ReleaseJSON(x.Request.JSON) // read by inspection and redaction, both done
	st.reqBody, x.Request.Body, x.Request.JSON = nil, nil, nil
	return []*extprocv3.ProcessingResponse{r}, nil
}

// decode returns the body with its content-encoding removed, so that policy and redaction see
// the real bytes. An encoding warden cannot decode is refused: an encoded body is never passed
// on unscanned.
func (st *stream) decode(body []byte, h exchange.Headers) ([]byte, bool, error) {
	enc := h.Get("content-encoding")
	if len(body) == 0 || enc == "" || enc == "identity" {
		return body, false, nil
	}
	if st.srv.opts.Decode == nil {
		return nil, false, &Reject{Status: 415, Code: "encoded_body", Reason: "content-encoding " + enc + " cannot be scanned"}
	}
	out, err := st.srv.opts.Decode(enc, body, st.srv.opts.MaxBodyBytes)
	if err != nil {
		if errors.Is(err, ErrBodyTooLarge) {
			return nil, false, &Reject{Status: 413, Code: "body_too_large", Reason: "decoded body exceeds warden's limit (limits.max_body_bytes)"}
		}
		return nil, false, &Reject{Status: 415, Code: "encoded_body", Reason: "content-encoding " + enc + ": " + err.Error()}
	}
	return out, true, nil
}

// inject asks the credential stage for the upstream's credential and adds it to edit. It runs
// at most once per exchange, after the policy allowed the request (a denied request never causes
// a lease). It also asks upstreams for uncompressed responses, so that streamed responses can be
// scanned.
func (st *stream) inject(ctx context.Context, edit *headerEdit) error {
	if st.srv.opts.IdentityEncoding {
		edit.Set("accept-encoding", "identity")
	}
	for _, k := range st.strip {
		edit.Remove(k) // the agent's identity token never goes upstream
	}
	p := st.srv.pipe
	if p.Creds == nil || st.secrets != nil {
		return nil
	}
	t := time.Now()
	sctx, cancel := st.stageCtx(ctx)
	st.credsAsked = true
	inj, err := p.Creds.Inject(sctx, &st.x)
	cancel()
	st.x.Time("creds", time.Since(t))
	if err != nil {
		return err
	}
	for _, h := range inj.Set {
		if !headerValueOK(h.Value) || !headerNameOK(h.Key) {
			// Envoy refuses the whole header mutation with a 500 of its own (empty body, no
			// record of why); a value from Vault with a control character must fail here,
			// visibly, with the header's name and never its value.
			return &Reject{Status: 502, Code: "credential_header_invalid", Reason: "the credential for this upstream cannot be sent in header " + safeName(h.Key) + ": its value contains characters HTTP headers cannot carry (check the secret in Vault)"}
		}
	}
	for _, k := range inj.Remove {
		edit.Remove(k)
	}
	for _, h := range inj.Set {
		edit.Set(h.Key, h.Value)
	}
	st.secrets = append([]string{}, inj.Secrets...)
	return nil
}

// refuseDecision answers a blocking decision with a local 403 reply and records it.
func (st *stream) refuseDecision(ctx context.Context, d exchange.Decision) []*extprocv3.ProcessingResponse {
	code := "policy_denied"
	st.x.Disposition = exchange.Denied
	if d.Action == exchange.RequireApproval {
		code = "approval_required"
		st.x.Disposition = exchange.ApprovalRequired
	}
	reply, status := st.refuse(403, code, d.Rule, d.Reason, d.ApprovalID)
	st.x.Status = status
	if err := st.record(ctx); err != nil {
		return st.auditFailed(err)
	}
	st.closed = true
	return st.tagSession([]*extprocv3.ProcessingResponse{reply})
}

// refuseErr answers a stage error with a local reply: the stage's status for a *Reject, 500
// otherwise (warden fails closed).
func (st *stream) refuseErr(ctx context.Context, err error) []*extprocv3.ProcessingResponse {
	var rj *Reject
	if !errors.As(err, &rj) {
		rj = &Reject{Status: 500, Code: "internal", Reason: "warden could not process the request"}
		st.srv.log.Error("stage failed", "request_id", st.x.ID, "error", err)
	}
	st.x.Disposition = exchange.Failed
	if rj.Status == 401 || rj.Status == 403 {
		st.x.Disposition = exchange.Denied
	}
	reply, status := st.refuse(rj.Status, rj.Code, "", rj.Reason, "")
	st.x.Status, st.x.ErrorCode, st.x.Error = status, rj.Code, rj.Reason
	st.srv.metrics.error(rj.Code)
	if err := st.record(ctx); err != nil {
		return st.auditFailed(err)
	}
	st.closed = true
	return st.tagSession([]*extprocv3.ProcessingResponse{reply})
}

// auditFailed fails closed when the audit record could not be written: nothing proceeds that
// has no record.
func (st *stream) auditFailed(err error) []*extprocv3.ProcessingResponse {
	st.closed = true
	st.srv.metrics.error("audit_unavailable")
	st.srv.log.Error("audit record not written; refusing", "request_id", st.x.ID, "error", err)
	reply, _ := st.refuse(503, "audit_unavailable", "", "the audit trail cannot record this request", "")
	return st.tagSession([]*extprocv3.ProcessingResponse{reply})
}

// record writes the record this point of the exchange needs: the request record first, the
// completion record once the exchange went upstream. The context is detached from the stream so
// that a cancelled request still leaves its record.
func (st *stream) record(ctx context.Context) error {
	a := st.srv.pipe.Audit
	ctx = context.WithoutCancel(ctx)
	if !st.completionSent {
		st.x.End = time.Now()
	}
	switch {
	case !st.recordedRequest:
		st.recordedRequest = true
		st.srv.metrics.exchange(st.x.Disposition)
		if a == nil {
			return nil
		}
		t := time.Now()
		actx, cancel := st.auditCtx(ctx)
		err := a.RecordRequest(actx, &st.x)
		cancel()
		st.x.Time("audit", time.Since(t))
		return err
	case st.upstream && !st.recordedCompletion:
		st.recordedCompletion = true
		if a == nil {
			return nil
		}
		// The upstream already acted and the request record exists: a completion record that
		// cannot be written never changes the answer (the audit log counts and reports it).
		if err := a.RecordCompletion(ctx, &st.x); err != nil {
			st.srv.log.Error("completion record not written; the answer goes out unchanged", "request_id", st.x.ID, "error", err)
		}
	}
	return nil
}

// finish runs when the stream ends for any reason: an exchange that did not reach its normal
// end (client cancel, Envoy reset, protocol error) still leaves its records.
func (st *stream) finish(ctx context.Context, streamErr error) {
	if st.completionSent {
		// The replies that ended the exchange went out: whatever ends the stream now (Envoy's
		// half-close or reset after its last reply) does not change what the exchange was.
		st.afterReplies(ctx)
		return
	}
	if st.recordedRequest && (!st.upstream || st.recordedCompletion) {
		return
	}
	if !st.reqHeaders && st.x.ID == "" {
		return // nothing arrived: no exchange to record
	}
	if st.x.ID == "" {
		st.x.ID = newID()
	}
	st.x.Disposition = exchange.Cancelled
	switch {
	case streamErr != nil && !isCancel(streamErr):
		st.x.Disposition = exchange.Failed
		st.x.ErrorCode, st.x.Error = "stream_error", streamErr.Error()
	case st.upstream && st.streaming && st.end.seen:
		// The agent was given the stream's final event, then closed its side before the upstream
		// body ended: what it got is the whole answer.
		st.x.Disposition, st.x.Status = exchange.Allowed, st.x.Response.Status
		st.x.ErrorCode = "client_closed_after_stream_end"
	}
	st.msgStart = time.Time{} // no message is being answered: no deadline for the record
	if err := st.recordSafely(ctx); err != nil {
		st.srv.log.Error("audit record not written", "request_id", st.x.ID, "error", err)
	}
	st.srv.log.LogAttrs(ctx, slog.LevelDebug, "stream ended early", slog.String("request_id", st.x.ID), slog.String("disposition", string(st.x.Disposition)))
}

// hold asks Envoy to wait up to d (clamped to max_message_timeout) for the reply to the message
// being processed, so that a human can approve the request in flight. Envoy accepts it once per
// message; it is refused when Envoy's configuration allows no override or nothing can be sent.
func (st *stream) hold(d time.Duration) (time.Duration, bool) {
	max := st.srv.opts.MaxMessageTimeout
	if st.held || st.send == nil || max <= 0 || d <= 0 {
		return 0, false
	}
	d = min(d, max)
	if err := st.send(&extprocv3.ProcessingResponse{OverrideMessageTimeout: durationpb.New(d)}); err != nil {
		return 0, false
	}
	st.held, st.heldAt, st.heldFor = true, time.Now(), d
	return d, true
}

// redactWhole redacts a whole body (plain, decoded from body when decoded) and adjusts the
// headers a changed body needs: a new content-length, and no content-encoding once the decoded
// body replaces the encoded one. An unchanged body goes on as the original bytes.
func (st *stream) redactWhole(ctx context.Context, edit *headerEdit, body, plain []byte, decoded bool, opts RedactOptions) (out []byte, changed bool, err error) {
	x, p := &st.x, st.srv.pipe
	out = plain
	if p.Redact != nil && len(plain) > 0 {
		t := time.Now()
		var (
			r      []byte
			counts map[string]int
		)
		if werr := st.srv.work(ctx, func() { r, counts, err = p.Redact.Redact(x, plain, opts) }); werr != nil {
			return nil, false, werr
		}
		x.Time("redact", time.Since(t))
		if err != nil {
			return nil, false, err
		}
		x.AddRedactions(counts)
		if !bytes.Equal(r, plain) {
			out, changed = r, true
		}
	}
	switch {
	case changed:
		if decoded {
			edit.Remove("content-encoding")
		}
		edit.Set("content-length", contentLength(len(out)))
	case decoded:
		out = body // unchanged: the original encoded bytes go on
	}
	return out, changed, nil
}
