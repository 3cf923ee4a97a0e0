package audit

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/warden-gw/warden/internal/testenv"

	"github.com/hashicorp/vault/api"

	"github.com/warden-gw/warden/internal/testenv/vaulttest"
)

const transitKey = "warden-audit"

// transitPolicy is what docs/audit.md says warden's token needs.
const transitPolicy = `path "transit/keys/warden-audit" { capabilities = ["read"] }
path "transit/sign/warden-audit" { capabilities = ["update"] }`

// transitEnv is a real Vault dev server with the transit engine, an ed25519 key and a token
// limited to transitPolicy.
type transitEnv struct {
	vault *vaulttest.Server
	token string
}

func newTransitEnv(t *testing.T) *transitEnv {
	t.Helper()
	v := vaulttest.Start(t)
	v.Mount(t, "transit", "transit")
	v.Write(t, "transit/keys/"+transitKey, map[string]any{"type": "ed25519"})
	if err := v.Client(t).Sys().PutPolicy("audit-signer", transitPolicy); err != nil {
		t.Fatal(err)
	}
	sec := v.Write(t, "auth/token/create", map[string]any{"policies": []string{"audit-signer"}})
	return &transitEnv{vault: v, token: sec.Auth.ClientToken}
}

// client is a client at addr (Vault or a proxy in front of it) with the limited token.
func (e *transitEnv) client(t *testing.T, addr string) *api.Client {
	t.Helper()
	cfg := api.DefaultConfig()
	cfg.Address, cfg.MaxRetries = addr, 0
	c, err := api.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	c.SetToken(e.token)
	c.ClearNamespace()
	return c
}

// publicKey reads the public key of a version straight from Vault (root token).
func (e *transitEnv) publicKey(t *testing.T, name string, version int) ed25519.PublicKey {
	t.Helper()
	sec, err := e.vault.Client(t).Logical().Read("transit/keys/" + name)
	if err != nil {
		t.Fatal(err)
	}
	keys, _ := sec.Data["keys"].(map[string]any)
	v, _ := keys[strconv.Itoa(version)].(map[string]any)
	b, err := base64.StdEncoding.DecodeString(v["public_key"].(string))
	if err != nil || len(b) != ed25519.PublicKeySize {
		t.Fatalf("version %d of %s has no ed25519 public key", version, name)
	}
	return b
}

func testCheckpoint() Checkpoint {
	return Checkpoint{ChainID: "c", Number: 1, Seq: 10, RecordHash: ZeroHash, PrevCheckpoint: ZeroHash, Time: 1}
}

func TestTransitSignerCheckpointsVerify(t *testing.T) {
	e := newTransitEnv(t)
	pubFile := filepath.Join(t.TempDir(), "checkpoint.key.pub")
	s, err := NewVaultTransitSigner(context.Background(), e.client(t, e.vault.Addr), TransitOptions{Key: transitKey, PublicKeyFile: pubFile})
	if err != nil {
		t.Fatal(err)
	}
	v1 := e.publicKey(t, transitKey, 1)
	if s.Alg() != "ed25519" || s.KeyID() != KeyID(v1) || s.Version() != 1 {
		t.Fatalf("alg %s key id %s version %d; want ed25519, %s (version 1's public key), 1", s.Alg(), s.KeyID(), s.Version(), KeyID(v1))
	}
	// The exported file is an ordinary one-key public key file.
	if pub, err := LoadPublicKey(pubFile); err != nil || !pub.Equal(v1) {
		t.Fatalf("exported public key: %v (equal to Vault's: %v)", err, pub.Equal(v1))
	}
	sc, err := SignCheckpoint(s, testCheckpoint())
	if err != nil {
		t.Fatal(err)
	}
	if sc.Checkpoint.KeyID != KeyID(v1) || sc.Checkpoint.Alg != "ed25519" {
		t.Fatalf("signed checkpoint names key %s alg %s", sc.Checkpoint.KeyID, sc.Checkpoint.Alg)
	}
	if err := VerifyCheckpoint(v1, sc); err != nil {
		t.Fatalf("offline verification of a transit signature: %v", err)
	}
	// Vault agrees that the stripped signature is its own.
	msg, _ := sc.Checkpoint.SignedBytes()
	res := e.vault.Write(t, "transit/verify/"+transitKey, map[string]any{
		"input": base64.StdEncoding.EncodeToString(msg), "signature": "vault:v1:" + sc.Signature,
	})
	if valid, _ := res.Data["valid"].(bool); !valid {
		t.Fatal("Vault's transit/verify rejects the signature")
	}
	t.Run("a modified checkpoint fails", func(t *testing.T) {
		bad := sc
		bad.Checkpoint.Seq++
		if err := VerifyCheckpoint(v1, bad); err == nil {
			t.Fatal("a checkpoint with another seq verifies")
		}
	})
}

