package extproctest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	extprocfilterv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/ext_proc/v3"
	extprocv3 "github.com/envoyproxy/go-control-plane/envoy/service/ext_proc/v3"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/structpb"
)

// cbState mirrors ProcessorState::CallbackState: what reply a direction
// waits for.
type cbState int

const (
	cbIdle cbState = iota
	cbHeaders
	cbBufferedBody
	cbStreamedBody
	cbPartialBody
	cbTrailers
	cbFullDuplex // FULL_DUPLEX_STREAMED body and trailer replies
)

type recvResult struct {
	resp *extprocv3.ProcessingResponse
	err  error
}

// exchange is the filter instance for one HTTP request: Envoy's Filter with
// its decoding and encoding ProcessorState.
type exchange struct {
	e       *Envoy
	cfg     *filterConfig
	ctx     context.Context
	req     *Request
	sctx    context.Context
	scancel context.CancelFunc
	stream  extprocv3.ExternalProcessor_ProcessClient
	replies chan recvResult
	recvEnd chan struct{}
	// complete is Envoy's processing_complete_: ext_proc is out of the
	// picture for the rest of the request.
	complete     bool
	sentFirst    bool
	dec, enc     *dirState
	out          Outcome
	duplexSent   bool // FULL_DUPLEX body data reached the server: no failing open
	deferredDone bool
	pumpCtx      context.Context
	pumpCancel   context.CancelFunc
}

func newExchange(ctx context.Context, e *Envoy, req *Request) *exchange {
	sctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	pctx, pcancel := context.WithCancel(ctx)
	return &exchange{
		e: e, cfg: e.cfg, ctx: ctx, req: req, sctx: sctx, scancel: cancel,
		pumpCtx: pctx, pumpCancel: pcancel,
		dec: &dirState{mode: e.cfg.reqMode},
		enc: &dirState{response: true, mode: e.cfg.respMode},
	}
}

// close ends the ext_proc stream: half-close, then reset. In observability
// mode Envoy defers the reset so the server can read everything first.
func (x *exchange) close() {
	x.pumpCancel()
	x.dec.stopTimer()
	x.enc.stopTimer()
	if x.stream == nil {
		x.scancel()
		return
	}
	_ = x.stream.CloseSend()
	if !x.cfg.proto.GetObservabilityMode() || x.deferredDone {
		x.scancel()
		return
	}
	x.deferredDone = true
	timeout := deferredClose
	if d := x.cfg.proto.GetDeferredCloseTimeout(); d != nil {
		timeout = d.AsDuration()
	}
	go func() {
		t := time.NewTimer(timeout)
		defer t.Stop()
		select {
		case <-x.recvEnd:
		case <-t.C:
		}
		x.scancel()
	}()
}

// finish is what Envoy does when it stops using the stream for this request.
func (x *exchange) finish() {
	x.complete = true
	x.dec.stopTimer()
	x.enc.stopTimer()
	if x.stream != nil && !x.cfg.proto.GetObservabilityMode() {
		_ = x.stream.CloseSend()
		x.scancel()
	}
}

func (x *exchange) open() error {
	if x.stream != nil {
		return nil
	}
	s, err := x.e.client.Process(x.sctx)
	if err != nil {
		return err
	}
	x.stream = s
	x.replies = make(chan recvResult)
	x.recvEnd = make(chan struct{})
	go func() {
		defer close(x.recvEnd)
		for {
			r, err := s.Recv()
			if err == nil && x.cfg.proto.GetObservabilityMode() {
				continue // Envoy ignores every reply in observability mode
			}
			select {
			case x.replies <- recvResult{resp: r, err: err}:
			case <-x.sctx.Done():
				return
			}
			if err != nil {
				return
			}
		}
	}()
	return nil
}

