package verify

import (
	"crypto/ed25519"
	"testing"
)

// TestRecordsYieldsEachRecordOnce: the records of a trail come in order, once each; a second
// copy of a record (as a topic may hold), a checkpoint, an unreadable entry and a payload that
// is not a record are skipped, and stopping early stops the walk.
func TestRecordsYieldsEachRecordOnce(t *testing.T) {
	_, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	es := chain(t, 3, priv) // three records and a checkpoint
	es = append(es,
		es[1], // a duplicate of record 2
		Entry{Pos: "damaged", Payload: es[2].Payload, Err: "checksum mismatch"},
		Entry{Pos: "junk", Payload: []byte(`{"class_uid":1}`)},
	)
	var ids []string
	for r := range Records(es) {
		ids = append(ids, r.Metadata.CorrelationUID)
	}
	if len(ids) != 3 || ids[0] != "req-1" || ids[1] != "req-2" || ids[2] != "req-3" {
		t.Fatalf("records = %v, want req-1, req-2, req-3", ids)
	}
	n := 0
	for range Records(es) {
		n++
		break
	}
	if n != 1 {
		t.Fatalf("the walk went on after a break: %d", n)
	}
}
