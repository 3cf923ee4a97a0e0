package kafka

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	kafkago "github.com/segmentio/kafka-go"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/warden-gw/warden/audit/spool"
	"github.com/warden-gw/warden/internal/kafkaconn"
)

const testTopic = "ship-test"

// entry is a spool payload for these tests: the key and a sequence number, padded to size.
type entry struct {
	Key string `json:"k"`
	Seq int    `json:"seq"`
	Pad string `json:"pad,omitempty"`
}

func describeEntry(b []byte) (Message, error) {
	var e entry
	if err := json.Unmarshal(b, &e); err != nil {
		return Message{}, err
	}
	return Message{Key: e.Key, ID: fmt.Sprint(e.Seq), Type: "test", Source: "test", Time: time.Unix(0, 0)}, nil
}

func noShrink([]byte, int) ([]byte, error) { return nil, errors.New("no record is too large here") }

// fillSpool appends n entries, entry i with key keyOf(i), each padded to about size bytes.
func fillSpool(t *testing.T, n int, keyOf func(i int) string, size int) *spool.Spool {
	t.Helper()
	sp, _, err := spool.Open(t.TempDir(), spool.Options{SegmentBytes: 64 << 20, MaxBytes: 1 << 30})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sp.Close() })
	var last spool.Ticket
	for i := range n {
		b, _ := json.Marshal(entry{Key: keyOf(i), Seq: i, Pad: strings.Repeat("x", size)})
		if last, _, err = sp.Append(b); err != nil {
			t.Fatal(err)
		}
	}
	if err := sp.Wait(context.Background(), last); err != nil {
		t.Fatal(err)
	}
	return sp
}

