package extproctest

import (
	extprocfilterv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/ext_proc/v3"
	extprocv3 "github.com/envoyproxy/go-control-plane/envoy/service/ext_proc/v3"
)

// closeIfLastReply mirrors Filter::closeGrpcStreamIfLastRespReceived (ext_proc.cc, Envoy 1.37+,
// runtime guard envoy.reloadable_features.ext_proc_stream_close_optimization, on by default):
// once a reply is the last one the filter will ever need, Envoy closes the gRPC stream at once
// instead of at the end of the HTTP stream. Without the graceful-close runtime flag that close is
// a reset, so the server sees its stream cancelled right after its last reply — whatever it still
// has to do (warden's completion record) must not depend on the stream staying open.
// Envoy calls it after handling every reply; an immediate response is left out there, and so here.
func (x *exchange) closeIfLastReply(d *dirState, resp *extprocv3.ProcessingResponse) {
	if x.stream == nil || x.complete || x.e.noStreamCloseOptimization {
		return
	}
	dec, enc := x.dec, x.enc
	last := false
	switch resp.GetResponse().(type) {
	case *extprocv3.ProcessingResponse_RequestHeaders:
		last = (dec.noBody || (dec.mode.body == extprocfilterv3.ProcessingMode_NONE && !dec.mode.sendTrailers)) &&
			enc.noExternalProcess()
	case *extprocv3.ProcessingResponse_RequestBody:
		last = isLastBodyReply(d, resp.GetRequestBody()) && enc.noExternalProcess()
	case *extprocv3.ProcessingResponse_RequestTrailers:
		last = enc.noExternalProcess()
	case *extprocv3.ProcessingResponse_ResponseHeaders:
		last = enc.noBody || (enc.mode.body == extprocfilterv3.ProcessingMode_NONE && !enc.mode.sendTrailers)
	case *extprocv3.ProcessingResponse_ResponseBody:
		last = isLastBodyReply(d, resp.GetResponseBody())
	case *extprocv3.ProcessingResponse_ResponseTrailers:
		last = true
	}
	if last {
		x.finish()
	}
}

// noExternalProcess is EncodingProcessorState::noExternalProcess (processor_state.h): nothing of
// the response goes to the server.
func (d *dirState) noExternalProcess() bool {
	return !d.mode.sendHeaders && !d.mode.sendTrailers && d.mode.body == extprocfilterv3.ProcessingMode_NONE
}

// isLastBodyReply is isLastBodyResponse (ext_proc.cc): BUFFERED and BUFFERED_PARTIAL never close
// early (Envoy's TODO); STREAMED closes on the reply to the chunk that carried end_stream;
// FULL_DUPLEX_STREAMED on a streamed_response with end_of_stream.
func isLastBodyReply(d *dirState, br *extprocv3.BodyResponse) bool {
	switch d.mode.body {
	case extprocfilterv3.ProcessingMode_STREAMED:
		return d.flow != nil && len(d.flow.queueEOS) > 0 && d.flow.queueEOS[0]
	case extprocfilterv3.ProcessingMode_FULL_DUPLEX_STREAMED:
		return br.GetResponse().GetBodyMutation().GetStreamedResponse().GetEndOfStream()
	}
	return false
}
