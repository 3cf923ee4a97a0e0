package extproctest

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"google.golang.org/protobuf/types/known/structpb"
)

// GatewayConfig configures the `warden dev` gateway.
type GatewayConfig struct {
	// Envoy runs each request through the ext_proc server.
	Envoy *Envoy
	// Routes pick the upstream; without a match the Host header does.
	Routes []Route
	// Transport reaches upstreams; http.DefaultTransport when nil.
	Transport http.RoundTripper
	Logger    *slog.Logger
}

// NewGateway returns an http.Handler that proxies real HTTP requests through
// the Envoy emulator, streaming response chunks to the client as they are
// released.
func NewGateway(cfg GatewayConfig) (http.Handler, error) {
	if cfg.Envoy == nil {
		return nil, errors.New("gateway needs an Envoy emulator: build one with extproctest.New")
	}
	for i := range cfg.Routes {
		if cfg.Routes[i].base == nil {
			if err := cfg.Routes[i].compile(); err != nil {
				return nil, fmt.Errorf("route %d: %w", i+1, err)
			}
		}
	}
	if cfg.Transport == nil {
		cfg.Transport = http.DefaultTransport
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &gateway{cfg: cfg, hop: newRequestID()}, nil
}

type gateway struct {
	cfg GatewayConfig
	hop string // this gateway's token in loopHeader
}

// loopHeader marks requests this gateway sends upstream. A request that arrives carrying the
// gateway's own token was routed back to it (no route matched and the Host header named the
// gateway itself): without the check each hop opens another, until file handles run out.
const loopHeader = "x-warden-dev-gateway"

var hopByHop = map[string]bool{
	"connection": true, "keep-alive": true, "proxy-connection": true, "transfer-encoding": true,
	"te": true, "upgrade": true, "trailer": true, "proxy-authenticate": true,
}

func (g *gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get(loopHeader) == g.hop {
		g.cfg.Logger.Warn("refused a request the gateway sent to itself: no route matched and the Host header names the gateway",
			"method", r.Method, "host", r.Host)
		http.Error(w, "warden dev: this request was routed back to the gateway itself (loop). No route matched its path, "+
			"so the Host header chose the upstream, and it names the gateway. Send a Host header naming the real upstream "+
			"(curl -H 'host: api.example.com') or give a routes file: warden dev --routes FILE (see deploy/dev-routes.yaml).",
			http.StatusLoopDetected)
		return
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	h := H(":method", r.Method, ":path", r.URL.RequestURI(), ":authority", r.Host, ":scheme", scheme)
	for k, vs := range r.Header {
		if hopByHop[strings.ToLower(k)] {
			continue
		}
		for _, v := range vs {
			h.Add(k, v)
		}
	}
	// What Envoy's connection manager adds before any filter runs.
	h.Set("x-forwarded-proto", scheme)
	rid, ok := h.Get("x-request-id")
	if !ok {
		rid = newRequestID()
		h.Set("x-request-id", rid)
	}
	req := &Request{Headers: h, Attributes: connectionAttributes(r.RemoteAddr)}
	if r.ContentLength != 0 || len(r.TransferEncoding) > 0 {
		if r.ContentLength > 0 {
			req.Headers.Set("content-length", strconv.FormatInt(r.ContentLength, 10))
		}
		req.Body = ReaderBody(r.Body, r.ContentLength, 16<<10)
	}
	up := UpstreamFunc(func(ctx context.Context, ur *UpstreamRequest) (*Response, error) {
		return g.forward(ctx, r.URL.Path, ur)
	})
	rw := &responseWriter{w: w}
	out, err := g.cfg.Envoy.Do(r.Context(), req, up, rw)
	if rw.status != 0 {
		// One line per exchange, naming the session to replay (warden audit replay --session).
		g.cfg.Logger.Info("exchange", "method", r.Method, "status", rw.status, "request_id", rid, "session", rw.session)
	}
	if err != nil {
		// The path is not logged: URLs can carry tokens. The request id ties the line to the
		// audit record, which holds the path with its secrets redacted.
		g.cfg.Logger.Info("exchange ended early", "method", r.Method, "request_id", rid, "err", err)
		return
	}
	if out.LocalReply {
		g.cfg.Logger.Info("local reply", "method", r.Method, "request_id", rid, "details", out.Details, "reset", out.Reset)
	}
	if out.Reset {
		panic(http.ErrAbortHandler) // the client must see a broken stream, as with Envoy's reset
	}
}

// forward sends the mutated request upstream. The route is chosen from the
// original path unless the ext_proc server cleared the route cache.
func (g *gateway) forward(ctx context.Context, origPath string, ur *UpstreamRequest) (*Response, error) {
	path := ur.Headers.Value(":path")
	routePath := origPath
	if ur.RouteCacheCleared {
		routePath = strings.SplitN(path, "?", 2)[0]
	}
	host := ur.Headers.Value(":authority")
	target := &url.URL{Scheme: "http", Host: host}
	if rt := match(g.cfg.Routes, routePath); rt != nil {
		target = rt.base
		if rt.HostRewrite != "" {
			host = rt.HostRewrite
		}
	}
	u, err := url.Parse(strings.TrimSuffix(target.String(), "/") + path)
	if err != nil {
		return nil, fmt.Errorf("build upstream URL from %q: %w", path, err)
	}
	var body io.Reader
	if ur.Body != nil {
		body = &bodyReader{ctx: ctx, b: ur.Body}
	}
	hr, err := http.NewRequestWithContext(ctx, ur.Headers.Value(":method"), u.String(), body)
	if err != nil {
		return nil, fmt.Errorf("build upstream request: %w", err)
	}
	hr.Host = host
	hr.Header.Set(loopHeader, g.hop)
	hr.ContentLength = -1
	if ur.Body == nil {
		hr.ContentLength = 0
	}
	for _, f := range ur.Headers {
		switch {
		case strings.HasPrefix(f.Key, ":"), hopByHop[f.Key], f.Key == "host":
		case f.Key == "content-length":
			if n, err := strconv.ParseInt(f.Value, 10, 64); err == nil {
				hr.ContentLength = n
			}
		default:
			hr.Header.Add(f.Key, f.Value)
		}
	}
	resp, err := g.cfg.Transport.RoundTrip(hr)
	if err != nil {
		return nil, err
	}
	rh := Headers{}
	for k, vs := range resp.Header {
		if hopByHop[strings.ToLower(k)] {
			continue
		}
		for _, v := range vs {
			rh.Add(k, v)
		}
	}
	if resp.ContentLength >= 0 {
		rh.Set("content-length", strconv.FormatInt(resp.ContentLength, 10))
	}
	out := &Response{Status: resp.StatusCode, Headers: rh}
	if resp.ContentLength == 0 {
		resp.Body.Close()
	} else {
		out.Body = &closingBody{Body: ReaderBody(resp.Body, resp.ContentLength, 32<<10), c: resp.Body}
	}
	return out, nil
}

// closingBody closes the upstream connection's body once read to the end.
type closingBody struct {
	Body
	c io.Closer
}

func (b *closingBody) Next(ctx context.Context) ([]byte, error) {
	d, err := b.Body.Next(ctx)
	if err != nil {
		b.c.Close()
	}
	return d, err
}

// bodyReader adapts a Body to io.Reader for net/http.
type bodyReader struct {
	ctx  context.Context
	b    Body
	buf  []byte
	done bool
}

func (r *bodyReader) Read(p []byte) (int, error) {
	for len(r.buf) == 0 {
		if r.done {
			return 0, io.EOF
		}
		c, err := r.b.Next(r.ctx)
		r.buf = c
		if errors.Is(err, io.EOF) {
			r.done = true
		} else if err != nil {
			return 0, err
		}
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	return n, nil
}

// responseWriter is the Downstream of a real client: every released chunk
// is flushed at once so streamed responses (SSE) reach the client live.
type responseWriter struct {
	w       http.ResponseWriter
	status  int
	session string
}

// sessionHeader is the response header in which warden names the exchange's session.
const sessionHeader = "x-warden-session"

func (rw *responseWriter) WriteHeaders(status int, h Headers) error {
	rw.status = status
	dst := rw.w.Header()
	for _, f := range h {
		if strings.EqualFold(f.Key, sessionHeader) {
			rw.session = f.Value
		}
		if hopByHop[f.Key] {
			continue
		}
		dst.Add(f.Key, f.Value)
	}
	rw.w.WriteHeader(status)
	return http.NewResponseController(rw.w).Flush()
}

func (rw *responseWriter) WriteChunk(b []byte) error {
	if _, err := rw.w.Write(b); err != nil {
		return fmt.Errorf("write to client: %w", err)
	}
	return http.NewResponseController(rw.w).Flush()
}

func (rw *responseWriter) Finish(trailers Headers) error {
	for _, f := range trailers {
		rw.w.Header().Add(http.TrailerPrefix+f.Key, f.Value)
	}
	return nil
}

// connectionAttributes are the connection attributes Envoy offers a filter (source.address is
// "ip:port" of the downstream connection, source.port its port); the filter's
// request_attributes choose which are sent.
func connectionAttributes(remoteAddr string) map[string]*structpb.Value {
	host, port, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		return nil
	}
	attrs := map[string]*structpb.Value{"source.address": structpb.NewStringValue(remoteAddr)}
	if n, err := strconv.Atoi(port); err == nil && host != "" {
		attrs["source.port"] = structpb.NewNumberValue(float64(n))
	}
	return attrs
}

// newRequestID returns a random UUID v4, as Envoy generates x-request-id.
func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
