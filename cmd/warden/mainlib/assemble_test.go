package mainlib

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	extprocv3 "github.com/envoyproxy/go-control-plane/envoy/service/ext_proc/v3"
	"github.com/prometheus/client_golang/prometheus"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/warden-gw/warden/envoy"
	"github.com/warden-gw/warden/extproc/extproctest"
	"github.com/warden-gw/warden/identity"
)

const ordersPolicy = `apiVersion: warden.dev/v1
kind: Policy
metadata:
  name: orders
spec:
  rules:
    - name: no-delete-on-orders
      when: creds.role == "orders-db" && request.method == "DELETE"
      action: deny
      message: orders are never deleted
`

// vaultRoutes is a vault section whose routes name orders-db; check never contacts Vault.
const vaultRoutes = `vault:
  address: http://127.0.0.1:1
  auth: {method: token, token: t}
  roles:
    - {name: orders-db, source: database, path: orders}
  routes:
    - {host: "*.orders.internal", role: orders-db, headers: {authorization: "Bearer {{ .password }}"}}
`

func writeFile(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// warden check --config decides with the configuration's routes (creds.role) and policy, as
// serve would.
func TestCheckUsesTheConfigurationsRoutesAndPolicy(t *testing.T) {
	dir := t.TempDir()
	pol := writeFile(t, dir, "orders.yaml", ordersPolicy)
	cfg := writeFile(t, dir, "warden.yaml", "policy: "+pol+"\n"+vaultRoutes)
	in := `{"request": {"method": "DELETE", "url": "https://a.orders.internal/rows/1"}}
{"request": {"method": "DELETE", "url": "https://elsewhere.internal/rows/1"}}
`
	var out, errb bytes.Buffer
	if err := Main(context.Background(), []string{"check", "--config", cfg}, strings.NewReader(in), &out, &errb); err != nil {
		t.Fatalf("%v: %s", err, errb.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], `"action":"deny"`) || !strings.Contains(lines[0], "no-delete-on-orders") || !strings.Contains(lines[1], `"action":"allow"`) {
		t.Fatalf("check output:\n%s", out.String())
	}
	out.Reset()
	if err := Main(context.Background(), []string{"check"}, strings.NewReader(in), &out, &errb); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "no-delete-on-orders") {
		t.Fatalf("without --config the embedded pack decides:\n%s", out.String())
	}
	if err := Main(context.Background(), []string{"check", "--config", filepath.Join(dir, "missing.yaml")}, strings.NewReader(in), &out, &errb); err == nil {
		t.Fatal("a missing configuration file was accepted")
	}
}

