package record

import "testing"

// TestCheckpointSignedBytesAreStable: what a checkpoint signature covers is the domain line and
// the checkpoint's canonical JSON (sorted keys, no HTML escaping). Every checkpoint already
// signed in a spool or bundle depends on these exact bytes.
func TestCheckpointSignedBytesAreStable(t *testing.T) {
	c := Checkpoint{
		Alg: "ed25519", KeyID: "k1", ChainID: "c<1>&", Number: 3, Seq: 18446744073709551615,
		RecordHash: "ab", PrevCheckpoint: "cd", Time: 1700000000123, Final: true,
	}
	got, err := c.SignedBytes()
	if err != nil {
		t.Fatal(err)
	}
	want := "warden-audit-checkpoint-v1\n" +
		`{"alg":"ed25519","chain_id":"c<1>&","final":true,"key_id":"k1","number":3,` +
		`"prev_checkpoint":"cd","record_hash":"ab","seq":18446744073709551615,"time":1700000000123}`
	if string(got) != want {
		t.Fatalf("signed bytes\n got %s\nwant %s", got, want)
	}
}
