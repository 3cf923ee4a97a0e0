package main

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"

	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm"
	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm/types"

	"github.com/warden-gw/warden/redact"
)

// httpContext is one HTTP stream. Each direction keeps its own state; the
// SDK calls them in order on one thread, so no locking is needed.
type httpContext struct {
	types.DefaultHttpContext
	p         *pluginContext
	req, resp direction
}

// OnHttpRequestHeaders implements types.HttpContext. An upgrade (WebSocket)
// or CONNECT turns the stream into a tunnel of opaque bytes: neither direction
// can be buffered or redacted, so both pass.
func (h *httpContext) OnHttpRequestHeaders(_ int, endOfStream bool) types.Action {
	method, _ := proxywasm.GetHttpRequestHeader(":method")
	upgrade, _ := proxywasm.GetHttpRequestHeader("upgrade")
	if method == "CONNECT" || upgrade != "" {
		h.req.on, h.resp.on = false, false
	}
	h.resp.reqPath, _ = proxywasm.GetHttpRequestHeader(":path")
	return h.req.headers(h.p, endOfStream)
}

// OnHttpRequestBody implements types.HttpContext.
func (h *httpContext) OnHttpRequestBody(size int, endOfStream bool) types.Action {
	return h.req.body(h.p, size, endOfStream)
}

// OnHttpRequestTrailers implements types.HttpContext.
func (h *httpContext) OnHttpRequestTrailers(int) types.Action {
	return h.req.trailers(h.p)
}

// OnHttpResponseHeaders implements types.HttpContext.
func (h *httpContext) OnHttpResponseHeaders(_ int, endOfStream bool) types.Action {
	return h.resp.headers(h.p, endOfStream)
}

// OnHttpResponseBody implements types.HttpContext.
func (h *httpContext) OnHttpResponseBody(size int, endOfStream bool) types.Action {
	return h.resp.body(h.p, size, endOfStream)
}

// OnHttpResponseTrailers implements types.HttpContext.
func (h *httpContext) OnHttpResponseTrailers(int) types.Action {
	return h.resp.trailers(h.p)
}

// side is the host API of one direction, so request and response share one
// state machine.
type side struct {
	name          string
	tooLarge      uint32 // local reply status for a body over the bound
	undecodable   uint32 // local reply status for a body that cannot be decoded or scanned
	streams       bool   // SSE is redacted chunk by chunk (responses only)
	header        func(key string) (string, error)
	replaceHeader func(key, value string) error
	removeHeader  func(key string) error
	getBody       func(start, size int) ([]byte, error)
	replaceBody   func(body []byte) error
}

var (
	requestSide = side{
		name: "request", tooLarge: 413, undecodable: 415,
		header: proxywasm.GetHttpRequestHeader, replaceHeader: proxywasm.ReplaceHttpRequestHeader,
		removeHeader: proxywasm.RemoveHttpRequestHeader,
		getBody:      proxywasm.GetHttpRequestBody, replaceBody: proxywasm.ReplaceHttpRequestBody,
	}
	responseSide = side{
		name: "response", tooLarge: 502, undecodable: 502, streams: true,
		header: proxywasm.GetHttpResponseHeader, replaceHeader: proxywasm.ReplaceHttpResponseHeader,
		removeHeader: proxywasm.RemoveHttpResponseHeader,
		getBody:      proxywasm.GetHttpResponseBody, replaceBody: proxywasm.ReplaceHttpResponseBody,
	}
)

// mode is where a direction is in its life.
type mode int

const (
	modePass     mode = iota // not redacted (off, or no body)
	modeBuffer               // buffering until end of stream
	modeStream               // SSE or NDJSON, redacted chunk by chunk
	modeDone                 // body handled
	modeRejected             // a local reply was sent; nothing more passes
)

