// Package e2e holds warden's end-to-end tests: the whole warden runtime (as `warden serve` builds
// it) driven by the Envoy emulator over loopback gRPC, with local upstreams that speak the real
// wire formats, kfake as the Kafka broker, and a real Vault dev server and PostgreSQL where the
// tests need them.
package e2e

import (
	"context"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/warden-gw/warden/internal/testenv"

	extprocv3 "github.com/envoyproxy/go-control-plane/envoy/service/ext_proc/v3"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/warden-gw/warden/cmd/warden/mainlib"
	"github.com/warden-gw/warden/envoy"
	"github.com/warden-gw/warden/extproc/extproctest"
)

// wardenProc is a warden runtime started in-process exactly as `warden serve` starts it.
type wardenProc struct {
	cfg    mainlib.Config
	addrs  mainlib.Addrs
	conn   *grpc.ClientConn
	client extprocv3.ExternalProcessorClient
	envoy  *extproctest.Envoy
	logs   *testenv.SyncBuffer
	stop   func() error
}

// startWarden runs warden on 127.0.0.1 with random ports and a private audit folder; edit may
// change the configuration first. It stops when the test ends.
func startWarden(t testing.TB, edit func(*mainlib.Config)) *wardenProc {
	t.Helper()
	cfg := mainlib.DefaultConfig()
	cfg.Listen, cfg.Admin = "127.0.0.1:0", "127.0.0.1:0"
	cfg.ShutdownGrace = 10 * time.Second
	cfg.Log.Level = "warn"
	cfg.DataDir = t.TempDir()
	if edit != nil {
		edit(&cfg)
	}
	ctx, cancel := context.WithCancel(context.Background())
	w := &wardenProc{cfg: cfg, logs: &testenv.SyncBuffer{}}
	ready := make(chan mainlib.Addrs, 1)
	done := make(chan error, 1)
	go func() { done <- mainlib.Serve(ctx, cfg, w.logs, func(a mainlib.Addrs) { ready <- a }) }()
	select {
	case w.addrs = <-ready:
	case err := <-done:
		cancel()
		t.Fatalf("warden did not start: %v\n%s", err, w.logs.String())
	case <-time.After(60 * time.Second):
		cancel()
		t.Fatal("warden did not start within 60s")
	}
	var once sync.Once
	var stopErr error
	w.stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case stopErr = <-done:
			case <-time.After(30 * time.Second):
				t.Error("warden did not stop within 30s of cancel")
			}
		})
		return stopErr
	}
	conn, err := grpc.NewClient(w.addrs.GRPC, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	w.conn = conn
	w.client = extprocv3.NewExternalProcessorClient(conn)
	w.envoy = newEnvoy(t, w.client)
	t.Cleanup(func() {
		_ = conn.Close()
		if err := w.stop(); err != nil {
			t.Errorf("warden stopped with %v", err)
		}
	})
	return w
}

// newEnvoy emulates Envoy configured by warden's own envoy/bootstrap.yaml: the emulator's modes
// come from the same file that docker-compose gives the real Envoy.
func newEnvoy(t testing.TB, client extprocv3.ExternalProcessorClient, opts ...extproctest.Option) *extproctest.Envoy {
	t.Helper()
	e, err := extproctest.New(client, envoy.DefaultExtProcFilter(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func (w *wardenProc) adminGet(t testing.TB, path string) (int, string) {
	t.Helper()
	resp, err := http.Get("http://" + w.addrs.Admin + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// request builds an emulator request.
func request(method, url string, headers map[string]string, body ...string) *extproctest.Request {
	u := mustParse(url)
	h := extproctest.Headers{{Key: ":method", Value: method}, {Key: ":path", Value: u.RequestURI()}, {Key: ":authority", Value: u.Host}, {Key: ":scheme", Value: u.Scheme}}
	for k, v := range headers {
		h = append(h, extproctest.Header{Key: k, Value: v})
	}
	r := &extproctest.Request{Headers: h}
	if len(body) > 0 {
		r.Body = extproctest.Chunks(nil, body...)
	}
	return r
}
