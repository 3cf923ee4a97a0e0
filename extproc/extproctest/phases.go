package extproctest

import (
	"fmt"

	extprocfilterv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/ext_proc/v3"
)

func (x *exchange) bodyPhase(f *flow) error {
	d := f.d
	if !f.hasBody && f.isReplaced {
		// handleHeadersResponse CONTINUE_AND_REPLACE with no buffered data:
		// addBufferedData(new_body), so a headers-only message gains the body.
		if err := x.release(f, false); err != nil {
			return err
		}
		return x.emit(f, f.replaced)
	}
	if !f.hasBody {
		return x.release(f, true)
	}
	if f.isReplaced {
		return x.replacedBody(f)
	}
	if x.cfg.proto.GetObservabilityMode() {
		return x.observedBody(f)
	}
	if f.gotData && f.srcDone && len(f.pending) <= x.e.bufferLimit && !x.complete &&
		d.mode.body != extprocfilterv3.ProcessingMode_NONE && d.mode.body != extprocfilterv3.ProcessingMode_FULL_DUPLEX_STREAMED {
		return x.mergedBody(f)
	}
	switch d.mode.body {
	case extprocfilterv3.ProcessingMode_BUFFERED:
		return x.bufferedBody(f)
	case extprocfilterv3.ProcessingMode_STREAMED:
		return x.streamedBody(f)
	case extprocfilterv3.ProcessingMode_BUFFERED_PARTIAL:
		return x.partialBody(f)
	case extprocfilterv3.ProcessingMode_FULL_DUPLEX_STREAMED:
		return x.duplexBody(f)
	default:
		return x.passBody(f)
	}
}

// passBody forwards the rest of the body unprocessed (mode NONE, or after
// ext_proc stepped out). Replies that arrive meanwhile are still checked.
func (x *exchange) passBody(f *flow) error {
	if err := x.release(f, false); err != nil {
		return err
	}
	if err := x.emit(f, f.pending); err != nil {
		return err
	}
	f.pending = nil
	for !f.srcDone {
		ev, err := x.nextChunk(f)
		if err != nil {
			return err
		}
		if ev.kind != evChunk {
			continue
		}
		if err := x.takeChunk(f, ev.chunk); err != nil {
			return err
		}
		if err := x.emit(f, ev.chunk.data); err != nil {
			return err
		}
	}
	return nil
}

func (x *exchange) takeChunk(f *flow, c chunkEv) error {
	if c.err != nil {
		return fmt.Errorf("read body: %w", c.err)
	}
	if c.last {
		f.srcDone, f.trailers = true, c.trailers
	}
	return nil
}

// replacedBody: after CONTINUE_AND_REPLACE the original body is dropped.
func (x *exchange) replacedBody(f *flow) error {
	if err := x.release(f, false); err != nil {
		return err
	}
	if err := x.emit(f, f.replaced); err != nil {
		return err
	}
	for !f.srcDone {
		ev, err := x.nextChunk(f)
		if err != nil {
			return err
		}
		if ev.kind == evChunk {
			if err := x.takeChunk(f, ev.chunk); err != nil {
				return err
			}
		}
	}
	return nil
}

// observedBody: observability mode sends STREAMED chunks and never waits;
// other body modes are not sent at all.
func (x *exchange) observedBody(f *flow) error {
	if f.d.mode.body != extprocfilterv3.ProcessingMode_STREAMED {
		return x.passBody(f)
	}
	if err := x.release(f, false); err != nil {
		return err
	}
	for !f.srcDone {
		ev, err := x.nextChunk(f)
		if err != nil {
			return err
		}
		if ev.kind != evChunk {
			continue
		}
		if err := x.takeChunk(f, ev.chunk); err != nil {
			return err
		}
		if !x.complete && (ev.chunk.data != nil || ev.chunk.eos) {
			if err := x.sendBody(f, ev.chunk.data, ev.chunk.eos, cbIdle); err != nil {
				return err
			}
		}
		if err := x.emit(f, ev.chunk.data); err != nil {
			return err
		}
	}
	return nil
}

