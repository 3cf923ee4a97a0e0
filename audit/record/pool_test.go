package record

import (
	"bytes"
	"testing"
	"time"

	"github.com/warden-gw/warden/exchange"
)

// TestReleasedRecordsLeaveNothingBehind: a record built from a released one (every case, both
// stages, after every other case's record was released, and after a memo was released) is byte
// for byte the record built from a fresh allocation: nothing of an earlier exchange (its
// response, endpoint, user, session, decision) shows in a later one.
func TestReleasedRecordsLeaveNothingBehind(t *testing.T) {
	cases := liveCases()
	cases["sample"] = func() *exchange.Exchange { return sampleExchange(2, "s") }
	cases["bare"] = func() *exchange.Exchange { return &exchange.Exchange{ID: "bare"} }
	now := time.Unix(100, 0)
	fresh := func(x *exchange.Exchange, stage Stage) []byte {
		b, _, err := EncodeRedactedInto(nil, buildRecordFresh(x, stage, now), redactors["identity"])
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	for before, mkBefore := range cases {
		for name, mk := range cases {
			for _, stage := range []Stage{StageRequest, StageCompletion} {
				var m Memo
				if _, _, err := EncodeMemo(nil, Build(mkBefore(), StageRequest, Product{Name: "warden"}, now), redactors["identity"], nil, &m); err != nil {
					t.Fatal(err)
				}
				m.Release()
				Release(Build(mkBefore(), StageCompletion, Product{Name: "warden"}, now))
				want := fresh(mk(), stage)
				r := Build(mk(), stage, Product{Name: "warden"}, now)
				got, _, err := EncodeRedactedInto(nil, r, redactors["identity"])
				if err != nil {
					t.Fatal(err)
				}
				Release(r)
				if !bytes.Equal(got, want) {
					t.Fatalf("%s after %s, %s: a reused record differs:\n got %s\nwant %s", name, before, stage, got, want)
				}
			}
		}
	}
	m := Memo{}
	m.Release() // an empty memo, and a second release, give nothing back
	m.Release()
}

// TestReleasedMemosLeaveNothingBehind: a memo whose buffer and request record were another
// exchange's gives the completion record the bytes it has without a memo.
func TestReleasedMemosLeaveNothingBehind(t *testing.T) {
	cases := liveCases()
	cases["sample"] = func() *exchange.Exchange { return sampleExchange(2, "s") }
	now, red := time.Unix(100, 0), redactors["some"]
	for before, mkBefore := range cases {
		for name, mk := range cases {
			var old Memo
			if _, _, err := EncodeMemo(nil, Build(mkBefore(), StageRequest, Product{Name: "warden"}, now), red, nil, &old); err != nil {
				t.Fatal(err)
			}
			old.Release()
			x := mk()
			var m Memo
			if _, _, err := EncodeMemo(nil, Build(x, StageRequest, Product{Name: "warden"}, now), red, nil, &m); err != nil {
				t.Fatal(err)
			}
			x.Response.Status = 200
			want, _, err := EncodeRedactedInto(nil, buildRecordFresh(x, StageCompletion, now), red)
			if err != nil {
				t.Fatal(err)
			}
			r := Build(x, StageCompletion, Product{Name: "warden"}, now)
			got, _, err := EncodeMemo(nil, r, red, &m, nil)
			if err != nil {
				t.Fatal(err)
			}
			Release(r)
			m.Release()
			if !bytes.Equal(got, want) {
				t.Fatalf("%s after %s: the completion record differs with a reused memo:\n got %s\nwant %s", name, before, got, want)
			}
		}
	}
}

// buildRecordFresh is Build on a new allocation, never one from the pool (with the decision
// input copied, which encodes to the same bytes: TestLiveInputMatchesCopy).
func buildRecordFresh(x *exchange.Exchange, stage Stage, now time.Time) *Record {
	return buildRecord(x, stage, Product{Name: "warden"}, now, false)
}
