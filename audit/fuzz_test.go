package audit

import (
	"bytes"
	"crypto/ed25519"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// fuzzPub is a fixed key so that signature checks run during fuzzing.
var fuzzPub = ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, 32)).Public().(ed25519.PublicKey)

// FuzzVerify feeds arbitrary entries (one per line) to Verify: it must report, never panic.
func FuzzVerify(f *testing.F) {
	f.Add([]byte("{}\n{\"checkpoint\":{\"chain_id\":\"c\",\"number\":1,\"seq\":3}}"))
	f.Add([]byte(`{"class_uid":6003,"unmapped":{"warden":{},"integrity":{"chain_id":"c","seq":2,"prev_hash":"x","hash":"y"}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var es []Entry
		for i, line := range bytes.Split(data, []byte("\n")) {
			es = append(es, Entry{Pos: "line " + strconv.Itoa(i+1), Payload: line})
		}
		for _, unordered := range []bool{false, true} {
			rep := Verify(es, VerifyOptions{PublicKey: fuzzPub, Unordered: unordered, Strict: true})
			if rep.Entries != len(es) {
				t.Fatalf("report counts %d entries of %d", rep.Entries, len(es))
			}
		}
	})
}

// FuzzVerifyBundle reads arbitrary bundles.
func FuzzVerifyBundle(f *testing.F) {
	f.Add([]byte(`{"manifest":{"version":1,"entries":0,"chains":{}},"signature":""}` + "\n"))
	f.Add([]byte("{}\n{\"manifest\":{\"version\":1}}\nextra"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rep, err := VerifyBundle(bytes.NewReader(data), fuzzPub, false)
		if err == nil && rep == nil {
			t.Fatal("no report and no error")
		}
	})
}

// TestWriteFuzzSeeds regenerates testdata/fuzz seeds from a real chain
// (WARDEN_WRITE_FUZZ_SEEDS=1 go test -run TestWriteFuzzSeeds ./audit/).
func TestWriteFuzzSeeds(t *testing.T) {
	if os.Getenv("WARDEN_WRITE_FUZZ_SEEDS") != "1" {
		t.Skip("set WARDEN_WRITE_FUZZ_SEEDS=1 to regenerate the seed corpus")
	}
	es, _ := chainFixture(t, "seed")
	var lines [][]byte
	for _, e := range es[:12] {
		lines = append(lines, e.Payload)
	}
	joined := bytes.Join(lines, []byte("\n"))
	write := func(target, name string, vals ...string) {
		dir := filepath.Join("testdata", "fuzz", target)
		if target == "FuzzCanonical" || target == "FuzzShrink" { // targets of audit/record
			dir = filepath.Join("record", "testdata", "fuzz", target)
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		body := "go test fuzz v1\n"
		for _, v := range vals {
			body += v + "\n"
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	q := func(b []byte) string { return "[]byte(" + strconv.Quote(string(b)) + ")" }
	write("FuzzCanonical", "record", q(es[0].Payload))
	write("FuzzVerify", "chain", q(joined))
	write("FuzzVerify", "chain-swapped", q(bytes.Join([][]byte{lines[1], lines[0], lines[2]}, []byte("\n"))))
	write("FuzzShrink", "record", q(es[0].Payload), fmt.Sprintf("int(%d)", len(es[0].Payload)/2))
	write("FuzzVerifyBundle", "entries-no-manifest", q(append(joined, '\n')))
}
