package extproctest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	extprocfilterv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/ext_proc/v3"
	extprocv3 "github.com/envoyproxy/go-control-plane/envoy/service/ext_proc/v3"
)

// dirState is one direction's ProcessorState.
type dirState struct {
	response          bool
	mode              mode
	cb                cbState
	timer             *time.Timer
	timeoutOverridden bool
	firstSent         bool
	inbox             chan recvResult // replies for this direction taken by the other one
	flow              *flow           // the direction's body and queue, once it started
	noBody            bool            // headers went with end_of_stream (ProcessorState::hasNoBody)
}

func (d *dirState) startTimer(t time.Duration) {
	d.stopTimer()
	d.timer = time.NewTimer(t)
}

func (d *dirState) stopTimer() {
	if d.timer != nil {
		d.timer.Stop()
		d.timer = nil
	}
}

func (d *dirState) timerC() <-chan time.Time {
	if d.timer == nil {
		return nil
	}
	return d.timer.C
}

// finishCall is ProcessorState::onFinishProcessorCall.
func (d *dirState) finishCall(next cbState) {
	d.stopTimer()
	d.cb = next
	d.timeoutOverridden = false
}

// sink receives what a direction releases: the upstream for requests, the
// downstream for responses.
type sink interface {
	headers(h Headers, endStream bool) error
	data(b []byte) error
	end(trailers Headers) error
}

// chunkEv is one read from a Body: data (with end_stream when it is the
// last and no trailers follow), or the trailers at the end.
type chunkEv struct {
	data     []byte
	eos      bool
	last     bool
	trailers Headers
	err      error
}

// pumpAhead is how many chunks the pump reads before anyone takes them: Envoy reads body data
// from the network while a headers reply is pending (up to its buffer limit), so data that is
// already there when the reply lands is available at once.
const pumpAhead = 64

func startPump(ctx context.Context, b Body) <-chan chunkEv {
	ch := make(chan chunkEv, pumpAhead)
	go func() {
		emit := func(c chunkEv) bool {
			select {
			case ch <- c:
				return true
			case <-ctx.Done():
				return false
			}
		}
		for {
			data, err := b.Next(ctx)
			switch {
			case errors.Is(err, io.EOF):
				t := b.Trailers()
				if len(t) == 0 {
					emit(chunkEv{data: data, eos: true, last: true})
					return
				}
				if len(data) > 0 && !emit(chunkEv{data: data}) {
					return
				}
				emit(chunkEv{last: true, trailers: t})
				return
			case err != nil:
				emit(chunkEv{err: err, last: true})
				return
			}
			if !emit(chunkEv{data: data}) {
				return
			}
		}
	}()
	return ch
}

// flow is one direction of one exchange in progress.
type flow struct {
	d           *dirState
	h           Headers
	s           sink
	pump        <-chan chunkEv
	hasBody     bool
	headersSent bool // headers went to the server: they stay mutable while held
	released    bool
	replaced    []byte
	isReplaced  bool
	queue       [][]byte // STREAMED chunks sent and not yet answered
	queueEOS    []bool   // end_stream of each queued chunk (ChunkQueue's QueuedChunk::end_stream)
	srcDone     bool
	trailers    Headers
	held        []byte // BUFFERED body waiting for the trailers reply
	holding     bool
	// pending is body data that arrived while the headers reply was awaited (Envoy buffers it);
	// gotData says some arrived (an empty last chunk counts, as Envoy's bufferedData() does).
	pending []byte
	gotData bool
}

func (x *exchange) direction(d *dirState, h Headers, body Body, s sink) error {
	f := &flow{d: d, h: h, s: s, hasBody: body != nil}
	d.flow, d.noBody = f, body == nil
	if f.hasBody {
		f.pump = startPump(x.sctxPump(), body)
	}
	if err := x.headerPhase(f); err != nil {
		return err
	}
	if err := x.bodyPhase(f); err != nil {
		return err
	}
	return x.trailerPhase(f)
}

// sctxPump is the context for reading bodies: it ends with the exchange.
func (x *exchange) sctxPump() context.Context { return x.pumpCtx }

