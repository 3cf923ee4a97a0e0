package extproc

import (
	"strconv"
	"strings"
	"time"
	"unsafe"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	filterv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/ext_proc/v3"
	extprocv3 "github.com/envoyproxy/go-control-plane/envoy/service/ext_proc/v3"
	typev3 "github.com/envoyproxy/go-control-plane/envoy/type/v3"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/warden-gw/warden/exchange"
	"github.com/warden-gw/warden/extproc/refusal"
)

// Every ProcessingResponse warden sends is built in this file.

// headerEdit collects header changes for one reply.
type headerEdit struct {
	set    []exchange.Header
	remove []string
}

func (h *headerEdit) Set(key, value string) {
	h.set = append(h.set, exchange.Header{Key: key, Value: value})
}
func (h *headerEdit) Remove(key string) { h.remove = append(h.remove, key) }
func (h *headerEdit) empty() bool       { return h == nil || (len(h.set) == 0 && len(h.remove) == 0) }

// proto builds the HeaderMutation. Envoy reads only raw_value in set_headers, so values travel
// there, and every set overwrites (a credential header the agent sent must not survive beside
// the injected one).
func (h *headerEdit) proto() *extprocv3.HeaderMutation {
	if h.empty() {
		return nil
	}
	m := &extprocv3.HeaderMutation{RemoveHeaders: h.remove}
	if n := len(h.set); n > 0 {
		// Three allocations for any number of headers instead of three per header (plus the
		// list's growth); a raw_value shares the string's bytes, which the message only reads.
		opts, vals := make([]corev3.HeaderValueOption, n), make([]corev3.HeaderValue, n)
		m.SetHeaders = make([]*corev3.HeaderValueOption, n)
		for i, s := range h.set {
			vals[i].Key, vals[i].RawValue = s.Key, unsafe.Slice(unsafe.StringData(s.Value), len(s.Value)) //nolint:gosec // G103: the message only reads it (above)
			opts[i].Header, opts[i].AppendAction = &vals[i], corev3.HeaderValueOption_OVERWRITE_IF_EXISTS_OR_ADD
			m.SetHeaders[i] = &opts[i]
		}
	}
	return m
}

// headerValueOK is what Envoy's HeaderUtility::headerValueIsValid accepts in a mutation: tab,
// visible ASCII, space and bytes 0x80-0xFF. Any other control character or DEL makes Envoy fail
// the whole reply with a 500.
func headerValueOK(v string) bool {
	for i := 0; i < len(v); i++ {
		if b := v[i]; (b < 0x20 && b != '\t') || b == 0x7f {
			return false
		}
	}
	return true
}

// headerNameOK is an RFC 9110 token, as HeaderUtility::headerNameIsValid requires.
func headerNameOK(k string) bool {
	if k == "" {
		return false
	}
	for i := 0; i < len(k); i++ {
		if !tokenChar(k[i]) {
			return false
		}
	}
	return true
}

func tokenChar(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", b) >= 0
}

// safeName is a header name fit for a client message: printable, bounded.
func safeName(k string) string {
	if !headerNameOK(k) {
		return "(invalid name)"
	}
	if len(k) > 64 {
		return k[:64]
	}
	return k
}

// commonResponse is the CONTINUE part of a headers or body reply.
func commonResponse(h *headerEdit, body []byte, replaceBody bool) *extprocv3.CommonResponse {
	if h.empty() && !replaceBody {
		return nil
	}
	cr := &extprocv3.CommonResponse{HeaderMutation: h.proto()}
	if replaceBody {
		cr.BodyMutation = &extprocv3.BodyMutation{Mutation: &extprocv3.BodyMutation_Body{Body: body}}
	}
	return cr
}

// headersReply answers a request_headers or response_headers message with CONTINUE.
func headersReply(phase exchange.Phase, h *headerEdit, override *filterv3.ProcessingMode, timeout time.Duration) *extprocv3.ProcessingResponse {
	hr := &extprocv3.HeadersResponse{Response: commonResponse(h, nil, false)}
	pr := &extprocv3.ProcessingResponse{ModeOverride: override}
	if timeout > 0 {
		pr.OverrideMessageTimeout = durationpb.New(timeout)
	}
	if phase == exchange.PhaseRequest {
		pr.Response = &extprocv3.ProcessingResponse_RequestHeaders{RequestHeaders: hr}
	} else {
		pr.Response = &extprocv3.ProcessingResponse_ResponseHeaders{ResponseHeaders: hr}
	}
	return pr
}

