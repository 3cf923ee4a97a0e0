package auditcli

import (
	"bufio"
	"context"
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/warden-gw/warden/audit"
	"github.com/warden-gw/warden/internal/testenv"
)

func newCluster(t *testing.T) *kfake.Cluster {
	t.Helper()
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(3, "warden.audit"))
	if err != nil {
		t.Fatalf("start kfake: %v", err)
	}
	t.Cleanup(c.Close)
	return c
}

// TestKcatReadsShippedRecords has an independent consumer (kcat, librdkafka) read what warden
// shipped: every message must be a complete OCSF record or checkpoint with CloudEvents headers.
func TestKcatReadsShippedRecords(t *testing.T) {
	kcat := testenv.RequireTool(t, "kcat", "apt-get install -y kcat (make deps does)")
	brokers, _ := kafkaSession(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	// -e: exit at the end of every partition; %h prints headers as k=v,k=v.
	cmd := exec.CommandContext(ctx, kcat, "-C", "-b", brokers, "-t", "warden.audit", "-o", "beginning", "-e", "-q",
		"-f", "%p\t%k\t%h\t%s\n")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("kcat: %v", err)
	}
	records, checkpoints := 0, 0
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		f := strings.SplitN(sc.Text(), "\t", 4)
		if len(f) != 4 {
			t.Fatalf("kcat line %q", sc.Text())
		}
		info, err := audit.Describe([]byte(f[3]))
		if err != nil {
			t.Fatalf("kcat read a message warden cannot parse back: %v", err)
		}
		if !strings.Contains(f[2], "ce_id="+info.ID) || !strings.Contains(f[2], "ce_specversion=1.0") {
			t.Fatalf("headers seen by kcat: %q", f[2])
		}
		if info.Checkpoint {
			checkpoints++
			continue
		}
		var r audit.Record
		if err := json.Unmarshal([]byte(f[3]), &r); err != nil || r.ClassUID != 6003 {
			t.Fatalf("not an OCSF 6003 record: %v", err)
		}
		if f[1] != info.Key {
			t.Fatalf("kcat key %q, want %q", f[1], info.Key)
		}
		records++
	}
	if records != 7 || checkpoints == 0 {
		t.Fatalf("kcat read %d records and %d checkpoints, want 7 records and some checkpoints", records, checkpoints)
	}
}
