//go:build race

package redact_test

// The race detector slows the exhaustive split tests ~10x; under -race they
// test every 5th offset (the full sweep runs in the normal `go test`).
const offsetStride = 5
