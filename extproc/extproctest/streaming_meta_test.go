package extproctest

import (
	"context"
	"testing"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	extprocfilterv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/ext_proc/v3"
	extprocv3 "github.com/envoyproxy/go-control-plane/envoy/service/ext_proc/v3"
	"google.golang.org/protobuf/types/known/structpb"
)

// Mirrors ext_proc.cc attribute and metadata forwarding, and the
// clear_route_cache rule of processor_state.cc.
func TestAttributesMetadataRouteCache(t *testing.T) {
	first := make(chan *extprocv3.ProcessingRequest, 1)
	srv := scripted{fn: func(s extprocv3.ExternalProcessor_ProcessServer) error {
		r, err := s.Recv()
		if err != nil {
			return nil
		}
		first <- r
		if err := s.Send(hdrsResp(true, &extprocv3.CommonResponse{HeaderMutation: setHeader(":path", "/v2"), ClearRouteCache: true})); err != nil {
			return err
		}
		return ContinueServer{}.Process(s)
	}}
	e := newEnvoy(t, srv, filterCfg(nil, func(f *extprocfilterv3.ExternalProcessor) {
		f.RequestAttributes = []string{"request.path"}
		f.MetadataOptions = &extprocfilterv3.MetadataOptions{ForwardingNamespaces: &extprocfilterv3.MetadataOptions_MetadataNamespaces{
			Untyped: []string{"envoy.filters.http.jwt_authn"},
		}}
	}))
	req := post("q")
	req.Attributes = map[string]*structpb.Value{"request.path": structpb.NewStringValue("/v1/chat"), "source.address": structpb.NewStringValue("10.0.0.1")}
	claims, _ := structpb.NewStruct(map[string]any{"sub": "alice"})
	other, _ := structpb.NewStruct(map[string]any{"x": "y"})
	req.Metadata = &corev3.Metadata{FilterMetadata: map[string]*structpb.Struct{"envoy.filters.http.jwt_authn": claims, "other": other}}
	res, err := e.Run(testCtx(t), req, echoUpstream())
	if err != nil {
		t.Fatal(err)
	}
	r := <-first
	attrs := r.GetAttributes()[filterName].GetFields()
	if attrs["request.path"].GetStringValue() != "/v1/chat" || attrs["source.address"] != nil {
		t.Errorf("attributes = %v", attrs)
	}
	md := r.GetMetadataContext().GetFilterMetadata()
	if md["envoy.filters.http.jwt_authn"].GetFields()["sub"].GetStringValue() != "alice" || md["other"] != nil {
		t.Errorf("metadata_context = %v", md)
	}
	if r.GetProtocolConfig() == nil {
		t.Error("first message lacks protocol_config")
	}
	if !res.RouteCacheCleared || !res.Upstream.RouteCacheCleared || res.Upstream.Headers.Value(":path") != "/v2" {
		t.Errorf("route cache cleared=%v upstream path %q", res.RouteCacheCleared, res.Upstream.Headers.Value(":path"))
	}
}

// Mirrors ext_proc.cc BUFFERED over the buffer limit: 413 on requests.
func TestBufferedOverLimit(t *testing.T) {
	e, err := New(StartServer(t, ContinueServer{}), filterCfg(modes(modeBuffered, modeNone)), WithBufferLimit(4))
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.Run(context.Background(), post("12", "345"), echoUpstream())
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != 413 || res.Upstream != nil {
		t.Errorf("status %d upstream %v", res.Status, res.Upstream)
	}
}

// FULL_DUPLEX_STREAMED with trailers: the trailers go out right after the
// body, the server's trailer reply ends the direction, and a plain
// body_mutation (not streamed_response) is a spurious reply.
func TestFullDuplexTrailers(t *testing.T) {
	tests := []struct {
		name       string
		streamed   bool
		wantStatus int
	}{
		{"streamed_response and trailers", true, 200},
		{"plain body mutation is spurious", false, 500},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := scripted{fn: func(s extprocv3.ExternalProcessor_ProcessServer) error {
				msgs, err := recvUntil(s, 3) // headers, body (eos=false), trailers
				if err != nil {
					return err
				}
				if msgs[2].GetRequestTrailers() == nil {
					return nil
				}
				if err := s.Send(hdrsResp(true, &extprocv3.CommonResponse{})); err != nil {
					return err
				}
				mut := bodyMut("PAYLOAD")
				if tc.streamed {
					mut = &extprocv3.BodyMutation{Mutation: &extprocv3.BodyMutation_StreamedResponse{
						StreamedResponse: &extprocv3.StreamedBodyResponse{Body: []byte("PAYLOAD")},
					}}
				}
				if err := s.Send(bodyResp(true, &extprocv3.CommonResponse{BodyMutation: mut})); err != nil {
					return err
				}
				err = s.Send(&extprocv3.ProcessingResponse{Response: &extprocv3.ProcessingResponse_RequestTrailers{
					RequestTrailers: &extprocv3.TrailersResponse{HeaderMutation: setHeader("x-scanned", "1")},
				}})
				if err != nil {
					return err
				}
				return ContinueServer{}.Process(s)
			}}
			m := &extprocfilterv3.ProcessingMode{RequestBodyMode: modeDuplex, RequestTrailerMode: extprocfilterv3.ProcessingMode_SEND}
			e := newEnvoy(t, srv, filterCfg(m))
			req := post()
			req.Body = Chunks(H("x-checksum", "1"), "payload")
			res, err := e.Run(testCtx(t), req, echoUpstream())
			if err != nil {
				t.Fatal(err)
			}
			if res.Status != tc.wantStatus {
				t.Fatalf("status %d %q, want %d", res.Status, res.Details, tc.wantStatus)
			}
			if tc.streamed && (res.Upstream.Body() != "PAYLOAD" || res.Upstream.Trailers.Value("x-scanned") != "1") {
				t.Errorf("upstream body %q trailers %v", res.Upstream.Body(), res.Upstream.Trailers)
			}
		})
	}
}