// startShipper runs a shipper over sp until the test ends.
func startShipper(t *testing.T, c *kfake.Cluster, sp *spool.Spool, tune func(*Config), hooks Hooks, prep ...func(*Shipper)) *Shipper {
	t.Helper()
	cfg := Config{Settings: kafkaconn.Settings{Brokers: c.ListenAddrs()}, Topic: testTopic, RetryMin: 5 * time.Millisecond, RetryMax: 50 * time.Millisecond, WriteTimeout: 5 * time.Second}
	if tune != nil {
		tune(&cfg)
	}
	sh, err := NewShipper(cfg, sp, describeEntry, noShrink, hooks, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range prep {
		f(sh)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := sh.Run(ctx); err != nil {
			t.Errorf("Run: %v", err)
		}
	}()
	t.Cleanup(func() { cancel(); <-done })
	return sh
}

func waitShipped(t *testing.T, sh *Shipper, sp *spool.Spool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := sh.WaitFor(ctx, sp.Stats().Next); err != nil {
		t.Fatalf("not everything shipped: position %d of %d: %v", sh.Position(), sp.Stats().Next, err)
	}
}

// readTopic returns the entries in the topic, partition by partition.
func readTopic(t *testing.T, c *kfake.Cluster) []Consumed {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out []Consumed
	if err := ReadAll(ctx, Config{Settings: kafkaconn.Settings{Brokers: c.ListenAddrs()}, Topic: testTopic}, func(m Consumed) error {
		out = append(out, m)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// checkOrdered drops duplicates (keeping the first copy, as a consumer deduplicating by id does)
// and checks that each key's entries are in spool order within each partition and that all n
// arrived.
func checkOrdered(t *testing.T, ms []Consumed, n int) {
	t.Helper()
	seen := map[int]bool{}
	last := map[string]int{}
	for _, m := range ms {
		var e entry
		if err := json.Unmarshal(m.Value, &e); err != nil {
			t.Fatal(err)
		}
		if seen[e.Seq] {
			continue
		}
		seen[e.Seq] = true
		k := fmt.Sprintf("%s@%d", e.Key, m.Partition)
		if prev, ok := last[k]; ok && e.Seq < prev {
			t.Fatalf("key %s in partition %d: seq %d arrived after seq %d", e.Key, m.Partition, e.Seq, prev)
		}
		last[k] = e.Seq
	}
	if len(seen) != n {
		t.Fatalf("topic holds %d distinct entries, want %d", len(seen), n)
	}
}

// A backlog of 2 KB records on one partition: a lane's part is larger than one produce request
// may be. The very first produce request fails. The part must go out as consecutive requests,
// each retried before the next, so the failed records are not overtaken. (When kafka-go was
// left to split the part, it sent the pieces independently and this test saw a session's seq
// 27 arrive after seq 261.)
func TestPartLargerThanOneRequestKeepsOrderAcrossAFailure(t *testing.T) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, testTopic))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var produces atomic.Int64
	c.ControlKey(int16(kmsg.Produce), func(kmsg.Request) (kmsg.Response, error, bool) {
		c.KeepControl()
		if produces.Add(1) == 1 {
			return nil, errors.New("first produce fails (test)"), true
		}
		return nil, nil, false
	})
	const n = 3000
	sp := fillSpool(t, n, func(i int) string { return fmt.Sprintf("s%d", i%7) }, 2000)
	sh := startShipper(t, c, sp, nil, Hooks{})
	waitShipped(t, sh, sp)
	if produces.Load() < 2 {
		t.Fatal("no produce was retried")
	}
	checkOrdered(t, readTopic(t, c), n)
}

// While every produce request to partition 0 fails and the others succeed, the position must not
// move past the first entry, the only one that goes to partition 0: every later batch is
// acknowledged, but the acknowledged prefix of the spool is empty. Once partition 0 accepts
// again, all arrive.
func TestPositionWaitsForAPartitionThatFails(t *testing.T) {
	c, err := kfake.NewCluster(kfake.NumBrokers(3), kfake.SeedTopics(3, testTopic))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var hold atomic.Bool
	var othersOK atomic.Int64
	hold.Store(true)
	c.ControlKey(int16(kmsg.Produce), func(kr kmsg.Request) (kmsg.Response, error, bool) {
		c.KeepControl()
		req := kr.(*kmsg.ProduceRequest)
		for _, tp := range req.Topics {
			for _, p := range tp.Partitions {
				if p.Partition == 0 && hold.Load() {
					return nil, errors.New("partition 0 unavailable (test)"), true
				}
			}
		}
		othersOK.Add(1)
		return nil, nil, false
	})
	keys := keysForPartitions(t, 3) // key i goes to partition i
	const n = 600
	sp := fillSpool(t, n, func(i int) string {
		if i == 0 {
			return keys[0]
		}
		return keys[1+i%2]
	}, 200)
	var shipped atomic.Int64
	sh := startShipper(t, c, sp, func(c *Config) { c.BatchSize, c.MaxInFlight = 50, 8 }, Hooks{Shipped: func(k int) { shipped.Add(int64(k)) }})
	deadline := time.Now().Add(20 * time.Second)
	// The window holds max_in_flight (8) batches of 50: all but the first entry of them ship.
	for shipped.Load() < 8*50-1 { // a counter has no event to wait on: poll with a deadline
		if time.Now().After(deadline) {
			t.Fatalf("other partitions did not ship (%d acknowledged)", shipped.Load())
		}
		time.Sleep(5 * time.Millisecond)
	}
	if p := sh.Position(); p != 0 {
		t.Fatalf("position %d while the first entry (partition 0) is unacknowledged", p)
	}
	if p, err := readPos(sh.posPath); err != nil || p != 0 {
		t.Fatalf("persisted position %d (%v) while the first entry is unacknowledged", p, err)
	}
	hold.Store(false)
	waitShipped(t, sh, sp)
	checkOrdered(t, readTopic(t, c), n)
}

// keysForPartitions returns one key per partition, key i going to partition i among count.
func keysForPartitions(t *testing.T, count int) []string {
	t.Helper()
	ids := make([]int, count)
	for i := range ids {
		ids[i] = i
	}
	keys := make([]string, count)
	for i := 0; i < 1000; i++ {
		k := fmt.Sprintf("s%d", i)
		p := partitioner.Balance(kafkago.Message{Key: []byte(k)}, ids...)
		if keys[p] == "" {
			keys[p] = k
		}
	}
	for p, k := range keys {
		if k == "" {
			t.Fatalf("no key for partition %d", p)
		}
	}
	return keys
}

// Partitions are added while records flow and some produce calls fail: the dispatcher drains,
// rebuilds its lanes for the new count, and every record arrives, each key in order within each
// partition; records after the change use the new partitions.
func TestPartitionsAddedWhileShipping(t *testing.T) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(2, testTopic))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var produces atomic.Int64
	c.ControlKey(int16(kmsg.Produce), func(kmsg.Request) (kmsg.Response, error, bool) {
		c.KeepControl()
		if produces.Add(1)%4 == 0 {
			return nil, errors.New("broker unavailable (test)"), true
		}
		return nil, nil, false
	})
	sp, _, err := spool.Open(t.TempDir(), spool.Options{SegmentBytes: 64 << 20, MaxBytes: 1 << 30})
	if err != nil {
		t.Fatal(err)
	}
	defer sp.Close()
	keys := []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l"}
	var mu sync.Mutex
	seq := 0
	write := func(n int) {
		mu.Lock()
		defer mu.Unlock()
		var last spool.Ticket
		for range n {
			b, _ := json.Marshal(entry{Key: keys[seq%len(keys)], Seq: seq})
			seq++
			if last, _, err = sp.Append(b); err != nil {
				t.Fatal(err)
			}
		}
		if err := sp.Wait(context.Background(), last); err != nil {
			t.Fatal(err)
		}
	}
	sh := startShipper(t, c, sp, func(c *Config) { c.BatchSize = 20; c.BatchTimeout = time.Millisecond }, Hooks{},
		func(sh *Shipper) {
			sh.partitionRefresh = 0                                                 // re-read the count before every batch…
			sh.w.Transport.(*kafkago.Transport).MetadataTTL = 20 * time.Millisecond // …and let it change soon
		})
	write(300)
	waitShipped(t, sh, sp)
	cl := &kafkago.Client{Addr: kafkago.TCP(c.ListenAddrs()...)}
	res, err := cl.CreatePartitions(context.Background(), &kafkago.CreatePartitionsRequest{
		Topics: []kafkago.TopicPartitionsConfig{{Name: testTopic, Count: 6}},
	})
	if err != nil || res.Errors[testTopic] != nil {
		t.Fatalf("add partitions: %v %v", err, res)
	}
	for range 10 {
		write(60)
	}
	waitShipped(t, sh, sp)
	ms := readTopic(t, c)
	checkOrdered(t, ms, 900)
	high := 0
	for _, m := range ms {
		if m.Partition >= 2 {
			high++
		}
	}
	if high == 0 {
		t.Fatal("no record went to the added partitions")
	}
}

