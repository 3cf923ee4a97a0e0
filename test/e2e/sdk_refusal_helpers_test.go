package e2e

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/warden-gw/warden/audit"
	"github.com/warden-gw/warden/cmd/warden/mainlib"
	"github.com/warden-gw/warden/extproc/extproctest"
)

// sdkRig is what a real SDK talks to in the refusal tests: the dev gateway (the Envoy emulator
// as `warden dev` runs it) in front of one local upstream, with warden deciding by a test policy.
type sdkRig struct {
	w   *wardenProc
	url string // the gateway's base URL, for the SDK's endpoint

	mu   sync.Mutex
	hits []string // "METHOD path" of each request that reached the upstream
}

// startSDKRig starts warden with policy (YAML of one Policy document), the upstream and the
// gateway, all on 127.0.0.1.
func startSDKRig(t *testing.T, policy string, upstream http.Handler) *sdkRig {
	t.Helper()
	file := filepath.Join(t.TempDir(), "policy.yaml")
	if err := os.WriteFile(file, []byte(policy), 0o600); err != nil {
		t.Fatal(err)
	}
	r := &sdkRig{}
	r.w = startWarden(t, func(c *mainlib.Config) { c.Policy = file })
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		r.hits = append(r.hits, req.Method+" "+req.URL.Path)
		r.mu.Unlock()
		upstream.ServeHTTP(w, req)
	}))
	t.Cleanup(up.Close)
	gw, err := extproctest.NewGateway(extproctest.GatewayConfig{
		Envoy:  r.w.envoy,
		Routes: []extproctest.Route{{Prefix: "/", Upstream: up.URL}},
		Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gw)
	t.Cleanup(srv.Close)
	r.url = srv.URL
	return r
}

// reached reports whether a request "METHOD path" got to the upstream.
func (r *sdkRig) reached(methodPath string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, h := range r.hits {
		if h == methodPath {
			return true
		}
	}
	return false
}

// upstreamHits returns the requests that reached the upstream.
func (r *sdkRig) upstreamHits() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.hits...)
}

// approvalIDIn returns the approval id a refusal message names ("approval id X").
func approvalIDIn(t *testing.T, msg string) string {
	t.Helper()
	m := regexp.MustCompile(`approval id ([A-Za-z0-9_.:-]+)`).FindStringSubmatch(msg)
	if m == nil {
		t.Fatalf("the SDK's error names no approval id: %q", msg)
	}
	return m[1]
}

// requestIDIn returns the request id a refusal message names ("request id X").
func requestIDIn(t *testing.T, msg string) string {
	t.Helper()
	m := regexp.MustCompile(`request id ([A-Za-z0-9_.:-]+)`).FindStringSubmatch(msg)
	if m == nil {
		t.Fatalf("the SDK's error names no request id: %q", msg)
	}
	return m[1]
}

// wantInError fails unless the error the SDK returned says each of want.
func wantInError(t *testing.T, err error, want ...string) {
	t.Helper()
	if err == nil {
		t.Fatal("the SDK returned no error for a refused request")
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("the SDK's error does not say %q:\n%v", w, err)
		}
	}
}

// wantRecorded fails unless warden's audit trail holds the refused request id, decided by rule.
func (r *sdkRig) wantRecorded(t *testing.T, id, rule string) {
	t.Helper()
	rec, ok := byRequest(r.w.records(t))[id][audit.StageRequest]
	if !ok {
		t.Fatalf("no audit record for request id %s (the id the SDK's error names)", id)
	}
	if d := rec.Unmapped.Warden.Decision; d == nil || d.Rule != rule {
		t.Errorf("audit record of %s: decision %+v, want rule %s", id, d, rule)
	}
}
