package extproc

import (
	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	extprocv3 "github.com/envoyproxy/go-control-plane/envoy/service/ext_proc/v3"
)

// SessionHeader is the response header that tells the client the session its exchange was
// recorded under (x.Identity.Session; the identity stage gives every request one), so that
// `warden audit replay --session ID` can be run from what the client saw. It is set on
// upstream responses and on warden's own refusals.
const SessionHeader = "x-warden-session"

// withSession adds the session header to a response-headers edit (nil: a new edit).
func (st *stream) withSession(h *headerEdit) *headerEdit {
	s := st.x.Identity.Session
	if s == "" || !headerValueOK(s) {
		return h
	}
	if h == nil {
		h = &headerEdit{}
	}
	h.Set(SessionHeader, s)
	return h
}

// sessionReplier wraps a response-headers replier so that its reply carries the session header.
func (st *stream) sessionReplier(r replier) replier {
	return func(h *headerEdit, body []byte, changed bool) *extprocv3.ProcessingResponse {
		return r(st.withSession(h), body, changed)
	}
}

// tagSession adds the session header to warden's local replies.
func (st *stream) tagSession(rs []*extprocv3.ProcessingResponse) []*extprocv3.ProcessingResponse {
	s := st.x.Identity.Session
	if s == "" || !headerValueOK(s) {
		return rs
	}
	for _, r := range rs {
		ir := r.GetImmediateResponse()
		if ir == nil {
			continue
		}
		if ir.Headers == nil {
			ir.Headers = &extprocv3.HeaderMutation{}
		}
		ir.Headers.SetHeaders = append(ir.Headers.SetHeaders, &corev3.HeaderValueOption{
			Header:       &corev3.HeaderValue{Key: SessionHeader, RawValue: []byte(s)},
			AppendAction: corev3.HeaderValueOption_OVERWRITE_IF_EXISTS_OR_ADD,
		})
	}
	return rs
}
