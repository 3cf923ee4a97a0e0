package kafka

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/warden-gw/warden/internal/kafkaconn"
)

// slowFetches makes the cluster answer every fetch that finds data only after delay, as a
// loaded broker (or a loaded reader) does.
func slowFetches(c *kfake.Cluster, delay time.Duration) *atomic.Int64 {
	var n atomic.Int64
	c.ControlKey(int16(kmsg.Fetch), func(kmsg.Request) (kmsg.Response, error, bool) {
		c.KeepControl()
		n.Add(1)
		time.Sleep(delay)
		return nil, nil, false
	})
	return &n
}

// A broker that takes longer than the fetch's MaxWait to answer a fetch of backlog: the records
// are still read, once each. (With kafka-go's Reader the response had only MaxWait, 200 ms, to
// start arriving: every fetch from offset 0 timed out and was sent again until the deadline, and
// `warden audit verify --brokers` on a loaded machine never finished.)
func TestReadAllWhenTheBrokerAnswersSlowly(t *testing.T) {
	c := newTestCluster(t)
	sp := fillSpool(t, 300, func(i int) string { return []string{"a", "b", "c"}[i%3] }, 500)
	waitShipped(t, startShipper(t, c, sp, nil, Hooks{}), sp)
	fetches := slowFetches(c, 600*time.Millisecond)
	ms := readTopic(t, c)
	checkOrdered(t, ms, 300)
	if fetches.Load() == 0 {
		t.Fatal("no fetch went through the slow path: the test measured nothing")
	}
}

// A cancelled ReadAll ends at once with the context's error and where it stopped, not after the
// broker's wait or a retry loop.
func TestReadAllEndsWithItsContext(t *testing.T) {
	c := newTestCluster(t)
	sp := fillSpool(t, 50, func(int) string { return "k" }, 100)
	waitShipped(t, startShipper(t, c, sp, nil, Hooks{}), sp)
	slowFetches(c, 2*time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	err := ReadAll(ctx, Config{Settings: kafkaconn.Settings{Brokers: c.ListenAddrs()}, Topic: testTopic}, func(Consumed) error { return nil })
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "at offset") {
		t.Fatalf("ReadAll = %v, want the deadline and the offset it stopped at", err)
	}
}

// A partition whose fetches all fail ends ReadAll after readStall with ErrStalled, naming the
// offset and the broker's error, instead of retrying until a deadline the caller may not have.
func TestReadAllGivesUpOnAStalledPartition(t *testing.T) {
	c := newTestCluster(t)
	sp := fillSpool(t, 30, func(int) string { return "k" }, 100)
	waitShipped(t, startShipper(t, c, sp, nil, Hooks{}), sp)
	c.ControlKey(int16(kmsg.Fetch), func(kmsg.Request) (kmsg.Response, error, bool) {
		c.KeepControl()
		return nil, errors.New("leader unreachable (test)"), true
	})
	defer func(d time.Duration) { readStall = d }(readStall)
	readStall = time.Second
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	start := time.Now()
	err := ReadAll(ctx, Config{Settings: kafkaconn.Settings{Brokers: c.ListenAddrs()}, Topic: testTopic}, func(Consumed) error { return nil })
	if !errors.Is(err, ErrStalled) || !strings.Contains(err.Error(), "at offset 0") || !strings.Contains(err.Error(), testTopic) {
		t.Fatalf("ReadAll = %v, want ErrStalled naming the topic and offset 0", err)
	}
	if ctx.Err() != nil {
		t.Fatalf("ReadAll gave up only at the caller's deadline (%s)", time.Since(start))
	}
}

// Follow from the start hands over every message once, in partition order, and ErrStop ends it
// without error.
func TestFollowFromStartThenStop(t *testing.T) {
	c := newTestCluster(t)
	sp := fillSpool(t, 120, func(i int) string { return []string{"a", "b"}[i%2] }, 200)
	waitShipped(t, startShipper(t, c, sp, nil, Hooks{}), sp)
	var got []Consumed
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := Follow(ctx, Config{Settings: kafkaconn.Settings{Brokers: c.ListenAddrs()}, Topic: testTopic}, true, func(m Consumed) error {
		got = append(got, m)
		if len(got) == 120 {
			return ErrStop
		}
		return nil
	})
	if err != nil {
		t.Fatalf("Follow: %v", err)
	}
	checkOrdered(t, got, 120)
}

// newTestCluster is a three-broker cluster holding testTopic in three partitions.
func newTestCluster(t *testing.T) *kfake.Cluster {
	t.Helper()
	c, err := kfake.NewCluster(kfake.NumBrokers(3), kfake.SeedTopics(3, testTopic))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}
