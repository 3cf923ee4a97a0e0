package e2e

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	extprocfilterv3 "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/http/ext_proc/v3"

	"github.com/warden-gw/warden/audit"
	"github.com/warden-gw/warden/cmd/warden/mainlib"
	"github.com/warden-gw/warden/creds"
	"github.com/warden-gw/warden/envoy"
	"github.com/warden-gw/warden/extproc/extproctest"
	"github.com/warden-gw/warden/extproc/refusal"
	"github.com/warden-gw/warden/identity"
)

// checkLength fails when the client was given a content-length that does not match the body it
// got: behind a real Envoy that is a hung or cut HTTP/1 response or an HTTP/2 protocol error.
func checkLength(t *testing.T, res *extproctest.Result) {
	t.Helper()
	v, ok := res.Headers.Get("content-length")
	if !ok {
		return
	}
	if n, err := strconv.Atoi(v); err != nil || n != len(res.Body()) {
		t.Fatalf("client got content-length %q with a %d-byte body", v, len(res.Body()))
	}
}

// Envoy keeps content-length when it sends response headers in BUFFERED mode
// (Filter::encodeHeaders, shouldRemoveContentLength) and does not revisit it after warden's
// mode_override to STREAMED. An SSE response with a content-length whose secret warden redacts
// must reach the agent without the stale length.
func TestSSEWithContentLengthIsRedactedWithoutStaleLength(t *testing.T) {
	w := startWarden(t, nil)
	tok := fakeGitHubToken(11)
	b, _ := json.Marshal("token " + tok)
	stream := `data: {"choices":[{"index":0,"delta":{"content":` + string(b) + `}}]}` + "\n\n" + "data: [DONE]\n\n"
	up := extproctest.UpstreamFunc(func(context.Context, *extproctest.UpstreamRequest) (*extproctest.Response, error) {
		return &extproctest.Response{
			Status: 200,
			Headers: extproctest.Headers{
				{Key: "content-type", Value: "text/event-stream"},
				{Key: "content-length", Value: strconv.Itoa(len(stream))},
			},
			Body: extproctest.Chunks(nil, splitEvery(stream, 40)...),
		}, nil
	})
	res, err := w.envoy.Run(context.Background(), request("POST", "https://api.openai.com/v1/chat/completions",
		map[string]string{"content-type": "application/json"}, `{"model":"gpt-4o","stream":true,"messages":[]}`), up)
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != 200 || strings.Contains(res.Body(), tok) || !strings.Contains(res.Body(), "[REDACTED:") {
		t.Fatalf("status %d %q body %q", res.Status, res.Details, res.Body())
	}
	checkLength(t, res)
}

// hangingServer accepts connections on 127.0.0.1 and never answers them, until the test ends. It
// returns its base URL.
func hangingServer(t *testing.T, answer func(w http.ResponseWriter, r *http.Request) bool) string {
	t.Helper()
	stop := make(chan struct{})
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{ReadHeaderTimeout: time.Minute, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if answer != nil && answer(w, r) {
			return
		}
		select { // hang: the connection stays open, nothing is written
		case <-stop:
		case <-r.Context().Done():
		}
	})}
	go func() { _ = srv.Serve(lis) }()
	t.Cleanup(func() { close(stop); _ = srv.Close() })
	return "http://" + lis.Addr().String()
}

