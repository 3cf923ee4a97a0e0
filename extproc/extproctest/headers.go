// Package extproctest emulates Envoy's ext_proc HTTP filter (the client side
// of envoy.service.ext_proc.v3) so that warden's ext_proc server can be
// driven in tests, benchmarks and the local `warden dev` gateway without an
// Envoy binary. Its behaviour follows Envoy's own sources
// (source/extensions/filters/http/ext_proc/{ext_proc.cc,processor_state.cc,
// mutation_utils.cc} and source/extensions/filters/common/mutation_rules/
// mutation_rules.cc); where the emulator and Envoy disagree, the emulator is
// wrong.
//
// Where Envoy versions differ it follows 1.37+ as go-control-plane v1.40's protos describe it:
// the ext_proc stream is closed as soon as the last reply Envoy needs arrived
// (ext_proc_stream_close_optimization; WithoutStreamCloseOptimization restores the older
// behaviour), a StreamedImmediateResponse is spurious outside body modes NONE and
// FULL_DUPLEX_STREAMED and refused as not emulated inside them (ErrStreamedImmediateNotEmulated),
// and only untyped receiving namespaces are written.
package extproctest

import (
	"strings"

	corev3 "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
)

// Header is one header field. Keys are lowercase, as in Envoy's header maps.
type Header struct {
	Key   string
	Value string
}

// Headers is an ordered header map that may hold a key more than once.
// Pseudo-headers (:method, :path, :authority, :scheme, :status) live in it
// like any other header, as they do in Envoy.
type Headers []Header

// H builds Headers from alternating key, value arguments; keys are lowercased.
func H(kv ...string) Headers {
	h := make(Headers, 0, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		h = append(h, Header{Key: strings.ToLower(kv[i]), Value: kv[i+1]})
	}
	return h
}

// Get returns the first value of key.
func (h Headers) Get(key string) (string, bool) {
	key = strings.ToLower(key)
	for _, f := range h {
		if f.Key == key {
			return f.Value, true
		}
	}
	return "", false
}

// Value returns the first value of key, or "".
func (h Headers) Value(key string) string {
	v, _ := h.Get(key)
	return v
}

// Values returns every value of key in order.
func (h Headers) Values(key string) []string {
	key = strings.ToLower(key)
	var out []string
	for _, f := range h {
		if f.Key == key {
			out = append(out, f.Value)
		}
	}
	return out
}

// Set replaces every value of key with value (Envoy's setCopy).
func (h *Headers) Set(key, value string) {
	key = strings.ToLower(key)
	for i, f := range *h {
		if f.Key == key {
			(*h)[i].Value = value
			h.delFrom(key, i+1)
			return
		}
	}
	*h = append(*h, Header{Key: key, Value: value})
}

// Add appends a value for key (Envoy's addCopy).
func (h *Headers) Add(key, value string) {
	*h = append(*h, Header{Key: strings.ToLower(key), Value: value})
}

// Del removes every value of key.
func (h *Headers) Del(key string) { h.delFrom(strings.ToLower(key), 0) }

func (h *Headers) delFrom(key string, from int) {
	out := (*h)[:from]
	for _, f := range (*h)[from:] {
		if f.Key != key {
			out = append(out, f)
		}
	}
	*h = out
}

// Clone returns a copy that shares nothing with h.
func (h Headers) Clone() Headers {
	if h == nil {
		return nil
	}
	return append(Headers(nil), h...)
}

// byteSize is what Envoy's HeaderMap::byteSize counts: keys plus values.
func (h Headers) byteSize() int {
	n := 0
	for _, f := range h {
		n += len(f.Key) + len(f.Value)
	}
	return n
}

// toProto renders h as Envoy sends it: every value in raw_value.
func (h Headers) toProto() *corev3.HeaderMap {
	m := &corev3.HeaderMap{Headers: make([]*corev3.HeaderValue, 0, len(h))}
	for _, f := range h {
		m.Headers = append(m.Headers, &corev3.HeaderValue{Key: f.Key, RawValue: []byte(f.Value)})
	}
	return m
}
