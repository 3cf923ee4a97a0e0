package main

import (
	"strconv"
	"strings"
	"testing"

	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm/proxytest"
	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm/types"
)

// benchBody is a 16 KiB chat completion with one token in it.
func benchBody() string {
	filler := strings.Repeat("The build ran fine and the tests passed on the second try. ", 270)
	return `{"id":"chatcmpl-1","choices":[{"message":{"role":"assistant","content":"` + filler +
		` push with ` + ghToken(9) + `"}}]}`
}

func benchJSON(b *testing.B, vm types.VMContext) {
	opt := proxytest.NewEmulatorOption().WithVMContext(vm)
	host, reset := proxytest.NewHostEmulator(opt)
	defer reset()
	if host.StartPlugin() != types.OnPluginStartStatusOK {
		b.Fatal("plugin start failed")
	}
	body := []byte(benchBody())
	hdrs := [][2]string{{":status", "200"}, {"content-type", "application/json"}, {"content-length", strconv.Itoa(len(body))}}
	b.SetBytes(int64(len(body)))
	b.ResetTimer()
	for b.Loop() {
		id := host.InitializeHttpContext()
		host.CallOnRequestHeaders(id, getRequest, true)
		host.CallOnResponseHeaders(id, hdrs, false)
		host.CallOnResponseBody(id, body, true)
		host.CompleteHttpContext(id)
	}
}

// BenchmarkJSONResponse: one buffered 16 KiB JSON response, natively.
func BenchmarkJSONResponse(b *testing.B) { benchJSON(b, &vmContext{}) }

// BenchmarkWasmJSONResponse: the same inside the built .wasm (wazero), which
// is closer to what Envoy runs.
func BenchmarkWasmJSONResponse(b *testing.B) {
	benchJSON(b, wasmVM(b))
}

// BenchmarkWasmPluginStart: building the engine inside the .wasm (per
// worker VM, at configuration time).
func BenchmarkWasmPluginStart(b *testing.B) {
	for b.Loop() {
		b.StopTimer()
		vm := wasmVM(b)
		opt := proxytest.NewEmulatorOption().WithVMContext(vm)
		host, reset := proxytest.NewHostEmulator(opt)
		b.StartTimer()
		if host.StartPlugin() != types.OnPluginStartStatusOK {
			b.Fatal("plugin start failed")
		}
		b.StopTimer()
		reset()
		_ = vm.Close()
		b.StartTimer()
	}
}