// send puts one message on the stream and, unless Envoy would not wait,
// arms the per-message timer and records what reply is expected.
func (x *exchange) send(d *dirState, req *extprocv3.ProcessingRequest, cb cbState) error {
	if x.complete {
		return nil
	}
	if err := x.open(); err != nil {
		return x.grpcFailed(err)
	}
	obs := x.cfg.proto.GetObservabilityMode()
	if !x.sentFirst && !obs {
		x.sentFirst = true
		req.ProtocolConfig = &extprocv3.ProtocolConfiguration{
			RequestBodyMode:                         x.cfg.reqMode.body,
			ResponseBodyMode:                        x.cfg.respMode.body,
			SendBodyWithoutWaitingForHeaderResponse: x.cfg.proto.GetSendBodyWithoutWaitingForHeaderResponse(),
		}
	}
	if !d.firstSent {
		d.firstSent = true
		names := x.cfg.proto.GetRequestAttributes()
		if d.response {
			names = x.cfg.proto.GetResponseAttributes()
		}
		if attrs := pickAttributes(names, x.req.Attributes); attrs != nil {
			req.Attributes = map[string]*structpb.Struct{filterName: attrs}
		}
	}
	req.MetadataContext = x.forwardedMetadata()
	req.ObservabilityMode = obs
	if err := x.stream.Send(req); err != nil {
		return x.grpcFailed(x.recvError(err))
	}
	if obs {
		return nil
	}
	d.cb = cb
	d.timeoutOverridden = false
	if d.mode.body != extprocfilterv3.ProcessingMode_FULL_DUPLEX_STREAMED {
		d.startTimer(x.cfg.messageTimeout)
	}
	return nil
}

// recvError finds the stream's real status after a failed Send (grpc-go
// reports io.EOF from Send and the status from Recv).
func (x *exchange) recvError(sendErr error) error {
	if !errors.Is(sendErr, io.EOF) {
		return sendErr
	}
	select {
	case r := <-x.replies:
		if r.err != nil {
			return r.err
		}
	case <-x.recvEnd:
	case <-x.ctx.Done():
	}
	return sendErr
}

func pickAttributes(names []string, offered map[string]*structpb.Value) *structpb.Struct {
	if len(names) == 0 || len(offered) == 0 {
		return nil
	}
	s := &structpb.Struct{Fields: map[string]*structpb.Value{}}
	for _, n := range names {
		if v, ok := offered[n]; ok {
			s.Fields[n] = v
		}
	}
	if len(s.Fields) == 0 {
		return nil
	}
	return s
}

func (x *exchange) forwardedMetadata() *corev3.Metadata {
	md := x.req.Metadata
	out := &corev3.Metadata{} // Envoy always sets metadata_context, empty when nothing is forwarded
	for _, ns := range x.cfg.forwardNamespaces {
		if v, ok := md.GetFilterMetadata()[ns]; ok {
			if out.FilterMetadata == nil {
				out.FilterMetadata = map[string]*structpb.Struct{}
			}
			out.FilterMetadata[ns] = v
		}
	}
	for _, ns := range x.cfg.typedNamespaces {
		if v, ok := md.GetTypedFilterMetadata()[ns]; ok {
			if out.TypedFilterMetadata == nil {
				out.TypedFilterMetadata = map[string]*anypb.Any{}
			}
			out.TypedFilterMetadata[ns] = v
		}
	}
	return out
}

// grpcFailed mirrors Filter::onGrpcError.
func (x *exchange) grpcFailed(err error) error {
	return x.failStream(status.Code(err), status.Convert(err).Message())
}

func (x *exchange) failStream(code codes.Code, msg string) error {
	if x.cfg.proto.GetFailureModeAllow() && !x.duplexSent {
		x.finish()
		return nil
	}
	x.finish()
	return &localReply{
		status:  x.cfg.statusOnError,
		details: detailsString(fmt.Sprintf("ext_proc_error_gRPC_error_%d{%s}", int(code), msg)),
	}
}

// detailsString is StringUtil::replaceAllEmptySpace, applied by Envoy to
// every local reply's details.
func detailsString(s string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\f' || r == '\v' {
			return '_'
		}
		return r
	}, s)
}

type evKind int

const (
	evReply    evKind = iota
	evChunk           // a body chunk arrived from the source
	evDisabled        // ext_proc is done for this request: pass through
)

type event struct {
	kind  evKind
	resp  *extprocv3.ProcessingResponse
	chunk chunkEv
}

// wait returns the next thing d must act on: a reply addressed to d, a body
// chunk (when chunks is not nil), or the end of ext_proc processing.
func (x *exchange) wait(d *dirState, chunks <-chan chunkEv) (event, error) {
	for {
		if x.complete {
			return event{kind: evDisabled}, nil
		}
		select {
		case <-x.ctx.Done():
			return event{}, fmt.Errorf("downstream went away: %w", x.ctx.Err())
		case c := <-chunks:
			return event{kind: evChunk, chunk: c}, nil
		case <-d.timerC():
			if err := x.messageTimeout(); err != nil {
				return event{}, err
			}
		case r := <-x.replies:
			ev, done, err := x.onReply(d, r)
			if err != nil || done {
				return ev, err
			}
		}
	}
}