// bufferedBody: the whole body in one message, headers held for mutation.
func (x *exchange) bufferedBody(f *flow) error {
	buf := f.pending
	f.pending = nil
	for !f.srcDone {
		ev, err := x.nextChunk(f)
		if err != nil {
			return err
		}
		if ev.kind != evChunk {
			continue
		}
		if err := x.takeChunk(f, ev.chunk); err != nil {
			return err
		}
		buf = append(buf, ev.chunk.data...)
		if len(buf) > x.e.bufferLimit {
			return x.overLimit(f)
		}
	}
	if len(buf) > x.e.bufferLimit { // already over with what arrived during the headers reply
		return x.overLimit(f)
	}
	if !x.complete {
		if err := x.sendBody(f, buf, len(f.trailers) == 0, cbBufferedBody); err != nil {
			return err
		}
	}
	buf, err := x.awaitBodyReply(f, buf, cbBufferedBody, true)
	if err != nil {
		return err
	}
	// Envoy sends the trailers before it lets the buffered message go on.
	f.held, f.holding = buf, true
	return nil
}

// overLimit is a BUFFERED body over the buffer limit: 413 on requests, 500 on responses.
func (x *exchange) overLimit(f *flow) error {
	x.finish()
	if f.d.response {
		return &localReply{status: 500, body: []byte("Internal Server Error"), details: "response_payload_too_large"}
	}
	return &localReply{status: 413, body: []byte("Payload Too Large"), details: "request_payload_too_large"}
}

// mergedBody is ProcessorState::handleHeadersResponse with complete_body_available_: the whole
// body arrived while the headers reply was pending, so whatever the body mode (BUFFERED,
// STREAMED or BUFFERED_PARTIAL) it goes out as one message, end_of_stream unless trailers
// follow, answered through the BufferedBodyCallback path: header mutations in the reply apply,
// content-length is checked against a mutated body, and an ImmediateResponse is a clean local
// reply because nothing went downstream yet.
func (x *exchange) mergedBody(f *flow) error {
	buf := f.pending
	f.pending = nil
	if err := x.sendBody(f, buf, len(f.trailers) == 0, cbBufferedBody); err != nil {
		return err
	}
	buf, err := x.awaitBodyReply(f, buf, cbBufferedBody, true)
	if err != nil {
		return err
	}
	f.held, f.holding = buf, true
	return nil
}

// streamedBody: every chunk goes out without waiting; each reply replaces
// the oldest chunk still queued, in order.
func (x *exchange) streamedBody(f *flow) error {
	if err := x.release(f, false); err != nil {
		return err
	}
	if f.gotData {
		// ProcessorState::sendBufferedDataInStreamedMode(false): what arrived while the
		// headers reply was pending goes out as one chunk.
		c := chunkEv{data: f.pending}
		f.pending, f.gotData = nil, false
		if err := x.sendBody(f, c.data, false, cbStreamedBody); err != nil {
			return err
		}
		if x.complete {
			if err := x.emit(f, c.data); err != nil {
				return err
			}
		} else {
			f.enqueue(c.data, false)
		}
	}
	for !f.srcDone || len(f.queue) > 0 {
		if x.complete { // clearAsyncState: queued chunks go on unmodified
			for _, c := range f.queue {
				if err := x.emit(f, c); err != nil {
					return err
				}
			}
			f.queue, f.queueEOS = nil, nil
			if f.srcDone {
				return nil
			}
		}
		var ev event
		var err error
		if f.srcDone {
			ev, err = x.wait(f.d, nil)
		} else {
			ev, err = x.nextChunk(f)
		}
		if err != nil {
			return err
		}
		switch ev.kind {
		case evChunk:
			if err := x.streamChunk(f, ev.chunk); err != nil {
				return err
			}
		case evReply:
			if commonOf(ev.resp).GetBodyMutation().GetStreamedResponse() != nil {
				return x.spurious("spurious message: streamed_response is received while body_mode_ is not FULL_DUPLEX_STREAMED")
			}
			oldest := f.queue[0]
			f.queue, f.queueEOS = f.queue[1:], f.queueEOS[1:]
			if bm := commonOf(ev.resp).GetBodyMutation(); bm != nil {
				oldest = applyBodyMutation(bm, oldest)
			}
			// Header mutations in streamed body replies are ignored.
			f.d.finishCall(f.d.cb)
			if len(f.queue) == 0 {
				f.d.cb = cbIdle
			}
			if err := x.emit(f, oldest); err != nil {
				return err
			}
		case evDisabled:
		}
	}
	return nil
}

