package extproctest

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/warden-gw/warden/internal/testenv"

	extprocfilterv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/ext_proc/v3"
)

// The gateway streams SSE through a STREAMED ext_proc response chunk by
// chunk: the client reads event 1 before the upstream sends event 2.
func TestGatewayStreamsSSE(t *testing.T) {
	sent1 := make(chan struct{})
	read1 := make(chan struct{})
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/chat/completions" || r.Host != "api.example" || len(r.Header.Get("x-request-id")) != 36 {
			http.Error(w, "bad route "+r.Host+r.URL.Path, 404)
			return
		}
		w.Header().Set("content-type", "text/event-stream")
		fmt.Fprint(w, "data: {\"n\":1}\n\n")
		w.(http.Flusher).Flush()
		close(sent1)
		select {
		case <-read1:
		case <-r.Context().Done():
			return
		}
		fmt.Fprint(w, "data: [DONE]\n\n")
	}))
	defer upstream.Close()
	m := &extprocfilterv3.ProcessingMode{ResponseBodyMode: modeStreamed}
	e := newEnvoy(t, ContinueServer{}, filterCfg(m))
	gw, err := NewGateway(GatewayConfig{Logger: quiet, Envoy: e, Routes: []Route{{Prefix: "/v1/", Upstream: upstream.URL, HostRewrite: "api.example"}}})
	if err != nil {
		t.Fatal(err)
	}
	front := httptest.NewServer(gw)
	defer front.Close()
	resp, err := http.Post(front.URL+"/v1/chat/completions", "application/json", strings.NewReader(`{"stream":true}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("content-type") != "text/event-stream" {
		t.Fatalf("status %d headers %v", resp.StatusCode, resp.Header)
	}
	br := bufio.NewReader(resp.Body)
	line, err := br.ReadString('\n')
	if err != nil || line != "data: {\"n\":1}\n" {
		t.Fatalf("first event %q, %v", line, err)
	}
	<-sent1
	close(read1)
	rest, _ := io.ReadAll(br)
	if string(rest) != "\ndata: [DONE]\n\n" {
		t.Errorf("rest %q", rest)
	}
}

// A deny from ext_proc reaches a real client as the local reply, and the
// upstream chosen by the Host header is never called.
func TestGatewayLocalReplyAndHostRouting(t *testing.T) {
	called := make(chan struct{}, 1)
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		called <- struct{}{}
		_, _ = io.Copy(w, r.Body)
	}))
	defer upstream.Close()
	host := strings.TrimPrefix(upstream.URL, "http://")
	tests := []struct {
		name   string
		body   string
		status int
		want   string
	}{
		{"allowed by host routing", "hello", 200, "hello"},
		{"denied", "DELETE", 403, "denied"},
	}
	e := newEnvoy(t, denyServer("DELETE"), filterCfg(modes(modeBuffered, modeNone)))
	var logBuf testenv.SyncBuffer
	gw, err := NewGateway(GatewayConfig{Logger: slog.New(slog.NewTextHandler(&logBuf, nil)), Envoy: e})
	if err != nil {
		t.Fatal(err)
	}
	front := httptest.NewServer(gw)
	defer front.Close()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest("POST", front.URL+"/x", strings.NewReader(tc.body))
			req.Host = host
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.status || string(b) != tc.want {
				t.Errorf("got %d %q, want %d %q", resp.StatusCode, b, tc.status, tc.want)
			}
			select {
			case <-called:
				if tc.status != 200 {
					t.Error("upstream called for a denied request")
				}
			default:
				if tc.status == 200 {
					t.Error("upstream not called")
				}
			}
		})
	}
	// The local reply is logged with the request id the gateway generated (as Envoy does), so
	// the line can be matched to its audit record. The handler logs after the client has its
	// answer: Close waits for the handlers to return.
	front.Close()
	if !regexp.MustCompile(`msg="local reply" method=POST request_id=[0-9a-f-]{36} `).MatchString(logBuf.String()) {
		t.Errorf("local reply log line lacks the generated request id:\n%s", logBuf.String())
	}
}

// Cancelling the client request cancels the upstream request and ends the
// ext_proc stream.
func TestGatewayClientCancelPropagates(t *testing.T) {
	upCtxDone := make(chan struct{})
	started := make(chan struct{})
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("content-type", "text/event-stream")
		w.WriteHeader(200)
		w.(http.Flusher).Flush()
		close(started)
		<-r.Context().Done()
		close(upCtxDone)
	}))
	defer upstream.Close()
	rc := newRecorder()
	e := newEnvoy(t, rc, filterCfg(modes(modeNone, modeStreamed)))
	gw, _ := NewGateway(GatewayConfig{Logger: quiet, Envoy: e, Routes: []Route{{Prefix: "/", Upstream: upstream.URL}}})
	front := httptest.NewServer(gw)
	defer front.Close()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", front.URL+"/stream", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	<-started
	cancel()
	resp.Body.Close()
	<-upCtxDone // the test hangs (and times out) if cancel does not propagate
	<-rc.done   // and the ext_proc stream ends too
}

func TestLoadRoutes(t *testing.T) {
	tests := []struct {
		name, yaml, errPart string
		n                   int
	}{
		{"ok", "routes:\n  - prefix: /v1/\n    upstream: http://127.0.0.1:1\n    host_rewrite: api\n", "", 1},
		{"empty file", "", "", 0},
		{"relative upstream", "routes:\n  - prefix: /\n    upstream: /api\n", "absolute http", 0},
		{"prefix without slash", "routes:\n  - prefix: v1\n    upstream: http://a\n", "must start with /", 0},
		{"unknown field", "routes:\n  - prefx: /\n", "prefx", 0},
		{"not yaml", "routes: [", "parse YAML", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "routes.yaml")
			if err := os.WriteFile(p, []byte(tc.yaml), 0o600); err != nil {
				t.Fatal(err)
			}
			rs, err := LoadRoutes(p)
			if tc.errPart != "" {
				if err == nil || !strings.Contains(err.Error(), tc.errPart) {
					t.Fatalf("err = %v, want it to mention %q", err, tc.errPart)
				}
				return
			}
			if err != nil || len(rs) != tc.n {
				t.Fatalf("routes %v err %v", rs, err)
			}
		})
	}
	if _, err := LoadRoutes(filepath.Join(t.TempDir(), "missing.yaml")); err == nil || !strings.Contains(err.Error(), "read routes file") {
		t.Errorf("missing file err = %v", err)
	}
}

var quiet = slog.New(slog.DiscardHandler)

// A request whose Host names the gateway itself (curl 127.0.0.1:8080/ with no route) is refused
// with 508 at the second hop, at once, instead of proxying to itself until file handles run out.
func TestGatewayRefusesToProxyToItself(t *testing.T) {
	e := newEnvoy(t, denyServer("DELETE"), filterCfg(modes(modeBuffered, modeNone)))
	gw, err := NewGateway(GatewayConfig{Logger: slog.New(slog.DiscardHandler), Envoy: e})
	if err != nil {
		t.Fatal(err)
	}
	front := httptest.NewServer(gw)
	defer front.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", front.URL+"/", nil) // Host: the gateway's own address
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("the request did not complete: %v", err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusLoopDetected || !strings.Contains(string(b), "--routes") {
		t.Fatalf("got %d %q, want 508 with a hint about --routes", resp.StatusCode, b)
	}
}

// The example routes file the README uses parses.
func TestShippedDevRoutesParse(t *testing.T) {
	rs, err := LoadRoutes("../../deploy/dev-routes.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) == 0 {
		t.Fatal("deploy/dev-routes.yaml has no route")
	}
}
