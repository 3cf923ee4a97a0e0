package e2e

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/types/known/structpb"

	"github.com/warden-gw/warden/audit/auditcli"
	"github.com/warden-gw/warden/extproc/extproctest"
	"github.com/warden-gw/warden/internal/testenv"
)

// TestSessionsOnDefaults: without any identity configuration every exchange gets a session from
// its client address and user agent, the client is told it in x-warden-session (on upstream
// answers and on refusals), and `warden audit sessions` / `replay --session` find it.
func TestSessionsOnDefaults(t *testing.T) {
	w := startWarden(t, nil)
	up, _ := staticUpstream(200, extproctest.Headers{{Key: "content-type", Value: "application/json"}}, `{"ok":true}`)
	send := func(id, addr, ua, method, url, body string) *extproctest.Result {
		t.Helper()
		var b []string
		if body != "" {
			b = []string{body}
		}
		req := request(method, url, map[string]string{"x-request-id": id, "user-agent": ua, "content-type": "application/json"}, b...)
		req.Attributes = map[string]*structpb.Value{"source.address": structpb.NewStringValue(addr)}
		res, err := w.envoy.Run(context.Background(), req, up)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	a1 := send("a-1", "10.0.0.7:40001", "agent-a/1.0", "GET", "https://api.example/v1/models", "")
	a2 := send("a-2", "10.0.0.7:40002", "agent-a/1.0", "POST", "https://db.internal/query", `{"query":"DROP TABLE users"}`)
	b1 := send("b-1", "10.0.0.8:40001", "agent-a/1.0", "GET", "https://api.example/v1/models", "")

	sa, _ := a1.Headers.Get("x-warden-session")
	sa2, _ := a2.Headers.Get("x-warden-session")
	sb, _ := b1.Headers.Get("x-warden-session")
	if sa == "" || sb == "" {
		t.Fatalf("no x-warden-session header: %v / %v", a1.Headers, b1.Headers)
	}
	if a2.Status != 403 || sa2 != sa {
		t.Errorf("the refusal (status %d) names session %q, want the client's session %q", a2.Status, sa2, sa)
	}
	if sb == sa {
		t.Errorf("two client addresses share session %s", sa)
	}
	if err := w.stop(); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(w.cfg.DataDir, "audit")

	var out, errb bytes.Buffer
	if err := auditcli.Run(context.Background(), []string{"sessions", "--dir", dir}, nil, &out, &errb); err != nil {
		t.Fatalf("audit sessions: %v\n%s", err, errb.String())
	}
	for _, want := range []string{sa, sb} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("audit sessions does not list %s:\n%s", want, out.String())
		}
	}
	out.Reset()
	if err := auditcli.Run(context.Background(), []string{"replay", "--session", sa, "--dir", dir}, nil, &out, &errb); err != nil {
		t.Fatalf("audit replay --session %s: %v\n%s", sa, err, errb.String())
	}
	if s := out.String(); !strings.Contains(s, "2 exchange(s)") || !strings.Contains(s, "a-1") || !strings.Contains(s, "a-2") || strings.Contains(s, "b-1") {
		t.Errorf("replay of %s shows the wrong exchanges:\n%s", sa, s)
	}
}

// TestDevGatewayLogsTheSession: the dev gateway tells the client its session and prints it.
func TestDevGatewayLogsTheSession(t *testing.T) {
	w := startWarden(t, nil)
	upstream := &http.Server{Handler: http.HandlerFunc(func(rw http.ResponseWriter, _ *http.Request) { _, _ = rw.Write([]byte("ok")) })}
	ul, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = upstream.Serve(ul) }()
	t.Cleanup(func() { _ = upstream.Close() })
	logs := &testenv.SyncBuffer{}
	gw, err := extproctest.NewGateway(extproctest.GatewayConfig{
		Envoy: newEnvoy(t, w.client), Logger: slog.New(slog.NewTextHandler(logs, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	gl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: gw}
	go func() { _ = srv.Serve(gl) }()
	t.Cleanup(func() { _ = srv.Close() })

	req, _ := http.NewRequest("GET", "http://"+gl.Addr().String()+"/hello", nil)
	req.Host = ul.Addr().String()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	s := resp.Header.Get("x-warden-session")
	if resp.StatusCode != 200 || s == "" {
		t.Fatalf("status %d, session %q: want 200 with a session", resp.StatusCode, s)
	}
	// The gateway logs the exchange once it ended, which may be just after the client has read
	// the response.
	waitUntil(t, 10*time.Second, func() bool { return strings.Contains(logs.String(), "session="+s) })
}
