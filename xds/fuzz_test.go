package xds

import (
	"errors"
	"testing"
)

// FuzzParseConfig feeds arbitrary bytes through what a reload does: parse, then build and
// validate snapshots. Any outcome but a panic is fine, provided refusals say ErrInvalidConfig
// and accepted files yield one consistent snapshot per gateway.
func FuzzParseConfig(f *testing.F) {
	f.Add([]byte(minimal))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseConfig(data)
		if err != nil {
			if !errors.Is(err, ErrInvalidConfig) {
				t.Fatalf("refusal without ErrInvalidConfig: %v", err)
			}
			return
		}
		snaps, err := BuildSnapshots(c)
		if err != nil {
			if !errors.Is(err, ErrInvalidConfig) {
				t.Fatalf("build refusal without ErrInvalidConfig: %v", err)
			}
			return
		}
		if len(snaps) != len(c.Gateways) {
			t.Fatalf("%d snapshots for %d gateways", len(snaps), len(c.Gateways))
		}
		for node, s := range snaps {
			if err := s.Consistent(); err != nil {
				t.Fatalf("gateway %q: %v", node, err)
			}
		}
	})
}
