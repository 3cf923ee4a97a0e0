package extproctest

import (
	"strings"
	"testing"
	"time"

	extprocfilterv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/ext_proc/v3"
	extprocv3 "github.com/envoyproxy/go-control-plane/envoy/service/ext_proc/v3"
	"google.golang.org/protobuf/types/known/durationpb"
)

const (
	modeNone     = extprocfilterv3.ProcessingMode_NONE
	modeBuffered = extprocfilterv3.ProcessingMode_BUFFERED
	modeStreamed = extprocfilterv3.ProcessingMode_STREAMED
	modePartial  = extprocfilterv3.ProcessingMode_BUFFERED_PARTIAL
	modeDuplex   = extprocfilterv3.ProcessingMode_FULL_DUPLEX_STREAMED
)

// Mirrors ext_proc.cc onData (STREAMED) and processor_state.cc
// handleBodyResponse: all response chunks reach the server before any
// reply (no waiting), each reply replaces the oldest chunk in order, and a
// shorter reply (held-back text) is what the client sees.
func TestStreamedResponseReplacesOldestChunk(t *testing.T) {
	g := newGate()
	srv := scripted{fn: func(s extprocv3.ExternalProcessor_ProcessServer) error {
		msgs, err := recvUntil(s, 1) // response headers
		if err != nil || msgs[0].GetResponseHeaders() == nil {
			return err
		}
		if err := s.Send(hdrsResp(false, &extprocv3.CommonResponse{})); err != nil {
			return err
		}
		first, err := recvUntil(s, 1)
		if err != nil {
			return err
		}
		g.open()                     // the rest of the body arrives only now: it is streamed, not merged
		more, err := recvUntil(s, 2) // all three before answering any
		if err != nil {
			return err
		}
		chunks := append(first, more...)
		if !chunks[2].GetResponseBody().GetEndOfStream() {
			return s.Send(hdrsResp(false, nil)) // wrong shape: the test fails on it
		}
		// a unchanged, b held back, then flushed with c.
		for _, m := range []*extprocv3.BodyMutation{nil, bodyMut(""), bodyMut("bC")} {
			if err := s.Send(bodyResp(false, &extprocv3.CommonResponse{BodyMutation: m})); err != nil {
				return err
			}
		}
		_, _ = s.Recv()
		return nil
	}}
	m := &extprocfilterv3.ProcessingMode{RequestHeaderMode: extprocfilterv3.ProcessingMode_SKIP, ResponseBodyMode: modeStreamed}
	e := newEnvoy(t, srv, filterCfg(m))
	res, err := e.Run(testCtx(t), post("q"), gatedUpstream(H("content-length", "3"), g, "a", "b", "c"))
	if err != nil {
		t.Fatal(err)
	}
	if res.LocalReply {
		t.Fatalf("local reply %d %q", res.Status, res.Details)
	}
	if got := strings.Join(toStrings(res.Chunks), "|"); got != "a|bC" {
		t.Errorf("client chunks = %q, want a|bC", got)
	}
	if _, ok := res.Headers.Get("content-length"); ok {
		t.Errorf("content-length kept in STREAMED mode: %v", res.Headers)
	}
}

func toStrings(cs [][]byte) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = string(c)
	}
	return out
}

