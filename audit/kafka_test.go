package audit

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	kafkago "github.com/segmentio/kafka-go"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/warden-gw/warden/audit/kafka"
	"github.com/warden-gw/warden/internal/kafkaconn"
	"github.com/warden-gw/warden/internal/kafkaconn/kafkaconntest"
)

const topic = "warden.audit"

func newCluster(t *testing.T, brokers int) *kfake.Cluster {
	t.Helper()
	return kfakeCluster(t, brokers, 6)
}

// kfakeCluster starts an in-process Kafka with the audit topic, closed when the test ends.
func kfakeCluster(tb testing.TB, brokers, partitions int) *kfake.Cluster {
	tb.Helper()
	c, err := kfake.NewCluster(kfake.NumBrokers(brokers), kfake.SeedTopics(int32(partitions), topic))
	if err != nil {
		tb.Fatalf("start kfake: %v", err)
	}
	tb.Cleanup(c.Close)
	return c
}

func kafkaConfig(dir string, c *kfake.Cluster) Config {
	cfg := testConfig(dir)
	cfg.Kafka = &kafka.Config{
		Settings: kafkaconn.Settings{Brokers: c.ListenAddrs()}, Topic: topic, BatchTimeout: time.Millisecond,
		RetryMin: 20 * time.Millisecond, RetryMax: 200 * time.Millisecond, WriteTimeout: 5 * time.Second,
	}
	return cfg
}

// breaker makes every produce request fail (connection closed) while down is set.
func breaker(c *kfake.Cluster) *atomic.Bool {
	var down atomic.Bool
	c.ControlKey(int16(kmsg.Produce), func(kmsg.Request) (kmsg.Response, error, bool) {
		c.KeepControl()
		if down.Load() {
			return nil, errors.New("broker unavailable (test)"), true
		}
		return nil, nil, false
	})
	return &down
}

// refuser makes the brokers answer every produce with NOT_ENOUGH_REPLICAS while down is set (the
// connection stays up, as with a real cluster that lost its in-sync replicas).
func refuser(c *kfake.Cluster) *atomic.Bool {
	var down atomic.Bool
	c.ControlKey(int16(kmsg.Produce), func(kr kmsg.Request) (kmsg.Response, error, bool) {
		c.KeepControl()
		if down.Load() {
			return refuseProduce(kr.(*kmsg.ProduceRequest)), nil, true
		}
		return nil, nil, false
	})
	return &down
}

// topicDump reads the whole topic.
func topicDump(t *testing.T, c *kfake.Cluster) []kafka.Consumed {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out []kafka.Consumed
	if err := kafka.ReadAll(ctx, kafka.Config{Settings: kafkaconn.Settings{Brokers: c.ListenAddrs()}, Topic: topic}, func(m kafka.Consumed) error {
		out = append(out, m)
		return nil
	}); err != nil {
		t.Fatalf("read topic: %v", err)
	}
	return out
}

// uniqueSeqs returns the set of record seqs in the dump and the number of duplicates.
func uniqueSeqs(t *testing.T, ms []kafka.Consumed) (map[uint64]bool, int) {
	t.Helper()
	seqs, dups := map[uint64]bool{}, 0
	for _, m := range ms {
		info, err := Describe(m.Value)
		if err != nil {
			t.Fatalf("%s: %v", m.Pos(), err)
		}
		if info.Checkpoint {
			continue
		}
		if seqs[info.Seq] {
			dups++
		}
		seqs[info.Seq] = true
	}
	return seqs, dups
}

func verifyTopic(t *testing.T, ms []kafka.Consumed, pub ed25519.PublicKey) *Report {
	t.Helper()
	es := make([]Entry, len(ms))
	for i, m := range ms {
		es[i] = Entry{Pos: m.Pos(), Payload: m.Value}
	}
	return Verify(es, VerifyOptions{PublicKey: pub, Unordered: true})
}

