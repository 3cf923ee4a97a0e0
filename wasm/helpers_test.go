package main

import (
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm/proxytest"
	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm/types"

	"github.com/warden-gw/warden/redact/redacttest"
)

var (
	wasmOnce  sync.Once
	wasmBytes []byte
	wasmErr   error
)

// wasmVM builds the filter exactly as `make wasm` does (once per test binary;
// WARDEN_WASM names a prebuilt file instead) and loads it into wazero.
func wasmVM(t testing.TB) proxytest.WasmVMContext {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: not building the .wasm")
	}
	wasmOnce.Do(func() {
		path := os.Getenv("WARDEN_WASM")
		if path == "" {
			dir, err := os.MkdirTemp("", "warden-wasm-test")
			if err != nil {
				wasmErr = err
				return
			}
			defer os.RemoveAll(dir)
			path = filepath.Join(dir, "warden.wasm")
			cmd := exec.Command("go", "build", "-buildmode=c-shared", "-o", path, ".")
			cmd.Env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm")
			if out, err := cmd.CombinedOutput(); err != nil {
				wasmErr = &buildError{out: string(out), err: err}
				return
			}
		}
		wasmBytes, wasmErr = os.ReadFile(path)
	})
	if wasmErr != nil {
		t.Fatalf("build the filter for wasip1: %v", wasmErr)
	}
	vm, err := proxytest.NewWasmVMContext(wasmBytes)
	if err != nil {
		t.Fatalf("load the .wasm into wazero: %v", err)
	}
	t.Cleanup(func() { _ = vm.Close() })
	return vm
}

type buildError struct {
	out string
	err error
}

func (e *buildError) Error() string { return e.err.Error() + ": " + e.out }

// startHost starts the emulator with the plugin configured by config and
// requires the plugin to start.
func startHost(t *testing.T, vm types.VMContext, config string) proxytest.HostEmulator {
	t.Helper()
	host := newHost(t, vm, config)
	if st := host.StartPlugin(); st != types.OnPluginStartStatusOK {
		t.Fatalf("plugin start with %q failed; critical logs: %v", config, host.GetCriticalLogs())
	}
	return host
}

func newHost(t *testing.T, vm types.VMContext, config string) proxytest.HostEmulator {
	t.Helper()
	opt := proxytest.NewEmulatorOption().WithVMContext(vm).WithPluginConfiguration([]byte(config))
	host, reset := proxytest.NewHostEmulator(opt)
	t.Cleanup(reset)
	return host
}

func header(hs [][2]string, key string) (string, bool) {
	for _, h := range hs {
		if strings.EqualFold(h[0], key) {
			return h[1], true
		}
	}
	return "", false
}

func counter(t *testing.T, host proxytest.HostEmulator, name string) uint64 {
	t.Helper()
	v, err := host.GetCounterMetric(name)
	if err != nil {
		t.Fatalf("counter %s: %v", name, err)
	}
	return v
}

// assertNoSecretInLogs fails if any log line of any level contains a secret.
func assertNoSecretInLogs(t *testing.T, host proxytest.HostEmulator, secrets ...string) {
	t.Helper()
	var all []string
	for _, get := range []func() []string{
		host.GetTraceLogs, host.GetDebugLogs, host.GetInfoLogs,
		host.GetWarnLogs, host.GetErrorLogs, host.GetCriticalLogs,
	} {
		all = append(all, get()...)
	}
	for _, l := range all {
		for _, s := range secrets {
			if strings.Contains(l, s) {
				t.Fatalf("a log line contains a secret: %q", l)
			}
		}
	}
}

func ghToken(seed uint64) string {
	return redacttest.GitHubToken(rand.New(rand.NewPCG(seed, seed+1)), "ghp_")
}
