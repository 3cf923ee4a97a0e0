package extproctest

import (
	"errors"
	"io"
	"testing"
	"time"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	extprocfilterv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/ext_proc/v3"
	extprocv3 "github.com/envoyproxy/go-control-plane/envoy/service/ext_proc/v3"
	typev3 "github.com/envoyproxy/go-control-plane/envoy/type/v3"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"
)

// replyHeaders answers the request-headers message with c, then CONTINUEs
// everything else.
func replyHeaders(c *extprocv3.CommonResponse) scripted {
	return scripted{fn: func(s extprocv3.ExternalProcessor_ProcessServer) error {
		first := true
		var pc *extprocv3.ProtocolConfiguration
		for {
			req, err := s.Recv()
			if err != nil {
				return nil
			}
			if req.GetProtocolConfig() != nil {
				pc = req.GetProtocolConfig()
			}
			resp, _ := ContinueResponse(req, pc)
			if first && req.GetRequestHeaders() != nil {
				resp = hdrsResp(true, c)
			}
			first = false
			if err := s.Send(resp); err != nil {
				return err
			}
		}
	}}
}

// Mirrors mutation_rules.cc and mutation_utils.cc: which header mutations in
// a request-headers reply reach the upstream.
func TestHeaderMutationRules(t *testing.T) {
	envoyOK := func(f *extprocfilterv3.ExternalProcessor) {
		f.MutationRules = &mutationRules{AllowEnvoy: wrapTrue()}
	}
	isError := func(f *extprocfilterv3.ExternalProcessor) {
		f.MutationRules = &mutationRules{DisallowIsError: wrapTrue()}
	}
	tests := []struct {
		name      string
		mut       *extprocv3.HeaderMutation
		edit      func(*extprocfilterv3.ExternalProcessor)
		key, want string
		status    int
	}{
		{"path may change", setHeader(":path", "/v2"), nil, ":path", "/v2", 200},
		{"authority immutable", setHeader(":authority", "evil"), nil, ":authority", "api.test", 200},
		{"host immutable", setHeader("host", "evil"), nil, "host", "", 200},
		{"method immutable", setHeader(":method", "GET"), nil, ":method", "POST", 200},
		{"scheme immutable", setHeader(":scheme", "https"), nil, ":scheme", "http", 200},
		{"x-envoy blocked", setHeader("x-envoy-foo", "1"), nil, "x-envoy-foo", "", 200},
		{"x-envoy allowed", setHeader("x-envoy-foo", "1"), envoyOK, "x-envoy-foo", "1", 200},
		{"plain header set", setHeader("x-user", "alice"), nil, "x-user", "alice", 200},
		{"pseudo never removed", &extprocv3.HeaderMutation{RemoveHeaders: []string{":method"}}, nil, ":method", "POST", 200},
		{"disallow_is_error", setHeader(":authority", "evil"), isError, "", "", 500},
		{"invalid value char", setHeader("x-a", "a\nb"), nil, "", "", 500},
		{"invalid name char", setHeader("x a", "b"), nil, "", "", 500},
		{"value ignored, raw_value read", &extprocv3.HeaderMutation{SetHeaders: []*corev3.HeaderValueOption{
			{Header: &corev3.HeaderValue{Key: "x-v", Value: "text"}},
		}}, nil, "x-v", "", 200},
		{"value and raw_value both set", &extprocv3.HeaderMutation{SetHeaders: []*corev3.HeaderValueOption{
			{Header: &corev3.HeaderValue{Key: "x-v", Value: "a", RawValue: []byte("b")}},
		}}, nil, "", "", 500},
		{"too many headers", manyHeaders(101), nil, "", "", 500},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var edits []func(*extprocfilterv3.ExternalProcessor)
			if tc.edit != nil {
				edits = append(edits, tc.edit)
			}
			e := newEnvoy(t, replyHeaders(&extprocv3.CommonResponse{HeaderMutation: tc.mut}), filterCfg(nil, edits...))
			res, err := e.Run(testCtx(t), post("x"), echoUpstream())
			if err != nil {
				t.Fatal(err)
			}
			if res.Status != tc.status {
				t.Fatalf("status %d (details %q), want %d", res.Status, res.Details, tc.status)
			}
			if tc.status != 200 {
				if !res.LocalReply || res.Upstream != nil {
					t.Errorf("want a local reply without upstream call, got local=%v upstream=%v", res.LocalReply, res.Upstream)
				}
				return
			}
			if got := res.Upstream.Headers.Value(tc.key); got != tc.want {
				t.Errorf("upstream %s = %q, want %q", tc.key, got, tc.want)
			}
		})
	}
}

func manyHeaders(n int) *extprocv3.HeaderMutation {
	m := &extprocv3.HeaderMutation{}
	for i := 0; i < n; i++ {
		m.SetHeaders = append(m.SetHeaders, setHeader("x-h", "v").SetHeaders...)
	}
	return m
}

