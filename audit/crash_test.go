package audit

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

const (
	crashEnv     = "WARDEN_AUDIT_CRASH_CHILD_DIR"
	crashModeEnv = "WARDEN_AUDIT_CRASH_CHILD_MODE"
)

func TestMain(m *testing.M) {
	if dir := os.Getenv(crashEnv); dir != "" {
		crashChild(dir)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// crashChild records exchanges from 16 goroutines forever and prints the id of every record
// whose Record call returned. The parent kills it with SIGKILL.
func crashChild(dir string) {
	cfg := testConfig(dir)
	cfg.Mode = Mode(os.Getenv(crashModeEnv))
	l, err := Open(context.Background(), cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "child open:", err)
		os.Exit(3)
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				x := sampleExchange(i, fmt.Sprintf("g%d", g))
				x.ID = fmt.Sprintf("c-%d-%d", g, i)
				if err := l.Record(context.Background(), x, StageRequest); err != nil {
					fmt.Fprintln(os.Stderr, "child record:", err)
					os.Exit(4)
				}
				mu.Lock()
				_, _ = os.Stdout.WriteString(x.ID + "\n")
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
}

// TestKill9MidLoadKeepsEveryReturnedRecord: in both durability modes, every record whose Record
// call returned (the request went on) is in the spool after a kill -9 and a restart.
func TestKill9MidLoadKeepsEveryReturnedRecord(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns a subprocess")
	}
	for _, mode := range []Mode{ModeWritten, ModeStrict} {
		t.Run(string(mode), func(t *testing.T) { kill9MidLoad(t, mode) })
	}
}

func kill9MidLoad(t *testing.T, mode Mode) {
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), crashEnv+"="+dir, crashModeEnv+"="+string(mode))
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill() }()
	acked := map[string]bool{}
	sc := bufio.NewScanner(out)
	killed := false
	for sc.Scan() {
		acked[sc.Text()] = true
		if len(acked) == 500 && !killed {
			if err := cmd.Process.Kill(); err != nil { // SIGKILL mid-load
				t.Fatal(err)
			}
			killed = true
		}
	}
	_ = cmd.Wait()
	if !killed {
		t.Fatalf("child exited after %d records without being killed", len(acked))
	}

	// Restart: recovery, then every acknowledged record must be there and the chain must verify.
	l := openLog(t, testConfig(dir))
	if l.Recovered != nil {
		t.Logf("recovered torn tail: %+v", *l.Recovered)
	}
	writeRecords(t, l, 3, "after-restart")
	closeLog(t, l)
	es := spoolEntries(t, dir)
	present := map[string]bool{}
	for _, e := range es {
		var r Record
		if json.Unmarshal(e.Payload, &r) == nil {
			present[r.Metadata.CorrelationUID] = true
		}
	}
	for id := range acked {
		if !present[id] {
			t.Fatalf("record %s was acknowledged to the caller but is missing after kill -9", id)
		}
	}
	pub, _ := LoadPublicKey(filepath.Join(dir, "checkpoint.key.pub"))
	rep := Verify(es, VerifyOptions{PublicKey: pub})
	if !rep.OK() {
		t.Fatalf("chain after kill -9 and restart: %v", rep.Problems)
	}
	t.Logf("%d acknowledged before/around the kill, %d records on disk after restart", len(acked), rep.Chains["test-chain"].Records)
}
