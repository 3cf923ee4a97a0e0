package extproctest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"

	extprocfilterv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/ext_proc/v3"
	extprocv3 "github.com/envoyproxy/go-control-plane/envoy/service/ext_proc/v3"
	"google.golang.org/grpc"
)

// Failures and the two directions of one stream (issue 14): each test names the Envoy function it
// mirrors.

// errSeenClient wraps an ext_proc client so a test can wait until the emulator has received the
// stream's error.
type errSeenClient struct {
	extprocv3.ExternalProcessorClient
	seen chan struct{}
	once sync.Once
}

func (c *errSeenClient) Process(ctx context.Context, opts ...grpc.CallOption) (extprocv3.ExternalProcessor_ProcessClient, error) {
	s, err := c.ExternalProcessorClient.Process(ctx, opts...)
	if err != nil {
		return nil, err
	}
	return &errSeenStream{ExternalProcessor_ProcessClient: s, c: c}, nil
}

type errSeenStream struct {
	extprocv3.ExternalProcessor_ProcessClient
	c *errSeenClient
}

func (s *errSeenStream) Recv() (*extprocv3.ProcessingResponse, error) {
	r, err := s.ExternalProcessor_ProcessClient.Recv()
	if err != nil && !errors.Is(err, io.EOF) {
		s.c.once.Do(func() { close(s.c.seen) })
	}
	return r, err
}

// Observability mode makes Envoy ignore the server's replies (Filter::onReceiveMessage), not its
// failures: Filter::onGrpcError still answers status_on_error while the request is in flight,
// unless failure_mode_allow. A gRPC error is not a clean close.
func TestOnGrpcErrorInObservabilityModeIsNotFailOpen(t *testing.T) {
	for _, allow := range []bool{false, true} {
		t.Run(fmt.Sprintf("failure_mode_allow=%v", allow), func(t *testing.T) {
			srv := scripted{fn: func(s extprocv3.ExternalProcessor_ProcessServer) error {
				if _, err := recvUntil(s, 1); err != nil {
					return err
				}
				return errFromServer
			}}
			client := &errSeenClient{ExternalProcessorClient: StartServer(t, srv), seen: make(chan struct{})}
			e, err := New(client, filterCfg(nil, func(f *extprocfilterv3.ExternalProcessor) {
				f.ObservabilityMode = true
				f.FailureModeAllow = allow
			}))
			if err != nil {
				t.Fatal(err)
			}
			// The upstream answers once the emulator has the stream's error, so the response
			// headers message is the send that meets it.
			up := UpstreamFunc(func(ctx context.Context, r *UpstreamRequest) (*Response, error) {
				select {
				case <-client.seen:
				case <-ctx.Done():
					return nil, ctx.Err()
				}
				return &Response{Status: 200, Headers: H("content-type", "text/plain"), Body: Chunks(nil, "ok")}, nil
			})
			res, err := e.Run(testCtx(t), post("q"), up)
			if err != nil {
				t.Fatal(err)
			}
			if allow {
				if res.Status != 200 || res.Body() != "ok" {
					t.Fatalf("status %d %q body %q; want the response through", res.Status, res.Details, res.Body())
				}
				return
			}
			if res.Status != 500 || res.Details != "ext_proc_error_gRPC_error_14{policy_engine_restarting}" {
				t.Fatalf("status %d details %q; want 500 from the gRPC error", res.Status, res.Details)
			}
		})
	}
}