// Mirrors ext_proc.cc onMessageTimeout / onGrpcError and the spurious
// message path of onReceiveMessage.
func TestFailures(t *testing.T) {
	block := make(chan struct{})
	t.Cleanup(func() { close(block) })
	blocking := scripted{fn: func(s extprocv3.ExternalProcessor_ProcessServer) error {
		if _, err := s.Recv(); err != nil {
			return nil
		}
		select { // never answers: the emulator's timer must fire
		case <-block:
		case <-s.Context().Done():
		}
		return nil
	}}
	spurious := scripted{fn: func(s extprocv3.ExternalProcessor_ProcessServer) error {
		if _, err := s.Recv(); err != nil {
			return nil
		}
		// A body reply while Envoy waits for the headers reply.
		if err := s.Send(bodyResp(true, &extprocv3.CommonResponse{})); err != nil {
			return err
		}
		<-s.Context().Done()
		return nil
	}}
	failing := scripted{fn: func(s extprocv3.ExternalProcessor_ProcessServer) error {
		if _, err := s.Recv(); err != nil {
			return nil
		}
		return status.Error(codes.Internal, "policy engine down")
	}}
	closing := scripted{fn: func(s extprocv3.ExternalProcessor_ProcessServer) error {
		_, _ = s.Recv()
		return nil // clean close: Envoy goes on without ext_proc
	}}
	short := func(f *extprocfilterv3.ExternalProcessor) { f.MessageTimeout = durationpb.New(50 * time.Millisecond) }
	allow := func(f *extprocfilterv3.ExternalProcessor) { f.FailureModeAllow = true }
	teapot := func(f *extprocfilterv3.ExternalProcessor) {
		f.StatusOnError = &typev3.HttpStatus{Code: typev3.StatusCode_ServiceUnavailable}
	}
	tests := []struct {
		name    string
		srv     extprocv3.ExternalProcessorServer
		edits   []func(*extprocfilterv3.ExternalProcessor)
		status  int
		details string
	}{
		{"timeout gives 504", blocking, []func(*extprocfilterv3.ExternalProcessor){short}, 504, "ext_proc_error_per-message_timeout_exceeded"},
		{"timeout fails open", blocking, []func(*extprocfilterv3.ExternalProcessor){short, allow}, 200, ""},
		{"spurious gives 500", spurious, nil, 500, "spurious_message"},
		{"spurious fails open", spurious, []func(*extprocfilterv3.ExternalProcessor){allow}, 200, ""},
		{"grpc error gives status_on_error", failing, []func(*extprocfilterv3.ExternalProcessor){teapot}, 503, "ext_proc_error_gRPC_error_13{policy_engine_down}"},
		{"grpc error fails open", failing, []func(*extprocfilterv3.ExternalProcessor){allow}, 200, ""},
		{"clean close continues", closing, nil, 200, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnvoy(t, tc.srv, filterCfg(nil, tc.edits...))
			res, err := e.Run(testCtx(t), post("payload"), echoUpstream())
			if err != nil {
				t.Fatal(err)
			}
			if res.Status != tc.status || res.Details != tc.details {
				t.Fatalf("got %d %q, want %d %q", res.Status, res.Details, tc.status, tc.details)
			}
			if tc.status == 200 && res.Body() != "payload" {
				t.Errorf("fail-open body = %q", res.Body())
			}
		})
	}
}

// Mirrors ext_proc.cc sendImmediateResponse: status < 200 becomes 200,
// headers and body are applied, the upstream is never called.
func TestImmediateResponse(t *testing.T) {
	tests := []struct {
		name string
		code typev3.StatusCode
		want int
	}{
		{"deny", typev3.StatusCode_Forbidden, 403},
		{"informational becomes 200", typev3.StatusCode_Continue, 200},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := scripted{fn: func(s extprocv3.ExternalProcessor_ProcessServer) error {
				if _, err := s.Recv(); err != nil {
					return nil
				}
				return s.Send(&extprocv3.ProcessingResponse{Response: &extprocv3.ProcessingResponse_ImmediateResponse{
					ImmediateResponse: &extprocv3.ImmediateResponse{
						Status:  &typev3.HttpStatus{Code: tc.code},
						Headers: setHeader("x-warden-rule", "no-delete"),
						Body:    []byte("denied by policy"),
						Details: "warden denied",
					},
				}})
			}}
			e := newEnvoy(t, srv, filterCfg(nil))
			res, err := e.Run(testCtx(t), post("rm -rf /"), echoUpstream())
			if err != nil {
				t.Fatal(err)
			}
			if res.Status != tc.want || res.Body() != "denied by policy" || res.Headers.Value("x-warden-rule") != "no-delete" {
				t.Errorf("client saw %d %q %v", res.Status, res.Body(), res.Headers)
			}
			if !res.LocalReply || res.Details != "warden_denied" || res.Upstream != nil {
				t.Errorf("local=%v details=%q upstream=%v", res.LocalReply, res.Details, res.Upstream)
			}
		})
	}
}

// recvAll reads messages until the stream ends.
func recvUntil(s extprocv3.ExternalProcessor_ProcessServer, n int) ([]*extprocv3.ProcessingRequest, error) {
	var out []*extprocv3.ProcessingRequest
	for len(out) < n {
		r, err := s.Recv()
		if errors.Is(err, io.EOF) {
			return out, err
		}
		if err != nil {
			return out, err
		}
		out = append(out, r)
	}
	return out, nil
}