// direction is the state of one body (request or response) of a stream.
type direction struct {
	side      side
	on        bool
	mode      mode
	kind      bodyKind
	encoding  string
	hadLength bool
	lastSize  int
	stream    *redact.Stream
	reqPath   string // the request's :path (response side): a streaming method's JSON array is streamed
}

// headers chooses how the body will be handled. A buffered body holds the
// headers back (Pause) so that content-length can be fixed, and a local reply
// sent, once the body is known; an SSE or NDJSON response, or the JSON array
// of a streaming method (Gemini streamGenerateContent), lets them through at
// once and is redacted event by event.
func (d *direction) headers(p *pluginContext, endOfStream bool) types.Action {
	if !d.on || endOfStream {
		return types.ActionContinue
	}
	ct, _ := d.side.header("content-type")
	d.encoding, _ = d.side.header("content-encoding")
	_, err := d.side.header("content-length")
	d.hadLength = err == nil
	d.kind = kindOf(ct)
	if d.kind == kindOpaque {
		return types.ActionContinue
	}
	events := d.kind == kindSSE || d.kind == kindNDJSON || d.kind == kindJSON && redact.StreamedJSON(ct, d.reqPath)
	if events && d.side.streams && isIdentity(d.encoding) {
		d.mode = modeStream
		d.stream = p.eng.NewStream(d.kind.stream(), redact.StreamOptions{
			Options:   p.opts,
			MaxEvent:  p.cfg.MaxBodyBytes,
			OnFinding: func(f redact.Finding) { p.metrics.finding(f.Class) },
		})
		if d.hadLength {
			if err := d.side.removeHeader("content-length"); err != nil {
				proxywasm.LogWarnf("warden redact filter: remove %s content-length: %v", d.side.name, err)
			}
		}
		return types.ActionContinue
	}
	d.mode = modeBuffer
	return types.ActionPause
}

func (d *direction) body(p *pluginContext, size int, endOfStream bool) types.Action {
	switch d.mode {
	case modeStream:
		return d.streamChunk(p, size, endOfStream)
	case modeBuffer:
		d.lastSize = size
		if size > p.cfg.MaxBodyBytes {
			return d.reject(p, d.side.tooLarge, fmt.Sprintf("body larger than %d bytes cannot be scanned for secrets "+
				"(raise max_body_bytes in the filter configuration if such bodies are expected)", p.cfg.MaxBodyBytes))
		}
		if !endOfStream {
			return types.ActionPause
		}
		return d.finish(p, size)
	case modeRejected:
		return types.ActionPause
	}
	return types.ActionContinue
}

// trailers ends a body that had no end_of_stream on its last data frame.
func (d *direction) trailers(p *pluginContext) types.Action {
	switch d.mode {
	case modeBuffer:
		return d.finish(p, d.lastSize)
	case modeStream:
		// The data before the trailers has passed; what the stream still holds
		// cannot be appended from here, so it is dropped (never leaked) and counted.
		d.mode = modeDone
		tail, err := d.stream.Close()
		if err != nil || len(tail) > 0 {
			add(p.metrics.dropped, len(tail))
			proxywasm.LogWarnf("warden redact filter: %s trailers ended an SSE body; dropped %d held bytes", d.side.name, len(tail))
		}
	case modeRejected:
		return types.ActionPause
	}
	return types.ActionContinue
}

func (d *direction) readBody(size int) ([]byte, error) {
	if size <= 0 {
		return nil, nil
	}
	b, err := d.side.getBody(0, size)
	if errors.Is(err, types.ErrorStatusNotFound) {
		return nil, nil
	}
	return b, err
}

