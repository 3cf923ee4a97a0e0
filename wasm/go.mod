module github.com/warden-gw/warden/wasm

go 1.26.8

// The filter shares the redact engine with the ext_proc server.
replace github.com/warden-gw/warden => ../

require (
	github.com/proxy-wasm/proxy-wasm-go-sdk v0.0.0-20260105142703-44c7d5847745
	github.com/warden-gw/warden v0.0.0-00010101000000-000000000000
)

require (
	github.com/andybalholm/brotli v1.3.0 // indirect
	github.com/klauspost/compress v1.20.3 // indirect
	// wazero runs the built .wasm in TestWasmBinary (through proxytest).
	github.com/tetratelabs/wazero v1.12.0 // indirect
	golang.org/x/sys v0.49.0 // indirect
)
