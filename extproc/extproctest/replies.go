package extproctest

import (
	"errors"
	"io"
	"slices"
	"time"

	extprocfilterv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/ext_proc/v3"
	extprocv3 "github.com/envoyproxy/go-control-plane/envoy/service/ext_proc/v3"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/structpb"
)

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
	if resp.GetResponse() == nil && resp.GetModeOverride() != nil {
		return x.standaloneModeOverride(resp.GetModeOverride())
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
	case resp.GetStreamedImmediateResponse() != nil:
		return event{kind: evDisabled}, true, x.streamedImmediate()
	case target == nil:
		return event{kind: evDisabled}, true, x.spurious("unhandled message")
	}
	// Filter::onReceiveMessage calls set{De,En}coderDynamicMetadata before
	// handle*Response validates the reply: even a spurious reply's metadata
	// is kept.
	x.keepMetadata(resp)
	if target != d || !slices.Contains(want, d.cb) {
		return event{kind: evDisabled}, true, x.spurious("spurious message")
	}
	x.closeIfLastReply(d, resp)
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
// metadata_options.receiving_namespaces, as Filter::setDynamicMetadata does.
// StreamInfo::setDynamicMetadata merges into the namespace (MergeFrom): a
// later reply adds and overwrites fields, it does not replace the namespace.
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
		have := x.out.DynamicMetadata[k]
		if have == nil {
			have = &structpb.Struct{Fields: map[string]*structpb.Value{}}
			x.out.DynamicMetadata[k] = have
		}
		for f, fv := range v.GetStructValue().GetFields() {
			have.Fields[f] = fv
		}
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

// standaloneModeOverride handles a ProcessingResponse that carries only mode_override, as
// go-control-plane v1.40's external_processor.proto describes it (Envoy 1.38+; the ext_proc.cc
// read for this emulator predates it and calls such a reply "unhandled message"): sent after the
// request headers and before their reply, it changes the modes of the messages that follow. It
// is ignored without allow_mode_override or with send_body_without_waiting_for_header_response.
// On the request path it may only move the body from NONE or STREAMED to FULL_DUPLEX_STREAMED,
// with request trailers SEND; anything else, or one sent at another time, is spurious.
func (x *exchange) standaloneModeOverride(mo *extprocfilterv3.ProcessingMode) (event, bool, error) {
	p := x.cfg.proto
	if !p.GetAllowModeOverride() || p.GetSendBodyWithoutWaitingForHeaderResponse() {
		return event{}, false, nil
	}
	if x.dec.cb != cbHeaders {
		return event{kind: evDisabled}, true, x.spurious("unhandled message")
	}
	eff := effectiveModeOverride(mo, p.GetProcessingMode())
	full := extprocfilterv3.ProcessingMode_FULL_DUPLEX_STREAMED
	from, to := x.dec.mode.body, eff.GetRequestBodyMode()
	if to != from && (to != full || eff.GetRequestTrailerMode() != extprocfilterv3.ProcessingMode_SEND ||
		(from != extprocfilterv3.ProcessingMode_NONE && from != extprocfilterv3.ProcessingMode_STREAMED)) {
		return event{kind: evDisabled}, true, x.spurious("spurious message")
	}
	x.dec.mode = requestMode(eff)
	x.enc.mode = responseMode(eff)
	return event{}, false, nil
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
		_ = applyHeaderMutation(m, &h, false, false, x.cfg.checker)
		lr.headers = h
	}
	return lr
}

// ErrStreamedImmediateNotEmulated is what Do returns when a server sends a StreamedImmediateResponse
// where Envoy 1.37+ would honour it: the emulator does not stream local replies, and a test must
// not pass on an imitation of a path it cannot check.
var ErrStreamedImmediateNotEmulated = errors.New("extproctest: StreamedImmediateResponse with body mode NONE or FULL_DUPLEX_STREAMED is not emulated")

// streamedImmediate handles a StreamedImmediateResponse. The external_processor.proto of
// go-control-plane v1.40 allows it only with request headers SEND and a body mode of NONE or
// FULL_DUPLEX_STREAMED; in the buffered and streamed modes warden's configurations use, it is an
// unexpected message, which Filter::onReceiveMessage treats as spurious (the default branch of its
// response_case switch: "unhandled message", failure_mode_allow decides). Envoy before 1.37 treats
// it so in every mode. Where 1.37+ would stream a local reply the emulator refuses loudly instead.
func (x *exchange) streamedImmediate() error {
	m := x.cfg.reqMode
	allowed := m.sendHeaders && (m.body == extprocfilterv3.ProcessingMode_NONE ||
		m.body == extprocfilterv3.ProcessingMode_FULL_DUPLEX_STREAMED)
	if !allowed {
		return x.spurious("unhandled message")
	}
	x.finish()
	return ErrStreamedImmediateNotEmulated
}
