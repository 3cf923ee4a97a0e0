package extproc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	filterv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/ext_proc/v3"
	extprocv3 "github.com/envoyproxy/go-control-plane/envoy/service/ext_proc/v3"
	"github.com/prometheus/client_golang/prometheus"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Options configure a Server. The zero value is not useful: start from DefaultOptions.
type Options struct {
	// RequestBodyMode and ResponseBodyMode are the modes Envoy is configured with. A stream whose
	// first message carries protocol_config overrides them.
	RequestBodyMode  filterv3.ProcessingMode_BodySendMode
	ResponseBodyMode filterv3.ProcessingMode_BodySendMode
	// AllowModeOverride mirrors Envoy's allow_mode_override: only then does warden ask Envoy to
	// stream text/event-stream responses.
	AllowModeOverride bool
	// StreamedOverride is the mode_override sent for text/event-stream responses; nil builds one
	// from the current modes. OptionsFromFilter takes it from allowed_override_modes.
	StreamedOverride *filterv3.ProcessingMode
	// MaxBodyBytes bounds what one stream holds per direction (and a decoded body). Over it a
	// request gets 413, a response 502.
	MaxBodyBytes int64
	// MessageTimeout mirrors Envoy's message_timeout: the stages that wait on the network (identity
	// provider, Vault, approval store) get a share of it per message, so that warden's own refusal
	// reaches the client before Envoy's 504. 0 disables the budget.
	MessageTimeout time.Duration
	// MaxMessageTimeout mirrors Envoy's max_message_timeout: the longest a request may be held
	// for an approval (0: holding is disabled).
	MaxMessageTimeout time.Duration
	// MaxConcurrentWork bounds the streams doing CPU-heavy stage work at once (default
	// 4×GOMAXPROCS). Waiting for an approval or for the audit fsync does not count.
	MaxConcurrentWork int
	// MaxHeaderBytes bounds a header map; a larger one is a protocol error.
	MaxHeaderBytes int
	// IdentityEncoding asks upstreams for uncompressed responses (accept-encoding: identity),
	// so that streamed responses can be scanned.
	IdentityEncoding bool
	// Decode removes a content-encoding (gzip, deflate, br, zstd); it returns an error wrapping
	// ErrBodyTooLarge past limit. Nil: encoded bodies are refused.
	Decode func(encoding string, body []byte, limit int64) ([]byte, error)
	Logger *slog.Logger
	// Registerer receives the server's metrics; nil means none are registered.
	Registerer prometheus.Registerer
	// Tracer, if set, receives every exchange when its stream ends (tracing.go).
	Tracer Tracer
}

// DefaultOptions match warden's embedded Envoy configuration.
func DefaultOptions() Options {
	return Options{
		RequestBodyMode:   filterv3.ProcessingMode_BUFFERED,
		ResponseBodyMode:  filterv3.ProcessingMode_BUFFERED,
		AllowModeOverride: true,
		MessageTimeout:    2 * time.Second,
		MaxBodyBytes:      8 << 20,
		MaxHeaderBytes:    256 << 10,
		IdentityEncoding:  true,
	}
}

// Server implements envoy.service.ext_proc.v3.ExternalProcessor.
type Server struct {
	extprocv3.UnimplementedExternalProcessorServer

	pipe    Pipeline
	opts    Options
	log     *slog.Logger
	metrics *metrics

	draining atomic.Bool
	active   sync.WaitGroup
	// cpu bounds how many streams run CPU-heavy stage work on a whole body (decoding, inspection,
	// policy, redaction; both phases) at once. Thousands of streams may be open; each holds little
	// while it waits its turn, so memory stays bounded by the limit times one body's working set,
	// not by the number of streams. Streamed chunks are small and are processed as they come.
	cpu chan struct{}
}

var _ extprocv3.ExternalProcessorServer = (*Server)(nil)

// NewServer returns a server running p.
func NewServer(p Pipeline, opts Options) (*Server, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	m, err := newMetrics(opts.Registerer)
	if err != nil {
		return nil, fmt.Errorf("register ext_proc metrics: %w", err)
	}
	n := opts.MaxConcurrentWork
	if n <= 0 {
		n = 4 * runtime.GOMAXPROCS(0)
	}
	return &Server{pipe: p, opts: opts, log: opts.Logger, metrics: m, cpu: make(chan struct{}, n)}, nil
}

// Drain makes the server refuse new streams; streams in flight go on. Wait returns when they
// have all ended.
func (s *Server) Drain() { s.draining.Store(true) }

// Wait blocks until every stream in flight has ended.
func (s *Server) Wait() { s.active.Wait() }

// Process serves one ext_proc stream: one HTTP exchange.
func (s *Server) Process(srv extprocv3.ExternalProcessor_ProcessServer) error {
	if s.draining.Load() {
		return status.Error(codes.Unavailable, "warden is shutting down")
	}
	s.active.Add(1)
	defer s.active.Done()
	s.metrics.streams.Inc()
	defer s.metrics.streams.Dec()

	ctx := srv.Context()
	st := newStream(s)
	st.send = srv.Send
	var err error
	defer func() {
		st.finish(ctx, err)
		s.releaseCredentials(ctx, st)
		s.trace(ctx, st)
	}()
	err = s.serve(ctx, srv, st)
	return err
}

func (s *Server) serve(ctx context.Context, srv extprocv3.ExternalProcessor_ProcessServer, st *stream) error {
	for {
		req, err := srv.Recv()
		if err != nil {
			if isCancel(err) {
				return nil // Envoy half-closed or reset after its last expected reply: a normal end
			}
			return err
		}
		// A message after the reply that ended the exchange (Envoy sends none it expects an
		// answer to): the exchange's completion record comes first.
		st.afterReplies(ctx)
		replies, err := s.handleSafely(ctx, st, req)
		if err != nil && ctx.Err() != nil {
			return nil // the stream ended (Envoy reset it, the client went away) while we worked
		}
		if err != nil {
			s.metrics.error("protocol")
			s.log.Warn("ext_proc stream refused", "request_id", st.x.ID, "error", err)
			return status.Error(codes.InvalidArgument, err.Error())
		}
		for _, r := range replies {
			if err := srv.Send(r); err != nil {
				return err
			}
		}
		st.repliesSent()
	}
}

// releaseCredentials gives back the credentials that belonged to this exchange alone
// (CredentialReleaser), once its records are written.
func (s *Server) releaseCredentials(ctx context.Context, st *stream) {
	r, ok := s.pipe.Creds.(CredentialReleaser)
	if !ok || !st.credsAsked {
		return
	}
	r.Release(context.WithoutCancel(ctx), &st.x)
}

// handleSafely turns a panic in a stage into an error on this stream alone.
func (s *Server) handleSafely(ctx context.Context, st *stream, req *extprocv3.ProcessingRequest) (replies []*extprocv3.ProcessingResponse, err error) {
	defer func() {
		if r := recover(); r != nil {
			s.metrics.error("panic")
			s.log.Error("panic while processing a stream", "request_id", st.x.ID, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			replies, err = nil, fmt.Errorf("internal error while processing the %T message", req.GetRequest())
		}
	}()
	return st.handle(ctx, req)
}

func isCancel(err error) bool {
	if errors.Is(err, io.EOF) || errors.Is(err, context.Canceled) {
		return true
	}
	c := status.Code(err)
	return c == codes.Canceled
}

// work runs f while holding one of the server's CPU slots, or returns ctx's error if the stream
// ends while waiting for one.
func (s *Server) work(ctx context.Context, f func()) error {
	select {
	case s.cpu <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-s.cpu }()
	f()
	return nil
}
