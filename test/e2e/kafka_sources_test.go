package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	kafkago "github.com/segmentio/kafka-go"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/warden-gw/warden/audit"
	"github.com/warden-gw/warden/audit/auditcli"
	auditkafka "github.com/warden-gw/warden/audit/kafka"
	"github.com/warden-gw/warden/audit/spool"
	"github.com/warden-gw/warden/cel/policydiff"
	"github.com/warden-gw/warden/cmd/warden/mainlib"
	"github.com/warden-gw/warden/extproc/extproctest"
	"github.com/warden-gw/warden/internal/kafkaconn"
)

// kafkaTrail is a trail recorded through warden with Kafka shipping on: the spool it wrote and
// the cluster its shipper sent the same entries to.
type kafkaTrail struct {
	cluster *kfake.Cluster
	brokers string // comma separated, as --brokers takes them
	spool   string
	pubkey  string
}

const kafkaTopic = "warden.audit"

// recordToKafka sends allowed, denied, held and masked traffic through warden shipping its
// audit spool to a 3-partition topic, stops warden (which ships what is left) and checks that
// the topic holds every entry of the spool.
func recordToKafka(t *testing.T) *kafkaTrail {
	t.Helper()
	cluster, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(3, kafkaTopic), kfake.SeedTopics(1, "warden.empty"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cluster.Close)
	brokers := cluster.ListenAddrs()
	w := startWarden(t, func(c *mainlib.Config) {
		c.Audit.Kafka = &auditkafka.Config{Settings: kafkaconn.Settings{Brokers: brokers}, Topic: kafkaTopic}
	})
	up, _ := staticUpstream(200, extproctest.Headers{{Key: "content-type", Value: "application/json"}}, `{"ok":true}`)
	send := jsonSender(t, w, up, "kafka-agent/1")
	sql := func(q string) string { return `{"query":` + jsonString(q) + `}` }
	send("scratch-delete", "POST", "https://db.internal/query", sql("DELETE FROM scratch.tmp"))
	send("scratch-truncate", "POST", "https://db.internal/query", sql("TRUNCATE scratch.events"))
	send("scratch-mcp", "POST", "https://mcp.internal/mcp",
		`{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"execute_sql","arguments":{"query":"DELETE FROM scratch.sessions"}}}`)
	send("users-delete", "POST", "https://db.internal/query", sql("DELETE FROM users"))
	send("mixed-drop", "POST", "https://db.internal/query", sql("DROP TABLE scratch.a; DROP TABLE users"))
	send("select", "POST", "https://db.internal/query", sql("SELECT id FROM billing.invoices WHERE id = 1"))
	send("models", "GET", "https://api.example/v1/models", "")
	send("pod-delete", "DELETE", "https://k8s.internal:6443/api/v1/namespaces/prod/pods/web-1", "")
	send("key-note", "POST", "https://api.example/v1/notes", `{"note":"key AKIAIOSFODNN7EXAMPLE and mail bob@example.com"}`)
	send("scratch-delete-again", "POST", "https://db.internal/query", sql("DELETE FROM scratch.tmp"))
	if err := w.stop(); err != nil {
		t.Fatal(err)
	}
	tr := &kafkaTrail{
		cluster: cluster, brokers: strings.Join(brokers, ","),
		spool: filepath.Join(w.cfg.DataDir, "audit"), pubkey: filepath.Join(w.cfg.DataDir, "audit", "checkpoint.key.pub"),
	}
	var inSpool [][]byte
	if err := spool.ScanAll(tr.spool, func(e spool.Entry) error {
		inSpool = append(inSpool, bytes.Clone(e.Payload))
		return nil
	}, func(ce *spool.CorruptError) { t.Fatalf("corrupt spool: %v", ce) }); err != nil {
		t.Fatal(err)
	}
	onTopic := tr.read(t, kafkaTopic)
	if len(onTopic) != len(inSpool) {
		t.Fatalf("the topic holds %d entries, the spool %d: warden stopped without shipping them all", len(onTopic), len(inSpool))
	}
	return tr
}

// read returns the values of every message of topic, partition by partition.
func (tr *kafkaTrail) read(t *testing.T, topic string) [][]byte {
	t.Helper()
	var out [][]byte
	cfg := auditkafka.Config{Settings: kafkaconn.Settings{Brokers: strings.Split(tr.brokers, ",")}, Topic: topic}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := auditkafka.ReadAll(ctx, cfg, func(c auditkafka.Consumed) error {
		out = append(out, c.Value)
		return nil
	}); err != nil {
		t.Fatalf("read topic %s: %v", topic, err)
	}
	return out
}