func (x *exchange) headerPhase(f *flow) error {
	d := f.d
	if !d.mode.sendHeaders || x.complete {
		x.dropContentLength(f)
		return nil
	}
	f.headersSent = true
	hh := &extprocv3.HttpHeaders{Headers: f.h.toProto(), EndOfStream: !f.hasBody}
	req := &extprocv3.ProcessingRequest{}
	if d.response {
		req.Request = &extprocv3.ProcessingRequest_ResponseHeaders{ResponseHeaders: hh}
	} else {
		req.Request = &extprocv3.ProcessingRequest_RequestHeaders{RequestHeaders: hh}
	}
	if err := x.send(d, req, cbHeaders); err != nil {
		return err
	}
	// The server got the headers as they were; Envoy strips content-length now,
	// before any reply (and any mode_override in it) is seen.
	x.dropContentLength(f)
	early := f.hasBody && (d.mode.body == extprocfilterv3.ProcessingMode_FULL_DUPLEX_STREAMED ||
		(d.mode.body == extprocfilterv3.ProcessingMode_STREAMED && x.cfg.proto.GetSendBodyWithoutWaitingForHeaderResponse()))
	// Filter::onData in HeadersCallback state: body data that arrives while the headers reply is
	// pending is buffered (up to the buffer limit), not sent.
	hold := f.hasBody && !early && !x.cfg.proto.GetObservabilityMode()
	for d.cb == cbHeaders && !x.complete {
		var chunks <-chan chunkEv
		switch {
		case early && !f.srcDone:
			chunks = f.pump
		case hold && !f.srcDone && len(f.pending) <= x.e.bufferLimit:
			chunks = f.pump
		}
		ev, err := x.wait(d, chunks)
		if err != nil {
			return err
		}
		switch ev.kind {
		case evChunk:
			if !early {
				if err := x.holdChunk(f, ev.chunk); err != nil {
					return err
				}
				continue
			}
			if err := x.sendEarly(f, ev.chunk); err != nil {
				return err
			}
		case evReply:
			if err := x.onHeadersReply(f, ev.resp); err != nil {
				return err
			}
		case evDisabled:
		}
	}
	if hold {
		return x.takeArrived(f)
	}
	return nil
}

// holdChunk buffers a chunk that arrived while the headers reply was pending.
func (x *exchange) holdChunk(f *flow, c chunkEv) error {
	if err := x.takeChunk(f, c); err != nil {
		return err
	}
	f.pending = append(f.pending, c.data...)
	f.gotData = true
	return nil
}

// takeArrived adds what the source had already delivered when the headers reply landed: the
// reply and the data race in Envoy too, and data already read wins.
func (x *exchange) takeArrived(f *flow) error {
	for !f.srcDone && len(f.pending) <= x.e.bufferLimit {
		select {
		case c := <-f.pump:
			if err := x.holdChunk(f, c); err != nil {
				return err
			}
		default:
			return nil
		}
	}
	return nil
}

// sendEarly sends a body chunk while the header reply is outstanding
// (FULL_DUPLEX_STREAMED, or STREAMED with send_body_without_waiting...).
func (x *exchange) sendEarly(f *flow, c chunkEv) error {
	if c.err != nil {
		return fmt.Errorf("read body: %w", c.err)
	}
	if c.last {
		f.srcDone, f.trailers = true, c.trailers
	}
	if c.data == nil && !c.eos {
		return x.sendDuplexTrailers(f)
	}
	if err := x.sendBody(f, c.data, c.eos, f.d.cb); err != nil {
		return err
	}
	if f.d.mode.body == extprocfilterv3.ProcessingMode_STREAMED {
		f.enqueue(c.data, c.eos)
	} else {
		x.duplexSent = true
	}
	return x.sendDuplexTrailers(f)
}

func (x *exchange) sendDuplexTrailers(f *flow) error {
	if f.d.mode.body != extprocfilterv3.ProcessingMode_FULL_DUPLEX_STREAMED || !f.srcDone || len(f.trailers) == 0 {
		return nil
	}
	return x.sendTrailers(f, f.trailers, f.d.cb)
}

func (x *exchange) sendBody(f *flow, data []byte, eos bool, cb cbState) error {
	hb := &extprocv3.HttpBody{Body: data, EndOfStream: eos}
	req := &extprocv3.ProcessingRequest{}
	if f.d.response {
		req.Request = &extprocv3.ProcessingRequest_ResponseBody{ResponseBody: hb}
	} else {
		req.Request = &extprocv3.ProcessingRequest_RequestBody{RequestBody: hb}
	}
	return x.send(f.d, req, cb)
}

func (x *exchange) sendTrailers(f *flow, t Headers, cb cbState) error {
	ht := &extprocv3.HttpTrailers{Trailers: t.toProto()}
	req := &extprocv3.ProcessingRequest{}
	if f.d.response {
		req.Request = &extprocv3.ProcessingRequest_ResponseTrailers{ResponseTrailers: ht}
	} else {
		req.Request = &extprocv3.ProcessingRequest_RequestTrailers{RequestTrailers: ht}
	}
	return x.send(f.d, req, cb)
}

