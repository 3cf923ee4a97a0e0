package policydiff

import (
	"reflect"
	"testing"
)

// agree checks parseRecordFast against the encoding/json reference: when the fast reader
// accepts an entry it must read exactly what encoding/json reads.
func agree(t *testing.T, b []byte) {
	t.Helper()
	var fast recorded
	ferr := parseRecordFast(b, &fast)
	slow, serr := parseRecordSlow(b)
	if ferr != nil {
		return // refused: parseRecord uses the reference
	}
	if serr != nil {
		t.Fatalf("fast reader accepted what encoding/json refuses (%v): %q", serr, b)
	}
	if !reflect.DeepEqual(&fast, slow) {
		t.Fatalf("readers differ on %q:\nfast %+v\nslow %+v", b, fast, *slow)
	}
	if in := fast.Unmapped.Warden.Input; len(in) > 0 {
		f, ferr := decodeInput(in)
		s, serr := decodeInputSlow(in)
		if (ferr == nil) != (serr == nil) || (ferr == nil && !reflect.DeepEqual(f, s)) {
			t.Fatalf("input decoders differ on %q:\nfast %+v %v\nslow %+v %v", in, f, ferr, s, serr)
		}
	}
}

// TestFastReaderReadsRecordsAsEncodingJSON: on real records (request and completion, allowed
// and denied) the fast reader accepts and agrees; on edge cases it agrees or refuses.
func TestFastReaderReadsRecordsAsEncodingJSON(t *testing.T) {
	recs := recordTraffic(t, defaultPack(t), 24, true)
	for _, b := range recs {
		var r recorded
		if err := parseRecordFast(b, &r); err != nil {
			t.Fatalf("a record warden writes is refused by the fast reader: %v\n%s", err, b)
		}
		agree(t, b)
	}
	for _, s := range []string{
		`{"class_uid":6003,"metadata":{"correlation_uid":"a"},"unmapped":{"warden":{"stage":"request","input":null}}}`,
		`{"class_uid":6003,"CLASS_UID":1}`,
		`{"class_uid":6003,"class_uid":6004}`,
		`{"time":1.5}`, `{"time":"1"}`, `{"time":01}`, `{"time":-0}`, `{"time":1e3}`,
		`{"actor":{"user":null}}`, `{"actor":{"user":{"groups":[null,{"name":"a"}]}}}`,
		`{"http_request":{"http_headers":[{"name":"a","value":"\u00e9\n"}],"url":{"port":443}}}`,
		`{"unmapped":{"warden":{"decisions":[{"action":"deny","shadow":true,"shadowed":[{}]}]}}}`,
		`{"unmapped":{"warden":{"decisions":{}}}}`, `{"unmapped":{"integrity":{"seq":-1}}}`,
		`{"unmapped":{"warden":{"session":"\xff"}}}`,
		`{"unmapped":{"warden":{"input":{"v":1,"facts":{"a":[1,1.5,-0,1e2,"\u00e9",null,true,{"k":{},"k":[]}],"\u0062":"\xff"}}}}}`,
		`{"unmapped":{"warden":{"input":{"v":1,"V":2,"facts":null}}}}`, `{"unmapped":{"warden":{"input":{"v":1.5,"facts":[]}}}}`, `{"unmapped":{"warden":{"session":"a\u0000"}}}`,
		`{"message":"x" "y"}`, `{"a":[1,]}`, `{"a":tru}`, `null`, `[]`, `{} {}`, `{"a":"\q"}`,
	} {
		agree(t, []byte(s))
	}
}

func FuzzParseRecord(f *testing.F) {
	for _, b := range recordTraffic(f, defaultPack(f), 6, true) {
		f.Add(b)
	}
	f.Add([]byte(`{"class_uid":6003,"actor":{"user":{"groups":[{"name":"g"}]}},"unmapped":{"warden":{"input":{"v":1}}}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		agree(t, b)
	})
}