// bodyReply answers a request_body or response_body message (BUFFERED, BUFFERED_PARTIAL or
// STREAMED). In STREAMED mode the body replaces the chunk it answers; a shorter body holds text
// back. Header edits apply only in the buffered modes, which is the caller's business.
func bodyReply(phase exchange.Phase, h *headerEdit, body []byte, replaceBody bool) *extprocv3.ProcessingResponse {
	br := &extprocv3.BodyResponse{Response: commonResponse(h, body, replaceBody)}
	if phase == exchange.PhaseRequest {
		return &extprocv3.ProcessingResponse{Response: &extprocv3.ProcessingResponse_RequestBody{RequestBody: br}}
	}
	return &extprocv3.ProcessingResponse{Response: &extprocv3.ProcessingResponse_ResponseBody{ResponseBody: br}}
}

// streamedBodyReply answers in FULL_DUPLEX_STREAMED mode, where the server re-chunks freely.
func streamedBodyReply(phase exchange.Phase, body []byte, eos bool) *extprocv3.ProcessingResponse {
	br := &extprocv3.BodyResponse{Response: &extprocv3.CommonResponse{
		BodyMutation: &extprocv3.BodyMutation{Mutation: &extprocv3.BodyMutation_StreamedResponse{
			StreamedResponse: &extprocv3.StreamedBodyResponse{Body: body, EndOfStream: eos},
		}},
	}}
	if phase == exchange.PhaseRequest {
		return &extprocv3.ProcessingResponse{Response: &extprocv3.ProcessingResponse_RequestBody{RequestBody: br}}
	}
	return &extprocv3.ProcessingResponse{Response: &extprocv3.ProcessingResponse_ResponseBody{ResponseBody: br}}
}

// trailersReply answers a trailers message unchanged.
func trailersReply(phase exchange.Phase) *extprocv3.ProcessingResponse {
	if phase == exchange.PhaseRequest {
		return &extprocv3.ProcessingResponse{Response: &extprocv3.ProcessingResponse_RequestTrailers{RequestTrailers: &extprocv3.TrailersResponse{}}}
	}
	return &extprocv3.ProcessingResponse{Response: &extprocv3.ProcessingResponse_ResponseTrailers{ResponseTrailers: &extprocv3.TrailersResponse{}}}
}

// immediateReply makes Envoy answer the client itself (a local reply); Envoy ignores every later
// message of the stream. A status outside 100..599 (a bug in the caller) becomes 500.
func immediateReply(status int, contentType string, body []byte, details string) *extprocv3.ProcessingResponse {
	h := &headerEdit{}
	if contentType != "" {
		h.Set("content-type", contentType)
	}
	return immediate(status, h, body, details)
}

// immediate is immediateReply with any headers.
func immediate(status int, h *headerEdit, body []byte, details string) *extprocv3.ProcessingResponse {
	code := typev3.StatusCode_InternalServerError
	if status >= 100 && status <= 599 {
		code = typev3.StatusCode(status)
	}
	return &extprocv3.ProcessingResponse{Response: &extprocv3.ProcessingResponse_ImmediateResponse{
		ImmediateResponse: &extprocv3.ImmediateResponse{
			Status:  &typev3.HttpStatus{Code: code},
			Headers: h.proto(),
			Body:    body,
			Details: details,
		},
	}}
}

// refuse builds the local reply for a refused request, in the error shape of its API
// (extproc/refusal): the rule, reason, request id and approval id reach the caller in the fields
// its SDK shows. It returns the HTTP status the client gets, which an API may answer refusals
// with (MCP and GitHub GraphQL answer 200 with the error inside). After the request phase the
// body is gone; what the shape needs of it (an MCP call's id) was kept in refusalBody.
func (st *stream) refuse(status int, code, rule, reason, approvalID string) (*extprocv3.ProcessingResponse, int) {
	req := st.x.Request
	if len(req.Body) == 0 {
		req.Body = st.refusalBody
	}
	r := refusal.Build(&req, refusal.Refusal{
		Status: status, Code: code, Rule: rule, Reason: reason, RequestID: st.x.ID, ApprovalID: approvalID,
	})
	h := &headerEdit{}
	for _, f := range r.Headers {
		if headerNameOK(f.Key) && headerValueOK(f.Value) {
			h.Set(f.Key, f.Value)
		}
	}
	return immediate(r.Status, h, r.Body, "warden_"+code), r.Status
}

// streamedResponseMode is the mode_override that switches a response body to STREAMED when the
// options carry none from Envoy's allowed_override_modes.
func streamedResponseMode(requestBody filterv3.ProcessingMode_BodySendMode) *filterv3.ProcessingMode {
	return &filterv3.ProcessingMode{
		RequestHeaderMode:   filterv3.ProcessingMode_SEND,
		ResponseHeaderMode:  filterv3.ProcessingMode_SEND,
		RequestBodyMode:     requestBody,
		ResponseBodyMode:    filterv3.ProcessingMode_STREAMED,
		RequestTrailerMode:  filterv3.ProcessingMode_SKIP,
		ResponseTrailerMode: filterv3.ProcessingMode_SKIP,
	}
}

// contentLength is the value for a content-length header after a body change.
func contentLength(n int) string { return strconv.Itoa(n) }