func commonOf(resp *extprocv3.ProcessingResponse) *extprocv3.CommonResponse {
	switch r := resp.GetResponse().(type) {
	case *extprocv3.ProcessingResponse_RequestHeaders:
		return r.RequestHeaders.GetResponse()
	case *extprocv3.ProcessingResponse_ResponseHeaders:
		return r.ResponseHeaders.GetResponse()
	case *extprocv3.ProcessingResponse_RequestBody:
		return r.RequestBody.GetResponse()
	case *extprocv3.ProcessingResponse_ResponseBody:
		return r.ResponseBody.GetResponse()
	}
	return nil
}

// mutationFailed turns a rejected mutation into Envoy's local reply.
func (x *exchange) mutationFailed(err error) error {
	x.finish()
	return &localReply{status: x.cfg.statusOnError, details: detailsString(err.Error())}
}

// onHeadersReply is ProcessorState::handleHeadersResponse.
func (x *exchange) onHeadersReply(f *flow, resp *extprocv3.ProcessingResponse) error {
	d := f.d
	common := commonOf(resp)
	replacing := common.GetStatus() == extprocv3.CommonResponse_CONTINUE_AND_REPLACE
	if m := common.GetHeaderMutation(); m != nil {
		if err := applyHeaderMutation(m, &f.h, replacing, d.mode.dropsContentLength(), x.cfg.checker); err != nil {
			return x.mutationFailed(err)
		}
		x.clearRouteCache(d, common)
	}
	next := cbIdle
	if len(f.queue) > 0 {
		next = cbStreamedBody
	}
	if d.mode.body == extprocfilterv3.ProcessingMode_FULL_DUPLEX_STREAMED {
		next = cbFullDuplex
	}
	d.finishCall(next)
	if replacing {
		if bm := common.GetBodyMutation(); bm != nil {
			f.h.Del("content-length")
			f.isReplaced, f.replaced = true, applyBodyMutation(bm, nil)
		}
		d.mode.body = extprocfilterv3.ProcessingMode_NONE
		d.mode.sendTrailers = false
	}
	return nil
}

func (x *exchange) clearRouteCache(d *dirState, common *extprocv3.CommonResponse) {
	if d.response {
		return // ignored in the response direction
	}
	p := x.cfg.proto
	switch {
	case p.GetRouteCacheAction() == extprocfilterv3.ExternalProcessor_RETAIN, p.GetDisableClearRouteCache():
	case p.GetRouteCacheAction() == extprocfilterv3.ExternalProcessor_CLEAR, common.GetClearRouteCache():
		x.out.RouteCacheCleared = true
	}
}

// dropContentLength is the end of Filter::decodeHeaders / Filter::encodeHeaders
// (ext_proc.cc): once the headers message is on its way (or skipped), and
// unless processing already ended, content-length is removed when
// ProcessorState::shouldRemoveContentLength() says so for the body mode
// configured at that moment. A mode_override that arrives later in the headers
// reply does not revisit this: a server that overrides BUFFERED to STREAMED and
// changes the body's length must remove content-length itself.
func (x *exchange) dropContentLength(f *flow) {
	if x.complete || x.cfg.proto.GetAllowContentLengthHeader() {
		return
	}
	if f.d.mode.dropsContentLength() {
		f.h.Del("content-length")
	}
}

// release sends the headers on. Content-length was settled when the headers
// went to the server (dropContentLength); release does not touch it.
func (x *exchange) release(f *flow, endStream bool) error {
	if f.released {
		return nil
	}
	f.released = true
	return f.s.headers(f.h, endStream)
}

func (x *exchange) emit(f *flow, b []byte) error {
	if len(b) == 0 {
		return nil
	}
	return f.s.data(b)
}

// nextChunk returns the next body event; once ext_proc is out of the
// picture it reads the body directly.
func (x *exchange) nextChunk(f *flow) (event, error) {
	if !x.complete {
		return x.wait(f.d, f.pump)
	}
	x.mu.Unlock()
	defer x.mu.Lock()
	select {
	case c := <-f.pump:
		return event{kind: evChunk, chunk: c}, nil
	case <-x.abort:
		return event{}, errAborted
	case <-x.ctx.Done():
		return event{}, fmt.Errorf("downstream went away: %w", x.ctx.Err())
	}
}

// checkContentLength enforces that, in BUFFERED mode with headers sent, a
// content-length left in the headers matches a mutated body.
func checkContentLength(h Headers, body []byte) error {
	v, ok := h.Get("content-length")
	if !ok {
		return nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n == len(body) {
		return nil
	}
	return mutErr("mismatch between content length and the length of the mutated body")
}
