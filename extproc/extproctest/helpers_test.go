package extproctest

import (
	"context"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	mutationrulesv3 "github.com/envoyproxy/go-control-plane/envoy/config/common/mutation_rules/v3"
	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	extprocfilterv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/ext_proc/v3"
	extprocv3 "github.com/envoyproxy/go-control-plane/envoy/service/ext_proc/v3"
	typev3 "github.com/envoyproxy/go-control-plane/envoy/type/v3"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

// scripted is an ext_proc server whose streams run a test's function.
type scripted struct {
	extprocv3.UnimplementedExternalProcessorServer
	fn func(s extprocv3.ExternalProcessor_ProcessServer) error
}

func (s scripted) Process(st extprocv3.ExternalProcessor_ProcessServer) error { return s.fn(st) }

// filterCfg builds the filter proto an operator would write.
func filterCfg(pm *extprocfilterv3.ProcessingMode, edit ...func(*extprocfilterv3.ExternalProcessor)) *extprocfilterv3.ExternalProcessor {
	f := &extprocfilterv3.ExternalProcessor{
		GrpcService: &corev3.GrpcService{TargetSpecifier: &corev3.GrpcService_EnvoyGrpc_{
			EnvoyGrpc: &corev3.GrpcService_EnvoyGrpc{ClusterName: "warden"},
		}},
		ProcessingMode: pm,
		MessageTimeout: durationpb.New(5 * time.Second),
	}
	for _, e := range edit {
		e(f)
	}
	return f
}

func newEnvoy(t *testing.T, srv extprocv3.ExternalProcessorServer, f *extprocfilterv3.ExternalProcessor) *Envoy {
	t.Helper()
	e, err := New(StartServer(t, srv), f)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return e
}

func testCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// echoUpstream answers 200 with the request body it read, in one chunk.
func echoUpstream(extra ...string) Upstream {
	return UpstreamFunc(func(ctx context.Context, r *UpstreamRequest) (*Response, error) {
		b, err := ReadAll(ctx, r.Body)
		if err != nil {
			return nil, err
		}
		h := H("content-type", "text/plain")
		h = append(h, H(extra...)...)
		return &Response{Status: 200, Headers: h, Body: Chunks(nil, string(b))}, nil
	})
}

// chunkUpstream answers 200 with the given chunks.
func chunkUpstream(headers Headers, chunks ...string) Upstream {
	return UpstreamFunc(func(ctx context.Context, r *UpstreamRequest) (*Response, error) {
		if _, err := ReadAll(ctx, r.Body); err != nil {
			return nil, err
		}
		return &Response{Status: 200, Headers: headers, Body: Chunks(nil, chunks...)}, nil
	})
}

func post(body ...string) *Request {
	return &Request{
		Headers: H(":method", "POST", ":path", "/v1/chat", ":authority", "api.test", ":scheme", "http"),
		Body:    Chunks(nil, body...),
	}
}

func hdrsResp(reqDir bool, c *extprocv3.CommonResponse) *extprocv3.ProcessingResponse {
	if reqDir {
		return &extprocv3.ProcessingResponse{Response: &extprocv3.ProcessingResponse_RequestHeaders{
			RequestHeaders: &extprocv3.HeadersResponse{Response: c},
		}}
	}
	return &extprocv3.ProcessingResponse{Response: &extprocv3.ProcessingResponse_ResponseHeaders{
		ResponseHeaders: &extprocv3.HeadersResponse{Response: c},
	}}
}

func bodyResp(reqDir bool, c *extprocv3.CommonResponse) *extprocv3.ProcessingResponse {
	if reqDir {
		return &extprocv3.ProcessingResponse{Response: &extprocv3.ProcessingResponse_RequestBody{
			RequestBody: &extprocv3.BodyResponse{Response: c},
		}}
	}
	return &extprocv3.ProcessingResponse{Response: &extprocv3.ProcessingResponse_ResponseBody{
		ResponseBody: &extprocv3.BodyResponse{Response: c},
	}}
}

func setHeader(k, v string) *extprocv3.HeaderMutation {
	return &extprocv3.HeaderMutation{SetHeaders: []*corev3.HeaderValueOption{
		{Header: &corev3.HeaderValue{Key: k, RawValue: []byte(v)}},
	}}
}

func bodyMut(b string) *extprocv3.BodyMutation {
	return &extprocv3.BodyMutation{Mutation: &extprocv3.BodyMutation_Body{Body: []byte(b)}}
}

func modes(reqBody, respBody extprocfilterv3.ProcessingMode_BodySendMode) *extprocfilterv3.ProcessingMode {
	return &extprocfilterv3.ProcessingMode{RequestBodyMode: reqBody, ResponseBodyMode: respBody}
}

type mutationRules = mutationrulesv3.HeaderMutationRules

func wrapTrue() *wrapperspb.BoolValue { return wrapperspb.Bool(true) }

// denyServer answers a BUFFERED request body containing word with a 403.
func denyServer(word string) scripted {
	return scripted{fn: func(s extprocv3.ExternalProcessor_ProcessServer) error {
		var pc *extprocv3.ProtocolConfiguration
		for {
			r, err := s.Recv()
			if err != nil {
				return nil
			}
			if r.GetProtocolConfig() != nil {
				pc = r.GetProtocolConfig()
			}
			resp, _ := ContinueResponse(r, pc)
			if strings.Contains(string(r.GetRequestBody().GetBody()), word) {
				resp = &extprocv3.ProcessingResponse{Response: &extprocv3.ProcessingResponse_ImmediateResponse{
					ImmediateResponse: &extprocv3.ImmediateResponse{
						Status: &typev3.HttpStatus{Code: typev3.StatusCode_Forbidden}, Body: []byte("denied"),
					},
				}}
			}
			if err := s.Send(resp); err != nil {
				return err
			}
		}
	}}
}

// deadClient returns a client for a port where nothing listens.
func deadClient(t *testing.T) extprocv3.ExternalProcessorClient {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := lis.Addr().String()
	lis.Close()
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return extprocv3.NewExternalProcessorClient(conn)
}

var errFromServer = status.Error(codes.Unavailable, "policy engine restarting")

// gatedBody yields its first chunk at once and the rest only once open is closed: a body that is
// not complete when the headers reply lands, so Envoy streams it rather than sending it merged
// (ProcessorState::handleHeadersResponse, complete_body_available_).
type gatedBody struct {
	first   string
	open    <-chan struct{}
	rest    []string
	started bool
}

func (b *gatedBody) Next(ctx context.Context) ([]byte, error) {
	if !b.started {
		b.started = true
		if len(b.rest) == 0 {
			return []byte(b.first), io.EOF
		}
		return []byte(b.first), nil
	}
	select {
	case <-b.open:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if len(b.rest) == 0 {
		return nil, io.EOF
	}
	c := b.rest[0]
	b.rest = b.rest[1:]
	if len(b.rest) == 0 {
		return []byte(c), io.EOF
	}
	return []byte(c), nil
}

func (b *gatedBody) Trailers() Headers { return nil }

// gate is a channel closed once, by whichever caller gets there first.
type gate struct {
	ch   chan struct{}
	once sync.Once
}

func newGate() *gate               { return &gate{ch: make(chan struct{})} }
func (g *gate) open()              { g.once.Do(func() { close(g.ch) }) }
func (g *gate) c() <-chan struct{} { return g.ch }

// gatedUpstream answers 200 with headers and a gatedBody.
func gatedUpstream(headers Headers, g *gate, first string, rest ...string) Upstream {
	return UpstreamFunc(func(ctx context.Context, r *UpstreamRequest) (*Response, error) {
		if _, err := ReadAll(ctx, r.Body); err != nil {
			return nil, err
		}
		return &Response{Status: 200, Headers: headers, Body: &gatedBody{first: first, open: g.c(), rest: rest}}, nil
	})
}