func TestTransitSignerRefusesOtherKeys(t *testing.T) {
	e := newTransitEnv(t)
	root := e.vault.Client(t)
	e.vault.Write(t, "transit/keys/ecdsa", map[string]any{"type": "ecdsa-p256"})
	e.vault.Write(t, "transit/keys/aes", map[string]any{"type": "aes256-gcm96"})
	e.vault.Write(t, "transit/keys/derived", map[string]any{"type": "ed25519", "derived": true})
	ctx := context.Background()
	for _, tc := range []struct {
		key, want string
		client    *api.Client
	}{
		{"ecdsa", `type is "ecdsa-p256"; checkpoints need an ed25519 key`, root},
		{"aes", `type is "aes256-gcm96"`, root},
		{"derived", "derived key", root},
		{"missing", "does not exist: create it with `vault write -f transit/keys/missing type=ed25519`", root},
		{"ecdsa", "HTTP 403", e.client(t, e.vault.Addr)}, // the limited token may read only warden-audit
	} {
		_, err := NewVaultTransitSigner(ctx, tc.client, TransitOptions{Key: tc.key})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("key %s: err = %v, want it to contain %q", tc.key, err, tc.want)
		}
	}
	t.Run("Open refuses to start", func(t *testing.T) {
		cfg := testConfig(t.TempDir())
		cfg.Checkpoint.VaultTransit, cfg.VaultClient = &TransitConfig{Key: "ecdsa"}, root
		if _, err := Open(ctx, cfg); err == nil || !strings.Contains(err.Error(), `"ecdsa-p256"`) {
			t.Fatalf("Open with an ecdsa transit key: %v", err)
		}
		cfg.VaultClient = nil
		if _, err := Open(ctx, cfg); err == nil || !strings.Contains(err.Error(), "needs a Vault connection") {
			t.Fatalf("Open with vault_transit and no Vault client: %v", err)
		}
	})
}