// refusedWithin runs req and checks that warden itself refused it with status and code, within
// Envoy's message timeout (the emulator answers 504 when warden is late), and that the audit
// record of the request says the same.
func refusedWithin(t *testing.T, w *wardenProc, req *extproctest.Request, id string, status int, code string) {
	t.Helper()
	start := time.Now()
	res, err := w.envoy.Run(context.Background(), req, extproctest.UpstreamFunc(func(context.Context, *extproctest.UpstreamRequest) (*extproctest.Response, error) {
		t.Error("the upstream was called")
		return &extproctest.Response{Status: 200}, nil
	}))
	if err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	// The body is in the API's own error shape (extproc/refusal); the code travels in a header.
	if res.Status != status || res.Headers.Value(refusal.HeaderCode) != code {
		t.Fatalf("client got %d %q (details %q) after %v, want %d %s", res.Status, res.Body(), res.Details, took, status, code)
	}
	r, ok := byRequest(w.records(t))[id][audit.StageRequest]
	if !ok {
		t.Fatalf("no request record for %s", id)
	}
	if r.StatusCode != strconv.Itoa(status) || r.StatusDetail != code {
		t.Fatalf("record says %s %q, client got %d %s", r.StatusCode, r.StatusDetail, status, code)
	}
	t.Logf("refused %d %s after %v (message timeout %v)", status, code, took, envoy.DefaultExtProcFilter().GetMessageTimeout().AsDuration())
}

// A Vault that accepts the connection and never answers the credential read: the agent gets
// warden's 503 credentials_unavailable before Envoy's per-message timeout, and the record agrees.
func TestHangingVaultGetsCredentialsUnavailableWithinTheMessageTimeout(t *testing.T) {
	addr := hangingServer(t, func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path != "/v1/auth/token/lookup-self" {
			return false
		}
		_, _ = io.WriteString(w, `{"data":{"id":"root","policies":["root"],"ttl":0}}`)
		return true
	})
	w := wardenWithOpenAIKeyFrom(t, addr)
	for _, tc := range []struct {
		name string
		req  *extproctest.Request
	}{
		{"buffered body", request("POST", "https://api.openai.com/v1/chat/completions",
			map[string]string{"content-type": "application/json", "x-request-id": "hang-vault-body"}, `{"model":"gpt-4o","messages":[]}`)},
		{"headers only", request("GET", "https://api.openai.com/v1/models", map[string]string{"x-request-id": "hang-vault-get"})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			refusedWithin(t, w, tc.req, tc.req.Headers.Value("x-request-id"), 503, "credentials_unavailable")
		})
	}
}

// An identity provider whose JWKS endpoint (or discovery document) accepts the connection and
// never answers: warden answers 503 identity_keys_unavailable before Envoy's per-message timeout.
func TestHangingIdentityProviderGetsKeysUnavailableWithinTheMessageTimeout(t *testing.T) {
	for _, discovery := range []bool{false, true} {
		t.Run(fmt.Sprintf("discovery=%v", discovery), func(t *testing.T) {
			idp := hangingServer(t, nil)
			cfg := identity.Config{JWT: identity.JWTConfig{Issuer: idp, Audiences: []string{"warden"}}}
			if !discovery {
				cfg.JWT.JWKSURL = idp + "/jwks"
			}
			w := startWarden(t, func(c *mainlib.Config) { c.Identity = &cfg })
			tok := (&testIssuer{url: idp, key: testKey(t)}).token(t, map[string]any{"sub": "agent-1"})
			id := fmt.Sprintf("hang-idp-%v", discovery)
			refusedWithin(t, w, request("GET", "https://api.example/v1/things",
				map[string]string{"authorization": "Bearer " + tok, "x-request-id": id}), id, 503, identity.CodeKeysUnavailable)
		})
	}
}

