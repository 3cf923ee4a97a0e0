package extproctest

import (
	"errors"
	"fmt"
	"io"
	"net"
	"testing"

	extprocfilterv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/ext_proc/v3"
	extprocv3 "github.com/envoyproxy/go-control-plane/envoy/service/ext_proc/v3"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
)

// ContinueServer is the null ext_proc server: it answers every message with
// CONTINUE in the shape the message needs (a streamed_response echo in
// FULL_DUPLEX_STREAMED), and nothing in observability mode.
type ContinueServer struct {
	extprocv3.UnimplementedExternalProcessorServer
}

var _ extprocv3.ExternalProcessorServer = ContinueServer{}

// Process implements extprocv3.ExternalProcessorServer.
func (ContinueServer) Process(s extprocv3.ExternalProcessor_ProcessServer) error {
	var pc *extprocv3.ProtocolConfiguration
	for {
		req, err := s.Recv()
		if errors.Is(err, io.EOF) || status.Code(err) == codes.Canceled {
			return nil
		}
		if err != nil {
			return err
		}
		if req.GetProtocolConfig() != nil {
			pc = req.GetProtocolConfig()
		}
		if req.GetObservabilityMode() {
			continue
		}
		resp, err := ContinueResponse(req, pc)
		if err != nil {
			return status.Error(codes.InvalidArgument, err.Error())
		}
		if err := s.Send(resp); err != nil {
			return err
		}
	}
}

// ContinueResponse builds the CONTINUE reply for req. pc is the protocol
// configuration from the stream's first message; it says whether bodies
// are FULL_DUPLEX_STREAMED and must be echoed as streamed_response.
func ContinueResponse(req *extprocv3.ProcessingRequest, pc *extprocv3.ProtocolConfiguration) (*extprocv3.ProcessingResponse, error) {
	full := extprocfilterv3.ProcessingMode_FULL_DUPLEX_STREAMED
	cont := &extprocv3.CommonResponse{}
	echo := func(b *extprocv3.HttpBody) *extprocv3.CommonResponse {
		return &extprocv3.CommonResponse{BodyMutation: &extprocv3.BodyMutation{
			Mutation: &extprocv3.BodyMutation_StreamedResponse{StreamedResponse: &extprocv3.StreamedBodyResponse{
				Body: b.GetBody(), EndOfStream: b.GetEndOfStream(),
			}},
		}}
	}
	switch r := req.GetRequest().(type) {
	case *extprocv3.ProcessingRequest_RequestHeaders:
		return &extprocv3.ProcessingResponse{Response: &extprocv3.ProcessingResponse_RequestHeaders{
			RequestHeaders: &extprocv3.HeadersResponse{Response: cont},
		}}, nil
	case *extprocv3.ProcessingRequest_ResponseHeaders:
		return &extprocv3.ProcessingResponse{Response: &extprocv3.ProcessingResponse_ResponseHeaders{
			ResponseHeaders: &extprocv3.HeadersResponse{Response: cont},
		}}, nil
	case *extprocv3.ProcessingRequest_RequestBody:
		c := cont
		if pc.GetRequestBodyMode() == full {
			c = echo(r.RequestBody)
		}
		return &extprocv3.ProcessingResponse{Response: &extprocv3.ProcessingResponse_RequestBody{
			RequestBody: &extprocv3.BodyResponse{Response: c},
		}}, nil
	case *extprocv3.ProcessingRequest_ResponseBody:
		c := cont
		if pc.GetResponseBodyMode() == full {
			c = echo(r.ResponseBody)
		}
		return &extprocv3.ProcessingResponse{Response: &extprocv3.ProcessingResponse_ResponseBody{
			ResponseBody: &extprocv3.BodyResponse{Response: c},
		}}, nil
	case *extprocv3.ProcessingRequest_RequestTrailers:
		return &extprocv3.ProcessingResponse{Response: &extprocv3.ProcessingResponse_RequestTrailers{
			RequestTrailers: &extprocv3.TrailersResponse{},
		}}, nil
	case *extprocv3.ProcessingRequest_ResponseTrailers:
		return &extprocv3.ProcessingResponse{Response: &extprocv3.ProcessingResponse_ResponseTrailers{
			ResponseTrailers: &extprocv3.TrailersResponse{},
		}}, nil
	}
	return nil, fmt.Errorf("unexpected ProcessingRequest type %T", req.GetRequest())
}

// StartServer serves srv on 127.0.0.1 over real gRPC for the length of the
// test and returns a client for it.
func StartServer(tb testing.TB, srv extprocv3.ExternalProcessorServer) extprocv3.ExternalProcessorClient {
	tb.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("listen for ext_proc server: %v", err)
	}
	gs := grpc.NewServer()
	extprocv3.RegisterExternalProcessorServer(gs, srv)
	go func() { _ = gs.Serve(lis) }()
	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		gs.Stop()
		tb.Fatalf("dial ext_proc server: %v", err)
	}
	tb.Cleanup(func() {
		_ = conn.Close()
		gs.Stop()
	})
	return extprocv3.NewExternalProcessorClient(conn)
}
