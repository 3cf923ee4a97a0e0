package audit

import (
	"encoding/json"
	"testing"
	"time"
)

func BenchmarkBuildMarshal(b *testing.B) {
	x := sampleExchange(1, "s")
	for b.Loop() {
		r := BuildRecord(x, StageRequest, Product{Name: "warden"}, time.Now())
		if _, err := json.Marshal(r); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkContentHash(b *testing.B) {
	body, _ := json.Marshal(BuildRecord(sampleExchange(1, "s"), StageRequest, Product{Name: "warden"}, time.Now()))
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if _, err := ContentHash(body); err != nil {
			b.Fatal(err)
		}
	}
}
