package extproc

import (
	"context"

	"github.com/warden-gw/warden/exchange"
)

// Tracer turns a finished exchange into a trace (internal/trace implements it with
// OpenTelemetry). ctx is the ext_proc stream's context: its incoming gRPC metadata carries the
// trace context of Envoy's span for this stream (Envoy's gRPC async client injects its span into
// the stream's initial metadata: source/common/grpc/async_client_impl.cc, AsyncStreamImpl,
// injectContext; ext_proc.cc opens the stream with setParentSpan(decoder_callbacks_->activeSpan())).
// It is called once per stream, after the last audit record, and must not block on the network.
type Tracer interface {
	TraceExchange(ctx context.Context, x *exchange.Exchange)
}

// trace hands a stream that saw a request to the tracer.
func (s *Server) trace(ctx context.Context, st *stream) {
	if s.opts.Tracer == nil || !st.reqHeaders {
		return
	}
	s.opts.Tracer.TraceExchange(context.WithoutCancel(ctx), &st.x)
}
