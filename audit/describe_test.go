package audit

import (
	"context"
	"encoding/json"
	"testing"
)

// TestDescribeFastMatchesSlow: the fast path reads the same routing facts as encoding/json for
// real records, and leaves unusual entries to it.
func TestDescribeFastMatchesSlow(t *testing.T) {
	l := openLog(t, testConfig(t.TempDir()))
	for i, session := range []string{"sess-1", ""} {
		if err := l.Record(context.Background(), sampleExchange(i, session), StageRequest); err != nil {
			t.Fatal(err)
		}
	}
	closeLog(t, l)
	es := spoolEntries(t, l.cfg.Dir)
	fast := 0
	for _, e := range es {
		want, werr := describeSlow(e.Payload)
		if werr != nil {
			t.Fatalf("%s: %v", e.Pos, werr)
		}
		if got, ok := describeRecordFast(e.Payload); ok {
			fast++
			if got != want {
				t.Errorf("%s: fast %+v, slow %+v", e.Pos, got, want)
			}
		} else if !want.Checkpoint {
			t.Errorf("%s: a record written by warden took the slow path", e.Pos)
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
