package extproctest

import (
	"context"
	"testing"

	extprocfilterv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/ext_proc/v3"
	extprocv3 "github.com/envoyproxy/go-control-plane/envoy/service/ext_proc/v3"
)

// closeWatcher is an ext_proc server that answers CONTINUE and closes closed when Envoy ends its
// stream (Recv fails), so a test can ask whether that happened before the upstream saw the end
// of the request.
type closeWatcher struct {
	closed chan struct{}
	body   *gate // opened when the first request body message arrives
}

func newCloseWatcher() *closeWatcher {
	return &closeWatcher{closed: make(chan struct{}), body: newGate()}
}

func (w *closeWatcher) server() scripted {
	answer := replyWith(func(r *extprocv3.ProcessingRequest, resp *extprocv3.ProcessingResponse) *extprocv3.ProcessingResponse {
		if r.GetRequestBody() != nil {
			w.body.open()
		}
		return resp
	})
	return scripted{fn: func(s extprocv3.ExternalProcessor_ProcessServer) error {
		defer close(w.closed)
		return answer.fn(s)
	}}
}

func (w *closeWatcher) isClosed() bool {
	select {
	case <-w.closed:
		return true
	default:
		return false
	}
}

// Filter::closeGrpcStreamIfLastRespReceived (ext_proc.cc, Envoy 1.37+, runtime guard
// ext_proc_stream_close_optimization): when the reply just handled is the last one the filter
// needs — request headers of a body-less request with nothing of the response processed, the
// reply to a STREAMED chunk that carried end_stream — Envoy closes the gRPC stream then, not when
// the HTTP stream ends. BUFFERED bodies are left out (Envoy's TODO). Each case's upstream reads
// the whole request and then asks whether the server's stream already ended.
func TestCloseGrpcStreamIfLastRespReceived(t *testing.T) {
	skipResp := func(reqBody extprocfilterv3.ProcessingMode_BodySendMode) *extprocfilterv3.ProcessingMode {
		return &extprocfilterv3.ProcessingMode{
			RequestBodyMode:    reqBody,
			ResponseHeaderMode: extprocfilterv3.ProcessingMode_SKIP,
		}
	}
	get := func(*gate) *Request {
		return &Request{Headers: H(":method", "GET", ":path", "/v1/models", ":authority", "api.test", ":scheme", "http")}
	}
	whole := func(*gate) *Request { return post("a", "b") }
	// the second chunk comes once the server saw the first, so the body streams rather than
	// going merged through the buffered path (whose reply never closes early: no chunk queue)
	streamed := func(g *gate) *Request {
		r := post()
		r.Body = &gatedBody{first: "a", open: g.c(), rest: []string{"b"}}
		return r
	}
	tests := []struct {
		name      string
		pm        *extprocfilterv3.ProcessingMode
		req       func(*gate) *Request
		opts      []Option
		wantEarly bool
	}{
		{"request headers of a body-less request, response skipped", skipResp(modeNone), get, nil, true},
		{"reply to the STREAMED chunk with end_stream, response skipped", skipResp(modeStreamed), streamed, nil, true},
		{"a STREAMED body that arrived whole goes merged: no early close", skipResp(modeStreamed), whole, nil, false},
		{"BUFFERED request body is never closed early", skipResp(modeBuffered), whole, nil, false},
		{"response headers still to be processed", modes(modeNone, modeNone), get, nil, false},
		{
			"runtime guard off: stream lives as long as the request", skipResp(modeNone), get,
			[]Option{WithoutStreamCloseOptimization()},
			false,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := newCloseWatcher()
			e, err := New(StartServer(t, w.server()), filterCfg(tc.pm), tc.opts...)
			if err != nil {
				t.Fatal(err)
			}
			var closedBeforeUpstream bool
			up := UpstreamFunc(func(ctx context.Context, r *UpstreamRequest) (*Response, error) {
				if _, err := ReadAll(ctx, r.Body); err != nil {
					return nil, err
				}
				if tc.wantEarly {
					select { // the close is under way once the last reply was handled
					case <-w.closed:
					case <-ctx.Done():
						return nil, ctx.Err()
					}
				}
				closedBeforeUpstream = w.isClosed()
				return &Response{Status: 200, Headers: H("content-type", "text/plain")}, nil
			})
			res, err := e.Run(testCtx(t), tc.req(w.body), up)
			if err != nil {
				t.Fatal(err)
			}
			if res.Status != 200 {
				t.Fatalf("status %d, want 200", res.Status)
			}
			if closedBeforeUpstream != tc.wantEarly {
				t.Fatalf("ext_proc stream closed before the upstream answered: %v, want %v", closedBeforeUpstream, tc.wantEarly)
			}
		})
	}
}