// Envoy's decoding and encoding ProcessorStates are independent: when the upstream answers before
// the request body is through, Filter::encodeHeaders sends the response headers while a request
// body reply is still outstanding, and replies for either direction arrive in any order on the
// one stream. The server here answers the request chunk only after it saw the response headers.
func TestDecodingAndEncodingStatesAreIndependent(t *testing.T) {
	g := newGate()
	got := make(chan []string, 1)
	srv := scripted{fn: func(s extprocv3.ExternalProcessor_ProcessServer) error {
		var log []string
		defer func() { got <- log }()
		var heldChunk *extprocv3.ProcessingRequest
		for {
			r, err := s.Recv()
			if err != nil {
				return nil
			}
			log = append(log, describe(r))
			if r.GetRequestBody() != nil && heldChunk == nil && !r.GetRequestBody().GetEndOfStream() {
				heldChunk = r // answered once the response headers came
				continue
			}
			resp, _ := ContinueResponse(r, nil)
			if err := s.Send(resp); err != nil {
				return err
			}
			if r.GetResponseHeaders() != nil && heldChunk != nil {
				resp, _ := ContinueResponse(heldChunk, nil)
				if err := s.Send(resp); err != nil {
					return err
				}
				g.open()
			}
		}
	}}
	e := newEnvoy(t, srv, filterCfg(modes(modeStreamed, modeNone)))
	upstreamRead := make(chan string, 1)
	up := UpstreamFunc(func(ctx context.Context, r *UpstreamRequest) (*Response, error) {
		go func() { b, _ := ReadAll(ctx, r.Body); upstreamRead <- string(b) }()
		return &Response{Status: 200, Headers: H("content-type", "text/plain"), Body: Chunks(nil, "early")}, nil
	})
	req := post()
	req.Body = &gatedBody{first: "a", open: g.c(), rest: []string{"b"}}
	res, err := e.Run(testCtx(t), req, up)
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != 200 || res.Body() != "early" {
		t.Fatalf("status %d %q body %q", res.Status, res.Details, res.Body())
	}
	if b := <-upstreamRead; b != "ab" {
		t.Fatalf("upstream read %q", b)
	}
	if log := strings.Join(<-got, " "); log != "reqH(eos=false) reqB(a,eos=false) respH(eos=false) reqB(b,eos=true)" {
		t.Fatalf("server saw %s", log)
	}
}

// A ProcessingResponse with only mode_override, sent after the request headers and before their
// reply, changes the modes of what follows (go-control-plane v1.40 external_processor.proto,
// Envoy 1.38+). On the request path it may only move the body to FULL_DUPLEX_STREAMED (trailers
// SEND); any other change is spurious. Without allow_mode_override it is ignored.
func TestStandaloneModeOverride(t *testing.T) {
	duplex := &extprocfilterv3.ProcessingMode{RequestBodyMode: modeDuplex, RequestTrailerMode: extprocfilterv3.ProcessingMode_SEND}
	tests := []struct {
		name     string
		allow    bool
		override *extprocfilterv3.ProcessingMode
		status   int
		wantLog  string
	}{
		{"to FULL_DUPLEX_STREAMED", true, duplex, 200, "reqH(eos=false) reqB(ab,eos=true) respH(eos=false)"},
		{"to BUFFERED is spurious", true, &extprocfilterv3.ProcessingMode{RequestBodyMode: modeBuffered}, 500, "reqH(eos=false)"},
		{"ignored without allow_mode_override", false, duplex, 200, "reqH(eos=false) reqB(ab,eos=true) respH(eos=false)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := make(chan []string, 1)
			srv := scripted{fn: func(s extprocv3.ExternalProcessor_ProcessServer) error {
				var log []string
				defer func() { got <- log }()
				for {
					r, err := s.Recv()
					if err != nil {
						return nil
					}
					log = append(log, describe(r))
					if r.GetRequestHeaders() != nil {
						if err := s.Send(&extprocv3.ProcessingResponse{ModeOverride: tc.override}); err != nil {
							return err
						}
					}
					var resp *extprocv3.ProcessingResponse
					if rb := r.GetRequestBody(); rb != nil && tc.allow {
						// FULL_DUPLEX_STREAMED answers with streamed_response.
						resp = bodyResp(true, &extprocv3.CommonResponse{BodyMutation: &extprocv3.BodyMutation{
							Mutation: &extprocv3.BodyMutation_StreamedResponse{StreamedResponse: &extprocv3.StreamedBodyResponse{Body: rb.GetBody(), EndOfStream: rb.GetEndOfStream()}},
						}})
					} else {
						resp, _ = ContinueResponse(r, nil)
					}
					if err := s.Send(resp); err != nil {
						return err
					}
				}
			}}
			e := newEnvoy(t, srv, filterCfg(modes(modeStreamed, modeNone), func(f *extprocfilterv3.ExternalProcessor) {
				f.AllowModeOverride = tc.allow
			}))
			res, err := e.Run(testCtx(t), post("a", "b"), echoUpstream())
			if err != nil {
				t.Fatal(err)
			}
			if res.Status != tc.status {
				t.Fatalf("status %d %q, want %d", res.Status, res.Details, tc.status)
			}
			if tc.status == 200 && res.Upstream.Body() != "ab" {
				t.Fatalf("upstream body %q", res.Upstream.Body())
			}
			if log := strings.Join(<-got, " "); log != tc.wantLog {
				t.Fatalf("server saw %s, want %s", log, tc.wantLog)
			}
		})
	}
}
