package extproctest

import (
	"fmt"
	"strconv"
	"testing"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	extprocfilterv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/ext_proc/v3"
	extprocv3 "github.com/envoyproxy/go-control-plane/envoy/service/ext_proc/v3"
	typev3 "github.com/envoyproxy/go-control-plane/envoy/type/v3"
	"google.golang.org/protobuf/types/known/structpb"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

// The tests in this file each pin one behaviour of Envoy's ext_proc filter that
// the emulator used to get wrong (issue 14); each names the Envoy function it
// mirrors.

// replyWith is an ext_proc server that answers every message with what edit
// returns for it, starting from the CONTINUE reply ContinueResponse builds.
func replyWith(edit func(r *extprocv3.ProcessingRequest, resp *extprocv3.ProcessingResponse) *extprocv3.ProcessingResponse) scripted {
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
			if err := s.Send(edit(r, resp)); err != nil {
				return err
			}
		}
	}}
}

var streamedOverride = &extprocfilterv3.ProcessingMode{ResponseBodyMode: modeStreamed}

// Filter::encodeHeaders removes content-length once, right after the headers
// message went out, with ProcessorState::shouldRemoveContentLength() for the
// mode configured then (BUFFERED with headers SEND keeps it). A mode_override
// to STREAMED in the headers reply does not remove it afterwards, and
// processHeaderMutation then skips *setting* content-length
// (applyHeaderMutations' remove_content_length) while a removal still applies.
func TestEncodeHeadersShouldRemoveContentLengthBeforeModeOverride(t *testing.T) {
	tests := []struct {
		name       string
		mut        *extprocv3.HeaderMutation
		wantLength string // "" when the client must see none
	}{
		{"override keeps the length the upstream sent", nil, "18"},
		{"server removes it in the headers reply", &extprocv3.HeaderMutation{RemoveHeaders: []string{"content-length"}}, ""},
		{"setting it after the override is skipped", setHeader("content-length", "3"), "18"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := replyWith(func(r *extprocv3.ProcessingRequest, resp *extprocv3.ProcessingResponse) *extprocv3.ProcessingResponse {
				switch {
				case r.GetResponseHeaders() != nil:
					resp = hdrsResp(false, &extprocv3.CommonResponse{HeaderMutation: tc.mut})
					resp.ModeOverride = streamedOverride
				case r.GetResponseBody() != nil:
					resp = bodyResp(false, &extprocv3.CommonResponse{BodyMutation: bodyMut("x")})
				}
				return resp
			})
			e := newEnvoy(t, srv, filterCfg(modes(modeNone, modeBuffered), func(f *extprocfilterv3.ExternalProcessor) {
				f.AllowModeOverride = true
			}))
			up := chunkUpstream(H("content-type", "text/event-stream", "content-length", "18"), "data: 1\n\n", "data: 2\n\n")
			res, err := e.Run(testCtx(t), post("q"), up)
			if err != nil {
				t.Fatal(err)
			}
			got, ok := res.Headers.Get("content-length")
			if tc.wantLength == "" && ok {
				t.Fatalf("client saw content-length %q, want none", got)
			}
			if tc.wantLength != "" && got != tc.wantLength {
				t.Fatalf("client saw content-length %q (present %v), want %q", got, ok, tc.wantLength)
			}
		})
	}
}

// The same decision on the request path (Filter::decodeHeaders): configured
// STREAMED removes content-length even when the headers reply overrides the
// request body mode to BUFFERED.
func TestDecodeHeadersShouldRemoveContentLengthUsesConfiguredMode(t *testing.T) {
	srv := replyWith(func(r *extprocv3.ProcessingRequest, resp *extprocv3.ProcessingResponse) *extprocv3.ProcessingResponse {
		if r.GetRequestHeaders() != nil {
			resp.ModeOverride = &extprocfilterv3.ProcessingMode{RequestBodyMode: modeBuffered}
		}
		return resp
	})
	e := newEnvoy(t, srv, filterCfg(modes(modeStreamed, modeNone), func(f *extprocfilterv3.ExternalProcessor) {
		f.AllowModeOverride = true
	}))
	req := post("hello")
	req.Headers.Set("content-length", "5")
	res, err := e.Run(testCtx(t), req, echoUpstream())
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := res.Upstream.Headers.Get("content-length"); ok {
		t.Fatalf("upstream saw content-length %q; Envoy removed it when it sent the headers in STREAMED mode", v)
	}
}

