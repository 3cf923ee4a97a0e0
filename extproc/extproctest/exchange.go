package extproctest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	extprocfilterv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/ext_proc/v3"
	extprocv3 "github.com/envoyproxy/go-control-plane/envoy/service/ext_proc/v3"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
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
	duplexSent   bool  // FULL_DUPLEX body data reached the server: no failing open
	obsErr       error // observability mode: the stream's gRPC error, set before recvEnd closes
	deferredDone bool
	pumpCtx      context.Context
	pumpCancel   context.CancelFunc
	// mu is Envoy's dispatcher thread: the request and the response direction run at the same
	// time (response headers may come while request body replies are outstanding), and whichever
	// is not blocked waiting holds mu.
	mu       sync.Mutex
	doneCh   chan struct{} // closed by finish: ext_proc is out of the picture
	doneOnce sync.Once
	abort    chan struct{} // closed when the exchange is over: a direction still waiting gives up
}

func newExchange(ctx context.Context, e *Envoy, req *Request) *exchange {
	sctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	pctx, pcancel := context.WithCancel(ctx)
	return &exchange{
		e: e, cfg: e.cfg, ctx: ctx, req: req, sctx: sctx, scancel: cancel,
		pumpCtx: pctx, pumpCancel: pcancel,
		dec:    &dirState{mode: e.cfg.reqMode, inbox: make(chan recvResult, inboxSize)},
		enc:    &dirState{response: true, mode: e.cfg.respMode, inbox: make(chan recvResult, inboxSize)},
		doneCh: make(chan struct{}),
		abort:  make(chan struct{}),
	}
}

// inboxSize bounds the replies one direction may have waiting for it while the other direction
// holds the dispatcher.
const inboxSize = 64

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
	x.doneOnce.Do(func() { close(x.doneCh) })
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
			if x.cfg.proto.GetObservabilityMode() {
				if err != nil {
					// Filter::onReceiveMessage ignores replies in observability mode, but
					// Filter::onGrpcError does not: a failed stream still fails the request
					// (status_on_error) unless failure_mode_allow. The next send sees it.
					if !errors.Is(err, io.EOF) {
						x.obsErr = err
					}
					return
				}
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
		rerr := x.recvError(err)
		if errors.Is(rerr, io.EOF) { // the server closed the stream cleanly
			x.finish()
			return nil
		}
		return x.grpcFailed(rerr)
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
	for {
		select {
		case r := <-x.replies:
			if r.err != nil {
				return r.err
			}
			// A reply that raced the failure: the stream is gone, drop it.
		case <-x.recvEnd:
			if x.obsErr != nil { // written before recvEnd was closed
				return x.obsErr
			}
			return sendErr
		case <-x.ctx.Done():
			return sendErr
		}
	}
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

// wait returns the next thing d must act on: a reply addressed to d, a body chunk (when chunks is
// not nil), or the end of ext_proc processing. It releases the dispatcher while it blocks. A reply
// for the other direction, which that direction is waiting for, is handed to it: Envoy's two
// ProcessorStates share one stream and each takes the replies meant for it.
func (x *exchange) wait(d *dirState, chunks <-chan chunkEv) (event, error) {
	for {
		if x.complete {
			return event{kind: evDisabled}, nil
		}
		timer, replies := d.timerC(), x.replies
		var (
			r      recvResult
			fromUs bool
		)
		x.mu.Unlock()
		select {
		case <-x.ctx.Done():
			x.mu.Lock()
			return event{}, fmt.Errorf("downstream went away: %w", x.ctx.Err())
		case <-x.abort:
			x.mu.Lock()
			return event{}, errAborted
		case c := <-chunks:
			x.mu.Lock()
			return event{kind: evChunk, chunk: c}, nil
		case <-timer:
			x.mu.Lock()
			if d.timerC() != timer { // restarted (override_message_timeout) while we were waiting
				continue
			}
			if err := x.messageTimeout(); err != nil {
				return event{}, err
			}
			continue
		case <-x.doneCh:
			x.mu.Lock()
			continue
		case r = <-d.inbox:
			x.mu.Lock()
			fromUs = true
		case r = <-replies:
			x.mu.Lock()
		}
		if !fromUs && x.handOver(d, r) {
			continue
		}
		ev, done, err := x.onReply(d, r)
		if err != nil || done {
			return ev, err
		}
	}
}

// errAborted ends a direction that was still waiting when the exchange ended.
var errAborted = errors.New("extproctest: the exchange ended")

// handOver passes r to the other direction when it is addressed to it and that direction is
// waiting for such a reply.
func (x *exchange) handOver(d *dirState, r recvResult) bool {
	if r.err != nil || r.resp == nil || x.complete || x.cfg.proto.GetObservabilityMode() ||
		r.resp.GetImmediateResponse() != nil || r.resp.GetOverrideMessageTimeout() != nil {
		return false
	}
	target, want := x.addressee(r.resp)
	if target == nil || target == d || !slices.Contains(want, target.cb) {
		return false
	}
	select {
	case target.inbox <- r:
		return true
	default:
		return false
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