// TestTransitLogAcrossRotation writes a chain, rotates the transit key in Vault mid-log, writes
// more, and verifies the whole chain with the exported keyring.
func TestTransitLogAcrossRotation(t *testing.T) {
	e := newTransitEnv(t)
	dir := t.TempDir()
	cfg := testConfig(dir) // a checkpoint every 10 records
	cfg.Checkpoint.VaultTransit = &TransitConfig{Key: transitKey, RefreshInterval: time.Nanosecond}
	cfg.VaultClient = e.client(t, e.vault.Addr)
	l := openLog(t, cfg)
	writeRecords(t, l, 25, "before")
	waitCheckpoints(t, l, 2) // seq 10 and 20 signed (off the record path) before the rotation
	e.vault.Write(t, "transit/keys/"+transitKey+"/rotate", nil)
	writeRecords(t, l, 25, "after")
	waitCheckpoints(t, l, 5) // seq 10..50, signed off the record path
	closeLog(t, l)

	v1, v2 := e.publicKey(t, transitKey, 1), e.publicKey(t, transitKey, 2)
	keys, err := LoadPublicKeys(filepath.Join(dir, "checkpoint.key.pub"))
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 2 || !keys[0].Equal(v1) || !keys[1].Equal(v2) {
		t.Fatalf("checkpoint.key.pub holds %d keys; want versions 1 and 2 of the transit key", len(keys))
	}
	es := spoolEntries(t, dir)
	rep := Verify(es, VerifyOptions{Keys: NewKeyring(keys...), Strict: true})
	if !rep.OK() {
		t.Fatalf("chain signed across a rotation does not verify: %v", rep.Problems)
	}
	c := rep.Chains["test-chain"]
	if c.LastSeq != 50 || c.SignedUpTo != 50 || c.Checkpoints != 6 {
		t.Fatalf("chain summary %+v; want 50 records, 6 checkpoints (10..50 and the final one), signed to 50", *c)
	}
	id1, id2 := KeyID(v1), KeyID(v2)
	if !slices.Equal(c.KeyIDs, []string{id1, id2}) {
		t.Fatalf("checkpoint key ids %v; want %s (version 1) then %s (version 2)", c.KeyIDs, id1, id2)
	}
	// The first checkpoint after the rotation (seq 30) is already signed by version 2.
	for _, x := range es {
		var sc SignedCheckpoint
		if json.Unmarshal(x.Payload, &sc) != nil || sc.Signature == "" {
			continue
		}
		want := id1
		if sc.Checkpoint.Seq > 25 {
			want = id2
		}
		if sc.Checkpoint.KeyID != want {
			t.Errorf("checkpoint #%d (seq %d) has key id %s, want %s", sc.Checkpoint.Number, sc.Checkpoint.Seq, sc.Checkpoint.KeyID, want)
		}
	}

	t.Run("an unknown key id is a signature problem naming it", func(t *testing.T) {
		other, _, _ := ed25519.GenerateKey(rand.Reader)
		rep := Verify(es, VerifyOptions{Keys: NewKeyring(v1, other)})
		f := rep.First()
		if f == nil || f.Kind != ProblemSignature || !strings.Contains(f.Detail, id2) {
			t.Fatalf("first problem %v; want bad_signature naming key id %s", f, id2)
		}
	})
	t.Run("the old key alone does not verify the new checkpoints", func(t *testing.T) {
		if f := Verify(es, VerifyOptions{PublicKey: v1}).First(); f == nil || f.Kind != ProblemSignature {
			t.Fatalf("first problem %v; want bad_signature", f)
		}
	})
	t.Run("a modified checkpoint fails", func(t *testing.T) {
		mod := slices.Clone(es)
		at := -1
		for i, x := range mod {
			var sc SignedCheckpoint
			if json.Unmarshal(x.Payload, &sc) == nil && sc.Signature != "" && sc.Checkpoint.KeyID == id2 {
				sc.Checkpoint.Time++
				b, _ := json.Marshal(sc)
				mod[i] = Entry{Pos: x.Pos, Payload: b}
				at = i
				break
			}
		}
		f := Verify(mod, VerifyOptions{Keys: NewKeyring(keys...)}).First()
		if at < 0 || f == nil || f.Kind != ProblemSignature || f.Pos != mod[at].Pos {
			t.Fatalf("first problem %v; want bad_signature at the modified checkpoint", f)
		}
	})
}

// flakyProxy sits in front of Vault and can drop (abort) or hold (hang) every request.
type flakyProxy struct {
	mode atomic.Int32
	srv  *httptest.Server
}

const (
	proxyPass = iota
	proxyAbort
	proxyHang
)