// streamChunk redacts one chunk of an SSE body; the stream keeps the
// hold-back (an unfinished secret) across calls.
func (d *direction) streamChunk(p *pluginContext, size int, endOfStream bool) types.Action {
	chunk, err := d.readBody(size)
	if err != nil {
		return d.reject(p, d.side.undecodable, fmt.Sprintf("read body chunk: %v", err))
	}
	out, err := d.stream.Write(chunk)
	if err == nil && endOfStream {
		var tail []byte
		tail, err = d.stream.Close()
		out = append(out, tail...)
		d.mode = modeDone
		add(p.metrics.unlearned, d.stream.Limits()["stream_fields_unlearned"])
	}
	if err != nil {
		// Headers are gone: Envoy turns this local reply into a stream reset,
		// and the chunk is emptied first so none of it passes.
		_ = d.side.replaceBody(nil)
		return d.reject(p, d.side.tooLarge, fmt.Sprintf("SSE body cannot be scanned: %v", err))
	}
	if !bytes.Equal(out, chunk) {
		if err := d.side.replaceBody(out); err != nil {
			return d.reject(p, d.side.undecodable, fmt.Sprintf("replace body chunk: %v", err))
		}
	}
	return types.ActionContinue
}

// finish redacts a complete buffered body. An unchanged body (no finding) is
// left exactly as it came, compressed or not; a changed one is sent
// uncompressed with content-encoding removed and content-length fixed.
func (d *direction) finish(p *pluginContext, size int) types.Action {
	d.mode = modeDone
	body, err := d.readBody(size)
	if err != nil {
		return d.reject(p, d.side.undecodable, fmt.Sprintf("read buffered body: %v", err))
	}
	if len(body) == 0 {
		return types.ActionContinue
	}
	plain := body
	encoded := !isIdentity(d.encoding)
	if encoded {
		plain, err = redact.Decode(d.encoding, body, int64(p.cfg.MaxBodyBytes))
		switch {
		case errors.Is(err, redact.ErrTooLarge):
			return d.reject(p, d.side.tooLarge, fmt.Sprintf("decoded body larger than %d bytes cannot be scanned for secrets", p.cfg.MaxBodyBytes))
		case err != nil:
			return d.reject(p, d.side.undecodable, fmt.Sprintf("body cannot be decoded for scanning: %v", err))
		}
	}
	out, n, err := redactWhole(p.eng, d.kind, plain, p.opts, p.cfg.MaxBodyBytes, p.metrics.finding,
		func(n int) { add(p.metrics.unlearned, n) })
	if err != nil {
		return d.reject(p, d.side.tooLarge, fmt.Sprintf("body cannot be scanned: %v", err))
	}
	if n == 0 {
		return types.ActionContinue
	}
	if err := d.side.replaceBody(out); err != nil {
		return d.reject(p, d.side.undecodable, fmt.Sprintf("replace body: %v", err))
	}
	if encoded {
		if err := d.side.removeHeader("content-encoding"); err != nil {
			return d.reject(p, d.side.undecodable, fmt.Sprintf("remove content-encoding: %v", err))
		}
	}
	if d.hadLength {
		if err := d.side.replaceHeader("content-length", strconv.Itoa(len(out))); err != nil {
			return d.reject(p, d.side.undecodable, fmt.Sprintf("fix content-length: %v", err))
		}
	}
	add(p.metrics.redacted, 1)
	proxywasm.LogDebugf("warden redact filter: redacted %d findings in a %s body", n, d.side.name)
	return types.ActionContinue
}

// reject answers with a local reply instead of passing a body that could not
// be scanned. The reason names sizes and errors, never body bytes.
func (d *direction) reject(p *pluginContext, status uint32, reason string) types.Action {
	d.mode = modeRejected
	add(p.metrics.rejected, 1)
	proxywasm.LogWarnf("warden redact filter: %s %s; sent %d", d.side.name, reason, status)
	msg := "warden: the " + d.side.name + " " + reason + "\n"
	hdrs := [][2]string{{"content-type", "text/plain; charset=utf-8"}}
	if err := proxywasm.SendHttpResponse(status, hdrs, []byte(msg), -1); err != nil {
		proxywasm.LogErrorf("warden redact filter: send local reply: %v", err)
	}
	return types.ActionPause
}