// HeaderUtility::headerValueIsValid (nghttp2_check_header_value) refuses every
// control character but tab, and DEL; applyHeaderMutations turns that into
// "Invalid character in set_headers mutation." and a local reply with
// status_on_error.
func TestHeaderValueIsValidRejectsControlCharacters(t *testing.T) {
	var bad []byte
	for b := 0; b < 0x20; b++ {
		if b != '\t' {
			bad = append(bad, byte(b))
		}
	}
	bad = append(bad, 0x7f)
	cases := map[string]bool{"tab\tok": true, "obs-text \x80\xff ok": true}
	for _, b := range bad {
		cases[fmt.Sprintf("v%cv", b)] = false
	}
	for value, ok := range cases {
		t.Run(strconv.Quote(value), func(t *testing.T) {
			srv := replyWith(func(r *extprocv3.ProcessingRequest, resp *extprocv3.ProcessingResponse) *extprocv3.ProcessingResponse {
				if r.GetRequestHeaders() != nil {
					resp = hdrsResp(true, &extprocv3.CommonResponse{HeaderMutation: setHeader("authorization", value)})
				}
				return resp
			})
			e := newEnvoy(t, srv, filterCfg(nil))
			res, err := e.Run(testCtx(t), post("q"), echoUpstream())
			if err != nil {
				t.Fatal(err)
			}
			if ok {
				if res.Status != 200 || res.Upstream.Headers.Value("authorization") != value {
					t.Fatalf("status %d %q, upstream %v", res.Status, res.Details, res.Upstream)
				}
				return
			}
			if res.Status != 500 || res.Details != "Invalid_character_in_set_headers_mutation." || res.Upstream != nil {
				t.Fatalf("status %d details %q upstream called %v; want 500 before the upstream", res.Status, res.Details, res.Upstream != nil)
			}
		})
	}
}

// MutationRules::Checker::isValidValue: :authority and host must pass
// HeaderUtility::authorityIsValid (nghttp2_check_authority, which allows '@'),
// :scheme Http::Utility::schemeIsValid (http or https in any case). With
// disallow_is_error an invalid value fails the request.
func TestCheckerIsValidValueAuthorityAndScheme(t *testing.T) {
	tests := []struct {
		key, value string
		ok         bool
	}{
		{":authority", "user@api.test:8443", true},
		{":authority", "[::1]:80", true},
		{":authority", "api.test/path", false},
		{":authority", "api test", false},
		{":authority", "api.test\"", false},
		{":scheme", "HTTPS", true},
		{":scheme", "ftp", false},
	}
	for _, tc := range tests {
		t.Run(tc.key+"="+tc.value, func(t *testing.T) {
			srv := replyWith(func(r *extprocv3.ProcessingRequest, resp *extprocv3.ProcessingResponse) *extprocv3.ProcessingResponse {
				if r.GetRequestHeaders() != nil {
					resp = hdrsResp(true, &extprocv3.CommonResponse{HeaderMutation: setHeader(tc.key, tc.value)})
				}
				return resp
			})
			e := newEnvoy(t, srv, filterCfg(nil, func(f *extprocfilterv3.ExternalProcessor) {
				f.MutationRules = &mutationRules{AllowAllRouting: wrapTrue(), DisallowIsError: wrapTrue()}
			}))
			res, err := e.Run(testCtx(t), post("q"), echoUpstream())
			if err != nil {
				t.Fatal(err)
			}
			if tc.ok && (res.Status != 200 || res.Upstream.Headers.Value(tc.key) != tc.value) {
				t.Fatalf("status %d %q; want the value set", res.Status, res.Details)
			}
			if !tc.ok && res.Status != 500 {
				t.Fatalf("status %d; want 500 (invalid value with disallow_is_error)", res.Status)
			}
		})
	}
}

// MutationUtils::applyHeaderMutations reads only the deprecated `append`
// BoolValue; append_action is not consulted, so ADD_IF_ABSENT on a header that
// exists overwrites it like any set without append.
func TestApplyHeaderMutationsIgnoresAppendAction(t *testing.T) {
	srv := replyWith(func(r *extprocv3.ProcessingRequest, resp *extprocv3.ProcessingResponse) *extprocv3.ProcessingResponse {
		if r.GetRequestHeaders() != nil {
			resp = hdrsResp(true, &extprocv3.CommonResponse{HeaderMutation: &extprocv3.HeaderMutation{SetHeaders: []*corev3.HeaderValueOption{{
				Header:       &corev3.HeaderValue{Key: "x-team", RawValue: []byte("injected")},
				AppendAction: corev3.HeaderValueOption_ADD_IF_ABSENT,
			}, {
				Header: &corev3.HeaderValue{Key: "x-tag", RawValue: []byte("two")},
				Append: wrapperspb.Bool(true),
			}}}})
		}
		return resp
	})
	e := newEnvoy(t, srv, filterCfg(nil))
	req := post("q")
	req.Headers.Set("x-team", "agent")
	req.Headers.Set("x-tag", "one")
	res, err := e.Run(testCtx(t), req, echoUpstream())
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Upstream.Headers.Values("x-team"); len(got) != 1 || got[0] != "injected" {
		t.Errorf("x-team = %q, want [injected]", got)
	}
	if got := res.Upstream.Headers.Values("x-tag"); len(got) != 2 {
		t.Errorf("x-tag = %q, want both values (append=true)", got)
	}
}