// Serve assembles the pipeline from the configuration: a request goes through the policy file,
// the admin listener reports readiness and decision codes, and approvals say how to enable them.
func TestServeAssemblesThePipeline(t *testing.T) {
	dir := t.TempDir()
	cfg := testConfig(t)
	cfg.Policy = writeFile(t, dir, "orders.yaml", strings.ReplaceAll(ordersPolicy, `creds.role == "orders-db" && `, ""))
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan Addrs, 1)
	served := make(chan error, 1)
	go func() { served <- Serve(ctx, cfg, io.Discard, func(a Addrs) { ready <- a }) }()
	var addrs Addrs
	select {
	case addrs = <-ready:
	case err := <-served:
		t.Fatal(err)
	}
	defer func() {
		cancel()
		if err := <-served; err != nil {
			t.Error(err)
		}
	}()
	conn, err := grpc.NewClient(addrs.GRPC, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	emu, err := extproctest.New(extprocv3.NewExternalProcessorClient(conn), envoy.DefaultExtProcFilter())
	if err != nil {
		t.Fatal(err)
	}
	upstream := extproctest.UpstreamFunc(func(context.Context, *extproctest.UpstreamRequest) (*extproctest.Response, error) {
		return &extproctest.Response{Status: 200, Headers: extproctest.H(":status", "200")}, nil
	})
	res, err := emu.Run(ctx, &extproctest.Request{Headers: extproctest.H(":method", "DELETE", ":path", "/rows/1", ":authority", "db.internal", ":scheme", "https")}, upstream)
	if err != nil {
		t.Fatal(err)
	}
	var refusal struct{ Error, Rule string }
	if res.Status != 403 || res.Upstream != nil || json.Unmarshal([]byte(res.Body()), &refusal) != nil || refusal.Rule != "no-delete-on-orders" {
		t.Fatalf("DELETE: status %d body %s (upstream called: %v)", res.Status, res.Body(), res.Upstream != nil)
	}
	res, err = emu.Run(ctx, &extproctest.Request{Headers: extproctest.H(":method", "GET", ":path", "/rows/1", ":authority", "db.internal", ":scheme", "https")}, upstream)
	if err != nil || res.Status != 200 || res.Upstream == nil {
		t.Fatalf("GET: %+v, %v", res, err)
	}

	get := func(path string) (int, string) {
		t.Helper()
		r, err := http.Get("http://" + addrs.Admin + path)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Body.Close()
		b, _ := io.ReadAll(r.Body)
		return r.StatusCode, string(b)
	}
	if code, body := get("/readyz"); code != 200 || !strings.HasPrefix(body, "ready") {
		t.Fatalf("/readyz %d %q", code, body)
	}
	if code, body := get("/metrics"); code != 200 || !strings.Contains(body, `warden_policy_decisions_total{action="deny",code="rule_denied",phase="request",shadow="false"} 1`) {
		t.Fatalf("/metrics %d: no decision counted by code:\n%s", code, body)
	}
	if code, body := get("/approvals"); code != 503 || !strings.Contains(body, "configure identity") {
		t.Fatalf("/approvals %d %q", code, body)
	}
}

// The subcommands mainlib only dispatches reach their packages with stdin and stdout.
func TestDispatchedSubcommands(t *testing.T) {
	var out, errb bytes.Buffer
	if err := Main(context.Background(), []string{"redact"}, strings.NewReader("key AKIAIOSFODNN7EXAMPL3\n"), &out, &errb); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "AKIAIOSFODNN7EXAMPL3") || !strings.Contains(out.String(), "REDACTED") {
		t.Fatalf("warden redact: %q", out.String())
	}
	pol := writeFile(t, t.TempDir(), "orders.yaml", ordersPolicy)
	out.Reset()
	if err := Main(context.Background(), []string{"policy", "lint", pol}, strings.NewReader(""), &out, &errb); err != nil {
		t.Fatalf("warden policy lint: %v: %s%s", err, out.String(), errb.String())
	}
	if err := Main(context.Background(), []string{"audit", "verify", "--dir", filepath.Join(t.TempDir(), "none")}, strings.NewReader(""), &out, &errb); err == nil {
		t.Fatal("warden audit verify of a missing spool succeeded")
	}
}

// With an identity section the identity stage is assembled and approvers authenticate with it:
// the approvals API asks for credentials instead of saying it is disabled.
func TestServeWithIdentityMountsTheApprovalsAPI(t *testing.T) {
	cfg := testConfig(t)
	cfg.Identity = &identity.Config{Modes: []string{identity.ModeJWTAuthn}}
	rt, err := buildRuntime(context.Background(), cfg, slog.New(slog.DiscardHandler), prometheus.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	defer rt.close(context.Background(), slog.New(slog.DiscardHandler))
	h, ok := rt.handlers["/approvals"]
	if !ok {
		t.Fatal("no approvals API")
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/approvals", nil))
	if w.Code != http.StatusUnauthorized {
		t.Fatalf("/approvals without a token: %d %s, want 401", w.Code, w.Body.String())
	}
	if err := rt.ready(); err != nil {
		t.Fatalf("not ready: %v", err)
	}
	if d := rt.degradedParts(); len(d) != 0 {
		t.Fatalf("degraded: %v", d)
	}
}
