package auditcli

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	kafkago "github.com/segmentio/kafka-go"

	"github.com/warden-gw/warden/audit"
	"github.com/warden-gw/warden/audit/kafka"
	"github.com/warden-gw/warden/exchange"
	"github.com/warden-gw/warden/internal/kafkaconn"
	"github.com/warden-gw/warden/internal/testenv/vaulttest"
)

var t0 = time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)

// session writes a realistic session: an allowed LLM call with a tool call and a redaction, a
// denied kubectl delete, and an approval-held shell command, each with request (and completion
// when it went upstream) records. Another session's traffic is interleaved.
func writeSession(t *testing.T, cfg audit.Config) {
	t.Helper()
	l, err := audit.Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	id := exchange.Identity{Agent: "spiffe://corp/agent/ops", OnBehalfOf: "alice@corp", Session: "sess-a"}
	steps := []*exchange.Exchange{
		{
			ID: "r1", Request: exchange.Request{Method: "POST", Authority: "api.openai.com", Path: "/v1/chat/completions"},
			Decisions:  []exchange.Decision{{Action: exchange.Allow, Phase: exchange.PhaseRequest, Policy: "llm", Rule: "llm-ok"}},
			Redactions: map[string]int{"secret.aws": 1}, Disposition: exchange.Allowed,
			ToolCalls: []exchange.ToolCall{{Kind: "k8s", Name: "kubectl", Text: "kubectl delete ns prod"}},
			Response:  exchange.Response{Status: 200},
		},
		{
			ID: "r2", Request: exchange.Request{Method: "DELETE", Authority: "k8s.corp", Path: "/api/v1/namespaces/prod"},
			Decisions:   []exchange.Decision{{Action: exchange.Deny, Phase: exchange.PhaseRequest, Policy: "k8s", Rule: "no-prod-delete", Reason: "prod is protected"}},
			Disposition: exchange.Denied, Status: 403,
		},
		{
			ID: "r3", Request: exchange.Request{Method: "POST", Authority: "runner.corp", Path: "/exec"},
			Decisions:   []exchange.Decision{{Action: exchange.RequireApproval, Phase: exchange.PhaseRequest, Rule: "shell-approval", ApprovalID: "appr-9"}},
			Disposition: exchange.ApprovalRequired, Status: 403,
		},
	}
	for i, x := range steps {
		x.Identity, x.Start, x.End = id, t0.Add(time.Duration(i)*time.Minute), t0.Add(time.Duration(i)*time.Minute+2*time.Second)
		noise := &exchange.Exchange{
			ID: fmt.Sprintf("n%d", i), Start: x.Start, Identity: exchange.Identity{Session: "sess-b"},
			Request: exchange.Request{Method: "GET", Authority: "example.com", Path: "/"}, Disposition: exchange.Allowed,
		}
		for _, rec := range []struct {
			x *exchange.Exchange
			s audit.Stage
		}{{x, audit.StageRequest}, {noise, audit.StageRequest}} {
			if err := l.Record(context.Background(), rec.x, rec.s); err != nil {
				t.Fatal(err)
			}
		}
		if x.Disposition == exchange.Allowed {
			if err := l.Record(context.Background(), x, audit.StageCompletion); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := l.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func testCfg(dir string) audit.Config {
	return audit.Config{
		Dir: dir, ChainID: "cli-chain", Checkpoint: audit.CheckpointConfig{Every: 3},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
}

func run(args ...string) (string, error) {
	var out, errb bytes.Buffer
	err := Run(context.Background(), args, strings.NewReader(""), &out, &errb)
	return out.String() + errb.String(), err
}

func TestVerifySpoolFolder(t *testing.T) {
	dir := t.TempDir()
	writeSession(t, testCfg(dir))
	out, err := run("verify", "--dir", dir)
	if err != nil || !strings.Contains(out, "verify: OK") || !strings.Contains(out, "signatures checked") {
		t.Fatalf("verify of an intact spool: err %v\n%s", err, out)
	}
	// Damage one byte inside the third frame: the frame checksum catches it.
	seg := filepath.Join(dir, "seg-00000000000000000000.wal")
	b, err := os.ReadFile(seg)
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(b, []byte(`"n1"`))
	b[i+1] = 'X'
	if err := os.WriteFile(seg, b, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err = run("verify", "--dir", dir)
	if !errors.Is(err, ErrVerifyFailed) || !strings.Contains(out, "FAILED — modified at seg-00000000000000000000.wal@") ||
		!strings.Contains(out, "checksum mismatch") {
		t.Fatalf("verify of a damaged spool: err %v\n%s", err, out)
	}
}

func TestExportAndVerifyBundle(t *testing.T) {
	dir := t.TempDir()
	writeSession(t, testCfg(dir))
	bundle := filepath.Join(t.TempDir(), "evidence.jsonl")
	if out, err := run("export", "--dir", dir, "--from", "2026-11-27T08:00:00Z", "--to", "2026-11-27T10:00:00Z", "--out", bundle); err != nil {
		t.Fatalf("export: %v\n%s", err, out)
	}
	pub := filepath.Join(dir, "checkpoint.key.pub")
	if out, err := run("verify", "--bundle", bundle, "--pubkey", pub); err != nil || !strings.Contains(out, "verify: OK") {
		t.Fatalf("verify bundle: %v\n%s", err, out)
	}
	orig, _ := os.ReadFile(bundle)
	lines := strings.SplitAfter(strings.TrimSuffix(string(orig), "\n"), "\n")
	cases := []struct {
		name   string
		mutate func() string
		want   string
	}{
		{"manifest cut off", func() string { return strings.Join(lines[:len(lines)-1], "") }, "truncated at line"},
		{"last record removed", func() string {
			return strings.Join(append(append([]string{}, lines[:len(lines)-2]...), lines[len(lines)-1]), "")
		}, "FAILED"},
		{"record edited", func() string { return strings.Replace(string(orig), "no-prod-delete", "prod-delete-ok", 1) }, "modified at line"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "b.jsonl")
			if err := os.WriteFile(p, []byte(tc.mutate()), 0o600); err != nil {
				t.Fatal(err)
			}
			out, err := run("verify", "--bundle", p, "--pubkey", pub)
			if !errors.Is(err, ErrVerifyFailed) || !strings.Contains(out, tc.want) {
				t.Fatalf("err %v, want output with %q:\n%s", err, tc.want, out)
			}
		})
	}
	t.Run("wrong key", func(t *testing.T) {
		other := t.TempDir()
		writeSession(t, testCfg(other))
		out, err := run("verify", "--bundle", bundle, "--pubkey", filepath.Join(other, "checkpoint.key.pub"))
		if !errors.Is(err, ErrVerifyFailed) || !strings.Contains(out, "bad_signature") {
			t.Fatalf("err %v\n%s", err, out)
		}
	})
}

// A spool whose checkpoints are signed by Vault transit has no key file: export signs the bundle
// with the transit key (Vault from the standard VAULT_* variables) and writes its public keys;
// the bundle verifies offline with them, and a modified bundle does not.
func TestExportSignedWithVaultTransit(t *testing.T) {
	v := vaulttest.Start(t)
	v.Mount(t, "transit", "transit")
	v.Write(t, "transit/keys/evidence", map[string]any{"type": "ed25519"})
	t.Setenv("VAULT_ADDR", v.Addr)
	t.Setenv("VAULT_TOKEN", v.RootToken)
	dir := t.TempDir()
	writeSession(t, testCfg(dir))
	out := t.TempDir()
	bundle, pub := filepath.Join(out, "evidence.jsonl"), filepath.Join(out, "evidence.pub")
	if o, err := run("export", "--dir", dir, "--from", "2026-11-27T08:00:00Z", "--to", "2026-11-27T10:00:00Z",
		"--vault-transit", "transit/evidence", "--pubkey-out", pub, "--out", bundle); err != nil {
		t.Fatalf("export: %v\n%s", err, o)
	}
	if o, err := run("verify", "--bundle", bundle, "--pubkey", pub, "--pubkey", filepath.Join(dir, "checkpoint.key.pub")); err != nil || !strings.Contains(o, "verify: OK") {
		t.Fatalf("verify bundle: %v\n%s", err, o)
	}
	// The bundle's own signature is the transit key's: the spool's key alone does not verify it.
	if o, err := run("verify", "--bundle", bundle, "--pubkey", filepath.Join(dir, "checkpoint.key.pub")); !errors.Is(err, ErrVerifyFailed) {
		t.Fatalf("bundle verified without the transit key: err %v\n%s", err, o)
	}
	b, _ := os.ReadFile(bundle)
	if err := os.WriteFile(bundle, bytes.Replace(b, []byte(`"n1"`), []byte(`"n2"`), 1), 0o600); err != nil {
		t.Fatal(err)
	}
	if o, err := run("verify", "--bundle", bundle, "--pubkey", pub, "--pubkey", filepath.Join(dir, "checkpoint.key.pub")); !errors.Is(err, ErrVerifyFailed) {
		t.Fatalf("verify of a modified bundle: err %v\n%s", err, o)
	}
	// An export that fails (no entries in the period) leaves no key file behind.
	noPub := filepath.Join(out, "none.pub")
	if _, err := run("export", "--dir", dir, "--from", "2020-01-01T00:00:00Z", "--to", "2020-01-02T00:00:00Z",
		"--vault-transit", "transit/evidence", "--pubkey-out", noPub, "--out", filepath.Join(out, "none.jsonl")); err == nil {
		t.Fatal("export of an empty period succeeded")
	}
	if _, err := os.Stat(noPub); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a failed export wrote --pubkey-out (%v)", err)
	}
	t.Setenv("VAULT_TOKEN", "")
	if o, err := run("export", "--dir", dir, "--from", "2026-11-27T08:00:00Z", "--to", "2026-11-27T10:00:00Z",
		"--vault-transit", "transit/evidence"); !errors.Is(err, ErrUsage) || !strings.Contains(err.Error(), "VAULT_TOKEN") {
		t.Errorf("export without a token: err %v\n%s", err, o)
	}
	t.Setenv("VAULT_TOKEN", v.RootToken)
	for _, bad := range [][]string{
		{"--vault-transit", "evidence"},
		{"--vault-transit", "transit/evidence", "--key", filepath.Join(dir, "checkpoint.key")},
		{"--pubkey-out", pub},
	} {
		args := append([]string{"export", "--dir", dir, "--from", "2026-11-27T08:00:00Z", "--to", "2026-11-27T10:00:00Z"}, bad...)
		if o, err := run(args...); !errors.Is(err, ErrUsage) {
			t.Errorf("export %v: err %v, want a usage error\n%s", bad, err, o)
		}
	}
}

func TestReplaySession(t *testing.T) {
	dir := t.TempDir()
	writeSession(t, testCfg(dir))
	page := filepath.Join(t.TempDir(), "s.html")
	out, err := run("replay", "--dir", dir, "--session", "sess-a", "--html", page)
	if err != nil {
		t.Fatalf("replay: %v\n%s", err, out)
	}
	for _, want := range []string{
		"session sess-a: 3 exchange(s)", "agent spiffe://corp/agent/ops acting for alice@corp",
		"request     POST api.openai.com/v1/chat/completions → allowed", "redactions secret.aws=1",
		`k8s call kubectl "kubectl delete ns prod"`, "completion  POST", "upstream 200",
		"decision request/deny by no-prod-delete (policy k8s): prod is protected", "approval appr-9",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("timeline lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "example.com") {
		t.Error("timeline includes another session's traffic")
	}
	html, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	h := string(html)
	for _, want := range []string{"<table>", "sess-a", "r1", "r2", "r3", "no-prod-delete", `class="denied"`} {
		if !strings.Contains(h, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	if strings.Contains(h, "src=") || strings.Contains(h, "<link") || strings.Contains(h, "<script") {
		t.Error("HTML page is not self-contained")
	}
	if _, err := run("replay", "--dir", dir, "--session", "nope"); !errors.Is(err, audit.ErrNoEntries) {
		t.Errorf("unknown session: %v", err)
	}
}

func TestUsageErrors(t *testing.T) {
	cases := [][]string{
		{},
		{"frobnicate"},
		{"verify"},
		{"verify", "--dir", "a", "--brokers", "b"},
		{"replay", "--dir", "a"},
		{"export", "--dir", "a", "--from", "yesterday", "--to", "2026-01-01T00:00:00Z"},
		{"tail"},
	}
	for _, args := range cases {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			if _, err := run(args...); !errors.Is(err, ErrUsage) {
				t.Fatalf("err = %v, want a usage error", err)
			}
		})
	}
}

// kafkaSession ships a session to an in-process Kafka and returns its broker list.
func kafkaSession(t *testing.T) (string, string) {
	t.Helper()
	c := newCluster(t)
	dir := t.TempDir()
	cfg := testCfg(dir)
	cfg.Kafka = &kafka.Config{Settings: kafkaconn.Settings{Brokers: c.ListenAddrs()}, Topic: "warden.audit", BatchTimeout: time.Millisecond}
	writeSession(t, cfg)
	return strings.Join(c.ListenAddrs(), ","), dir
}

func TestKafkaVerifyTailReplay(t *testing.T) {
	brokers, dir := kafkaSession(t)
	pub := filepath.Join(dir, "checkpoint.key.pub")
	if out, err := run("verify", "--brokers", brokers, "--pubkey", pub); err != nil || !strings.Contains(out, "verify: OK") {
		t.Fatalf("verify topic: %v\n%s", err, out)
	}
	out, err := run("tail", "--brokers", brokers, "--from-beginning", "-n", "4")
	if err != nil {
		t.Fatalf("tail: %v\n%s", err, out)
	}
	if n := strings.Count(out, "\n"); n != 4 || !strings.Contains(out, "2026-11-27T09:0") {
		t.Fatalf("tail printed %d lines:\n%s", n, out)
	}
	out, err = run("tail", "--brokers", brokers, "--from-beginning", "-n", "2", "--json")
	if err != nil || !strings.HasPrefix(out, `{"activity_id"`) {
		t.Fatalf("tail --json: %v\n%s", err, out)
	}
	out, err = run("replay", "--brokers", brokers, "--session", "sess-a")
	if err != nil || !strings.Contains(out, "3 exchange(s)") {
		t.Fatalf("replay from topic: %v\n%s", err, out)
	}
	bundle := filepath.Join(t.TempDir(), "k.jsonl")
	if out, err := run("export", "--brokers", brokers, "--key", filepath.Join(dir, "checkpoint.key"),
		"--from", "2026-11-27T00:00:00Z", "--to", "2026-11-28T00:00:00Z", "--out", bundle); err != nil {
		t.Fatalf("export from topic: %v\n%s", err, out)
	}
	if out, err := run("verify", "--bundle", bundle, "--pubkey", pub); err != nil {
		t.Fatalf("verify bundle exported from topic: %v\n%s", err, out)
	}
}

// TestVerifyAcrossKeyChange signs the first half of a chain with one key and the rest with
// another (as after a Vault transit key rotation): verify needs both keys, given as one PEM file
// with several keys or as --pubkey twice, and names the key id it does not know.
func TestVerifyAcrossKeyChange(t *testing.T) {
	dir := t.TempDir()
	writeSession(t, testCfg(dir)) // key A: the generated dir/checkpoint.key
	pubB, keyB, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	cfg := testCfg(dir)
	cfg.Signer = audit.NewEd25519Signer(keyB)
	writeSession(t, cfg)
	pubA, err := audit.LoadPublicKey(filepath.Join(dir, "checkpoint.key.pub"))
	if err != nil {
		t.Fatal(err)
	}
	keys := t.TempDir()
	aFile, bFile, ring := filepath.Join(keys, "a.pub"), filepath.Join(keys, "b.pub"), filepath.Join(keys, "ring.pub")
	if err := audit.WritePublicKey(aFile, pubA); err != nil {
		t.Fatal(err)
	}
	if err := audit.WritePublicKey(bFile, pubB); err != nil {
		t.Fatal(err)
	}
	if err := audit.WritePublicKeys(ring, "two keys", []audit.PublicKeyPEM{{Key: pubA}, {Key: pubB, Comment: "rotated"}}); err != nil {
		t.Fatal(err)
	}
	idA, idB := audit.KeyID(pubA), audit.KeyID(pubB)

	if out, err := run("verify", "--dir", dir); !errors.Is(err, ErrVerifyFailed) || !strings.Contains(out, "bad_signature") {
		t.Fatalf("verify with key A only: err %v\n%s", err, out)
	}
	for _, args := range [][]string{{"--pubkey", aFile, "--pubkey", bFile}, {"--pubkey", ring}} {
		out, err := run(append([]string{"verify", "--dir", dir}, args...)...)
		if err != nil || !strings.Contains(out, "verify: OK") || !strings.Contains(out, "2 key(s)") ||
			!strings.Contains(out, "checkpoint key id(s) "+idA+", "+idB) {
			t.Fatalf("verify %v: err %v\n%s", args, err, out)
		}
	}
	t.Run("an unknown key id is named", func(t *testing.T) {
		pubC, _, _ := ed25519.GenerateKey(rand.Reader)
		cFile := filepath.Join(t.TempDir(), "c.pub")
		if err := audit.WritePublicKey(cFile, pubC); err != nil {
			t.Fatal(err)
		}
		out, err := run("verify", "--dir", dir, "--pubkey", aFile, "--pubkey", cFile)
		if !errors.Is(err, ErrVerifyFailed) || !strings.Contains(out, "bad_signature") || !strings.Contains(out, `key id "`+idB+`"`) {
			t.Fatalf("err %v\n%s", err, out)
		}
	})
	t.Run("bundle", func(t *testing.T) {
		bundle := filepath.Join(t.TempDir(), "evidence.jsonl")
		if out, err := run("export", "--dir", dir, "--from", "2026-11-27T08:00:00Z", "--to", "2026-11-27T10:00:00Z", "--out", bundle); err != nil {
			t.Fatalf("export: %v\n%s", err, out)
		}
		if out, err := run("verify", "--bundle", bundle, "--pubkey", ring); err != nil || !strings.Contains(out, "verify: OK") {
			t.Fatalf("verify bundle with the keyring: %v\n%s", err, out)
		}
		if out, err := run("verify", "--bundle", bundle, "--pubkey", bFile); !errors.Is(err, ErrVerifyFailed) || !strings.Contains(out, "manifest signature") {
			t.Fatalf("verify bundle with key B only: %v\n%s", err, out)
		}
	})
	t.Run("export without a key file says what to do", func(t *testing.T) {
		empty := t.TempDir()
		_, err := run("export", "--dir", empty, "--from", "2026-11-27T08:00:00Z", "--to", "2026-11-27T10:00:00Z")
		if !errors.Is(err, ErrUsage) || !strings.Contains(err.Error(), "--vault-transit MOUNT/KEY or --key") {
			t.Fatalf("err %v", err)
		}
	})
}

// A topic holding every entry twice (Kafka delivers at least once) verifies with the trail's own
// count of entries, and says how many copies it dropped.
func TestKafkaVerifyCountsCopiesOnce(t *testing.T) {
	brokers, dir := kafkaSession(t)
	pub := filepath.Join(dir, "checkpoint.key.pub")
	once, err := run("verify", "--brokers", brokers, "--pubkey", pub)
	if err != nil || !strings.Contains(once, "verify: OK") {
		t.Fatalf("verify topic: %v\n%s", err, once)
	}
	copyTopic(t, strings.Split(brokers, ","), "warden.audit")
	twice, err := run("verify", "--brokers", brokers, "--pubkey", pub)
	if err != nil {
		t.Fatalf("verify topic with copies: %v\n%s", err, twice)
	}
	first := func(s string) string { l, _, _ := strings.Cut(s, "\n"); return l }
	if first(twice) != first(once) {
		t.Errorf("with every entry twice the summary changed:\n once: %s\ntwice: %s", first(once), first(twice))
	}
	if !strings.Contains(twice, "entries were read twice") {
		t.Errorf("no word of the copies:\n%s", twice)
	}
}

// copyTopic appends a copy of every message of topic to its own partition.
func copyTopic(t *testing.T, brokers []string, topic string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	byPart := map[int][]kafkago.Message{}
	err := kafka.ReadAll(ctx, kafka.Config{Settings: kafkaconn.Settings{Brokers: brokers}, Topic: topic}, func(m kafka.Consumed) error {
		var hs []kafkago.Header
		for k, v := range m.Headers {
			hs = append(hs, kafkago.Header{Key: k, Value: []byte(v)})
		}
		byPart[m.Partition] = append(byPart[m.Partition], kafkago.Message{Key: m.Key, Value: m.Value, Headers: hs})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for p, ms := range byPart {
		conn, err := kafkago.DialLeader(ctx, "tcp", brokers[0], topic, p)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := conn.WriteMessages(ms...); err != nil {
			t.Fatal(err)
		}
		_ = conn.Close()
	}
}