// ProcessorState::handleHeadersResponse CONTINUE_AND_REPLACE with a body
// mutation and no buffered data calls addBufferedData(new_body): a
// headers-only request reaches the upstream with the new body.
func TestHandleHeadersResponseContinueAndReplaceAddsBody(t *testing.T) {
	srv := replyWith(func(r *extprocv3.ProcessingRequest, resp *extprocv3.ProcessingResponse) *extprocv3.ProcessingResponse {
		if r.GetRequestHeaders() != nil {
			resp = hdrsResp(true, &extprocv3.CommonResponse{
				Status: extprocv3.CommonResponse_CONTINUE_AND_REPLACE, BodyMutation: bodyMut(`{"added":true}`),
			})
		}
		return resp
	})
	e := newEnvoy(t, srv, filterCfg(nil))
	req := &Request{Headers: H(":method", "GET", ":path", "/", ":authority", "api.test", ":scheme", "http")}
	res, err := e.Run(testCtx(t), req, echoUpstream())
	if err != nil {
		t.Fatal(err)
	}
	if res.Upstream.Body() != `{"added":true}` {
		t.Fatalf("upstream body %q", res.Upstream.Body())
	}
}

// Filter::sendImmediateResponse hands the body to sendLocalReply, which sets
// content-length from it after the reply's header mutations: a content-length
// the server put in ImmediateResponse.headers does not survive.
func TestSendImmediateResponseContentLengthIsBodySize(t *testing.T) {
	srv := replyWith(func(r *extprocv3.ProcessingRequest, resp *extprocv3.ProcessingResponse) *extprocv3.ProcessingResponse {
		return &extprocv3.ProcessingResponse{Response: &extprocv3.ProcessingResponse_ImmediateResponse{
			ImmediateResponse: &extprocv3.ImmediateResponse{
				Status: &typev3.HttpStatus{Code: typev3.StatusCode_Forbidden}, Body: []byte("denied"),
				Headers: setHeader("content-length", "100"),
			},
		}}
	})
	e := newEnvoy(t, srv, filterCfg(nil))
	res, err := e.Run(testCtx(t), post("q"), echoUpstream())
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != 403 || res.Headers.Value("content-length") != "6" {
		t.Fatalf("status %d content-length %q, want 403 and 6", res.Status, res.Headers.Value("content-length"))
	}
}

// Filter::onReceiveMessage calls setDynamicMetadata before handle*Response
// validates the reply, and StreamInfo::setDynamicMetadata merges into the
// namespace: fields from the request-headers reply and from a later spurious
// reply are both kept.
func TestSetDynamicMetadataBeforeValidationMergesNamespace(t *testing.T) {
	first, _ := structpb.NewStruct(map[string]any{"warden": map[string]any{"decision": "allow"}})
	second, _ := structpb.NewStruct(map[string]any{"warden": map[string]any{"rule": "r1"}})
	srv := scripted{fn: func(s extprocv3.ExternalProcessor_ProcessServer) error {
		if _, err := recvUntil(s, 1); err != nil {
			return err
		}
		resp := hdrsResp(true, &extprocv3.CommonResponse{})
		resp.DynamicMetadata = first
		if err := s.Send(resp); err != nil {
			return err
		}
		if _, err := recvUntil(s, 1); err != nil { // response headers
			return err
		}
		spurious := bodyResp(false, &extprocv3.CommonResponse{}) // Envoy waits for a headers reply
		spurious.DynamicMetadata = second
		return s.Send(spurious)
	}}
	e := newEnvoy(t, srv, filterCfg(nil, func(f *extprocfilterv3.ExternalProcessor) {
		f.MetadataOptions = &extprocfilterv3.MetadataOptions{ReceivingNamespaces: &extprocfilterv3.MetadataOptions_MetadataNamespaces{
			Untyped: []string{"warden"},
		}}
	}))
	res, err := e.Run(testCtx(t), &Request{Headers: post("").Headers}, echoUpstream())
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != 500 || res.Details != "spurious_message" {
		t.Fatalf("status %d %q, want the spurious reply to fail the request", res.Status, res.Details)
	}
	f := res.DynamicMetadata["warden"].GetFields()
	if f["decision"].GetStringValue() != "allow" || f["rule"].GetStringValue() != "r1" {
		t.Fatalf("warden metadata = %v, want both fields merged", res.DynamicMetadata["warden"])
	}
}
