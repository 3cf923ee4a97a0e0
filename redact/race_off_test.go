//go:build !race

package redact_test

const offsetStride = 1