func testKey(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// A Vault secret whose value holds a control character other than tab would make Envoy refuse the
// whole header mutation (HeaderUtility::headerValueIsValid) with an empty 500 and a record that
// says the request was allowed. warden refuses it itself, names the header but not the value, and
// the record agrees with the client.
func TestCredentialWithAControlCharacterIsRefusedByWarden(t *testing.T) {
	const secret = "sk-ctl\x01secret-4471"
	addr := hangingServer(t, func(w http.ResponseWriter, r *http.Request) bool {
		switch r.URL.Path {
		case "/v1/auth/token/lookup-self":
			_, _ = io.WriteString(w, `{"data":{"id":"root","policies":["root"],"ttl":0}}`)
		case "/v1/secret/data/llm/openai":
			b, _ := json.Marshal(map[string]any{"data": map[string]any{"data": map[string]any{"api_key": secret}, "metadata": map[string]any{"version": 1}}})
			_, _ = w.Write(b)
		default:
			return false
		}
		return true
	})
	w := wardenWithOpenAIKeyFrom(t, addr)
	req := request("POST", "https://api.openai.com/v1/chat/completions",
		map[string]string{"content-type": "application/json", "x-request-id": "ctl-cred"}, `{"model":"gpt-4o","messages":[]}`)
	refusedWithin(t, w, req, "ctl-cred", 502, "credential_header_invalid")
	for _, r := range w.records(t) {
		raw, _ := json.Marshal(r)
		if strings.Contains(string(raw), "secret-4471") {
			t.Fatalf("the credential reached the audit record: %s", raw)
		}
	}
}

// With a STREAMED request body, Envoy releases the request headers before the body is through, and
// an upstream may answer at once (an early 401, a streaming API). Envoy then sends the response
// headers while request body replies are outstanding (its two directions are independent). warden
// records the request as early_response, lets the agent have the answer, and keeps holding the
// rest of the request body: nothing uninspected reaches the upstream after the decision.
func TestEarlyResponseWhileTheRequestBodyStreams(t *testing.T) {
	w := startWarden(t, nil)
	f := envoy.DefaultExtProcFilter()
	f.ProcessingMode.RequestBodyMode = extprocfilterv3.ProcessingMode_STREAMED
	e, err := extproctest.New(w.client, f)
	if err != nil {
		t.Fatal(err)
	}
	body := newChanBody()
	upstreamRead := make(chan string, 1)
	up := extproctest.UpstreamFunc(func(ctx context.Context, r *extproctest.UpstreamRequest) (*extproctest.Response, error) {
		go func() { b, _ := extproctest.ReadAll(ctx, r.Body); upstreamRead <- string(b) }()
		return &extproctest.Response{
			Status: 401, Headers: extproctest.Headers{{Key: "content-type", Value: "application/json"}},
			Body: extproctest.Chunks(nil, `{"error":"no key"}`),
		}, nil
	})
	down := newNotifyDown()
	done := make(chan *extproctest.Outcome, 1)
	req := request("POST", "https://api.example/v1/upload", map[string]string{"content-type": "application/json", "x-request-id": "early-1"})
	req.Body = body
	go func() {
		out, err := e.Do(context.Background(), req, up, down)
		if err != nil {
			t.Error(err)
		}
		done <- out
	}()
	body.ch <- []byte(`{"part":1,`)
	// The agent gets the upstream's early answer while its request body is still open.
	got := waitFor(t, down.got, 5*time.Second)
	if got != `{"error":"no key"}` {
		t.Fatalf("agent got %q", got)
	}
	body.ch <- []byte(`"token":"late-part"}`)
	close(body.ch)
	if out := <-done; out == nil || out.LocalReply || out.Reset {
		t.Fatalf("the exchange ended with %+v; want the early response delivered whole", out)
	}
	if b := <-upstreamRead; strings.Contains(b, "late-part") {
		t.Fatalf("the upstream read request body sent after the early response: %q", b)
	}
	r, ok := byRequest(w.records(t))["early-1"][audit.StageRequest]
	if !ok || r.StatusDetail != "early_response" {
		t.Fatalf("request record %+v", r.Unmapped.Warden)
	}
}

// wardenWithOpenAIKeyFrom starts warden with a Vault section at addr (a fake Vault) whose one
// route injects the KV key llm/openai into requests to api.openai.com.
func wardenWithOpenAIKeyFrom(t *testing.T, addr string) *wardenProc {
	t.Helper()
	cfg, err := creds.ParseConfig([]byte(`
address: ` + addr + `
auth: {method: token, token: hvs.fidelity-test}
roles:
  - {name: openai, source: kv2, mount: secret, path: llm/openai}
routes:
  - host: api.openai.com
    role: openai
    headers: {authorization: "Bearer {{ .api_key }}"}
`))
	if err != nil {
		t.Fatal(err)
	}
	return startWarden(t, func(c *mainlib.Config) { c.Vault = &cfg })
}
