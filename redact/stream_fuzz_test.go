package redact_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/warden-gw/warden/redact"
)

// FuzzEventStreams: for NDJSON and JSON-array streams, the output does not depend on where the
// stream was cut, a JSON array stays valid JSON and NDJSON keeps its lines.
func FuzzEventStreams(f *testing.F) {
	f.Add([]byte("{\"response\":\"hi sk-\",\"done\":false}\n{\"response\":\"ant-x\",\"done\":true}\n"), uint16(10), false)
	f.Add([]byte("[{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"a ops@\"}]},\"index\":0}]}\n,\r\n{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"example.com\"}]},\"index\":0}]}]"), uint16(40), true)
	f.Add([]byte("[1, \"two\", null, {\"a\":[]}, [\"x\"] ] trailing"), uint16(3), true)
	f.Add([]byte("not json\n{\"a\":\"b\"}\r\n\n"), uint16(0), false)
	eng := engine(f)
	f.Fuzz(func(t *testing.T, wire []byte, cut uint16, array bool) {
		kind := redact.KindNDJSON
		if array {
			kind = redact.KindJSON
		}
		c := int(cut) % (len(wire) + 1)
		run := func(chunks ...[]byte) ([]byte, error) {
			s := eng.NewStream(kind, redact.StreamOptions{MaxEvent: 1 << 16})
			var out []byte
			for _, ch := range chunks {
				o, err := s.Write(ch)
				out = append(out, o...)
				if err != nil {
					return out, err
				}
			}
			o, err := s.Close()
			return append(out, o...), err
		}
		split, errSplit := run(wire[:c], wire[c:])
		whole, errWhole := run(wire)
		if errSplit != nil || errWhole != nil {
			return
		}
		if !bytes.Equal(split, whole) {
			t.Fatalf("output depends on the cut at %d\nwhole %q\nsplit %q", c, whole, split)
		}
		if array && json.Valid(wire) && !json.Valid(whole) {
			t.Fatalf("valid JSON became invalid:\n%q\n%q", wire, whole)
		}
		if !array && bytes.Count(whole, []byte("\n")) != bytes.Count(wire, []byte("\n")) {
			t.Fatalf("lines changed:\n%q\n%q", wire, whole)
		}
	})
}