// produce writes values to topic (one partition) in order.
func (tr *kafkaTrail) produce(t *testing.T, topic string, values [][]byte) {
	t.Helper()
	if err := tr.cluster.CreateTopic(topic, 1, nil); err != nil {
		t.Fatal(err)
	}
	w := &kafkago.Writer{Addr: kafkago.TCP(strings.Split(tr.brokers, ",")...), Topic: topic, RequiredAcks: kafkago.RequireAll, BatchTimeout: time.Millisecond}
	defer w.Close()
	msgs := make([]kafkago.Message, len(values))
	for i, v := range values {
		msgs[i] = kafkago.Message{Value: v}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := w.WriteMessages(ctx, msgs...); err != nil {
		t.Fatalf("produce to %s: %v", topic, err)
	}
}

// runWarden runs the CLI through the entry point of the warden binary.
func runWarden(ctx context.Context, args ...string) (stdout, stderr string, err error) {
	var out, errb bytes.Buffer
	err = mainlib.Main(ctx, args, strings.NewReader(""), &out, &errb)
	return out.String(), errb.String(), err
}

// diffJSON runs `warden policy diff --json` on source and decodes its result; the changed
// exchanges are sorted by request id (the topic's partitions interleave them).
func diffJSON(t *testing.T, candidate string, source ...string) *policydiff.Result {
	t.Helper()
	args := append([]string{"policy", "diff", "--policy", candidate, "--json"}, source...)
	out, errs, err := runWarden(context.Background(), args...)
	if err != nil {
		t.Fatalf("warden %s: %v\n%s", strings.Join(args, " "), err, errs)
	}
	var res policydiff.Result
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("policy diff --json: %v\n%s", err, out)
	}
	slices.SortFunc(res.Changed, func(a, b policydiff.Change) int { return strings.Compare(a.RequestID, b.RequestID) })
	return &res
}

// TestPolicyDiffAndReportReadTheKafkaTopic records traffic with Kafka shipping on, then runs
// `warden policy diff` and `warden audit report` with --brokers/--topic and with --dir on the
// same spool: the diff reports the same changed exchanges and counts, the report the same
// sections and numbers, and both verify.
func TestPolicyDiffAndReportReadTheKafkaTopic(t *testing.T) {
	tr := recordToKafka(t)
	candidate := relaxedPack(t)
	kafkaSrc := []string{"--brokers", tr.brokers, "--topic", kafkaTopic}

	fromDir := diffJSON(t, candidate, "--dir", tr.spool)
	fromKafka := diffJSON(t, candidate, kafkaSrc...)
	var changed []string
	for _, c := range fromDir.Changed {
		changed = append(changed, c.RequestID)
	}
	want := []string{"scratch-delete", "scratch-delete-again", "scratch-mcp", "scratch-truncate"}
	if !slices.Equal(changed, want) {
		t.Errorf("from the spool, changed = %v, want %v", changed, want)
	}
	if fromDir.Exchanges != 10 {
		t.Errorf("from the spool, %d exchanges re-decided, want the 10 sent (skipped %v)", fromDir.Exchanges, fromDir.Skipped)
	}
	a, _ := json.Marshal(fromDir)
	b, _ := json.Marshal(fromKafka)
	if !bytes.Equal(a, b) {
		t.Errorf("policy diff differs between --dir and --brokers:\n--dir:     %s\n--brokers: %s", a, b)
	}

	// The text output a user reads: the same lines, whatever the source.
	dirText, _, err := runWarden(context.Background(), "policy", "diff", "--policy", candidate, "--dir", tr.spool)
	if err != nil {
		t.Fatal(err)
	}
	kafkaText, _, err := runWarden(context.Background(), append([]string{"policy", "diff", "--policy", candidate}, kafkaSrc...)...)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(kafkaText, "changed:   4") || !sameLines(dirText, kafkaText) {
		t.Errorf("policy diff text differs between --dir and --brokers:\n--dir:\n%s\n--brokers:\n%s", dirText, kafkaText)
	}

	dirPage, kafkaPage := filepath.Join(t.TempDir(), "dir.html"), filepath.Join(t.TempDir(), "kafka.html")
	if out, errs, err := runWarden(context.Background(), "audit", "report", "--dir", tr.spool, "--html", dirPage); err != nil {
		t.Fatalf("audit report --dir: %v\n%s%s", err, out, errs)
	}
	out, errs, err := runWarden(context.Background(), append([]string{"audit", "report", "--pubkey", tr.pubkey, "--html", kafkaPage}, kafkaSrc...)...)
	if err != nil {
		t.Fatalf("audit report --brokers: %v\n%s%s", err, out, errs)
	}
	if !strings.Contains(out, "10 exchanges, trail verified") {
		t.Errorf("audit report --brokers says %q, want 10 exchanges and a verified trail", out)
	}
	dirHTML, kafkaHTML := readReport(t, dirPage), readReport(t, kafkaPage)
	for _, want := range []string{"<b>Verified</b>", "warden-sql/destructive-sql", "kubernetes/pods: prod/web-1", "<tr><td>secret</td>", "<tr><td>email</td>"} {
		if !strings.Contains(kafkaHTML, want) {
			t.Errorf("the report from the topic lacks %q", want)
		}
	}
	if dirHTML != kafkaHTML {
		t.Errorf("the report from the topic differs from the report of the spool:\n%s", firstDifference(dirHTML, kafkaHTML))
	}

	// Kafka delivers at least once: a shipper that resends after a crash leaves entries twice on
	// the topic. Both commands count each exchange once and the trail still verifies.
	values := tr.read(t, kafkaTopic)
	tr.produce(t, "warden.twice", append(slices.Clone(values), values...))
	twiceSrc := []string{"--brokers", tr.brokers, "--topic", "warden.twice"}
	if twice, _ := json.Marshal(diffJSON(t, candidate, twiceSrc...)); !bytes.Equal(a, twice) {
		t.Errorf("policy diff of a topic holding every entry twice differs from --dir:\n--dir:     %s\n--brokers: %s", a, twice)
	}
	twicePage := filepath.Join(t.TempDir(), "twice.html")
	out, errs, err = runWarden(context.Background(), append([]string{"audit", "report", "--pubkey", tr.pubkey, "--html", twicePage}, twiceSrc...)...)
	if err != nil {
		t.Fatalf("audit report of a topic holding every entry twice: %v\n%s%s", err, out, errs)
	}
	twiceHTML := readReport(t, twicePage)
	note := fmt.Sprintf("<h3>Warnings</h3><ul><li>%d entries were read twice (identical copies, as Kafka may deliver them); each is counted once</li></ul>", len(values))
	if !strings.Contains(twiceHTML, note) {
		t.Errorf("the report of a topic holding every entry twice does not say so (%q)", note)
	}
	if twiceHTML = strings.Replace(twiceHTML, note, "", 1); twiceHTML != dirHTML {
		t.Errorf("the report of a topic holding every entry twice differs from the report of the spool:\n%s", firstDifference(dirHTML, twiceHTML))
	}
}