func TestShipToKafka(t *testing.T) {
	for _, brokers := range []int{1, 3} {
		t.Run(fmt.Sprintf("%d brokers", brokers), func(t *testing.T) {
			c := newCluster(t, brokers)
			dir := t.TempDir()
			l := openLog(t, kafkaConfig(dir, c))
			for i := range 300 {
				x := sampleExchange(i, fmt.Sprintf("sess-%d", i%11))
				if err := l.Record(context.Background(), x, StageRequest); err != nil {
					t.Fatal(err)
				}
			}
			closeLog(t, l) // waits until everything is acknowledged
			ms := topicDump(t, c)
			seqs, _ := uniqueSeqs(t, ms)
			if len(seqs) != 300 {
				t.Fatalf("topic holds %d distinct records, want 300", len(seqs))
			}
			partOf := map[string]int{}
			lastSeq := map[string]uint64{}
			for _, m := range ms {
				info, _ := Describe(m.Value)
				h := m.Headers
				if h["ce_specversion"] != "1.0" || h["ce_id"] != info.ID || h["content-type"] != "application/json" ||
					h["ce_source"] != "urn:warden:audit:test-chain" || !strings.HasPrefix(h["ce_type"], "dev.warden.audit.") {
					t.Fatalf("%s: CloudEvents headers %v", m.Pos(), h)
				}
				if _, err := time.Parse(time.RFC3339Nano, h["ce_time"]); err != nil {
					t.Fatalf("ce_time %q: %v", h["ce_time"], err)
				}
				if info.Checkpoint {
					continue
				}
				if string(m.Key) != info.Key || !strings.HasPrefix(info.Key, "sess-") {
					t.Fatalf("key %q, want the session id", m.Key)
				}
				if p, ok := partOf[info.Key]; ok && p != m.Partition {
					t.Fatalf("session %s spread over partitions %d and %d", info.Key, p, m.Partition)
				}
				partOf[info.Key] = m.Partition
				if info.Seq <= lastSeq[info.Key] {
					t.Fatalf("session %s: seq %d after %d; a session must stay ordered", info.Key, info.Seq, lastSeq[info.Key])
				}
				lastSeq[info.Key] = info.Seq
			}
			pub, _ := LoadPublicKey(filepath.Join(dir, "checkpoint.key.pub"))
			if rep := verifyTopic(t, ms, pub); !rep.OK() || rep.Chains["test-chain"].SignedUpTo != 300 {
				t.Fatalf("topic does not verify: %v %+v", rep.Problems, rep.Chains["test-chain"])
			}
		})
	}
}

// Several produce calls are in flight at once, and some of them fail: every record still
// arrives, and after dropping duplicates by (chain, seq) each session's records are in seq order.
// A lane that re-sent a failed part before sending the next keeps that order; a shipper that
// let later parts of a session overtake a failed one fails here.
// The shipper and the audit CLIs reach a cluster that requires TLS and SASL/SCRAM (audit.kafka
// had TLS only, while approvals had SASL: the two setups are one now).
func TestShipOverTLSAndSCRAM(t *testing.T) {
	_, conn := kafkaconntest.SecureCluster(t, topic, 3)
	cfg := testConfig(t.TempDir())
	cfg.Kafka = &kafka.Config{Settings: conn, Topic: topic, BatchTimeout: time.Millisecond, WriteTimeout: 5 * time.Second}
	l := openLog(t, cfg)
	for i := range 50 {
		if err := l.Record(context.Background(), sampleExchange(i, "s"), StageRequest); err != nil {
			t.Fatal(err)
		}
	}
	closeLog(t, l) // waits until everything is acknowledged
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var ms []kafka.Consumed
	if err := kafka.ReadAll(ctx, kafka.Config{Settings: conn, Topic: topic}, func(m kafka.Consumed) error {
		ms = append(ms, m)
		return nil
	}); err != nil {
		t.Fatalf("read the topic over TLS+SCRAM: %v", err)
	}
	if seqs, _ := uniqueSeqs(t, ms); len(seqs) != 50 {
		t.Fatalf("topic holds %d distinct records, want 50", len(seqs))
	}
}

