package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	extprocv3 "github.com/envoyproxy/go-control-plane/envoy/service/ext_proc/v3"
	"github.com/twmb/franz-go/pkg/kfake"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/warden-gw/warden/audit"
	"github.com/warden-gw/warden/audit/auditcli"
	auditkafka "github.com/warden-gw/warden/audit/kafka"
	"github.com/warden-gw/warden/audit/spool"
	"github.com/warden-gw/warden/cmd/warden/mainlib"
	"github.com/warden-gw/warden/extproc/extproctest"
	"github.com/warden-gw/warden/internal/kafkaconn"
	"github.com/warden-gw/warden/internal/testenv"
)

// TestKcatReadsWhatWardenShipped sends requests through warden configured to ship its audit
// spool to Kafka (kfake, the real wire protocol), then reads the topic with kcat, an independent
// consumer (librdkafka): every request's records are there, keyed and with CloudEvents headers,
// and `warden audit verify --brokers` accepts the topic.
func TestKcatReadsWhatWardenShipped(t *testing.T) {
	kcat := testenv.RequireTool(t, "kcat", "apt-get install -y kcat (make deps does)")
	cluster, err := kfake.NewCluster(kfake.NumBrokers(3), kfake.SeedTopics(3, "warden.audit"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cluster.Close)
	brokers := cluster.ListenAddrs()
	w := startWarden(t, func(c *mainlib.Config) {
		// zstd-compressed batches: kcat (librdkafka) must decompress what kafka-go compressed.
		// (audit/auditcli's kcat test reads uncompressed batches.)
		c.Audit.Kafka = &auditkafka.Config{Settings: kafkaconn.Settings{Brokers: brokers}, Topic: "warden.audit", Compression: "zstd"}
	})
	up, _ := staticUpstream(200, extproctest.Headers{{Key: "content-type", Value: "application/json"}}, `{"ok":true}`)
	const n = 20
	for i := range n {
		body := fmt.Sprintf(`{"query":"SELECT * FROM t WHERE id = %d"}`, i)
		if i%5 == 0 {
			body = `{"query":"DROP TABLE t"}`
		}
		if _, err := w.envoy.Run(context.Background(), request("POST", "https://db.internal/sql",
			map[string]string{"content-type": "application/json", "x-request-id": fmt.Sprintf("k-%02d", i)}, body), up); err != nil {
			t.Fatal(err)
		}
	}
	// 16 allowed exchanges leave two records each, 4 denied ones one each.
	want := 16*2 + 4
	var seen map[string]int
	waitUntil(t, 60*time.Second, func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		out, err := exec.CommandContext(ctx, kcat, "-C", "-b", strings.Join(brokers, ","), "-t", "warden.audit",
			"-o", "beginning", "-e", "-q", "-f", "%k\t%h\t%s\n").Output()
		if err != nil {
			t.Fatalf("kcat: %v", err)
		}
		seen = map[string]int{}
		sc := bufio.NewScanner(bytes.NewReader(out))
		sc.Buffer(nil, 16<<20)
		for sc.Scan() {
			f := strings.SplitN(sc.Text(), "\t", 3)
			if len(f) != 3 || !strings.Contains(f[1], "ce_specversion=1.0") {
				t.Fatalf("kcat line without CloudEvents headers: %q", sc.Text())
			}
			var r audit.Record
			if json.Unmarshal([]byte(f[2]), &r) != nil || r.ClassUID != 6003 {
				continue // a signed checkpoint
			}
			seen[r.Metadata.CorrelationUID]++
		}
		total := 0
		for _, c := range seen {
			total += c
		}
		return total >= want
	})
	for i := range n {
		id, wantN := fmt.Sprintf("k-%02d", i), 2
		if i%5 == 0 {
			wantN = 1
		}
		if seen[id] != wantN {
			t.Errorf("%s: kcat read %d records, want %d", id, seen[id], wantN)
		}
	}
	var out, errb bytes.Buffer
	if err := auditcli.Run(context.Background(), []string{
		"verify", "--brokers", strings.Join(brokers, ","), "--topic", "warden.audit",
		"--pubkey", filepath.Join(w.cfg.DataDir, "audit", "checkpoint.key.pub"),
	}, nil, &out, &errb); err != nil {
		t.Fatalf("warden audit verify over the topic: %v\n%s%s", err, out.String(), errb.String())
	}
}

