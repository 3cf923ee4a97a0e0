// Package main is warden's proxy-wasm filter: it redacts secrets (and
// personal data unless configured off) from HTTP bodies inside Envoy, with the
// same redact engine the ext_proc server uses, for routes where the ext_proc
// round trip is not wanted. It has no policy and writes no audit record; it
// only counts what it redacted in Envoy metrics and never logs a value.
//
// Build it with the standard Go toolchain (not TinyGo):
//
//	GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o ../bin/warden.wasm .
//
// VM, plugin and HTTP contexts each embed the SDK's default type and override
// only what they use: the plugin context parses the configuration and builds
// the engine once; one HTTP context per stream buffers or streams its bodies.
package main

import (
	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm"
)

// main is empty: a wasip1 reactor is driven by the host through the
// proxy-wasm ABI, and init registers the entry point.
func main() {}

func init() {
	proxywasm.SetVMContext(&vmContext{})
}