// Mirrors the FULL_DUPLEX_STREAMED path of ext_proc.cc: the server re-chunks
// freely via streamed_response and ends the body with end_of_stream.
func TestFullDuplexRechunks(t *testing.T) {
	srv := scripted{fn: func(s extprocv3.ExternalProcessor_ProcessServer) error {
		if _, err := recvUntil(s, 1); err != nil { // response headers
			return err
		}
		if err := s.Send(hdrsResp(false, &extprocv3.CommonResponse{})); err != nil {
			return err
		}
		var all []byte
		for {
			r, err := s.Recv()
			if err != nil {
				return err
			}
			all = append(all, r.GetResponseBody().GetBody()...)
			if r.GetResponseBody().GetEndOfStream() {
				break
			}
		}
		for i, part := range []string{strings.ToUpper(string(all[:2])), strings.ToUpper(string(all[2:]))} {
			sr := &extprocv3.StreamedBodyResponse{Body: []byte(part), EndOfStream: i == 1}
			err := s.Send(bodyResp(false, &extprocv3.CommonResponse{BodyMutation: &extprocv3.BodyMutation{
				Mutation: &extprocv3.BodyMutation_StreamedResponse{StreamedResponse: sr},
			}}))
			if err != nil {
				return err
			}
		}
		_, _ = s.Recv()
		return nil
	}}
	m := &extprocfilterv3.ProcessingMode{
		RequestHeaderMode: extprocfilterv3.ProcessingMode_SKIP,
		ResponseBodyMode:  modeDuplex, ResponseTrailerMode: extprocfilterv3.ProcessingMode_SEND,
	}
	e := newEnvoy(t, srv, filterCfg(m))
	res, err := e.Run(testCtx(t), post("q"), chunkUpstream(nil, "a", "b", "c", "d", "e"))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(toStrings(res.Chunks), "|"); got != "AB|CDE" {
		t.Errorf("client chunks = %q (local=%v %q), want AB|CDE", got, res.LocalReply, res.Details)
	}
}

// Mirrors processor_state.cc BufferedBodyCallback: a mutated body with a
// stale content-length is an error; fixing the header makes it pass.
func TestBufferedContentLength(t *testing.T) {
	tests := []struct {
		name   string
		mut    *extprocv3.HeaderMutation
		status int
	}{
		{"stale content-length", nil, 500},
		{"server fixes content-length", setHeader("content-length", "8"), 200},
		{"server removes content-length", &extprocv3.HeaderMutation{RemoveHeaders: []string{"content-length"}}, 200},
		{"clear_body needs content-length 0", setHeader("content-length", "0"), 200},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := scripted{fn: func(s extprocv3.ExternalProcessor_ProcessServer) error {
				if _, err := recvUntil(s, 1); err != nil {
					return err
				}
				if err := s.Send(hdrsResp(true, &extprocv3.CommonResponse{})); err != nil {
					return err
				}
				if _, err := recvUntil(s, 1); err != nil {
					return err
				}
				bm := bodyMut("REDACTED")
				if strings.HasPrefix(tc.name, "clear_body") {
					bm = &extprocv3.BodyMutation{Mutation: &extprocv3.BodyMutation_ClearBody{ClearBody: true}}
				}
				if err := s.Send(bodyResp(true, &extprocv3.CommonResponse{HeaderMutation: tc.mut, BodyMutation: bm})); err != nil {
					return err
				}
				return ContinueServer{}.Process(s)
			}}
			e := newEnvoy(t, srv, filterCfg(modes(modeBuffered, modeNone)))
			req := post("sk-secret-key-123")
			req.Headers.Set("content-length", "17")
			res, err := e.Run(testCtx(t), req, echoUpstream())
			if err != nil {
				t.Fatal(err)
			}
			if res.Status != tc.status {
				t.Fatalf("status %d %q, want %d", res.Status, res.Details, tc.status)
			}
			want := "REDACTED"
			if strings.HasPrefix(tc.name, "clear_body") {
				want = ""
			}
			if tc.status == 200 && res.Upstream.Body() != want {
				t.Errorf("upstream body %q", res.Upstream.Body())
			}
			if tc.status != 200 && res.Details != "mismatch_between_content_length_and_the_length_of_the_mutated_body" {
				t.Errorf("details %q", res.Details)
			}
		})
	}
}

