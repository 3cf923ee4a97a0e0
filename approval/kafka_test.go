package approval

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/warden-gw/warden/identity"
	"github.com/warden-gw/warden/internal/kafkaconn"
	"github.com/warden-gw/warden/internal/kafkaconn/kafkaconntest"
)

const topic = "warden.approvals"

func newCluster(t testing.TB) *kfake.Cluster {
	t.Helper()
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(3, topic))
	if err != nil {
		t.Fatalf("start kfake: %v", err)
	}
	t.Cleanup(c.Close)
	return c
}

func kafkaStore(t testing.TB, c *kfake.Cluster) *KafkaStore {
	t.Helper()
	s, err := NewKafkaStore(context.Background(), KafkaConfig{
		Settings: kafkaconn.Settings{Brokers: c.ListenAddrs()}, Topic: topic,
		StartupTimeout: 20 * time.Second,
	}, nil)
	if err != nil {
		t.Fatalf("NewKafkaStore: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// seen returns a channel that receives every state store applies for id.
func seen(s Store, id func() string) chan Approval {
	ch := make(chan Approval, 64)
	s.Watch(func(a Approval) {
		if a.ID == id() {
			ch <- a
		}
	})
	return ch
}

func waitStatus(t *testing.T, ch chan Approval, want Status) Approval {
	t.Helper()
	deadline := time.After(15 * time.Second)
	for {
		select {
		case a := <-ch:
			if a.Status == want {
				return a
			}
		case <-deadline:
			t.Fatalf("replica never saw status %s", want)
		}
	}
}

// oidcIssuer serves a JWKS and signs approver tokens, so that the HTTP API is exercised with the
// real identity.Verifier.
type oidcIssuer struct {
	srv *httptest.Server
	key *ecdsa.PrivateKey
}

func newOIDCIssuer(t *testing.T) *oidcIssuer {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	is := &oidcIssuer{key: k}
	is.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &k.PublicKey, KeyID: "a1", Algorithm: "ES256", Use: "sig"}}})
	}))
	t.Cleanup(is.srv.Close)
	return is
}

