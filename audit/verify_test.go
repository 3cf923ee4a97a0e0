package audit

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/warden-gw/warden/audit/record"
)

// chainFixture writes a 30-record chain (checkpoints after 10, 20 and a final one at 30).
func chainFixture(t *testing.T, session string) ([]Entry, ed25519.PublicKey) {
	t.Helper()
	dir := t.TempDir()
	l := openLog(t, testConfig(dir))
	// 30 records, with a signed checkpoint after each 10: the checkpointer signs asynchronously,
	// and snapshots still queued at Close are folded into the final one, so without waiting a
	// loaded machine could leave a single checkpoint and nothing after it to notice its deletion.
	for i := range 30 {
		stage := StageRequest
		if i%2 == 1 {
			stage = StageCompletion
		}
		if err := l.Record(context.Background(), sampleExchange(i, session), stage); err != nil {
			t.Fatalf("Record %d: %v", i, err)
		}
		if (i+1)%10 == 0 {
			want := float64((i + 1) / 10)
			deadline := time.Now().Add(20 * time.Second)
			for counterValue(l.m.checkpoints) < want {
				if time.Now().After(deadline) {
					t.Fatalf("checkpoint %v not signed within 20s", want)
				}
				time.Sleep(time.Millisecond) // polling the condition, not waiting a guessed time
			}
		}
	}
	closeLog(t, l)
	pub, err := LoadPublicKey(filepath.Join(dir, "checkpoint.key.pub"))
	if err != nil {
		t.Fatal(err)
	}
	return spoolEntries(t, dir), pub
}

func seqOf(e Entry) uint64 {
	var p record.Probe
	_ = json.Unmarshal(e.Payload, &p)
	if p.Unmapped.Integrity != nil {
		return p.Unmapped.Integrity.Seq
	}
	return 0
}

func indexOfSeq(es []Entry, seq uint64) int {
	for i, e := range es {
		if seqOf(e) == seq && !bytes.Contains(e.Payload, []byte(`"checkpoint":{`)) {
			return i
		}
	}
	return -1
}

func without(es []Entry, drop func(Entry) bool) []Entry {
	var out []Entry
	for _, e := range es {
		if !drop(e) {
			out = append(out, e)
		}
	}
	return out
}

func isCheckpoint(e Entry) bool { return bytes.Contains(e.Payload, []byte(`"checkpoint":{`)) }

// rehash rewrites the integrity fields of every record from index i on so that the hash chain
// itself is consistent again: what an attacker without the signing key can do.
func rehash(t *testing.T, es []Entry, from int) {
	t.Helper()
	var prev string
	for i := range es {
		if isCheckpoint(es[i]) {
			continue
		}
		var r Record
		if err := json.Unmarshal(es[i].Payload, &r); err != nil {
			t.Fatal(err)
		}
		in := *r.Unmapped.Integrity
		if i >= from {
			r.Unmapped.Integrity = nil
			body, _ := json.Marshal(r)
			in.PrevHash = prev
			in.ContentHash, _ = ContentHash(body)
			in.Hash = ChainHash(in.ChainID, in.Seq, in.PrevHash, in.ContentHash)
			sealed, err := record.Seal(body, in)
			if err != nil {
				t.Fatal(err)
			}
			es[i].Payload = sealed
		}
		prev = in.Hash
	}
}

