package e2e

import (
	"context"
	"io"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/warden-gw/warden/extproc/extproctest"
)

func mustParse(raw string) *url.URL {
	u, err := url.Parse(raw)
	if err != nil {
		panic(err)
	}
	return u
}

// chanBody is a streamed body whose chunks the test releases one at a time.
type chanBody struct{ ch chan []byte }

func newChanBody() *chanBody { return &chanBody{ch: make(chan []byte)} }

func (b *chanBody) Next(ctx context.Context) ([]byte, error) {
	select {
	case c, ok := <-b.ch:
		if !ok {
			return nil, io.EOF
		}
		return c, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (b *chanBody) Trailers() extproctest.Headers { return nil }

// notifyDown is a Downstream that reports each chunk the client receives.
type notifyDown struct {
	mu      sync.Mutex
	status  int
	headers extproctest.Headers
	chunks  []string
	got     chan string
	done    chan struct{}
}

func newNotifyDown() *notifyDown {
	return &notifyDown{got: make(chan string, 64), done: make(chan struct{})}
}

func (d *notifyDown) WriteHeaders(status int, h extproctest.Headers) error {
	d.mu.Lock()
	d.status, d.headers = status, h
	d.mu.Unlock()
	return nil
}

func (d *notifyDown) WriteChunk(b []byte) error {
	d.mu.Lock()
	d.chunks = append(d.chunks, string(b))
	d.mu.Unlock()
	if len(b) > 0 {
		d.got <- string(b)
	}
	return nil
}

func (d *notifyDown) Finish(extproctest.Headers) error { close(d.done); return nil }

func (d *notifyDown) body() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return strings.Join(d.chunks, "")
}

// waitFor receives the next chunk the client saw, failing after a deadline.
func waitFor(t *testing.T, ch <-chan string, within time.Duration) string {
	t.Helper()
	select {
	case s := <-ch:
		return s
	case <-time.After(within):
		t.Fatalf("nothing reached the client within %s", within)
		return ""
	}
}

// settleGoroutines waits until the goroutine count drops to at most limit and returns it; it
// polls because goroutines end asynchronously after their streams close.
func settleGoroutines(limit int, within time.Duration) int {
	deadline := time.Now().Add(within)
	for {
		n := runtime.NumGoroutine()
		if n <= limit || time.Now().After(deadline) {
			return n
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// staticUpstream answers every request with the given response and records the body it read.
func staticUpstream(status int, headers extproctest.Headers, body string) (extproctest.Upstream, func() string) {
	var mu sync.Mutex
	var seen string
	up := extproctest.UpstreamFunc(func(ctx context.Context, req *extproctest.UpstreamRequest) (*extproctest.Response, error) {
		if req.Body != nil {
			b, err := extproctest.ReadAll(ctx, req.Body)
			if err != nil {
				return nil, err
			}
			mu.Lock()
			seen = string(b)
			mu.Unlock()
		}
		r := &extproctest.Response{Status: status, Headers: headers}
		if body != "" {
			r.Body = extproctest.Chunks(nil, body)
		}
		return r, nil
	})
	return up, func() string { mu.Lock(); defer mu.Unlock(); return seen }
}

// jsonSender returns send(id, method, url, body): it runs one request through w's Envoy to up
// with x-request-id id, content-type application/json and, when ua is not empty, that
// user-agent; an empty body sends no body. A run that fails ends the test.
func jsonSender(t *testing.T, w *wardenProc, up extproctest.Upstream, ua string) func(id, method, url, body string) {
	return func(id, method, url, body string) {
		t.Helper()
		var b []string
		if body != "" {
			b = []string{body}
		}
		h := map[string]string{"x-request-id": id, "content-type": "application/json"}
		if ua != "" {
			h["user-agent"] = ua
		}
		if _, err := w.envoy.Run(context.Background(), request(method, url, h, b...), up); err != nil {
			t.Fatal(err)
		}
	}
}
