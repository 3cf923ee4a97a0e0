package verify

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/warden-gw/warden/audit/record"
	"github.com/warden-gw/warden/audit/signing"
	"github.com/warden-gw/warden/exchange"
)

// chain builds n sealed records of one chain and a checkpoint signed over the last one, the
// way audit.Log writes them, without a spool.
func chain(t *testing.T, n int, priv ed25519.PrivateKey) []Entry {
	t.Helper()
	var es []Entry
	head := record.ZeroHash
	for i := 1; i <= n; i++ {
		x := &exchange.Exchange{ID: fmt.Sprintf("req-%d", i), Start: time.Unix(int64(i), 0), Request: exchange.Request{Method: "GET", Authority: "api.example", Path: "/x"}}
		body, content, err := record.Encode(record.BuildRecord(x, record.StageRequest, record.Product{Name: "warden"}, x.Start))
		if err != nil {
			t.Fatal(err)
		}
		in := record.Integrity{ChainID: "c", Seq: uint64(i), PrevHash: head, ContentHash: content}
		in.Hash = record.ChainHash("c", in.Seq, head, content)
		sealed, err := record.Seal(body, in)
		if err != nil {
			t.Fatal(err)
		}
		head = in.Hash
		es = append(es, Entry{Pos: fmt.Sprintf("entry %d", i), Payload: sealed})
	}
	sc, err := record.SignCheckpoint(signing.NewEd25519Signer(priv), record.Checkpoint{ChainID: "c", Number: 1, Seq: uint64(n), RecordHash: head, PrevCheckpoint: record.ZeroHash})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(sc)
	if err != nil {
		t.Fatal(err)
	}
	return append(es, Entry{Pos: "checkpoint", Payload: b})
}

// TestEntriesFindsEachKindOfTampering: an intact chain verifies and is covered by its
// checkpoint; a deleted, modified or reordered record is reported as such.
func TestEntriesFindsEachKindOfTampering(t *testing.T) {
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	rep := Entries(chain(t, 3, priv), Options{PublicKey: pub, Strict: true})
	if !rep.OK() || rep.Chains["c"].SignedUpTo != 3 {
		t.Fatalf("intact chain: problems %v, chain %+v", rep.Problems, rep.Chains["c"])
	}
	_, otherKey, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]struct {
		edit func([]Entry) []Entry
		want string
	}{
		"deleted": {func(es []Entry) []Entry { return append(es[:1:1], es[2:]...) }, ProblemDeleted},
		"modified": {func(es []Entry) []Entry {
			es[1].Payload = bytes.Replace(es[1].Payload, []byte(`"/x"`), []byte(`"/y"`), 1)
			return es
		}, ProblemModified},
		"reordered": {func(es []Entry) []Entry { es[0], es[1] = es[1], es[0]; return es }, ProblemReordered},
		"forged checkpoint": {func(es []Entry) []Entry {
			return append(es[:3:3], chain(t, 3, otherKey)[3])
		}, ProblemSignature},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			rep := Entries(c.edit(chain(t, 3, priv)), Options{PublicKey: pub})
			if p := rep.First(); p == nil || p.Kind != c.want {
				t.Fatalf("first problem %v, want %s (all: %v)", p, c.want, rep.Problems)
			}
		})
	}
}