// messageTimeout mirrors Filter::onMessageTimeout.
func (x *exchange) messageTimeout() error {
	x.finish()
	if x.cfg.proto.GetFailureModeAllow() {
		return nil
	}
	return &localReply{status: 504, details: "ext_proc_error_per-message_timeout_exceeded"}
}

// onReply mirrors Filter::onReceiveMessage. done is false when the reply
// was absorbed (timeout override, ignored message) and waiting goes on.
func (x *exchange) onReply(d *dirState, r recvResult) (event, bool, error) {
	if r.err != nil {
		if errors.Is(r.err, io.EOF) { // Filter::onGrpcClose: carry on without ext_proc
			x.finish()
			return event{kind: evDisabled}, true, nil
		}
		err := x.grpcFailed(r.err)
		return event{kind: evDisabled}, true, err
	}
	resp := r.resp
	if x.complete || x.cfg.proto.GetObservabilityMode() {
		return event{}, false, nil
	}
	if t := resp.GetOverrideMessageTimeout(); t != nil {
		x.overrideTimeout(t.AsDuration())
		return event{}, false, nil
	}
	if mo := resp.GetModeOverride(); mo != nil {
		x.modeOverride(mo)
	}
	target, want := x.addressee(resp)
	switch {
	case resp.GetImmediateResponse() != nil:
		if x.cfg.proto.GetDisableImmediateResponse() {
			return event{kind: evDisabled}, true, x.spurious("unhandled immediate response due to config disabled it")
		}
		x.keepMetadata(resp)
		x.finish()
		return event{}, true, x.immediateReply(resp.GetImmediateResponse())
	case target == nil:
		return event{kind: evDisabled}, true, x.spurious("unhandled message")
	case target != d || !slices.Contains(want, d.cb):
		return event{kind: evDisabled}, true, x.spurious("spurious message")
	}
	x.keepMetadata(resp)
	return event{kind: evReply, resp: resp}, true, nil
}

// spurious handles an out-of-order reply: with failure_mode_allow Envoy
// stops using the stream and goes on; otherwise it answers status_on_error
// with the status message as details.
func (x *exchange) spurious(msg string) error {
	allow := x.cfg.proto.GetFailureModeAllow() && !x.duplexSent
	x.finish()
	if allow {
		return nil
	}
	return &localReply{status: x.cfg.statusOnError, details: detailsString(msg)}
}

// keepMetadata records dynamic_metadata for the namespaces listed in
// metadata_options.receiving_namespaces, as Envoy's setDynamicMetadata does.
func (x *exchange) keepMetadata(resp *extprocv3.ProcessingResponse) {
	md := resp.GetDynamicMetadata()
	ns := x.cfg.proto.GetMetadataOptions().GetReceivingNamespaces().GetUntyped()
	if md == nil || len(ns) == 0 {
		return
	}
	for k, v := range md.GetFields() {
		if !slices.Contains(ns, k) {
			continue
		}
		if x.out.DynamicMetadata == nil {
			x.out.DynamicMetadata = map[string]*structpb.Struct{}
		}
		x.out.DynamicMetadata[k] = v.GetStructValue()
	}
}

// addressee says which direction a reply is for and which waiting states
// accept it (ProcessorState::handle*Response).
func (x *exchange) addressee(resp *extprocv3.ProcessingResponse) (*dirState, []cbState) {
	body := []cbState{cbBufferedBody, cbStreamedBody, cbPartialBody, cbFullDuplex}
	trailers := []cbState{cbTrailers, cbFullDuplex}
	switch resp.GetResponse().(type) {
	case *extprocv3.ProcessingResponse_RequestHeaders:
		return x.dec, []cbState{cbHeaders}
	case *extprocv3.ProcessingResponse_ResponseHeaders:
		return x.enc, []cbState{cbHeaders}
	case *extprocv3.ProcessingResponse_RequestBody:
		return x.dec, body
	case *extprocv3.ProcessingResponse_ResponseBody:
		return x.enc, body
	case *extprocv3.ProcessingResponse_RequestTrailers:
		return x.dec, trailers
	case *extprocv3.ProcessingResponse_ResponseTrailers:
		return x.enc, trailers
	}
	return nil, nil
}

