package record

import (
	"encoding/json"
	"testing"
	"time"
)

// BenchmarkBuildMarshal is BuildRecord + encoding/json (the write path before the hand-written
// encoder), kept for comparison.
func BenchmarkBuildMarshal(b *testing.B) {
	x := sampleExchange(1, "s")
	b.ReportAllocs()
	for b.Loop() {
		r := BuildRecord(x, StageRequest, Product{Name: "warden"}, time.Now())
		if _, err := json.Marshal(r); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBuildEncode is the write path: BuildRecord + the hand-written canonical encoder + hash.
func BenchmarkBuildEncode(b *testing.B) {
	x := sampleExchange(1, "s")
	b.ReportAllocs()
	for b.Loop() {
		r := BuildRecord(x, StageRequest, Product{Name: "warden"}, time.Now())
		if _, _, err := Encode(r); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDescribe is the shipper's per-entry parse of a sealed record.
func BenchmarkDescribe(b *testing.B) {
	body, content, _ := Encode(BuildRecord(sampleExchange(1, "s"), StageRequest, Product{Name: "warden"}, time.Now()))
	sealed, _ := Seal(body, Integrity{ChainID: "c", Seq: 1, PrevHash: ZeroHash, ContentHash: content, Hash: content})
	for _, bc := range []struct {
		name string
		fn   func([]byte) (EntryInfo, error)
	}{{"fast", Describe}, {"encoding_json", describeSlow}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := bc.fn(sealed); err != nil {
					b.Fatal(err)
				}
			}
		})
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
