package approval

import (
	"context"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/warden-gw/warden/internal/kafkaconn"
)

// BenchmarkKafkaPut measures one state transition through the compacted topic: produce, then read
// back and apply (what Request, Decide and Consume each wait for), against in-process kfake.
func BenchmarkKafkaPut(b *testing.B) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(3, topic))
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	s, err := NewKafkaStore(context.Background(), KafkaConfig{Settings: kafkaconn.Settings{Brokers: c.ListenAddrs()}, Topic: topic}, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	a := Approval{ID: "apr_bench", Status: Pending, Created: time.Now()}
	for b.Loop() {
		a.Version++
		if err := s.Put(context.Background(), a); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDigest(b *testing.B) {
	body := make([]byte, 16<<10)
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		Digest("POST", "https", "api.example.com", "/v1/chat/completions", body, Principal{Subject: "alice", Agent: "agent", Session: "s_1"})
	}
}
