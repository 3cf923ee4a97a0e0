package extproc

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
	"unsafe"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	filterv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/ext_proc/v3"
	extprocv3 "github.com/envoyproxy/go-control-plane/envoy/service/ext_proc/v3"

	"github.com/warden-gw/warden/exchange"
)

// bodyMode is Envoy's body send mode for one direction.
type bodyMode = filterv3.ProcessingMode_BodySendMode

// stream is the state of one ext_proc stream, that is of one HTTP exchange.
type stream struct {
	srv *Server
	x   exchange.Exchange
	md  Metadata

	reqMode, respMode bodyMode

	reqHeaders, reqEOS   bool // request headers seen; request body complete
	respHeaders, respEOS bool
	decided              bool // the request phase ran (inspection, policy, creds, audit)
	early                bool // the upstream answered before the request body ended
	upstream             bool // the request was let through to the upstream
	closed               bool // an ImmediateResponse was sent: Envoy ignores everything after it
	recordedRequest      bool
	recordedCompletion   bool
	// completionDue: the exchange is complete and its completion record is written once the
	// replies that end it are sent, so that the client's last reply never waits for the record.
	// completionSent: they were sent (at x.End); the record is written when the stream ends
	// (finish), which Envoy makes happen right after its last expected reply.
	completionDue, completionSent bool

	reqBody  []byte
	respBody []byte
	// refusalBody is what a response-phase refusal needs of the dropped request body (an MCP
	// call's id), from refusal.Remember; nil for most requests.
	refusalBody []byte
	secrets     []string // injected credential values, for the response redactor; never logged
	credsAsked  bool     // the credential stage was called: its leases may need releasing
	strip       []string // headers that carried the agent's identity token, removed before upstream

	msgStart time.Time // when the message being handled arrived: its stage budget counts from here

	// A hold restarts Envoy's timer for the message: the audit write's deadline counts from it.
	heldAt  time.Time
	heldFor time.Duration

	send func(*extprocv3.ProcessingResponse) error // sends ahead of a reply (approval holds)
	held bool                                      // an override_message_timeout was sent

	respStream BodyStream  // streamed response redaction
	guard      StreamGuard // streamed response tool-call guard
	streaming  bool        // the response body is processed chunk by chunk
	end        streamEnd   // whether the agent was given the stream's final event
}

func newStream(srv *Server) *stream {
	return &stream{
		srv:      srv,
		x:        exchange.Exchange{Start: time.Now()},
		reqMode:  srv.opts.RequestBodyMode,
		respMode: srv.opts.ResponseBodyMode,
	}
}

// addDecision appends a phase's decision to the exchange. The first one makes room for the
// response phase's as well: one allocation for the usual two decisions instead of two.
func (st *stream) addDecision(d exchange.Decision) {
	if st.x.Decisions == nil {
		st.x.Decisions = make([]exchange.Decision, 0, 2)
	}
	st.x.Decisions = append(st.x.Decisions, d)
}

// handle is the one place where the ProcessingRequest oneof is dispatched. It returns the replies
// to send, in order: usually one, none while a FULL_DUPLEX body is being held, and none after an
// ImmediateResponse. An error ends the stream with a gRPC status (Envoy then answers the client
// with status_on_error).
func (st *stream) handle(ctx context.Context, req *extprocv3.ProcessingRequest) ([]*extprocv3.ProcessingResponse, error) {
	if st.closed {
		return nil, nil
	}
	st.msgStart = time.Now()
	if pc := req.GetProtocolConfig(); pc != nil {
		st.reqMode, st.respMode = pc.GetRequestBodyMode(), pc.GetResponseBodyMode()
	}
	if mc := req.GetMetadataContext(); mc != nil && st.md.Namespaces == nil {
		st.md.Namespaces = metadataMaps(mc)
	}
	if len(req.GetAttributes()) > 0 {
		if st.md.Attributes == nil {
			st.md.Attributes = map[string]map[string]any{}
		}
		for k, v := range req.GetAttributes() {
			st.md.Attributes[k] = v.AsMap()
		}
	}
	switch r := req.GetRequest().(type) {
	case *extprocv3.ProcessingRequest_RequestHeaders:
		return st.onRequestHeaders(ctx, r.RequestHeaders)
	case *extprocv3.ProcessingRequest_RequestBody:
		return st.onRequestBody(ctx, r.RequestBody)
	case *extprocv3.ProcessingRequest_RequestTrailers:
		return st.onTrailers(ctx, exchange.PhaseRequest)
	case *extprocv3.ProcessingRequest_ResponseHeaders:
		return st.onResponseHeaders(ctx, r.ResponseHeaders)
	case *extprocv3.ProcessingRequest_ResponseBody:
		return st.onResponseBody(ctx, r.ResponseBody)
	case *extprocv3.ProcessingRequest_ResponseTrailers:
		return st.onTrailers(ctx, exchange.PhaseResponse)
	default:
		return nil, fmt.Errorf("%w: %T (warden expects request/response headers, body or trailers)", ErrProtocol, r)
	}
}