func newFlakyProxy(t *testing.T, target string) *flakyProxy {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(u)
	p := &flakyProxy{}
	stop := make(chan struct{})
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch p.mode.Load() {
		case proxyAbort:
			panic(http.ErrAbortHandler)
		case proxyHang:
			// The server notices a client that gave up only once the body is read.
			_, _ = io.Copy(io.Discard, r.Body)
			select {
			case <-r.Context().Done():
			case <-stop:
			}
			return
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(func() { close(stop); p.srv.Close() })
	return p
}

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *fakeClock) advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// TestTransitOutageKeepsRecords makes Vault hang mid-log: records keep being written at full
// speed (after one stalled attempt the signer pauses instead of waiting a timeout per record),
// nothing is lost, and once Vault answers again the next checkpoint covers every record written
// meanwhile, also across a restart.
func TestTransitOutageKeepsRecords(t *testing.T) {
	e := newTransitEnv(t)
	proxy := newFlakyProxy(t, e.vault.Addr)
	clock := &fakeClock{t: time.Now()}
	dir := t.TempDir()
	var logs lockedLog
	s, err := NewVaultTransitSigner(context.Background(), e.client(t, proxy.srv.URL), TransitOptions{
		Key: transitKey, Timeout: time.Second, RefreshInterval: time.Hour, Now: clock.now,
		PublicKeyFile: filepath.Join(dir, "checkpoint.key.pub"), Logger: logs.logger(),
	})
	if err != nil {
		t.Fatal(err)
	}
	cfg := testConfig(dir)
	cfg.Signer, cfg.Logger = s, logs.logger()
	l := openLog(t, cfg)
	writeRecords(t, l, 10, "a") // checkpoint #1 at seq 10
	waitCheckpoints(t, l, 1)

	proxy.mode.Store(proxyHang)
	start := time.Now()
	writeRecords(t, l, 30, "b") // seq 11..40: checkpoints at 20, 30 and 40 are signed off the record path
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("30 records took %v with Vault hanging: records waited for Vault", d)
	}
	waitCheckpointErrors(t, l, 1)
	_, err = SignCheckpoint(s, testCheckpoint())
	if err == nil || !strings.Contains(err.Error(), "not calling Vault again") || !strings.Contains(err.Error(), "cannot reach Vault") {
		t.Fatalf("sign during the outage: %v", err)
	}
	keys := s.PublicKeys()
	rep := Verify(spoolEntries(t, dir), VerifyOptions{Keys: keys})
	c := rep.Chains["test-chain"]
	if !rep.OK() || c.Records != 40 || c.SignedUpTo != 10 || !slices.ContainsFunc(rep.Warnings, func(w string) bool {
		return strings.Contains(w, "seq 11..40 are not yet covered")
	}) {
		t.Fatalf("during the outage: problems %v, chain %+v, warnings %v", rep.Problems, c, rep.Warnings)
	}

	proxy.mode.Store(proxyAbort)
	closeLog(t, l) // the final checkpoint fails too; Close still succeeds
	if n := len(recordIndexes(t, spoolEntries(t, dir))); n != 40 {
		t.Fatalf("%d records in the spool after closing during the outage, want 40", n)
	}

	proxy.mode.Store(proxyPass)
	clock.advance(time.Minute) // past the pause
	l = openLog(t, cfg)
	writeRecords(t, l, 1, "c") // seq 41: the resumed log signs at once (40 records since checkpoint #1)
	// Record waited for its own fsync, not for the checkpoint appended after it.
	waitFor(t, "the chain signed up to seq 41 after Vault came back", func() bool {
		rep = Verify(spoolEntries(t, dir), VerifyOptions{Keys: keys})
		c := rep.Chains["test-chain"]
		return rep.OK() && c.SignedUpTo == 41 && c.Checkpoints == 2
	})
	closeLog(t, l)
	rep = Verify(spoolEntries(t, dir), VerifyOptions{Keys: keys, Strict: true})
	if c := rep.Chains["test-chain"]; !rep.OK() || c.SignedUpTo != 41 || len(rep.Warnings) != 0 {
		t.Fatalf("final chain: problems %v, chain %+v, warnings %v", rep.Problems, c, rep.Warnings)
	}
	out := logs.String()
	for _, want := range []string{"Vault transit signing fails", "audit: cannot sign or write a checkpoint", "Vault transit signing works again"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, e.token) {
		t.Fatal("the Vault token is in the log")
	}
}

