package record

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"testing"

	"github.com/warden-gw/warden/audit/signing"
)

// TestDescribeFastMatchesSlow: the fast path reads the same routing facts as encoding/json for
// real records, and leaves unusual entries to it.
func TestDescribeFastMatchesSlow(t *testing.T) {
	var es [][]byte
	head := ZeroHash
	for i, session := range []string{"sess-1", ""} {
		es = append(es, sealedRecord(t, sampleExchange(i, session), "chain-a", uint64(i+1), &head))
	}
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	sc, err := SignCheckpoint(signing.NewEd25519Signer(key), Checkpoint{ChainID: "chain-a", Number: 1, Seq: 2, RecordHash: head, PrevCheckpoint: ZeroHash})
	if err != nil {
		t.Fatal(err)
	}
	ckpt, err := json.Marshal(sc)
	if err != nil {
		t.Fatal(err)
	}
	es = append(es, ckpt)
	fast := 0
	for i, e := range es {
		want, werr := describeSlow(e)
		if werr != nil {
			t.Fatalf("entry %d: %v", i, werr)
		}
		if got, ok := describeRecordFast(e); ok {
			fast++
			if got != want {
				t.Errorf("entry %d: fast %+v, slow %+v", i, got, want)
			}
		} else if !want.Checkpoint {
			t.Errorf("entry %d: a record written by warden took the slow path", i)
		}
	}
	if fast != 2 {
		t.Fatalf("fast path described %d records, want 2", fast)
	}
	for name, in := range map[string]string{
		"case-folded key":    `{"class_uid":6003,"TIME":5,"unmapped":{"integrity":{"chain_id":"c","seq":1}}}`,
		"duplicate seq":      `{"class_uid":6003,"unmapped":{"integrity":{"chain_id":"c","seq":1,"seq":2}}}`,
		"escaped session":    `{"class_uid":6003,"actor":{"session":{"uid":"a\u0062"}},"unmapped":{"integrity":{"chain_id":"c","seq":1}}}`,
		"float class":        `{"class_uid":6003.0,"unmapped":{"integrity":{"chain_id":"c","seq":1}}}`,
		"checkpoint":         `{"checkpoint":{"chain_id":"c","number":1},"signature":""}`,
		"trailing data":      `{"class_uid":6003,"unmapped":{"integrity":{"chain_id":"c","seq":1}}} x`,
		"hash of wrong type": `{"class_uid":6003,"unmapped":{"integrity":{"chain_id":"c","seq":1,"hash":1}}}`,
	} {
		t.Run(name, func(t *testing.T) {
			if info, ok := describeRecordFast([]byte(in)); ok {
				t.Fatalf("fast path accepted %s as %+v", in, info)
			}
		})
	}
}

// FuzzDescribeFast: on any valid JSON the fast path either declines or agrees with encoding/json.
func FuzzDescribeFast(f *testing.F) {
	f.Add([]byte(`{"class_uid":6003,"time":12,"metadata":{"correlation_uid":"r"},"actor":{"session":{"uid":"s","issuer":"i"}},"unmapped":{"warden":{"session":"w"},"integrity":{"chain_id":"c","seq":1,"prev_hash":"p","content_hash":"h","hash":"x"}}}`))
	f.Add([]byte(`{"class_uid":6003,"a":[1,{"b":null},true,false,-1.5e3,"\""],"unmapped":{"integrity":{"chain_id":"c","seq":18446744073709551615}}}`))
	f.Add([]byte(`{"Class_uid":6003,"unmapped":{"integrity":{"chain_id":"c","seq":1}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		got, ok := describeRecordFast(data)
		if !ok || !json.Valid(data) {
			return
		}
		want, err := describeSlow(data)
		if err != nil {
			t.Fatalf("fast path accepted an entry encoding/json rejects (%v): %s", err, data)
		}
		if got != want {
			t.Fatalf("fast %+v, slow %+v for %s", got, want, data)
		}
	})
}