func (x *exchange) streamChunk(f *flow, c chunkEv) error {
	if err := x.takeChunk(f, c); err != nil {
		return err
	}
	if x.complete {
		return x.emit(f, c.data)
	}
	if c.data == nil && !c.eos {
		return nil // trailers follow; no empty data frame
	}
	if err := x.sendBody(f, c.data, c.eos, cbStreamedBody); err != nil {
		return err
	}
	if x.complete { // the send failed open
		return x.emit(f, c.data)
	}
	f.enqueue(c.data, c.eos)
	return nil
}

// enqueue remembers a STREAMED chunk sent to the server until its reply comes back.
func (f *flow) enqueue(data []byte, eos bool) {
	f.queue = append(f.queue, data)
	f.queueEOS = append(f.queueEOS, eos)
}

// partialBody: one message when the body ends or the buffer limit is hit,
// headers held until its reply (their mutations apply); the rest passes
// unprocessed.
func (x *exchange) partialBody(f *flow) error {
	buf := f.pending
	f.pending = nil
	// ProcessorState::queueOverHighLimit: bytesEnqueued() > bufferLimit(), so
	// a body of exactly the limit is still waited for to its end.
	for !f.srcDone && len(buf) <= x.e.bufferLimit {
		ev, err := x.nextChunk(f)
		if err != nil {
			return err
		}
		if ev.kind != evChunk {
			continue
		}
		if err := x.takeChunk(f, ev.chunk); err != nil {
			return err
		}
		buf = append(buf, ev.chunk.data...)
	}
	if !x.complete {
		if err := x.sendBody(f, buf, f.srcDone && len(f.trailers) == 0, cbPartialBody); err != nil {
			return err
		}
	}
	buf, err := x.awaitBodyReply(f, buf, cbPartialBody, false)
	if err != nil {
		return err
	}
	if err := x.release(f, false); err != nil {
		return err
	}
	if err := x.emit(f, buf); err != nil {
		return err
	}
	return x.passBody(f)
}

// awaitBodyReply waits for the reply to a BUFFERED or BUFFERED_PARTIAL body message and applies
// it: header mutations (while the headers are still held) and the body mutation. Only BUFFERED
// checks content-length against the mutated body; in BUFFERED_PARTIAL Envoy has removed it.
func (x *exchange) awaitBodyReply(f *flow, buf []byte, cb cbState, checkLength bool) ([]byte, error) {
	for f.d.cb == cb && !x.complete {
		ev, err := x.wait(f.d, nil)
		if err != nil {
			return nil, err
		}
		if ev.kind != evReply {
			continue
		}
		common := commonOf(ev.resp)
		if m := common.GetHeaderMutation(); m != nil && f.headersSent {
			if err := applyHeaderMutation(m, &f.h, false, f.d.mode.dropsContentLength(), x.cfg.checker); err != nil {
				return nil, x.mutationFailed(err)
			}
			x.clearRouteCache(f.d, common)
		}
		if bm := common.GetBodyMutation(); bm != nil {
			buf = applyBodyMutation(bm, buf)
			if checkLength && f.headersSent {
				if err := checkContentLength(f.h, buf); err != nil {
					return nil, x.mutationFailed(err)
				}
			}
		}
		f.d.finishCall(cbIdle)
	}
	return buf, nil
}