func (is *oidcIssuer) token(t *testing.T, sub string, groups ...string) string {
	t.Helper()
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: jose.JSONWebKey{Key: is.key, KeyID: "a1"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(map[string]any{
		"iss": is.srv.URL, "aud": "warden-admin", "sub": sub, "groups": groups,
		"exp": time.Now().Add(time.Hour).Unix(),
	})
	obj, err := s.Sign(b)
	if err != nil {
		t.Fatal(err)
	}
	tok, _ := obj.CompactSerialize()
	return tok
}

func (is *oidcIssuer) verifier(t *testing.T) *identity.Verifier {
	t.Helper()
	v, err := identity.New(context.Background(), identity.Config{
		Modes: []string{identity.ModeJWT},
		JWT:   identity.JWTConfig{Issuer: is.srv.URL, Audiences: []string{"warden-admin"}, JWKSURL: is.srv.URL},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = v.Close(context.Background()) })
	return v
}

func post(t *testing.T, url, token, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

// TestRoundTripAcrossReplicas holds a request on replica A and approves it through replica B's
// HTTP API: A's Wait returns approved, the action passes once, and never again.
func TestRoundTripAcrossReplicas(t *testing.T) {
	c := newCluster(t)
	clk := newClock()
	hooks := make(chan map[string]any, 4)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m map[string]any
		_ = json.NewDecoder(r.Body).Decode(&m)
		hooks <- m
	}))
	defer hook.Close()

	storeA, storeB := kafkaStore(t, c), kafkaStore(t, c)
	a, evA, _ := newService(t, Config{Webhook: WebhookConfig{URL: hook.URL}}, storeA, clk)
	b, evB, _ := newService(t, Config{}, storeB, clk)
	is := newOIDCIssuer(t)
	api := httptest.NewServer(b.Handler(is.verifier(t)))
	defer api.Close()

	var id string
	var idMu sync.Mutex
	getID := func() string { idMu.Lock(); defer idMu.Unlock(); return id }
	onB := seen(storeB, getID)
	ctx := context.Background()
	x := testExchange(`{"kind":"DeleteOptions"}`)
	req, err := a.Request(ctx, x, decision)
	if err != nil {
		t.Fatal(err)
	}
	idMu.Lock()
	id = req.ID
	idMu.Unlock()
	if _, ok := storeB.Get(id); !ok {
		waitStatus(t, onB, Pending)
	}

	waited := make(chan Status, 1)
	go func() {
		st, err := a.Wait(ctx, id)
		if err != nil {
			t.Errorf("Wait: %v", err)
		}
		waited <- st
	}()

	// An approver outside the group: 403, nothing released.
	code, _ := post(t, api.URL+"/approvals/"+id+"/approve", is.token(t, "mallory", "dev"), `{}`)
	if code != http.StatusForbidden {
		t.Fatalf("outsider got %d, want 403", code)
	}
	if cur, _ := storeB.Get(id); cur.Status != Pending {
		t.Fatalf("outsider changed the request to %s", cur.Status)
	}
	code, body := post(t, api.URL+"/approvals/"+id+"/approve", is.token(t, "alice", "approvers"), `{"note":"go ahead"}`)
	if code != http.StatusOK || body["status"] != "approved" || body["decided_by"] != "alice" || body["note"] != "go ahead" {
		t.Fatalf("approve: %d %v", code, body)
	}
	select {
	case st := <-waited:
		if st != Approved {
			t.Fatalf("A's Wait = %s, want approved", st)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("A's Wait did not return after B approved")
	}
	if got, ok := a.Consume(ctx, KeyOf(x)); !ok || got.ID != id {
		t.Fatalf("A could not consume the approval: %v %v", got, ok)
	}
	waitStatus(t, onB, Used)
	if _, ok := b.Consume(ctx, KeyOf(x)); ok {
		t.Fatal("B let the once-only approval through a second time")
	}
	if _, ok := a.Consume(ctx, KeyOf(x)); ok {
		t.Fatal("A let the once-only approval through a second time")
	}

	evA.waitFor(t, EventRequested)
	evA.waitFor(t, EventUsed)
	if ev := evB.waitFor(t, EventApproved); ev.Actor != "alice" {
		t.Fatalf("approved event actor %q", ev.Actor)
	}
	if ev := evB.waitFor(t, EventRefused); ev.Actor != "mallory" {
		t.Fatalf("refused event actor %q", ev.Actor)
	}
	select {
	case m := <-hooks:
		text, _ := m["text"].(string)
		blocks, _ := m["blocks"].([]any)
		raw, _ := json.Marshal(m)
		if !strings.Contains(text, "coder-agent on behalf of bob@example.com") || len(blocks) < 3 || !bytes.Contains(raw, []byte(id)) {
			t.Fatalf("webhook payload %s", raw)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no webhook")
	}

	// A replica started later reads the whole history from the topic.
	storeC := kafkaStore(t, c)
	if cur, ok := storeC.Get(id); !ok || cur.Status != Used || cur.DecidedBy != "alice" {
		t.Fatalf("new replica sees %+v %v", cur, ok)
	}
}

// TestKafkaConflictFirstWriteWins writes the same version from two replicas at once: exactly one
// wins, both converge on it.
func TestKafkaConflictFirstWriteWins(t *testing.T) {
	c := newCluster(t)
	s1, s2 := kafkaStore(t, c), kafkaStore(t, c)
	ctx := context.Background()
	base := Approval{ID: "apr_conflict", Version: 1, Status: Approved, Digest: "d", Created: time.Now(), UsableUntil: time.Now().Add(time.Hour)}
	if err := s1.Put(ctx, base); err != nil {
		t.Fatal(err)
	}
	onS2 := seen(s2, func() string { return base.ID })
	if _, ok := s2.Get(base.ID); !ok {
		waitStatus(t, onS2, Approved)
	}
	u1, u2 := base, base
	u1.Version, u1.Status, u1.Uses = 2, Used, 1
	u2.Version, u2.Status = 2, Expired
	errs := make(chan error, 2)
	go func() { errs <- s1.Put(ctx, u1) }()
	go func() { errs <- s2.Put(ctx, u2) }()
	e1, e2 := <-errs, <-errs
	wins := 0
	for _, err := range []error{e1, e2} {
		switch {
		case err == nil:
			wins++
		case !errors.Is(err, ErrConflict):
			t.Fatalf("unexpected error %v", err)
		}
	}
	if wins != 1 {
		t.Fatalf("%d writers won (errors %v, %v), want exactly 1", wins, e1, e2)
	}
	g1, _ := s1.Get(base.ID)
	g2, _ := s2.Get(base.ID)
	if g1.Status != g2.Status || g1.Version != 2 || g1.WriteID != g2.WriteID {
		t.Fatalf("replicas disagree: %+v vs %+v", g1, g2)
	}
	// A stale write (version already taken) is refused locally.
	if err := s1.Put(ctx, u1); !errors.Is(err, ErrConflict) {
		t.Fatalf("stale write: %v", err)
	}
}

func TestNewKafkaStoreErrors(t *testing.T) {
	c := newCluster(t)
	_, err := NewKafkaStore(context.Background(), KafkaConfig{Settings: kafkaconn.Settings{Brokers: c.ListenAddrs()}, Topic: "missing.topic", StartupTimeout: 5 * time.Second}, nil)
	if err == nil || !strings.Contains(err.Error(), "cleanup.policy=compact") {
		t.Fatalf("missing topic: %v", err)
	}
	if _, err := NewKafkaStore(context.Background(), KafkaConfig{}, nil); err == nil {
		t.Fatal("no brokers accepted")
	}
}

// The store works against a cluster that requires TLS and SASL (SCRAM-SHA-512, as most managed
// Kafka offers), and a wrong password fails the start with a reason that does not carry it.
func TestKafkaStoreOverTLSAndSCRAM(t *testing.T) {
	_, conn := kafkaconntest.SecureCluster(t, topic, 3)
	cfg := KafkaConfig{Settings: conn, Topic: topic, StartupTimeout: 20 * time.Second}
	s, err := NewKafkaStore(context.Background(), cfg, nil)
	if err != nil {
		t.Fatalf("store over TLS+SCRAM: %v", err)
	}
	defer s.Close()
	if err := s.Put(context.Background(), Approval{ID: "apr_scram", Version: 1, Status: Pending, Created: time.Now()}); err != nil {
		t.Fatalf("Put over TLS+SCRAM: %v", err)
	}

	bad := filepath.Join(t.TempDir(), "bad")
	if err := os.WriteFile(bad, []byte("wrong"), 0o600); err != nil {
		t.Fatal(err)
	}
	sasl := *conn.SASL
	sasl.PasswordFile = bad
	cfg.SASL, cfg.StartupTimeout = &sasl, 3*time.Second
	if s2, err := NewKafkaStore(context.Background(), cfg, nil); err == nil {
		_ = s2.Close()
		t.Fatal("store started with a wrong password")
	} else if !strings.Contains(err.Error(), "approval topic") || strings.Contains(err.Error(), kafkaconntest.Password) {
		t.Fatalf("error %q: want it to name the approval topic and never carry the password", err)
	}
}
