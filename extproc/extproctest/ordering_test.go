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
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// recorder is ContinueServer that logs each message as a short word, and
// how the stream ended.
type recorder struct {
	extprocv3.UnimplementedExternalProcessorServer
	mu   sync.Mutex
	log  []string
	end  error
	done chan struct{}
}

func newRecorder() *recorder { return &recorder{done: make(chan struct{}, 16)} }

func describe(r *extprocv3.ProcessingRequest) string {
	switch m := r.GetRequest().(type) {
	case *extprocv3.ProcessingRequest_RequestHeaders:
		return fmt.Sprintf("reqH(eos=%v)", m.RequestHeaders.GetEndOfStream())
	case *extprocv3.ProcessingRequest_ResponseHeaders:
		return fmt.Sprintf("respH(eos=%v)", m.ResponseHeaders.GetEndOfStream())
	case *extprocv3.ProcessingRequest_RequestBody:
		return fmt.Sprintf("reqB(%s,eos=%v)", m.RequestBody.GetBody(), m.RequestBody.GetEndOfStream())
	case *extprocv3.ProcessingRequest_ResponseBody:
		return fmt.Sprintf("respB(%s,eos=%v)", m.ResponseBody.GetBody(), m.ResponseBody.GetEndOfStream())
	case *extprocv3.ProcessingRequest_RequestTrailers:
		return "reqT"
	case *extprocv3.ProcessingRequest_ResponseTrailers:
		return "respT"
	}
	return "?"
}

func (rc *recorder) Process(s extprocv3.ExternalProcessor_ProcessServer) error {
	defer func() { rc.done <- struct{}{} }()
	var pc *extprocv3.ProtocolConfiguration
	for {
		r, err := s.Recv()
		if err != nil {
			rc.mu.Lock()
			rc.end = err
			rc.mu.Unlock()
			return nil
		}
		if r.GetProtocolConfig() != nil {
			pc = r.GetProtocolConfig()
		}
		rc.mu.Lock()
		rc.log = append(rc.log, describe(r))
		rc.mu.Unlock()
		resp, _ := ContinueResponse(r, pc)
		if err := s.Send(resp); err != nil {
			return err
		}
	}
}

// Mirrors test/extensions/filters/http/ext_proc/ordering_test.cc: the exact
// sequence of messages Envoy sends for each processing mode, and that the
// stream ends (half-close or reset) after the last reply.
func TestMessageOrdering(t *testing.T) {
	send, skip := extprocfilterv3.ProcessingMode_SEND, extprocfilterv3.ProcessingMode_SKIP
	tests := []struct {
		name     string
		mode     *extprocfilterv3.ProcessingMode
		reqBody  []string // nil: headers-only request
		trailers Headers
		want     string
	}{
		{"defaults, headers-only request", nil, nil, nil, "reqH(eos=true) respH(eos=false)"},
		{"defaults with body", nil, []string{"a"}, nil, "reqH(eos=false) respH(eos=false)"},
		{
			"buffered both ways", modes(modeBuffered, modeBuffered),
			[]string{"a", "b"},
			nil,
			"reqH(eos=false) reqB(ab,eos=true) respH(eos=false) respB(xy,eos=true)",
		},
		{
			"buffered request with trailers sent", &extprocfilterv3.ProcessingMode{RequestBodyMode: modeBuffered, RequestTrailerMode: send},
			[]string{"a"},
			H("x-checksum", "1"), "reqH(eos=false) reqB(a,eos=false) reqT respH(eos=false)",
		},
		{
			"trailer mode SEND without trailers sends none", &extprocfilterv3.ProcessingMode{RequestTrailerMode: send, ResponseTrailerMode: send},
			[]string{"a"},
			nil, "reqH(eos=false) respH(eos=false)",
		},
		{
			"streamed request, headers skipped", &extprocfilterv3.ProcessingMode{RequestHeaderMode: skip, ResponseHeaderMode: skip, RequestBodyMode: modeStreamed},
			[]string{"a", "b"},
			nil, "reqB(a,eos=false) reqB(b,eos=true)",
		},
		{
			// The whole body and its trailers arrived before the headers reply:
			// handleHeadersResponse sends them as one body message (end_of_stream false,
			// trailers follow), not chunk by chunk.
			"streamed request with trailers, complete before the headers reply", &extprocfilterv3.ProcessingMode{RequestBodyMode: modeStreamed, RequestTrailerMode: send, ResponseHeaderMode: skip},
			[]string{"a", "b"},
			H("x-t", "1"), "reqH(eos=false) reqB(ab,eos=false) reqT",
		},
		{"everything skipped", &extprocfilterv3.ProcessingMode{RequestHeaderMode: skip, ResponseHeaderMode: skip}, []string{"a"}, nil, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rc := newRecorder()
			e := newEnvoy(t, rc, filterCfg(tc.mode))
			req := &Request{Headers: H(":method", "GET", ":path", "/", ":authority", "a", ":scheme", "http")}
			if tc.reqBody != nil {
				req.Body = Chunks(tc.trailers, tc.reqBody...)
			}
			res, err := e.Run(testCtx(t), req, chunkUpstream(nil, "x", "y"))
			if err != nil || res.LocalReply {
				t.Fatalf("Run: %v, local reply %q", err, res.Details)
			}
			if tc.want == "" {
				return // no message: no stream was opened at all
			}
			<-rc.done // the server's Process returned: the emulator ended the stream
			rc.mu.Lock()
			defer rc.mu.Unlock()
			if got := strings.Join(rc.log, " "); got != tc.want {
				t.Errorf("messages:\n got %s\nwant %s", got, tc.want)
			}
			if !errors.Is(rc.end, io.EOF) && status.Code(rc.end) != codes.Canceled {
				t.Errorf("stream ended with %v, want EOF or Canceled", rc.end)
			}
		})
	}
}

// A server that cannot be reached fails the request with status_on_error.
func TestStreamCannotStart(t *testing.T) {
	dead := deadClient(t)
	e, err := New(dead, filterCfg(nil))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	res, err := e.Run(ctx, post("x"), echoUpstream())
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != 500 || !strings.HasPrefix(res.Details, "ext_proc_error_gRPC_error_14{") || res.Upstream != nil {
		t.Errorf("got %d %q upstream=%v", res.Status, res.Details, res.Upstream)
	}
}