// TestKillNineLosesNoAllowedRequest runs `warden serve` as a process, drives concurrent
// requests through it and kills it with SIGKILL mid-load. After a restart on the same spool,
// every request the client saw succeed has its durable request record, and the chain verifies.
func TestKillNineLosesNoAllowedRequest(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the warden binary")
	}
	bin := buildWardenT(t)
	for _, mode := range []audit.Mode{audit.ModeWritten, audit.ModeStrict} { // every audit durability mode
		t.Run(string(mode), func(t *testing.T) { killNineLosesNoAllowedRequest(t, bin, mode) })
	}
}

func killNineLosesNoAllowedRequest(t *testing.T, bin string, mode audit.Mode) {
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "warden.yaml")
	if err := os.WriteFile(cfgPath, []byte(fmt.Sprintf("listen: 127.0.0.1:0\nadmin: 127.0.0.1:0\ndata_dir: %s\naudit: {mode: %s}\n", dir, mode)), 0o600); err != nil {
		t.Fatal(err)
	}
	start := func() (*exec.Cmd, *extproctest.Envoy, func()) {
		cmd := exec.Command(bin, "serve", "--config", cfgPath)
		stderr, _ := cmd.StderrPipe()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		addr := waitListening(t, stderr)
		conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
		if err != nil {
			t.Fatal(err)
		}
		return cmd, newEnvoy(t, extprocv3.NewExternalProcessorClient(conn)), func() { _ = conn.Close() }
	}
	cmd, e, closeConn := start()
	up, _ := staticUpstream(200, extproctest.Headers{{Key: "content-type", Value: "application/json"}}, `{"ok":true}`)
	var mu sync.Mutex
	var succeeded []string
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				id := fmt.Sprintf("kill-%d-%d", g, i)
				res, err := e.Run(context.Background(), request("POST", "https://api.example/v1/items",
					map[string]string{"content-type": "application/json", "x-request-id": id}, `{"n":1}`), up)
				if err == nil && res.Status == 200 && !res.LocalReply {
					mu.Lock()
					succeeded = append(succeeded, id)
					mu.Unlock()
				}
			}
		}()
	}
	waitUntil(t, 60*time.Second, func() bool { mu.Lock(); defer mu.Unlock(); return len(succeeded) >= 200 })
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	close(stop)
	wg.Wait()
	closeConn()
	mu.Lock()
	ok := append([]string(nil), succeeded...)
	mu.Unlock()

	// Restart on the same spool: recovery runs, then warden serves again.
	cmd2, e2, closeConn2 := start()
	defer func() { closeConn2(); _ = cmd2.Process.Kill(); _ = cmd2.Wait() }()
	if res, err := e2.Run(context.Background(), request("GET", "https://api.example/after-restart", nil), up); err != nil || res.Status != 200 {
		t.Fatalf("after restart: %v %+v", err, res)
	}
	have := map[string]bool{}
	err := spool.ScanAll(filepath.Join(dir, "audit"), func(en spool.Entry) error {
		var r audit.Record
		if json.Unmarshal(en.Payload, &r) == nil && r.Unmapped.Warden.Stage == audit.StageRequest {
			have[r.Metadata.CorrelationUID] = true
		}
		return nil
	}, func(*spool.CorruptError) {})
	if err != nil {
		t.Fatal(err)
	}
	missing := 0
	for _, id := range ok {
		if !have[id] {
			missing++
		}
	}
	if missing > 0 {
		t.Fatalf("%d of %d requests the client saw succeed have no request record after kill -9", missing, len(ok))
	}
	var out, errb bytes.Buffer
	if err := auditcli.Run(context.Background(), []string{"verify", "--dir", filepath.Join(dir, "audit")}, nil, &out, &errb); err != nil {
		t.Fatalf("warden audit verify after kill -9 and restart: %v\n%s%s", err, out.String(), errb.String())
	}
	t.Logf("%d successful requests before kill -9, all recorded; verify: %s", len(ok), strings.TrimSpace(out.String()))
}

func buildWardenT(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "warden")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/warden-gw/warden/cmd/warden").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}