func TestInFlightFailuresKeepEachSessionOrdered(t *testing.T) {
	c := newCluster(t, 3)
	var produces atomic.Int64
	c.ControlKey(int16(kmsg.Produce), func(kmsg.Request) (kmsg.Response, error, bool) {
		c.KeepControl()
		if produces.Add(1)%5 == 0 { // every fifth produce request fails
			return nil, errors.New("broker unavailable (test)"), true
		}
		return nil, nil, false
	})
	dir := t.TempDir()
	cfg := kafkaConfig(dir, c)
	cfg.Kafka.MaxInFlight, cfg.Kafka.BatchSize, cfg.Kafka.RetryMin = 4, 40, 5*time.Millisecond
	l := openLog(t, cfg)
	const n = 1200
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := g; i < n; i += 8 {
				if err := l.Record(context.Background(), sampleExchange(i, fmt.Sprintf("s%d", i%13)), StageRequest); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	closeLog(t, l)
	if counterValue(l.m.shipErrors) == 0 {
		t.Fatal("no produce failed: the test did not exercise re-sends")
	}
	seen := map[uint64]bool{}
	last := map[string]uint64{}
	for _, m := range topicDump(t, c) {
		info, err := Describe(m.Value)
		if err != nil {
			t.Fatal(err)
		}
		if info.Checkpoint || seen[info.Seq] {
			continue // duplicates are dropped by (chain, seq), keeping the first
		}
		seen[info.Seq] = true
		if info.Seq < last[info.Key] {
			t.Fatalf("session %s: seq %d arrived after seq %d", info.Key, info.Seq, last[info.Key])
		}
		last[info.Key] = info.Seq
	}
	if len(seen) != n {
		t.Fatalf("topic holds %d distinct records, want %d", len(seen), n)
	}
}

func TestKafkaDownDuringLoadThenBack(t *testing.T) {
	c := newCluster(t, 3)
	down := breaker(c)
	down.Store(true)
	dir := t.TempDir()
	l := openLog(t, kafkaConfig(dir, c))
	const n = 500
	for i := range n {
		// Requests go on while Kafka is down: the spool absorbs them.
		if err := l.Record(context.Background(), sampleExchange(i, fmt.Sprintf("s%d", i%7)), StageRequest); err != nil {
			t.Fatalf("Record %d while Kafka is down: %v", i, err)
		}
	}
	waitFor(t, "the shipper reports a failed produce", func() bool { return counterValue(l.m.shipErrors) > 0 })
	if p := l.shipper.Position(); p != 0 {
		t.Fatalf("position advanced to %d while every produce failed", p)
	}
	down.Store(false)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := l.shipper.WaitFor(ctx, l.spool.Stats().Next); err != nil {
		t.Fatalf("backlog not shipped after Kafka came back: %v", err)
	}
	closeLog(t, l)
	seqs, dups := uniqueSeqs(t, topicDump(t, c))
	for s := uint64(1); s <= n; s++ {
		if !seqs[s] {
			t.Fatalf("record seq %d lost", s)
		}
	}
	t.Logf("%d records, %d duplicates (dropped by chain+seq), %v ship errors", n, dups, counterValue(l.m.shipErrors))
}

// While Kafka is down the backlog lives on disk: the process's heap stays flat while the spool
// grows by tens of MB. (The shipper holds at most MaxInFlight batches plus the two it has
// collected ahead; a shipper that kept unshipped records in memory fails here.)
func TestMemoryFlatWhileKafkaIsDown(t *testing.T) {
	c := newCluster(t, 3)
	// Produce requests are refused by the brokers, not cut at the connection: failed connections
	// make the in-process brokers pile up read buffers, which would count as warden's heap here.
	down := refuser(c)
	down.Store(true)
	dir := t.TempDir()
	cfg := kafkaConfig(dir, c)
	cfg.SegmentBytes, cfg.MaxBytes = 8<<20, 1<<30
	l := openLog(t, cfg)
	heap := func() uint64 {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return ms.HeapInuse
	}
	const n, early = 20000, 4000
	var before, spoolBefore uint64
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := g; i < early; i += 8 {
				if err := l.Record(context.Background(), sampleExchange(i, fmt.Sprintf("s%d", i%50)), StageRequest); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	before, spoolBefore = heap(), uint64(l.spool.Stats().Bytes)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := early + g; i < n; i += 8 {
				if err := l.Record(context.Background(), sampleExchange(i, fmt.Sprintf("s%d", i%50)), StageRequest); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	after, spoolAfter := heap(), uint64(l.spool.Stats().Bytes)
	if l.shipper.Position() != 0 || counterValue(l.m.shipErrors) == 0 {
		t.Fatalf("Kafka was down but position is %d and %v ship errors", l.shipper.Position(), counterValue(l.m.shipErrors))
	}
	grew := int64(after) - int64(before)
	t.Logf("heap in use %d MiB after %d records, %d MiB after %d (spool %d -> %d MiB)",
		before>>20, early, after>>20, n, spoolBefore>>20, spoolAfter>>20)
	if spoolAfter-spoolBefore < 40<<20 {
		t.Fatalf("spool grew by only %d MiB: the test did not build a backlog", (spoolAfter-spoolBefore)>>20)
	}
	// Allowed: what the shipper holds by design, about (max_in_flight + 4) × batch_bytes = 12 MB,
	// plus slack for the runtime. Keeping the 41 MiB backlog in memory would exceed it.
	if grew > 24<<20 {
		t.Fatalf("heap grew by %d MiB while the spool grew by %d MiB: the backlog is held in memory",
			grew>>20, (spoolAfter-spoolBefore)>>20)
	}
	down.Store(false)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := l.shipper.WaitFor(ctx, l.spool.Stats().Next); err != nil {
		t.Fatalf("backlog not shipped after Kafka came back: %v", err)
	}
	closeLog(t, l)
}

// A topic that does not exist yet: records stay in the spool, the shipper reports the failure
// and ships everything once the topic is created.
func TestMissingTopicKeepsRecordsUntilCreated(t *testing.T) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	dir := t.TempDir()
	l := openLog(t, kafkaConfig(dir, c))
	writeRecords(t, l, 30, "s")
	waitFor(t, "the shipper reports the missing topic", func() bool { return counterValue(l.m.shipErrors) > 0 })
	if p := l.shipper.Position(); p != 0 {
		t.Fatalf("position %d without a topic", p)
	}
	cl := &kafkago.Client{Addr: kafkago.TCP(c.ListenAddrs()...)}
	res, err := cl.CreateTopics(context.Background(), &kafkago.CreateTopicsRequest{
		Topics: []kafkago.TopicConfig{{Topic: topic, NumPartitions: 3, ReplicationFactor: 1}},
	})
	if err != nil || res.Errors[topic] != nil {
		t.Fatalf("create topic: %v %v", err, res)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := l.shipper.WaitFor(ctx, l.spool.Stats().Next); err != nil {
		t.Fatalf("records not shipped after the topic was created: %v", err)
	}
	closeLog(t, l)
	if seqs, _ := uniqueSeqs(t, topicDump(t, c)); len(seqs) != 30 {
		t.Fatalf("topic holds %d records, want 30", len(seqs))
	}
}

func TestRestartShipsUnshippedRecords(t *testing.T) {
	c := newCluster(t, 1)
	down := breaker(c)
	down.Store(true)
	dir := t.TempDir()
	l := openLog(t, kafkaConfig(dir, c))
	writeRecords(t, l, 40, "s")
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	_ = l.Close(ctx) // Kafka still down: records stay in the spool
	cancel()
	if got := len(topicDump(t, c)); got != 0 {
		t.Fatalf("topic holds %d messages while produce was failing", got)
	}
	down.Store(false)
	l = openLog(t, kafkaConfig(dir, c))
	closeLog(t, l)
	ms := topicDump(t, c)
	if seqs, _ := uniqueSeqs(t, ms); len(seqs) != 40 {
		t.Fatalf("after restart the topic holds %d of 40 records", len(seqs))
	}
	pub, _ := LoadPublicKey(filepath.Join(dir, "checkpoint.key.pub"))
	if rep := verifyTopic(t, ms, pub); !rep.OK() {
		t.Fatal(rep.Problems)
	}
}

func TestOversizedRecordIsTruncatedNotDropped(t *testing.T) {
	c := newCluster(t, 1)
	dir := t.TempDir()
	cfg := kafkaConfig(dir, c)
	cfg.Kafka.MaxMessageBytes = 8192
	l := openLog(t, cfg)
	writeRecords(t, l, 3, "s")
	x := sampleExchange(3, "s")
	x.ToolCalls[0].Text = strings.Repeat("SELECT 1; ", 10_000)
	if err := l.Record(context.Background(), x, StageRequest); err != nil {
		t.Fatal(err)
	}
	closeLog(t, l)
	ms := topicDump(t, c)
	var found bool
	for _, m := range ms {
		if len(m.Value) > 8192 {
			t.Fatalf("%s: %d bytes exceeds max_message_bytes", m.Pos(), len(m.Value))
		}
		var r Record
		if json.Unmarshal(m.Value, &r) == nil && r.Unmapped.Integrity != nil && r.Unmapped.Integrity.Seq == 4 {
			found = r.Unmapped.Warden.Truncated != nil && r.Unmapped.Warden.Truncated.OriginalBytes > 60_000
		}
	}
	if !found {
		t.Fatal("oversized record missing or not marked truncated")
	}
	pub, _ := LoadPublicKey(filepath.Join(dir, "checkpoint.key.pub"))
	rep := verifyTopic(t, ms, pub)
	if !rep.OK() || rep.Chains["test-chain"].Truncated != 1 {
		t.Fatalf("problems %v, chain %+v", rep.Problems, rep.Chains["test-chain"])
	}
	if counterValue(l.m.truncated) != 1 {
		t.Error("truncation not counted in metrics")
	}
}

func counterValue(c prometheus.Counter) float64 {
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		return -1
	}
	return m.GetCounter().GetValue()
}

func gaugeValue(t *testing.T, g prometheus.Metric) float64 {
	t.Helper()
	var m dto.Metric
	if err := g.Write(&m); err != nil {
		t.Fatal(err)
	}
	return m.GetGauge().GetValue()
}