func (st *stream) onRequestHeaders(ctx context.Context, h *extprocv3.HttpHeaders) ([]*extprocv3.ProcessingResponse, error) {
	if st.reqHeaders {
		return nil, fmt.Errorf("%w: request_headers twice", ErrProtocol)
	}
	st.reqHeaders = true
	if err := st.readRequestHeaders(h.GetHeaders()); err != nil {
		return nil, err
	}
	if r := st.srv.pipe.Route; r != nil {
		r.Route(&st.x)
	}
	if id := st.srv.pipe.Identity; id != nil {
		start := time.Now()
		sctx, cancel := st.stageCtx(ctx)
		strip, err := id.Identify(sctx, &st.x, st.md)
		cancel()
		st.strip = strip
		st.x.Time("identity", time.Since(start))
		if err != nil {
			return st.refuseErr(ctx, err), nil
		}
	}
	if h.GetEndOfStream() {
		st.reqEOS = true
		return st.decideRequest(ctx, nil, false, headersReplier(exchange.PhaseRequest))
	}
	// With a streamed request body, header edits are only possible now: credentials are injected
	// before the body is seen (documented in docs/extproc.md).
	edit := &headerEdit{}
	if st.reqMode == filterv3.ProcessingMode_STREAMED || st.reqMode == filterv3.ProcessingMode_FULL_DUPLEX_STREAMED {
		if err := st.inject(ctx, edit); err != nil {
			return st.refuseErr(ctx, err), nil
		}
	}
	if st.reqMode == filterv3.ProcessingMode_NONE {
		// No body will come: the request decision is taken on headers alone.
		return st.decideRequest(ctx, nil, false, headersReplier(exchange.PhaseRequest))
	}
	return []*extprocv3.ProcessingResponse{headersReply(exchange.PhaseRequest, edit, nil, 0)}, nil
}

func (st *stream) onRequestBody(ctx context.Context, b *extprocv3.HttpBody) ([]*extprocv3.ProcessingResponse, error) {
	if !st.reqHeaders {
		return nil, fmt.Errorf("%w: request_body before request_headers", ErrProtocol)
	}
	if st.early && !st.reqEOS {
		return st.dropLateRequestBody(b), nil
	}
	if st.reqEOS || st.decided {
		return nil, fmt.Errorf("%w: request_body after the request body ended", ErrProtocol)
	}
	st.x.Request.BodySeen = true
	if err := st.appendBody(&st.reqBody, b.GetBody()); err != nil {
		return st.refuseErr(ctx, err), nil
	}
	switch st.reqMode {
	case filterv3.ProcessingMode_STREAMED:
		if !b.GetEndOfStream() {
			// Hold the chunk: the policy needs the whole body before any of it goes upstream.
			return []*extprocv3.ProcessingResponse{bodyReply(exchange.PhaseRequest, nil, nil, true)}, nil
		}
		st.reqEOS = true
		return st.decideRequest(ctx, st.reqBody, true, func(h *headerEdit, body []byte, _ bool) *extprocv3.ProcessingResponse {
			return bodyReply(exchange.PhaseRequest, nil, body, true)
		})
	case filterv3.ProcessingMode_FULL_DUPLEX_STREAMED:
		if !b.GetEndOfStream() {
			return nil, nil
		}
		st.reqEOS = true
		return st.decideRequest(ctx, st.reqBody, true, func(_ *headerEdit, body []byte, _ bool) *extprocv3.ProcessingResponse {
			return streamedBodyReply(exchange.PhaseRequest, body, true)
		})
	default: // BUFFERED, BUFFERED_PARTIAL: this one message is the body Envoy gives us.
		st.reqEOS = b.GetEndOfStream()
		return st.decideRequest(ctx, st.reqBody, false, func(h *headerEdit, body []byte, changed bool) *extprocv3.ProcessingResponse {
			return bodyReply(exchange.PhaseRequest, h, body, changed)
		})
	}
}

// dropLateRequestBody answers request body that arrives after the upstream already answered (the
// request was recorded as early_response without its body). Envoy's directions are independent, so
// this is normal; the rest of the body was never inspected, so none of it goes upstream: each
// chunk is replaced by nothing.
func (st *stream) dropLateRequestBody(b *extprocv3.HttpBody) []*extprocv3.ProcessingResponse {
	eos := b.GetEndOfStream()
	st.reqEOS = eos
	if st.reqMode == filterv3.ProcessingMode_FULL_DUPLEX_STREAMED {
		if !eos {
			return nil
		}
		return []*extprocv3.ProcessingResponse{streamedBodyReply(exchange.PhaseRequest, nil, true)}
	}
	return []*extprocv3.ProcessingResponse{bodyReply(exchange.PhaseRequest, nil, nil, true)}
}

