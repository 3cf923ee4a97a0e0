package record

import (
	"testing"

	"github.com/warden-gw/warden/audit/record/recordtest"
	"github.com/warden-gw/warden/exchange"
)

// sealedRecord builds, encodes and seals the record of x as the seq-th record of chain after
// *head, as audit.Log writes it, and moves *head on.
func sealedRecord(t testing.TB, x *exchange.Exchange, chain string, seq uint64, head *string) []byte {
	t.Helper()
	body, content, err := Encode(BuildRecord(x, StageRequest, Product{Name: "warden"}, x.Start))
	if err != nil {
		t.Fatal(err)
	}
	in := Integrity{ChainID: chain, Seq: seq, PrevHash: *head, ContentHash: content}
	in.Hash = ChainHash(chain, seq, *head, content)
	out, err := Seal(body, in)
	if err != nil {
		t.Fatal(err)
	}
	*head = in.Hash
	return out
}

func sampleExchange(i int, session string) *exchange.Exchange {
	return recordtest.SampleExchange(i, session)
}
