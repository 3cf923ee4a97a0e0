package envoy

import (
	"errors"
	"testing"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// FuzzLoadBootstrap feeds arbitrary bytes to the loader: it must return a bootstrap or an
// ErrInvalidConfig, never panic, and whatever it accepts must survive a JSON round trip.
// Seeds: testdata/fuzz/FuzzLoadBootstrap and the real bootstrap. Run it with a short
// -fuzzminimizetime (e.g. 5s): minimizing a multi-kilobyte config takes the default full minute,
// during which the engine reports 0 execs/sec.
func FuzzLoadBootstrap(f *testing.F) {
	f.Add(BootstrapYAML)
	f.Add([]byte(`admin: {address: {socket_address: {address: 127.0.0.1, port_value: 9901}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := LoadBootstrap(data)
		if err != nil {
			if !errors.Is(err, ErrInvalidConfig) {
				t.Fatalf("error %q does not wrap ErrInvalidConfig", err)
			}
			return
		}
		js, err := protojson.Marshal(b)
		if err != nil {
			t.Fatalf("accepted bootstrap does not marshal: %v", err)
		}
		again, err := LoadBootstrap(js)
		if err != nil {
			t.Fatalf("accepted bootstrap does not load back from its own JSON: %v\n%s", err, js)
		}
		if !proto.Equal(b, again) {
			t.Fatalf("round trip changed the bootstrap:\n%v\n%v", b, again)
		}
	})
}
