package extproctest

import (
	"testing"

	extprocfilterv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/ext_proc/v3"
	extprocv3 "github.com/envoyproxy/go-control-plane/envoy/service/ext_proc/v3"
	typev3 "github.com/envoyproxy/go-control-plane/envoy/type/v3"
	"google.golang.org/protobuf/types/known/structpb"
)

// Mirrors processor_state.cc BUFFERED_PARTIAL: one message once the queue is
// over the buffer limit (ProcessorState::queueOverHighLimit is
// bytesEnqueued() > bufferLimit(), so 4 bytes with a limit of 4 still wait),
// headers held until its reply (so its header mutation applies), the rest
// passed on unprocessed.
func TestBufferedPartialQueueOverHighLimit(t *testing.T) {
	seen := make(chan []string, 1)
	srv := scripted{fn: func(s extprocv3.ExternalProcessor_ProcessServer) error {
		var log []string
		defer func() { seen <- log }()
		for {
			r, err := s.Recv()
			if err != nil {
				return nil
			}
			log = append(log, describe(r))
			resp, _ := ContinueResponse(r, nil)
			if r.GetRequestBody() != nil {
				resp = bodyResp(true, &extprocv3.CommonResponse{HeaderMutation: setHeader("x-scanned", "partial"), BodyMutation: bodyMut("[head]")})
			}
			if err := s.Send(resp); err != nil {
				return err
			}
		}
	}}
	e, err := New(StartServer(t, srv), filterCfg(modes(modePartial, modeNone)), WithBufferLimit(4))
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.Run(testCtx(t), post("ab", "cd", "ef", "gh"), echoUpstream())
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Upstream.Body(); got != "[head]gh" {
		t.Errorf("upstream body %q, want [head]gh", got)
	}
	if res.Upstream.Headers.Value("x-scanned") != "partial" {
		t.Errorf("header mutation of the partial reply not applied: %v", res.Upstream.Headers)
	}
	if log := <-seen; len(log) < 2 || log[1] != "reqB(abcdef,eos=false)" {
		t.Errorf("server saw %v", log)
	}
}

// Mirrors ext_proc.cc onData with send_body_without_waiting_for_header_response:
// body chunks reach the server before it answers the headers.
func TestSendBodyWithoutWaiting(t *testing.T) {
	srv := scripted{fn: func(s extprocv3.ExternalProcessor_ProcessServer) error {
		msgs, err := recvUntil(s, 3) // headers and both chunks, nothing answered yet
		if err != nil {
			return err
		}
		if msgs[2].GetRequestBody() == nil || !msgs[2].GetRequestBody().GetEndOfStream() {
			return nil
		}
		if err := s.Send(hdrsResp(true, &extprocv3.CommonResponse{})); err != nil {
			return err
		}
		for _, b := range []string{"A", "B"} {
			if err := s.Send(bodyResp(true, &extprocv3.CommonResponse{BodyMutation: bodyMut(b)})); err != nil {
				return err
			}
		}
		return ContinueServer{}.Process(s)
	}}
	e := newEnvoy(t, srv, filterCfg(modes(modeStreamed, modeNone), func(f *extprocfilterv3.ExternalProcessor) {
		f.SendBodyWithoutWaitingForHeaderResponse = true
	}))
	res, err := e.Run(testCtx(t), post("a", "b"), echoUpstream())
	if err != nil {
		t.Fatal(err)
	}
	if res.Upstream.Body() != "AB" {
		t.Errorf("upstream body %q (local=%v %q)", res.Upstream.Body(), res.LocalReply, res.Details)
	}
}

// Mirrors Filter::failureModeAllow: once FULL_DUPLEX_STREAMED body data went
// out, a failure cannot fail open.
func TestFullDuplexCannotFailOpen(t *testing.T) {
	srv := scripted{fn: func(s extprocv3.ExternalProcessor_ProcessServer) error {
		if _, err := recvUntil(s, 2); err != nil { // headers + first chunk
			return err
		}
		return errFromServer
	}}
	m := &extprocfilterv3.ProcessingMode{RequestBodyMode: modeDuplex, RequestTrailerMode: extprocfilterv3.ProcessingMode_SEND}
	e := newEnvoy(t, srv, filterCfg(m, func(f *extprocfilterv3.ExternalProcessor) { f.FailureModeAllow = true }))
	res, err := e.Run(testCtx(t), post("a", "b"), echoUpstream())
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != 500 || res.Upstream != nil {
		t.Errorf("got %d %q, upstream %v; want 500 without upstream", res.Status, res.Details, res.Upstream)
	}
}