// Each compression codec: the produce requests carry batches compressed with it (record batch
// attributes, as the broker sees them) and a consumer reads every entry back.
func TestCompressedBatches(t *testing.T) {
	for codec, id := range map[string]int16{"gzip": 1, "snappy": 2, "lz4": 3, "zstd": 4} {
		t.Run(codec, func(t *testing.T) {
			c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(2, testTopic))
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			var mu sync.Mutex
			seen := map[int16]int{}
			c.ControlKey(int16(kmsg.Produce), func(kr kmsg.Request) (kmsg.Response, error, bool) {
				c.KeepControl()
				for _, tp := range kr.(*kmsg.ProduceRequest).Topics {
					for _, p := range tp.Partitions {
						var b kmsg.RecordBatch
						if err := b.ReadFrom(p.Records); err == nil {
							mu.Lock()
							seen[b.Attributes&0x07]++
							mu.Unlock()
						}
					}
				}
				return nil, nil, false
			})
			const n = 200
			sp := fillSpool(t, n, func(i int) string { return fmt.Sprintf("s%d", i%5) }, 500)
			sh := startShipper(t, c, sp, func(c *Config) { c.Compression = codec }, Hooks{})
			waitShipped(t, sh, sp)
			checkOrdered(t, readTopic(t, c), n)
			mu.Lock()
			defer mu.Unlock()
			if len(seen) != 1 || seen[id] == 0 {
				t.Fatalf("batch codecs seen by the broker: %v, want only %d (%s)", seen, id, codec)
			}
		})
	}
}