// readReport reads a report page without the time it was generated at.
func readReport(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return regexp.MustCompile(`Generated [^.]*\.`).ReplaceAllString(string(b), "Generated -.")
}

// sameLines reports whether a and b hold the same lines, in any order.
func sameLines(a, b string) bool {
	x, y := strings.Split(a, "\n"), strings.Split(b, "\n")
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(x, y)
}

// firstDifference shows where a and b first differ.
func firstDifference(a, b string) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	lo := max(0, i-300)
	return "--dir:     ..." + a[lo:min(len(a), i+300)] + "\n--brokers: ..." + b[lo:min(len(b), i+300)]
}

// TestKafkaSourcesFailVisibly: what a user meets when the topic is not what they expect.
// Unreachable brokers give a clear error within a bounded time (not a hang), an empty topic
// says there is nothing to diff or report, and a topic whose records were altered gives a
// report that says verification failed, with a non-zero exit.
func TestKafkaSourcesFailVisibly(t *testing.T) {
	tr := recordToKafka(t)
	candidate := relaxedPack(t)

	t.Run("unreachable brokers", func(t *testing.T) {
		refused := closedPort(t)
		silent := silentBroker(t)
		for name, addr := range map[string]string{"refused": refused, "silent": silent} {
			for _, args := range [][]string{
				{"policy", "diff", "--policy", candidate, "--brokers", addr},
				{"audit", "report", "--brokers", addr, "--html", filepath.Join(t.TempDir(), "r.html")},
			} {
				ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
				start := time.Now()
				_, _, err := runWarden(ctx, args...)
				took := time.Since(start)
				cancel()
				if err == nil {
					t.Errorf("%s: warden %s succeeded with no broker", name, strings.Join(args[:2], " "))
					continue
				}
				if took > 30*time.Second {
					t.Errorf("%s: warden %s took %s to give up", name, strings.Join(args[:2], " "), took.Round(time.Second))
				}
				if !strings.Contains(err.Error(), addr) {
					t.Errorf("%s: warden %s: the error does not name the broker %s: %v", name, strings.Join(args[:2], " "), addr, err)
				}
				t.Logf("%s, %s: %v (after %s)", name, args[1], err, took.Round(time.Millisecond))
			}
		}
	})

	t.Run("empty topic", func(t *testing.T) {
		// "nothing would change" would mislead: the candidate was checked against nothing.
		out, errs, err := runWarden(context.Background(), "policy", "diff", "--policy", candidate, "--brokers", tr.brokers, "--topic", "warden.empty")
		if !errors.Is(err, audit.ErrNoEntries) || !strings.Contains(err.Error(), "warden.empty") {
			t.Errorf("policy diff on an empty topic: %v, want an error saying the topic holds no record\n%s%s", err, out, errs)
		}
		_, _, err = runWarden(context.Background(), "audit", "report", "--brokers", tr.brokers, "--topic", "warden.empty",
			"--html", filepath.Join(t.TempDir(), "r.html"))
		if !errors.Is(err, audit.ErrNoEntries) || !strings.Contains(err.Error(), "warden.empty") {
			t.Errorf("audit report on an empty topic: %v, want an error naming the topic", err)
		}
		_, _, err = runWarden(context.Background(), "policy", "diff", "--policy", candidate, "--brokers", tr.brokers, "--topic", "warden.nosuch")
		if err == nil || !errors.Is(err, kafkaconn.ErrTopicNotFound) {
			t.Errorf("policy diff on a topic that does not exist: %v, want topic not found", err)
		}
	})

	t.Run("altered records", func(t *testing.T) {
		values := tr.read(t, kafkaTopic)
		altered := 0
		for i, v := range values {
			if j := bytes.Index(v, []byte("DROP TABLE")); j >= 0 {
				values[i] = bytes.Clone(v)
				copy(values[i][j:], "drop table")
				altered++
			}
		}
		if altered == 0 {
			t.Fatal("no record holds the DROP statement")
		}
		tr.produce(t, "warden.altered", values)
		page := filepath.Join(t.TempDir(), "altered.html")
		out, _, err := runWarden(context.Background(), "audit", "report", "--pubkey", tr.pubkey,
			"--brokers", tr.brokers, "--topic", "warden.altered", "--html", page)
		if !errors.Is(err, auditcli.ErrVerifyFailed) {
			t.Fatalf("report on an altered topic: %v, want ErrVerifyFailed", err)
		}
		if mainlib.ExitCode(err) == 0 {
			t.Error("the report of an altered topic exits 0")
		}
		if !strings.Contains(out, "verification FAILED") || !strings.Contains(readReport(t, page), "Verification FAILED") {
			t.Errorf("the report of an altered topic does not say that verification failed: %s", out)
		}
	})

	// Last: it breaks the cluster. The brokers answer metadata and offsets but every fetch
	// fails (a leader that is down or unreachable at its advertised address): the commands give
	// up with an error instead of retrying for ever.
	t.Run("fetches fail", func(t *testing.T) {
		tr.cluster.ControlKey(kmsg.Fetch.Int16(), func(kmsg.Request) (kmsg.Response, error, bool) {
			tr.cluster.KeepControl()
			return nil, errors.New("partition leader unreachable"), true
		})
		var wg sync.WaitGroup
		for _, args := range [][]string{
			{"policy", "diff", "--policy", candidate, "--brokers", tr.brokers, "--topic", kafkaTopic},
			{"audit", "report", "--brokers", tr.brokers, "--topic", kafkaTopic, "--html", filepath.Join(t.TempDir(), "r.html")},
		} {
			wg.Go(func() { // both at once: each waits out the stall bound
				ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
				defer cancel()
				start := time.Now()
				_, _, err := runWarden(ctx, args...)
				took := time.Since(start)
				switch {
				case err == nil:
					t.Errorf("warden %s succeeded without reading the topic", strings.Join(args[:2], " "))
					return
				case took > time.Minute || errors.Is(err, context.DeadlineExceeded):
					t.Errorf("warden %s gave up only after %s: %v", strings.Join(args[:2], " "), took.Round(time.Second), err)
				case !errors.Is(err, auditkafka.ErrStalled) || !strings.Contains(err.Error(), kafkaTopic):
					t.Errorf("warden %s: the error does not say the topic stopped delivering: %v", strings.Join(args[:2], " "), err)
				}
				t.Logf("%s: %v (after %s)", args[1], err, took.Round(time.Millisecond))
			})
		}
		wg.Wait()
	})
}

// closedPort is a 127.0.0.1 address nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	return addr
}

// silentBroker accepts connections and never answers, as a broker behind a dropping firewall
// or a hung process does.
func silentBroker(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	var conns []net.Conn
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				close(done)
				return
			}
			conns = append(conns, c)
		}
	}()
	t.Cleanup(func() {
		_ = l.Close()
		<-done
		for _, c := range conns {
			_ = c.Close()
		}
	})
	return l.Addr().String()
}