func TestTamperIsDetected(t *testing.T) {
	orig, pub := chainFixture(t, "victim")
	other, _ := chainFixture(t, "intruder")
	cases := []struct {
		name   string
		tamper func(es []Entry) ([]Entry, int) // returns tampered entries and index of first bad
		kind   string
	}{
		{"deletion", func(es []Entry) ([]Entry, int) {
			es = without(es, func(e Entry) bool { return !isCheckpoint(e) && seqOf(e) == 5 })
			return es, indexOfSeq(es, 6)
		}, ProblemDeleted},
		{"deletion of the first checkpoint", func(es []Entry) ([]Entry, int) {
			first := -1
			for k, e := range es {
				if isCheckpoint(e) {
					first = k
					break
				}
			}
			es = append(es[:first:first], es[first+1:]...)
			for k := first; k < len(es); k++ { // the next checkpoint is where it shows
				if isCheckpoint(es[k]) {
					return es, k
				}
			}
			return es, -1
		}, ProblemDeleted},
		{"reordering", func(es []Entry) ([]Entry, int) {
			i, j := indexOfSeq(es, 5), indexOfSeq(es, 6)
			es[i], es[j] = es[j], es[i]
			return es, i
		}, ProblemReordered},
		{"modification", func(es []Entry) ([]Entry, int) {
			i := indexOfSeq(es, 7)
			es[i].Payload = bytes.Replace(es[i].Payload, []byte(`"llm-allow"`), []byte(`"llm-other"`), 1)
			return es, i
		}, ProblemModified},
		{"modification with recomputed chain", func(es []Entry) ([]Entry, int) {
			i := indexOfSeq(es, 7)
			es[i].Payload = bytes.Replace(es[i].Payload, []byte(`"alice@example.com"`), []byte(`"mallory@example.com"`), 1)
			rehash(t, es, i)
			for k, e := range es { // the first checkpoint after seq 7 no longer matches
				if isCheckpoint(e) {
					return es, k
				}
			}
			return es, -1
		}, ProblemModified},
		{"truncation", func(es []Entry) ([]Entry, int) {
			es = without(es, func(e Entry) bool { return !isCheckpoint(e) && seqOf(e) >= 25 })
			last := indexOfSeq(es, 24)
			for k := last + 1; k < len(es); k++ { // the first checkpoint that signed a seq > 24
				var sc SignedCheckpoint
				if json.Unmarshal(es[k].Payload, &sc) == nil && sc.Checkpoint.Seq > 24 {
					return es, k
				}
			}
			return es, -1
		}, ProblemTruncated},
		{"splicing", func(es []Entry) ([]Entry, int) {
			for _, s := range []uint64{12, 13, 14} {
				es[indexOfSeq(es, s)] = other[indexOfSeq(other, s)]
			}
			return es, indexOfSeq(es, 12)
		}, ProblemSpliced},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			es := make([]Entry, len(orig))
			for i, e := range orig {
				es[i] = Entry{Pos: e.Pos, Payload: append([]byte(nil), e.Payload...)}
			}
			es, bad := tc.tamper(es)
			rep := Verify(es, VerifyOptions{PublicKey: pub})
			first := rep.First()
			if first == nil {
				t.Fatalf("%s was not detected", tc.name)
			}
			if first.Kind != tc.kind || first.Pos != es[bad].Pos {
				t.Fatalf("first problem = %s; want %s at %s", first, tc.kind, es[bad].Pos)
			}
		})
	}
	t.Run("untampered", func(t *testing.T) {
		if rep := Verify(orig, VerifyOptions{PublicKey: pub}); !rep.OK() {
			t.Fatalf("problems on an intact chain: %v", rep.Problems)
		}
	})
	t.Run("wrong public key", func(t *testing.T) {
		otherPub, _, _ := ed25519.GenerateKey(rand.Reader)
		rep := Verify(orig, VerifyOptions{PublicKey: otherPub})
		if f := rep.First(); f == nil || f.Kind != ProblemSignature {
			t.Fatalf("first problem = %v, want bad_signature", f)
		}
	})
}

func TestUnorderedDedupe(t *testing.T) {
	orig, pub := chainFixture(t, "s")
	// A topic dump: shuffled by partition, with re-sent duplicates.
	var es []Entry
	for i := len(orig) - 1; i >= 0; i-- {
		es = append(es, orig[i])
		if i%3 == 0 {
			es = append(es, orig[i])
		}
	}
	rep := Verify(es, VerifyOptions{PublicKey: pub, Unordered: true})
	if !rep.OK() {
		t.Fatalf("shuffled topic with duplicates: %v", rep.Problems)
	}
	if rep.Chains["test-chain"].Duplicates == 0 {
		t.Error("duplicates were not counted")
	}
	// A conflicting duplicate is a modification.
	i := indexOfSeq(es, 9)
	bad := Entry{Pos: "dup", Payload: bytes.Replace(es[i].Payload, []byte("ls -la /tmp"), []byte("rm -rf /tmp"), 1)}
	rep = Verify(append(es, bad), VerifyOptions{PublicKey: pub, Unordered: true})
	if f := rep.First(); f == nil || f.Kind != ProblemModified {
		t.Fatalf("conflicting duplicate: first problem %v", f)
	}
}

func TestShrinkForKafkaKeepsChainVerifiable(t *testing.T) {
	orig, pub := chainFixture(t, "s")
	i := indexOfSeq(orig, 4)
	var r Record
	if err := json.Unmarshal(orig[i].Payload, &r); err != nil {
		t.Fatal(err)
	}
	big := bytes.Repeat([]byte("A"), 50_000)
	// Rebuild seq 4 with a huge tool call text, then re-seal the chain from there on (as if it
	// had been written that way), and sign nothing: checkpoints are dropped for this test.
	r.Unmapped.Warden.ToolCalls[0].Text = string(big)
	r.Unmapped.Integrity = nil
	body, _ := json.Marshal(r)
	es := without(orig, isCheckpoint)
	k := indexOfSeq(es, 4)
	var err error
	if es[k].Payload, err = record.Seal(body, Integrity{ChainID: "test-chain", Seq: 4}); err != nil {
		t.Fatal(err)
	}
	rehash(t, es, k)
	small, err := ShrinkForKafka(es[k].Payload, 4096)
	if err != nil {
		t.Fatal(err)
	}
	if len(small) > 4096 || !strings.Contains(string(small), `"truncated":{"original_bytes":`) {
		t.Fatalf("shrunk record: %d bytes, marker present: %v", len(small), strings.Contains(string(small), "truncated"))
	}
	es[k].Payload = small
	rep := Verify(es, VerifyOptions{PublicKey: pub})
	if !rep.OK() || rep.Chains["test-chain"].Truncated != 1 {
		t.Fatalf("chain with a truncated record: ok=%v truncated=%d problems %v", rep.OK(), rep.Chains["test-chain"].Truncated, rep.Problems)
	}
	if f := Verify(es, VerifyOptions{PublicKey: pub, Strict: true}).First(); f == nil || f.Kind != ProblemTruncated || f.Seq != 4 {
		t.Fatalf("--strict on a truncated record: first problem %v", f)
	}
}