// overrideTimeout applies override_message_timeout: only with
// max_message_timeout set, only between 1ms and that maximum, and only once
// per waiting state.
func (x *exchange) overrideTimeout(t time.Duration) {
	d := x.dec
	if d.cb == cbIdle {
		d = x.enc
	}
	if d.cb == cbIdle || d.timeoutOverridden || x.cfg.maxMessageTimeout == 0 ||
		t < time.Millisecond || t > x.cfg.maxMessageTimeout || d.timer == nil {
		return
	}
	d.timeoutOverridden = true
	d.startTimer(t)
}

// modeOverride applies mode_override when Envoy would honour it: with
// allow_mode_override, without send_body_without_waiting_for_header_response,
// never when the configured mode uses FULL_DUPLEX_STREAMED, and only while a
// header reply is awaited. DEFAULT header and trailer modes in the override
// keep the configured value; body modes are always taken.
func (x *exchange) modeOverride(mo *extprocfilterv3.ProcessingMode) {
	p := x.cfg.proto
	full := extprocfilterv3.ProcessingMode_FULL_DUPLEX_STREAMED
	cfgMode := p.GetProcessingMode()
	if !p.GetAllowModeOverride() || p.GetSendBodyWithoutWaitingForHeaderResponse() ||
		cfgMode.GetRequestBodyMode() == full || cfgMode.GetResponseBodyMode() == full ||
		(x.dec.cb != cbHeaders && x.enc.cb != cbHeaders) {
		return
	}
	eff := effectiveModeOverride(mo, cfgMode)
	if allowed := p.GetAllowedOverrideModes(); len(allowed) > 0 {
		ok := slices.ContainsFunc(allowed, func(a *extprocfilterv3.ProcessingMode) bool {
			return eff.GetRequestBodyMode() == a.GetRequestBodyMode() &&
				eff.GetRequestTrailerMode() == a.GetRequestTrailerMode() &&
				eff.GetResponseHeaderMode() == a.GetResponseHeaderMode() &&
				eff.GetResponseBodyMode() == a.GetResponseBodyMode() &&
				eff.GetResponseTrailerMode() == a.GetResponseTrailerMode()
		})
		if !ok {
			return
		}
	}
	x.dec.mode = requestMode(eff)
	x.enc.mode = responseMode(eff)
}

func effectiveModeOverride(target, existing *extprocfilterv3.ProcessingMode) *extprocfilterv3.ProcessingMode {
	m := &extprocfilterv3.ProcessingMode{}
	if existing != nil {
		m = proto.Clone(existing).(*extprocfilterv3.ProcessingMode)
	}
	def := extprocfilterv3.ProcessingMode_DEFAULT
	if target.GetRequestHeaderMode() != def {
		m.RequestHeaderMode = target.GetRequestHeaderMode()
	}
	if target.GetResponseHeaderMode() != def {
		m.ResponseHeaderMode = target.GetResponseHeaderMode()
	}
	if target.GetRequestTrailerMode() != def {
		m.RequestTrailerMode = target.GetRequestTrailerMode()
	}
	if target.GetResponseTrailerMode() != def {
		m.ResponseTrailerMode = target.GetResponseTrailerMode()
	}
	m.RequestBodyMode, m.ResponseBodyMode = target.GetRequestBodyMode(), target.GetResponseBodyMode()
	return m
}

// immediateReply mirrors Filter::sendImmediateResponse. Its header mutation
// is checked against the configured mutation rules; a failure only drops
// the rest of the mutation (Envoy logs it).
func (x *exchange) immediateReply(ir *extprocv3.ImmediateResponse) error {
	code := 200
	if ir.GetStatus() != nil {
		code = int(ir.GetStatus().GetCode())
	}
	if code < 200 {
		code = 200
	}
	lr := &localReply{status: code, body: ir.GetBody(), details: detailsString(ir.GetDetails())}
	if m := ir.GetHeaders(); m != nil {
		h := Headers{}
		_ = applyHeaderMutation(m, &h, false, x.cfg.checker)
		lr.headers = h
	}
	return lr
}
