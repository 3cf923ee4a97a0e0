package extproctest

import (
	"errors"
	"testing"

	extprocfilterv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/ext_proc/v3"
	extprocv3 "github.com/envoyproxy/go-control-plane/envoy/service/ext_proc/v3"
	"google.golang.org/protobuf/types/known/structpb"
)

// The tests in this file pin what the emulator does with fields Envoy 1.37–1.40 added to the
// ext_proc protos (issue 14), each cited to the source or proto text it follows.

// streamedImmediateServer answers the request headers with a StreamedImmediateResponse.
func streamedImmediateServer() scripted {
	return scripted{fn: func(s extprocv3.ExternalProcessor_ProcessServer) error {
		if _, err := recvUntil(s, 1); err != nil {
			return err
		}
		return s.Send(&extprocv3.ProcessingResponse{Response: &extprocv3.ProcessingResponse_StreamedImmediateResponse{
			StreamedImmediateResponse: &extprocv3.StreamedImmediateResponse{Response: &extprocv3.StreamedImmediateResponse_HeadersResponse{
				HeadersResponse: &extprocv3.HttpHeaders{EndOfStream: true},
			}},
		}})
	}}
}

// external_processor.proto (go-control-plane v1.40): a StreamedImmediateResponse is honoured only
// with request headers SEND and body mode NONE or FULL_DUPLEX_STREAMED. In BUFFERED (warden's
// mode) it is an unexpected message: Filter::onReceiveMessage's default branch marks it spurious
// ("unhandled message") and, failing closed, answers status_on_error. Where Envoy 1.37+ would
// stream a local reply, the emulator refuses to pretend.
func TestStreamedImmediateResponseOnlyWhereTheProtoAllowsIt(t *testing.T) {
	e := newEnvoy(t, streamedImmediateServer(), filterCfg(modes(modeBuffered, modeBuffered)))
	res, err := e.Run(testCtx(t), post("{}"), echoUpstream())
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != 500 || res.Details != "unhandled_message" {
		t.Fatalf("BUFFERED: status %d %q, want 500 unhandled_message", res.Status, res.Details)
	}

	e = newEnvoy(t, streamedImmediateServer(), filterCfg(modes(modeNone, modeNone)))
	if _, err := e.Run(testCtx(t), post("{}"), echoUpstream()); !errors.Is(err, ErrStreamedImmediateNotEmulated) {
		t.Fatalf("NONE: err %v, want ErrStreamedImmediateNotEmulated", err)
	}
}

// FilterConfig (ext_proc.cc) reads only metadata_options.receiving_namespaces.untyped
// (untyped_receiving_namespaces_); the typed list the v1.40 proto carries is not consulted when
// a reply's dynamic_metadata is written. A namespace listed only as typed is not written.
func TestTypedReceivingNamespacesAreNotWritten(t *testing.T) {
	md, _ := structpb.NewStruct(map[string]any{
		"untyped-ns": map[string]any{"k": "v"},
		"typed-ns":   map[string]any{"k": "v"},
	})
	srv := scripted{fn: func(s extprocv3.ExternalProcessor_ProcessServer) error {
		if _, err := recvUntil(s, 1); err != nil {
			return err
		}
		resp := hdrsResp(true, &extprocv3.CommonResponse{})
		resp.DynamicMetadata = md
		if err := s.Send(resp); err != nil {
			return err
		}
		return ContinueServer{}.Process(s)
	}}
	e := newEnvoy(t, srv, filterCfg(modes(modeNone, modeNone), func(f *extprocfilterv3.ExternalProcessor) {
		f.MetadataOptions = &extprocfilterv3.MetadataOptions{ReceivingNamespaces: &extprocfilterv3.MetadataOptions_MetadataNamespaces{
			Untyped: []string{"untyped-ns"},
			Typed:   []string{"typed-ns"},
		}}
	}))
	res, err := e.Run(testCtx(t), post("{}"), echoUpstream())
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != 200 {
		t.Fatalf("status %d %q", res.Status, res.Details)
	}
	if _, ok := res.DynamicMetadata["untyped-ns"]; !ok {
		t.Fatalf("untyped namespace not written: %v", res.DynamicMetadata)
	}
	if _, ok := res.DynamicMetadata["typed-ns"]; ok {
		t.Fatalf("namespace listed only as typed was written: %v", res.DynamicMetadata)
	}
}