func (st *stream) onTrailers(ctx context.Context, phase exchange.Phase) ([]*extprocv3.ProcessingResponse, error) {
	if phase == exchange.PhaseRequest {
		if !st.reqHeaders {
			return nil, fmt.Errorf("%w: request_trailers before request_headers", ErrProtocol)
		}
		if !st.decided {
			switch st.reqMode {
			case filterv3.ProcessingMode_FULL_DUPLEX_STREAMED:
				// The body ended with the trailers: send it, then answer the trailers.
				st.reqEOS = true
				out, err := st.decideRequest(ctx, st.reqBody, true, func(_ *headerEdit, body []byte, _ bool) *extprocv3.ProcessingResponse {
					return streamedBodyReply(exchange.PhaseRequest, body, false)
				})
				if err != nil || st.closed {
					return out, err
				}
				return append(out, trailersReply(phase)), nil
			case filterv3.ProcessingMode_STREAMED:
				return nil, fmt.Errorf("%w: request trailers ended a STREAMED body warden was holding; use BUFFERED request bodies for requests with trailers", ErrProtocol)
			}
			st.reqEOS = true
			out, err := st.decideRequest(ctx, st.reqBody, false, func(_ *headerEdit, _ []byte, _ bool) *extprocv3.ProcessingResponse {
				return trailersReply(phase)
			})
			return out, err
		}
		return []*extprocv3.ProcessingResponse{trailersReply(phase)}, nil
	}
	if !st.respHeaders {
		return nil, fmt.Errorf("%w: response_trailers before response_headers", ErrProtocol)
	}
	if !st.respEOS {
		st.respEOS = true
		return st.finishResponseAtTrailers(ctx)
	}
	return []*extprocv3.ProcessingResponse{trailersReply(phase)}, nil
}

// readRequestHeaders fills x.Request from Envoy's header map.
func (st *stream) readRequestHeaders(hm *corev3.HeaderMap) error {
	hs, err := readHeaders(hm, st.srv.opts.MaxHeaderBytes)
	if err != nil {
		return err
	}
	r := &st.x.Request
	r.Headers = hs[:0] // the regular headers, kept in hs's array (each written at or before its read)
	for _, h := range hs {
		switch h.Key {
		case ":method":
			r.Method = h.Value
		case ":path":
			r.Path = h.Value
		case ":authority":
			r.Authority = h.Value
		case ":scheme":
			r.Scheme = h.Value
		case "x-request-id":
			st.x.ID = h.Value
		}
		if !strings.HasPrefix(h.Key, ":") {
			r.Headers = append(r.Headers, h)
		}
	}
	if len(r.Headers) == 0 {
		r.Headers = nil // as when none were appended
	}
	if r.Authority == "" {
		r.Authority = r.Headers.Get("host")
	}
	if st.x.ID == "" {
		st.x.ID = newID()
	}
	return nil
}

// readHeaders converts Envoy's header map, reading raw_value (what Envoy sends) and falling back
// to value. Keys are lowercased as Envoy does. A value is not copied: it shares the bytes of
// the message's raw_value, which gRPC decoded for this stream alone (protobuf allocates each
// bytes field on its own) and which nothing modifies.
func readHeaders(hm *corev3.HeaderMap, limit int) (exchange.Headers, error) {
	out := make(exchange.Headers, 0, len(hm.GetHeaders()))
	size := 0
	for _, h := range hm.GetHeaders() {
		raw := h.GetRawValue()
		v := unsafe.String(unsafe.SliceData(raw), len(raw)) //nolint:gosec // G103: raw is this message's own and never modified (above)
		if v == "" {
			v = h.GetValue()
		}
		size += len(h.GetKey()) + len(v)
		if limit > 0 && size > limit {
			return nil, fmt.Errorf("%w: headers exceed %d bytes", ErrProtocol, limit)
		}
		out = append(out, exchange.Header{Key: strings.ToLower(h.GetKey()), Value: v})
	}
	return out, nil
}

// appendBody adds a chunk to a held body, refusing to grow past the per-stream limit. The first
// chunk is kept as it is, not copied: it is the bytes field of a message gRPC decoded for this
// stream alone (protobuf copies bytes fields out of gRPC's receive buffer), so a BUFFERED body,
// which Envoy sends in one message, is held without a copy. A later chunk appends to it.
func (st *stream) appendBody(dst *[]byte, chunk []byte) error {
	if max := st.srv.opts.MaxBodyBytes; max > 0 && int64(len(*dst)+len(chunk)) > max {
		return &Reject{Status: 413, Code: "body_too_large", Reason: fmt.Sprintf("body exceeds warden's limit of %d bytes (limits.max_body_bytes)", max)}
	}
	if len(*dst) == 0 {
		*dst = chunk[:len(chunk):len(chunk)] // a later append copies rather than writing past it
		return nil
	}
	*dst = append(*dst, chunk...)
	return nil
}

func metadataMaps(m *corev3.Metadata) map[string]map[string]any {
	out := make(map[string]map[string]any, len(m.GetFilterMetadata()))
	for ns, s := range m.GetFilterMetadata() {
		out[ns] = s.AsMap()
	}
	return out
}

func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
