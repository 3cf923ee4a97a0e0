package record

import (
	"bytes"
	"testing"
)

// FuzzCanonical: the canonical form of any JSON object is a fixed point, and never panics.
func FuzzCanonical(f *testing.F) {
	f.Add([]byte(`{"b":1,"a":{"d":[1,2.50,"x<y"],"c":null}}`))
	f.Add([]byte(`{"unmapped":{"warden":{},"integrity":{"seq":1}}}`))
	f.Add([]byte(`[1,2]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Canonical(data)
		if err != nil {
			return
		}
		c2, err := Canonical(c)
		if err != nil {
			t.Fatalf("canonical output does not parse: %v", err)
		}
		if !bytes.Equal(c, c2) {
			t.Fatalf("canonical form is not stable:\n%s\n%s", c, c2)
		}
	})
}

// FuzzShrink: a shrunk record fits the limit, or an error says why.
func FuzzShrink(f *testing.F) {
	f.Add([]byte(`{"message":"`+string(bytes.Repeat([]byte("m"), 300))+`","unmapped":{"warden":{"tool_calls":[1]},"integrity":{"seq":1}}}`), 128)
	f.Add([]byte(`{"a":1}`), 2)
	f.Fuzz(func(t *testing.T, data []byte, max int) {
		out, err := ShrinkForKafka(data, max)
		if err != nil {
			return
		}
		if len(out) > max && !bytes.Equal(out, data) {
			t.Fatalf("shrunk to %d bytes, limit %d", len(out), max)
		}
	})
}
