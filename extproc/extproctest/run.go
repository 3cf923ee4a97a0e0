package extproctest

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	extprocfilterv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/ext_proc/v3"
)

// duplexBody: FULL_DUPLEX_STREAMED. Chunks go out as they come; the server
// answers with streamed_response chunks of its own choosing and ends the
// body with end_of_stream (or answers the trailers). No message timer.
func (x *exchange) duplexBody(f *flow) error {
	serverEOS, trailersDone := false, false
	done := func() bool {
		if f.srcDone && len(f.trailers) > 0 {
			return trailersDone
		}
		return serverEOS
	}
	if err := x.release(f, false); err != nil {
		return err
	}
	for !done() {
		if x.complete {
			f.trailers = nil
			return x.passBody(f)
		}
		var chunks <-chan chunkEv
		if !f.srcDone {
			chunks = f.pump
		}
		ev, err := x.wait(f.d, chunks)
		if err != nil {
			return err
		}
		switch ev.kind {
		case evChunk:
			if err := x.sendEarly(f, ev.chunk); err != nil {
				return err
			}
		case evReply:
			if t := ev.resp.GetRequestTrailers(); t != nil || ev.resp.GetResponseTrailers() != nil {
				m := ev.resp.GetRequestTrailers().GetHeaderMutation()
				if f.d.response {
					m = ev.resp.GetResponseTrailers().GetHeaderMutation()
				}
				if err := applyHeaderMutation(m, &f.trailers, false, false, x.cfg.checker); err != nil {
					return x.mutationFailed(err)
				}
				trailersDone = true
				continue
			}
			sr := commonOf(ev.resp).GetBodyMutation().GetStreamedResponse()
			if sr == nil {
				return x.spurious("spurious message: Normal body mutation response is received while body_mode_ is FULL_DUPLEX_STREAMED")
			}
			if err := x.emit(f, sr.GetBody()); err != nil {
				return err
			}
			serverEOS = serverEOS || sr.GetEndOfStream()
		case evDisabled:
		}
	}
	f.d.finishCall(cbIdle)
	return nil
}

// trailerPhase sends the message's trailers when the mode asks for them
// (Filter::onTrailers); a body without trailers sends none.
func (x *exchange) trailerPhase(f *flow) error {
	d := f.d
	full := d.mode.body == extprocfilterv3.ProcessingMode_FULL_DUPLEX_STREAMED
	if len(f.trailers) > 0 && !full && !f.isReplaced && !x.complete && d.mode.sendTrailers {
		if err := x.sendTrailers(f, f.trailers, cbTrailers); err != nil {
			return err
		}
		for !x.cfg.proto.GetObservabilityMode() && d.cb == cbTrailers && !x.complete {
			ev, err := x.wait(d, nil)
			if err != nil {
				return err
			}
			if ev.kind != evReply {
				continue
			}
			m := ev.resp.GetRequestTrailers().GetHeaderMutation()
			if d.response {
				m = ev.resp.GetResponseTrailers().GetHeaderMutation()
			}
			if err := applyHeaderMutation(m, &f.trailers, false, false, x.cfg.checker); err != nil {
				return x.mutationFailed(err)
			}
			d.finishCall(cbIdle)
		}
	}
	if f.holding {
		if err := x.release(f, false); err != nil {
			return err
		}
		if err := x.emit(f, f.held); err != nil {
			return err
		}
	}
	if len(f.trailers) == 0 {
		f.trailers = nil
	}
	return f.s.end(f.trailers)
}

// run drives both directions and the upstream in between.
func (x *exchange) run(up Upstream, ds *downSink) error {
	us := &upSink{x: x, up: up, result: make(chan upResult, 1)}
	defer us.stop()
	if err := x.direction(x.dec, x.req.Headers.Clone(), x.req.Body, us); err != nil {
		return err
	}
	var r upResult
	select {
	case r = <-us.result:
	case <-x.ctx.Done():
		return fmt.Errorf("downstream went away: %w", x.ctx.Err())
	}
	if r.err != nil {
		return &localReply{
			status: 503, body: []byte("upstream connect error or disconnect/reset before headers"),
			details: "upstream_reset_before_response_started",
		}
	}
	if m := x.enc.mode; !m.sendHeaders && !m.sendTrailers && m.body == extprocfilterv3.ProcessingMode_NONE {
		x.finish() // nothing to process on the response path: Envoy closes the stream now
	}
	h := Headers{{Key: ":status", Value: strconv.Itoa(r.resp.Status)}}
	for _, f := range r.resp.Headers {
		h = append(h, Header{Key: strings.ToLower(f.Key), Value: f.Value})
	}
	return x.direction(x.enc, h, r.resp.Body, ds)
}

type upResult struct {
	resp *Response
	err  error
}

// upSink starts the upstream call when the request headers are released
// and streams the released body to it.
type upSink struct {
	x      *exchange
	up     Upstream
	p      *pipe
	cancel context.CancelFunc
	result chan upResult
}

func (s *upSink) headers(h Headers, endStream bool) error {
	ur := &UpstreamRequest{Headers: h.Clone(), RouteCacheCleared: s.x.out.RouteCacheCleared}
	if !endStream {
		s.p = newPipe()
		ur.Body = s.p
	}
	ctx, cancel := context.WithCancel(s.x.ctx)
	s.cancel = cancel
	go func() {
		resp, err := s.up.RoundTrip(ctx, ur)
		if err == nil && resp == nil {
			err = fmt.Errorf("upstream returned no response")
		}
		s.result <- upResult{resp: resp, err: err}
	}()
	return nil
}

func (s *upSink) data(b []byte) error {
	if s.p != nil {
		s.p.write(b)
	}
	return nil
}

func (s *upSink) end(trailers Headers) error {
	if s.p != nil {
		s.p.close(trailers, nil)
	}
	return nil
}

// stop ends an upstream call the exchange no longer needs.
func (s *upSink) stop() {
	if s.p != nil {
		s.p.close(nil, context.Canceled)
	}
	if s.cancel != nil {
		s.cancel()
	}
}