// TestTransitVaultStopped stops the Vault server mid-log: signing fails with an error that says
// Vault cannot be reached, and every record is still in the spool.
func TestTransitVaultStopped(t *testing.T) {
	e := newTransitEnv(t)
	dir := t.TempDir()
	var logs lockedLog
	s, err := NewVaultTransitSigner(context.Background(), e.client(t, e.vault.Addr), TransitOptions{
		Key: transitKey, PublicKeyFile: filepath.Join(dir, "checkpoint.key.pub"), Logger: logs.logger(),
	})
	if err != nil {
		t.Fatal(err)
	}
	cfg := testConfig(dir)
	cfg.Signer, cfg.Logger = s, logs.logger()
	l := openLog(t, cfg)
	writeRecords(t, l, 12, "a")
	waitCheckpoints(t, l, 1) // signed at seq 10 before Vault goes away
	e.vault.Stop()
	writeRecords(t, l, 13, "b")
	closeLog(t, l)

	_, err = SignCheckpoint(s, testCheckpoint())
	if err == nil || !strings.Contains(err.Error(), "cannot reach Vault") || !strings.Contains(err.Error(), "connection refused") {
		t.Fatalf("sign with Vault stopped: %v", err)
	}
	if strings.Contains(err.Error(), e.token) || strings.Contains(logs.String(), e.token) {
		t.Fatal("the Vault token is in an error or the log")
	}
	keys, err := LoadPublicKeys(filepath.Join(dir, "checkpoint.key.pub"))
	if err != nil {
		t.Fatal(err)
	}
	rep := Verify(spoolEntries(t, dir), VerifyOptions{Keys: NewKeyring(keys...)})
	c := rep.Chains["test-chain"]
	if !rep.OK() || c.Records != 25 || c.SignedUpTo != 10 || !slices.ContainsFunc(rep.Warnings, func(w string) bool {
		return strings.Contains(w, "seq 11..25 are not yet covered")
	}) {
		t.Fatalf("problems %v, chain %+v, warnings %v", rep.Problems, c, rep.Warnings)
	}
}

// TestTransitKeepsEarlierKeys switches a spool from the generated key file to Vault transit: the
// exported file keeps the old key, so the whole chain still verifies from the default file.
func TestTransitKeepsEarlierKeys(t *testing.T) {
	e := newTransitEnv(t)
	dir := t.TempDir()
	l := openLog(t, testConfig(dir)) // generates dir/checkpoint.key and .pub
	writeRecords(t, l, 12, "a")
	closeLog(t, l)
	cfg := testConfig(dir)
	cfg.Checkpoint.VaultTransit, cfg.VaultClient = &TransitConfig{Key: transitKey}, e.client(t, e.vault.Addr)
	l = openLog(t, cfg)
	writeRecords(t, l, 12, "b")
	closeLog(t, l)
	keys, err := LoadPublicKeys(filepath.Join(dir, "checkpoint.key.pub"))
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 2 || !keys[1].Equal(e.publicKey(t, transitKey, 1)) {
		t.Fatalf("checkpoint.key.pub holds %d keys; want the old key file's, then transit version 1", len(keys))
	}
	rep := Verify(spoolEntries(t, dir), VerifyOptions{Keys: NewKeyring(keys...), Strict: true})
	if c := rep.Chains["test-chain"]; !rep.OK() || c.SignedUpTo != 24 || len(c.KeyIDs) != 2 {
		t.Fatalf("problems %v, chain %+v", rep.Problems, c)
	}
}

func TestTransitConfig(t *testing.T) {
	base := func() Config {
		c := testConfig(t.TempDir())
		c.Checkpoint.VaultTransit = &TransitConfig{Key: transitKey}
		return c
	}
	c := base().withDefaults()
	if vt := c.Checkpoint.VaultTransit; vt.Mount != "transit" || vt.RefreshInterval != time.Minute || c.Checkpoint.KeyFile != "" {
		t.Fatalf("defaults: %+v, key_file %q", *vt, c.Checkpoint.KeyFile)
	}
	if err := c.validate(); err != nil {
		t.Fatal(err)
	}
	yes := true
	for name, tc := range map[string]struct {
		mutate func(*Config)
		want   string
	}{
		"key_file too":   {func(c *Config) { c.Checkpoint.KeyFile = "/k" }, "set key_file (and create_key) or vault_transit, not both"},
		"create_key too": {func(c *Config) { c.Checkpoint.CreateKey = &yes }, "not both"},
		"no key name":    {func(c *Config) { c.Checkpoint.VaultTransit.Key = "" }, "vault_transit.key"},
		"key with slash": {func(c *Config) { c.Checkpoint.VaultTransit.Key = "a/b" }, "vault_transit.key"},
	} {
		c := base()
		tc.mutate(&c)
		if err := c.withDefaults().validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", name, err, tc.want)
		}
	}
}

// lockedLog collects log output from several goroutines.
type lockedLog struct{ testenv.SyncBuffer }

func (l *lockedLog) logger() *slog.Logger { return slog.New(slog.NewTextHandler(l, nil)) }
