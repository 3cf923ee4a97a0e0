package extproctest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	extprocfilterv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/ext_proc/v3"
	extprocv3 "github.com/envoyproxy/go-control-plane/envoy/service/ext_proc/v3"
	"google.golang.org/protobuf/types/known/structpb"
)

// Envoy runs HTTP exchanges through an ext_proc server the way Envoy's
// ext_proc filter does. It is safe for concurrent use; each exchange opens
// its own gRPC stream.
type Envoy struct {
	client      extprocv3.ExternalProcessorClient
	cfg         *filterConfig
	bufferLimit int
	// noStreamCloseOptimization mirrors the runtime guard
	// envoy.reloadable_features.ext_proc_stream_close_optimization set to false.
	noStreamCloseOptimization bool
}

// Option configures an Envoy.
type Option func(*Envoy)

// WithBufferLimit sets the per-stream buffer limit used by BUFFERED and
// BUFFERED_PARTIAL (Envoy's per_connection_buffer_limit_bytes, 1 MiB by
// default).
func WithBufferLimit(n int) Option { return func(e *Envoy) { e.bufferLimit = n } }

// WithoutStreamCloseOptimization keeps the ext_proc stream open until the HTTP stream ends, as
// Envoy before 1.37 did (or with the runtime guard
// envoy.reloadable_features.ext_proc_stream_close_optimization=false). By default the emulator
// closes the stream as soon as the last reply it needs arrived, as Envoy 1.37+ does.
func WithoutStreamCloseOptimization() Option {
	return func(e *Envoy) { e.noStreamCloseOptimization = true }
}

// New builds an emulator that talks to client and behaves as the filter
// configured by filter (the same proto Envoy reads from its YAML).
func New(client extprocv3.ExternalProcessorClient, filter *extprocfilterv3.ExternalProcessor, opts ...Option) (*Envoy, error) {
	if client == nil {
		return nil, errors.New("extproctest: nil ext_proc client: dial the ext_proc server first")
	}
	cfg, err := compileConfig(filter)
	if err != nil {
		return nil, err
	}
	e := &Envoy{client: client, cfg: cfg, bufferLimit: DefaultBufferLimit}
	for _, o := range opts {
		o(e)
	}
	if e.bufferLimit <= 0 {
		return nil, fmt.Errorf("extproctest: buffer limit %d must be positive", e.bufferLimit)
	}
	return e, nil
}

// Request is one downstream HTTP request.
type Request struct {
	// Headers include :method, :path, :authority and :scheme.
	Headers Headers
	// Body is nil for a headers-only request (end_stream on the headers).
	Body Body
	// Attributes offers attribute values by name ("request.path",
	// "source.address", ...). Only names listed in the filter's
	// request_attributes or response_attributes are sent, on the first
	// message of each direction, as Envoy does.
	Attributes map[string]*structpb.Value
	// Metadata is the dynamic metadata earlier filters left (for example
	// envoy.filters.http.jwt_authn); the namespaces listed in
	// metadata_options.forwarding_namespaces go out as metadata_context.
	Metadata *corev3.Metadata
}

// UpstreamRequest is the request as it leaves Envoy for the upstream.
type UpstreamRequest struct {
	Headers Headers
	Body    Body // nil when the request had no body
	// RouteCacheCleared is true when the ext_proc server asked Envoy to
	// recompute the route (clear_route_cache with a header mutation).
	RouteCacheCleared bool
}

// Response is the upstream's answer.
type Response struct {
	Status  int
	Headers Headers
	Body    Body // nil for a headers-only response
}

// Upstream is the cluster Envoy routes to.
type Upstream interface {
	RoundTrip(ctx context.Context, req *UpstreamRequest) (*Response, error)
}

// UpstreamFunc adapts a function to Upstream.
type UpstreamFunc func(ctx context.Context, req *UpstreamRequest) (*Response, error)

// RoundTrip calls f.
func (f UpstreamFunc) RoundTrip(ctx context.Context, req *UpstreamRequest) (*Response, error) {
	return f(ctx, req)
}

var _ Upstream = UpstreamFunc(nil)

// Downstream receives what Envoy sends back to the client, in order.
type Downstream interface {
	WriteHeaders(status int, h Headers) error
	WriteChunk(b []byte) error
	Finish(trailers Headers) error
}

// Outcome says how an exchange ended, beyond what the client saw.
type Outcome struct {
	// LocalReply is true when Envoy answered itself: an ImmediateResponse or
	// an ext_proc failure.
	LocalReply bool
	// Details is Envoy's response-code details for a local reply, for
	// example "ext_proc_error_per-message_timeout_exceeded".
	Details string
	// Reset is true when a failure came after the response headers had
	// gone downstream: Envoy can only reset the stream then.
	Reset bool
	// DynamicMetadata holds the dynamic_metadata the server returned, by
	// namespace, for the namespaces listed in
	// metadata_options.receiving_namespaces (Envoy drops the others).
	DynamicMetadata map[string]*structpb.Struct
	// RouteCacheCleared reports an honoured clear_route_cache.
	RouteCacheCleared bool
}

// localReply is a terminal decision to answer the client from Envoy.
type localReply struct {
	status  int
	headers Headers
	body    []byte
	details string
}

func (l *localReply) Error() string {
	return fmt.Sprintf("local reply %d (%s)", l.status, l.details)
}