// Mirrors processor_state.cc handleHeadersResponse CONTINUE_AND_REPLACE: the
// body is replaced, content-length removed and no body message is sent.
func TestContinueAndReplace(t *testing.T) {
	got := make(chan []string, 1)
	srv := scripted{fn: func(s extprocv3.ExternalProcessor_ProcessServer) error {
		var kinds []string
		defer func() { got <- kinds }()
		for {
			r, err := s.Recv()
			if err != nil {
				return nil
			}
			switch r.GetRequest().(type) {
			case *extprocv3.ProcessingRequest_RequestHeaders:
				kinds = append(kinds, "request_headers")
				if err := s.Send(hdrsResp(true, &extprocv3.CommonResponse{
					Status: extprocv3.CommonResponse_CONTINUE_AND_REPLACE, BodyMutation: bodyMut("{}"),
				})); err != nil {
					return err
				}
			default:
				kinds = append(kinds, "other")
				resp, _ := ContinueResponse(r, nil)
				if err := s.Send(resp); err != nil {
					return err
				}
			}
		}
	}}
	e := newEnvoy(t, srv, filterCfg(modes(modeBuffered, modeNone)))
	req := post("original body")
	req.Headers.Set("content-length", "13")
	res, err := e.Run(testCtx(t), req, echoUpstream())
	if err != nil {
		t.Fatal(err)
	}
	if res.Upstream.Body() != "{}" {
		t.Errorf("upstream body %q", res.Upstream.Body())
	}
	if _, ok := res.Upstream.Headers.Get("content-length"); ok {
		t.Error("content-length not removed")
	}
	kinds := <-got
	if len(kinds) == 0 || kinds[0] != "request_headers" {
		t.Fatalf("server saw %v", kinds)
	}
	for _, k := range kinds[1:] {
		if k == "other" && len(kinds) > 2 {
			t.Errorf("request body sent after CONTINUE_AND_REPLACE: %v", kinds)
		}
	}
}

// Mirrors ext_proc.cc onReceiveMessage mode_override handling: a server
// switches the response body to STREAMED in its response-headers reply.
func TestModeOverride(t *testing.T) {
	streamedOnly := &extprocfilterv3.ProcessingMode{ResponseBodyMode: modeStreamed}
	duplexReq := &extprocfilterv3.ProcessingMode{RequestBodyMode: modeDuplex, RequestTrailerMode: extprocfilterv3.ProcessingMode_SEND}
	tests := []struct {
		name     string
		cfg      *extprocfilterv3.ProcessingMode
		allow    bool
		allowed  []*extprocfilterv3.ProcessingMode
		override *extprocfilterv3.ProcessingMode
		wantBody bool // server saw response body messages
	}{
		{"ignored without allow_mode_override", nil, false, nil, streamedOnly, false},
		{"honoured", nil, true, nil, streamedOnly, true},
		{
			"allowed list matches (request_header_mode ignored)", nil, true,
			[]*extprocfilterv3.ProcessingMode{{RequestHeaderMode: extprocfilterv3.ProcessingMode_SKIP, ResponseBodyMode: modeStreamed}},
			streamedOnly, true,
		},
		{"not in allowed list", nil, true, []*extprocfilterv3.ProcessingMode{{ResponseBodyMode: modeBuffered}}, streamedOnly, false},
		{
			"ignored when config uses FULL_DUPLEX_STREAMED", duplexReq, true, nil,
			&extprocfilterv3.ProcessingMode{RequestBodyMode: modeDuplex, ResponseBodyMode: modeStreamed}, false,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sawBody := make(chan bool, 1)
			srv := scripted{fn: func(s extprocv3.ExternalProcessor_ProcessServer) error {
				seen := false
				defer func() { sawBody <- seen }()
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
					if r.GetResponseHeaders() != nil {
						resp.ModeOverride = tc.override
					}
					if r.GetResponseBody() != nil {
						seen = true
					}
					if err := s.Send(resp); err != nil {
						return err
					}
				}
			}}
			e := newEnvoy(t, srv, filterCfg(tc.cfg, func(f *extprocfilterv3.ExternalProcessor) {
				f.AllowModeOverride, f.AllowedOverrideModes = tc.allow, tc.allowed
			}))
			res, err := e.Run(testCtx(t), post("q"), chunkUpstream(H("content-type", "text/event-stream"), "data: 1\n\n", "data: 2\n\n"))
			if err != nil {
				t.Fatal(err)
			}
			if res.Body() != "data: 1\n\ndata: 2\n\n" {
				t.Errorf("client body %q", res.Body())
			}
			if got := <-sawBody; got != tc.wantBody {
				t.Errorf("server saw response body = %v, want %v", got, tc.wantBody)
			}
		})
	}
}