// An ImmediateResponse after the response headers went downstream can only
// reset the stream; a STREAMED body reply's header mutation is ignored.
func TestLateImmediateResponseResets(t *testing.T) {
	srv := scripted{fn: func(s extprocv3.ExternalProcessor_ProcessServer) error {
		if _, err := recvUntil(s, 1); err != nil {
			return err
		}
		if err := s.Send(hdrsResp(false, &extprocv3.CommonResponse{})); err != nil {
			return err
		}
		if _, err := recvUntil(s, 1); err != nil {
			return err
		}
		if err := s.Send(bodyResp(false, &extprocv3.CommonResponse{HeaderMutation: setHeader("x-late", "1")})); err != nil {
			return err
		}
		if _, err := recvUntil(s, 1); err != nil {
			return err
		}
		return s.Send(&extprocv3.ProcessingResponse{Response: &extprocv3.ProcessingResponse_ImmediateResponse{
			ImmediateResponse: &extprocv3.ImmediateResponse{Status: &typev3.HttpStatus{Code: typev3.StatusCode_Forbidden}},
		}})
	}}
	m := &extprocfilterv3.ProcessingMode{RequestHeaderMode: extprocfilterv3.ProcessingMode_SKIP, ResponseBodyMode: modeStreamed}
	e := newEnvoy(t, srv, filterCfg(m))
	res, err := e.Run(testCtx(t), post("q"), chunkUpstream(nil, "tool_call ", "rm -rf /"))
	if err != nil {
		t.Fatal(err)
	}
	if !res.Reset || res.Status != 200 || res.Body() != "tool_call " || res.Headers.Value("x-late") != "" {
		t.Errorf("reset=%v status=%d body=%q headers=%v", res.Reset, res.Status, res.Body(), res.Headers)
	}
}

// Mirrors Filter::setDynamicMetadata: only receiving namespaces are kept.
func TestDynamicMetadataReceivingNamespaces(t *testing.T) {
	md, _ := structpb.NewStruct(map[string]any{
		"warden": map[string]any{"decision": "allow"},
		"other":  map[string]any{"x": "y"},
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
	e := newEnvoy(t, srv, filterCfg(nil, func(f *extprocfilterv3.ExternalProcessor) {
		f.MetadataOptions = &extprocfilterv3.MetadataOptions{ReceivingNamespaces: &extprocfilterv3.MetadataOptions_MetadataNamespaces{
			Untyped: []string{"warden"},
		}}
	}))
	res, err := e.Run(testCtx(t), post("q"), echoUpstream())
	if err != nil {
		t.Fatal(err)
	}
	if got := res.DynamicMetadata["warden"].GetFields()["decision"].GetStringValue(); got != "allow" || len(res.DynamicMetadata) != 1 {
		t.Errorf("dynamic metadata = %v", res.DynamicMetadata)
	}
}

// Mirrors handleTrailersResponse: trailer mutations reach the upstream.
func TestTrailerMutation(t *testing.T) {
	srv := scripted{fn: func(s extprocv3.ExternalProcessor_ProcessServer) error {
		for {
			r, err := s.Recv()
			if err != nil {
				return nil
			}
			resp, _ := ContinueResponse(r, nil)
			if r.GetRequestTrailers() != nil {
				resp.GetRequestTrailers().HeaderMutation = setHeader("x-signed", "yes")
			}
			if err := s.Send(resp); err != nil {
				return err
			}
		}
	}}
	m := &extprocfilterv3.ProcessingMode{RequestTrailerMode: extprocfilterv3.ProcessingMode_SEND}
	e := newEnvoy(t, srv, filterCfg(m))
	req := post()
	req.Body = Chunks(H("x-checksum", "abc"), "body")
	res, err := e.Run(testCtx(t), req, echoUpstream())
	if err != nil {
		t.Fatal(err)
	}
	if res.Upstream.Trailers.Value("x-signed") != "yes" || res.Upstream.Trailers.Value("x-checksum") != "abc" {
		t.Errorf("upstream trailers %v", res.Upstream.Trailers)
	}
}

// Mirrors processor_state.cc finalizeBodyResponse: in BUFFERED mode the
// trailers go to the server before the message moves on, so a deny on the
// trailers keeps the request from the upstream.
func TestBufferedTrailersBeforeUpstream(t *testing.T) {
	srv := scripted{fn: func(s extprocv3.ExternalProcessor_ProcessServer) error {
		for {
			r, err := s.Recv()
			if err != nil {
				return nil
			}
			resp, _ := ContinueResponse(r, nil)
			if r.GetRequestTrailers() != nil {
				resp = &extprocv3.ProcessingResponse{Response: &extprocv3.ProcessingResponse_ImmediateResponse{
					ImmediateResponse: &extprocv3.ImmediateResponse{Status: &typev3.HttpStatus{Code: typev3.StatusCode_Forbidden}},
				}}
			}
			if err := s.Send(resp); err != nil {
				return err
			}
		}
	}}
	m := &extprocfilterv3.ProcessingMode{RequestBodyMode: modeBuffered, RequestTrailerMode: extprocfilterv3.ProcessingMode_SEND}
	e := newEnvoy(t, srv, filterCfg(m))
	req := post()
	req.Body = Chunks(H("x-checksum", "abc"), "body")
	res, err := e.Run(testCtx(t), req, echoUpstream())
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != 403 || res.Upstream != nil {
		t.Errorf("status %d, upstream %v; want 403 and no upstream call", res.Status, res.Upstream)
	}
}