// Do runs one exchange: request through ext_proc, to the upstream, and the
// response back through ext_proc to down. The error is non-nil only when the
// exchange could not be carried out (ctx cancelled, downstream write
// failed); ext_proc failures are local replies reported in the Outcome.
func (e *Envoy) Do(ctx context.Context, req *Request, up Upstream, down Downstream) (*Outcome, error) {
	if req == nil || up == nil || down == nil {
		return nil, errors.New("extproctest: Do needs a request, an upstream and a downstream")
	}
	x := newExchange(ctx, e, req)
	defer x.close()
	ds := &downSink{down: down}
	err := x.run(up, ds)
	var lr *localReply
	if errors.As(err, &lr) {
		x.out.LocalReply, x.out.Details = true, lr.details
		if ds.started {
			x.out.Reset = true
			return &x.out, nil
		}
		return &x.out, writeLocalReply(down, lr)
	}
	return &x.out, err
}

func writeLocalReply(down Downstream, lr *localReply) error {
	h := Headers{}
	if len(lr.body) > 0 {
		h.Set("content-type", "text/plain")
	}
	for _, f := range lr.headers {
		if f.Key == ":status" {
			continue
		}
		h.Set(f.Key, f.Value)
	}
	// Utility::sendLocalReply sets content-length from the body it sends,
	// after the filter's modify_headers callback: a content-length in an
	// ImmediateResponse's headers never survives.
	h.Set("content-length", strconv.Itoa(len(lr.body)))
	if err := down.WriteHeaders(lr.status, h); err != nil {
		return fmt.Errorf("write local reply headers: %w", err)
	}
	if len(lr.body) > 0 {
		if err := down.WriteChunk(lr.body); err != nil {
			return fmt.Errorf("write local reply body: %w", err)
		}
	}
	return down.Finish(nil)
}

// downSink turns released response parts into Downstream calls.
type downSink struct {
	down    Downstream
	started bool
}

func (s *downSink) headers(h Headers, _ bool) error {
	status, err := strconv.Atoi(h.Value(":status"))
	if err != nil {
		return &localReply{status: 502, details: "ext_proc_invalid_status"}
	}
	out := make(Headers, 0, len(h))
	for _, f := range h {
		if !strings.HasPrefix(f.Key, ":") {
			out = append(out, f)
		}
	}
	s.started = true
	return s.down.WriteHeaders(status, out)
}

func (s *downSink) data(b []byte) error { return s.down.WriteChunk(b) }

func (s *downSink) end(trailers Headers) error { return s.down.Finish(trailers) }

// Result is a whole exchange collected for tests.
type Result struct {
	Outcome
	Status   int
	Headers  Headers
	Chunks   [][]byte // as the client saw them, in order
	Trailers Headers
	// Upstream is the request the upstream saw, nil if it was never called.
	Upstream *SeenRequest
}

// Body joins the chunks the client saw.
func (r *Result) Body() string {
	var b strings.Builder
	for _, c := range r.Chunks {
		b.Write(c)
	}
	return b.String()
}

// SeenRequest is the request as the upstream received it.
type SeenRequest struct {
	Headers           Headers
	Chunks            [][]byte
	Trailers          Headers
	RouteCacheCleared bool
}

// Body joins the chunks the upstream read.
func (s *SeenRequest) Body() string {
	var b strings.Builder
	for _, c := range s.Chunks {
		b.Write(c)
	}
	return b.String()
}

// Run is Do for tests: it records what the upstream read and what the
// client saw. up sees the request body as it is released.
func (e *Envoy) Run(ctx context.Context, req *Request, up Upstream) (*Result, error) {
	res := &Result{}
	var mu sync.Mutex
	rec := UpstreamFunc(func(ctx context.Context, ur *UpstreamRequest) (*Response, error) {
		seen := &SeenRequest{Headers: ur.Headers.Clone(), RouteCacheCleared: ur.RouteCacheCleared}
		mu.Lock()
		res.Upstream = seen
		mu.Unlock()
		if ur.Body != nil {
			ur.Body = &recordingBody{inner: ur.Body, seen: seen, mu: &mu}
		}
		return up.RoundTrip(ctx, ur)
	})
	out, err := e.Do(ctx, req, rec, &collector{res: res})
	if out != nil {
		res.Outcome = *out
	}
	mu.Lock()
	defer mu.Unlock()
	return res, err
}

type recordingBody struct {
	inner Body
	seen  *SeenRequest
	mu    *sync.Mutex
}

func (b *recordingBody) Next(ctx context.Context) ([]byte, error) {
	c, err := b.inner.Next(ctx)
	b.mu.Lock()
	defer b.mu.Unlock()
	if c != nil {
		b.seen.Chunks = append(b.seen.Chunks, append([]byte(nil), c...))
	}
	if errors.Is(err, io.EOF) {
		b.seen.Trailers = b.inner.Trailers()
	}
	return c, err
}

func (b *recordingBody) Trailers() Headers { return b.inner.Trailers() }

type collector struct{ res *Result }

func (c *collector) WriteHeaders(status int, h Headers) error {
	c.res.Status, c.res.Headers = status, h.Clone()
	return nil
}

func (c *collector) WriteChunk(b []byte) error {
	c.res.Chunks = append(c.res.Chunks, append([]byte(nil), b...))
	return nil
}

func (c *collector) Finish(trailers Headers) error {
	c.res.Trailers = trailers.Clone()
	return nil
}
