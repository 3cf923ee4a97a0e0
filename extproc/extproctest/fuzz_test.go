package extproctest

import (
	"strings"
	"testing"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	extprocv3 "github.com/envoyproxy/go-control-plane/envoy/service/ext_proc/v3"
	"google.golang.org/protobuf/proto"
)

// FuzzParseRoutes: a routes file is user input; it must parse or fail with
// an error, never panic, and every accepted route must be usable.
func FuzzParseRoutes(f *testing.F) {
	f.Add([]byte("routes:\n  - prefix: /v1/\n    upstream: https://api.openai.com\n    host_rewrite: api.openai.com\n"))
	f.Add([]byte("routes: []\n"))
	f.Add([]byte("routes:\n  - prefix: /\n    upstream: ftp://x\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		routes, err := ParseRoutes(data)
		if err != nil {
			return
		}
		for _, r := range routes {
			if r.base == nil || !strings.HasPrefix(r.Prefix, "/") {
				t.Fatalf("accepted unusable route %+v", r)
			}
			if match(routes, r.Prefix) == nil {
				t.Fatalf("route %q does not match its own prefix", r.Prefix)
			}
		}
	})
}

// FuzzHeaderMutation: header mutations come from the ext_proc server, an
// untrusted peer. Applying one must never panic, and an accepted mutation
// must keep Envoy's invariants: pseudo-headers are never removed, routing
// headers never change under the default rules, and no value carries CR,
// LF or NUL.
func FuzzHeaderMutation(f *testing.F) {
	seed := func(m *extprocv3.HeaderMutation) {
		b, err := proto.Marshal(m)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	seed(setHeader(":path", "/v2"))
	seed(setHeader(":authority", "evil"))
	seed(&extprocv3.HeaderMutation{RemoveHeaders: []string{":method", "host", "x-a"}})
	seed(&extprocv3.HeaderMutation{SetHeaders: []*corev3.HeaderValueOption{
		{Header: &corev3.HeaderValue{Key: "x-a", RawValue: []byte("1")}, AppendAction: corev3.HeaderValueOption_ADD_IF_ABSENT},
		{Header: &corev3.HeaderValue{Key: "x-b", RawValue: []byte("a\r\nb")}},
	}})
	chk, err := newChecker(nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m := &extprocv3.HeaderMutation{}
		if proto.Unmarshal(data, m) != nil {
			return
		}
		h := H(":method", "POST", ":path", "/", ":authority", "api.test", ":scheme", "https", "host", "api.test", "x-a", "0")
		if err := applyHeaderMutation(m, &h, false, false, chk); err != nil {
			return
		}
		for _, k := range []string{":method", ":path", ":authority", ":scheme", "host"} {
			if _, ok := h.Get(k); !ok {
				t.Fatalf("%s removed by %v", k, m)
			}
		}
		for _, k := range []string{":method", ":authority", ":scheme", "host"} {
			if v := h.Values(k); len(v) != 1 || v[0] != H(":method", "POST", ":authority", "api.test", ":scheme", "https", "host", "api.test").Value(k) {
				t.Fatalf("routing header %s changed to %v", k, v)
			}
		}
		for _, fld := range h {
			if strings.ContainsAny(fld.Value, "\r\n\x00") {
				t.Fatalf("invalid value accepted for %s: %q", fld.Key, fld.Value)
			}
		}
	})
}