// Mirrors ext_proc.cc handling of override_message_timeout: honoured within
// (1ms, max_message_timeout], ignored when max_message_timeout is unset.
// This is a per-message timeout test, so the server waits out the original
// timer on purpose.
func TestOverrideMessageTimeout(t *testing.T) {
	tests := []struct {
		name   string
		max    time.Duration
		status int
	}{
		{"honoured", 5 * time.Second, 200},
		{"disabled without max_message_timeout", 0, 504},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := scripted{fn: func(s extprocv3.ExternalProcessor_ProcessServer) error {
				if _, err := recvUntil(s, 1); err != nil {
					return err
				}
				if err := s.Send(&extprocv3.ProcessingResponse{OverrideMessageTimeout: durationpb.New(2 * time.Second)}); err != nil {
					return err
				}
				select { // a human approving, longer than message_timeout
				case <-time.After(300 * time.Millisecond):
				case <-s.Context().Done():
					return nil
				}
				_ = s.Send(hdrsResp(true, &extprocv3.CommonResponse{}))
				return ContinueServer{}.Process(s)
			}}
			e := newEnvoy(t, srv, filterCfg(nil, func(f *extprocfilterv3.ExternalProcessor) {
				f.MessageTimeout = durationpb.New(100 * time.Millisecond)
				if tc.max > 0 {
					f.MaxMessageTimeout = durationpb.New(tc.max)
				}
			}))
			res, err := e.Run(testCtx(t), post("q"), echoUpstream())
			if err != nil {
				t.Fatal(err)
			}
			if res.Status != tc.status {
				t.Errorf("status %d %q, want %d", res.Status, res.Details, tc.status)
			}
		})
	}
}

// Mirrors observability_mode in ext_proc.cc: messages are flagged, Envoy
// never waits, replies are ignored.
func TestObservabilityMode(t *testing.T) {
	flags := make(chan []bool, 1)
	srv := scripted{fn: func(s extprocv3.ExternalProcessor_ProcessServer) error {
		var f []bool
		defer func() { flags <- f }()
		for {
			r, err := s.Recv()
			if err != nil {
				return nil
			}
			f = append(f, r.GetObservabilityMode())
			// A deny that must be ignored.
			_ = s.Send(&extprocv3.ProcessingResponse{Response: &extprocv3.ProcessingResponse_ImmediateResponse{
				ImmediateResponse: &extprocv3.ImmediateResponse{},
			}})
		}
	}}
	e := newEnvoy(t, srv, filterCfg(modes(modeStreamed, modeStreamed), func(f *extprocfilterv3.ExternalProcessor) {
		f.ObservabilityMode = true
		f.DeferredCloseTimeout = durationpb.New(time.Second)
	}))
	res, err := e.Run(testCtx(t), post("a", "b"), chunkUpstream(nil, "x", "y"))
	if err != nil {
		t.Fatal(err)
	}
	if res.LocalReply || res.Body() != "xy" || res.Upstream.Body() != "ab" {
		t.Fatalf("local=%v body=%q upstream=%q", res.LocalReply, res.Body(), res.Upstream.Body())
	}
	got := <-flags
	if len(got) != 6 { // headers + 2 chunks, each direction
		t.Errorf("server saw %d messages, want 6", len(got))
	}
	for _, f := range got {
		if !f {
			t.Error("message without observability_mode=true")
		}
	}
}
