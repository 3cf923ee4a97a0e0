// Package vaulttest starts a real HashiCorp Vault server in dev mode for
// tests: in-memory storage, unsealed, a known root token, listening on a
// random 127.0.0.1 port, with its home in a temporary directory.
//
// The binary comes from $WARDEN_VAULT_BIN, or from the cache filled by
// scripts/vault.sh (run `bash scripts/vault.sh` once; it builds Vault from
// the Go module proxy in ~20 minutes). Set WARDEN_VAULT_BUILD=1 to let a test
// run that build itself. When the binary is missing, tests are skipped,
// except with CI=true, where they fail.
package vaulttest

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/warden-gw/warden/internal/testenv"

	"github.com/hashicorp/vault/api"
)

// Server is a running Vault dev server.
type Server struct {
	// Addr is the API address, e.g. http://127.0.0.1:43817.
	Addr string
	// RootToken is the dev server's root token.
	RootToken string

	cmd    *exec.Cmd
	exited chan struct{}
	mu     sync.Mutex
	output bytes.Buffer
	once   sync.Once
}

// Binary returns the path of the vault binary, skipping or failing t when
// there is none (see the package comment).
func Binary(t testing.TB) string {
	t.Helper()
	if bin := os.Getenv("WARDEN_VAULT_BIN"); bin != "" {
		if _, err := os.Stat(bin); err != nil { //nolint:gosec // G703: the operator names the vault binary to test with
			t.Fatalf("WARDEN_VAULT_BIN=%s: %v", bin, err)
		}
		return bin
	}
	script, err := findScript()
	if err != nil {
		missing(t, "cannot find scripts/vault.sh: %v; set WARDEN_VAULT_BIN", err)
	}
	args := []string{script, "--cached"}
	if os.Getenv("WARDEN_VAULT_BUILD") == "1" {
		args = args[:1]
	}
	var stderr bytes.Buffer
	cmd := exec.Command("bash", args...) //nolint:gosec // G204: runs the repository's own scripts/vault.sh
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		missing(t, "no vault binary (%v: %s); run `bash scripts/vault.sh` once (builds and caches it) or set WARDEN_VAULT_BIN",
			err, strings.TrimSpace(stderr.String()))
	}
	return strings.TrimSpace(string(out))
}

func missing(t testing.TB, format string, args ...any) {
	t.Helper()
	testenv.Missing(t, "vault", fmt.Sprintf(format, args...))
}

func findScript() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		p := filepath.Join(dir, "scripts", "vault.sh")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("not inside the warden repository")
		}
		dir = parent
	}
}

// Start runs a Vault dev server and stops it when the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	bin := Binary(t)
	token := "root-" + testenv.RandomHex(t, 8)
	var lastErr error
	for range 3 { // the free port may be taken before vault binds it
		s, err := start(t, bin, token)
		if err == nil {
			t.Cleanup(s.Stop)
			return s
		}
		lastErr = err
	}
	t.Fatalf("start vault dev server: %v", lastErr)
	return nil
}

func start(t testing.TB, bin, token string) (*Server, error) {
	port, err := testenv.FreePort()
	if err != nil {
		return nil, err
	}
	home := t.TempDir()
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	//nolint:gosec // G204: deliberately runs the vault binary Binary located; no shell
	cmd := exec.Command(bin, "server", "-dev",
		"-dev-root-token-id="+token,
		"-dev-listen-address="+addr,
		"-dev-no-store-token",
	)
	cmd.Dir = home
	cmd.Env = append(cleanEnv(), "HOME="+home, "VAULT_DISABLE_MLOCK=true")
	s := &Server{Addr: "http://" + addr, RootToken: token, cmd: cmd, exited: make(chan struct{})}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stderr = &lockedWriter{s: s}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("run %s: %w", bin, err)
	}
	started := make(chan struct{})
	go s.scan(stdout, started)
	go func() { _ = cmd.Wait(); close(s.exited) }()
	select {
	case <-started:
	case <-s.exited:
		return nil, fmt.Errorf("vault exited during start-up:\n%s", s.Output())
	case <-time.After(60 * time.Second):
		s.Stop()
		return nil, fmt.Errorf("vault did not report start-up within 60s:\n%s", s.Output())
	}
	return s, nil
}

// scan copies vault's stdout into the output buffer and closes started on
// the line vault prints once it serves requests.
func (s *Server) scan(stdout interface{ Read([]byte) (int, error) }, started chan struct{}) {
	sc := bufio.NewScanner(stdout)
	signalled := false
	for sc.Scan() {
		line := sc.Text()
		s.mu.Lock()
		s.output.WriteString(line + "\n")
		s.mu.Unlock()
		if !signalled && strings.Contains(line, "Vault server started!") {
			signalled = true
			close(started)
		}
	}
}

type lockedWriter struct{ s *Server }

func (w *lockedWriter) Write(p []byte) (int, error) {
	w.s.mu.Lock()
	defer w.s.mu.Unlock()
	return w.s.output.Write(p)
}

// Output returns what vault printed so far (for failure messages).
func (s *Server) Output() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.output.String()
}

// Stop kills the server and waits for it to exit. Tests use it to simulate
// an outage; it is also registered as cleanup. Stopping twice is fine.
func (s *Server) Stop() {
	s.once.Do(func() {
		_ = s.cmd.Process.Kill()
		<-s.exited
	})
}

// Client returns an API client authenticated with the root token.
func (s *Server) Client(t testing.TB) *api.Client {
	t.Helper()
	cfg := api.DefaultConfig()
	cfg.Address = s.Addr
	cfg.MaxRetries = 0
	c, err := api.NewClient(cfg)
	if err != nil {
		t.Fatalf("vault client: %v", err)
	}
	c.SetToken(s.RootToken)
	c.ClearNamespace()
	return c
}

// Write is Logical().Write with the root token, failing t on error.
func (s *Server) Write(t testing.TB, path string, data map[string]any) *api.Secret {
	t.Helper()
	sec, err := s.Client(t).Logical().WriteWithContext(context.Background(), path, data)
	if err != nil {
		t.Fatalf("vault write %s: %v", path, err)
	}
	return sec
}

// Mount enables a secrets engine (e.g. "database") at path.
func (s *Server) Mount(t testing.TB, path, engine string) {
	t.Helper()
	err := s.Client(t).Sys().MountWithContext(context.Background(), path, &api.MountInput{Type: engine})
	if err != nil {
		t.Fatalf("vault mount %s at %s: %v", engine, path, err)
	}
}

// EnableAuth enables an auth method (e.g. "approle") at path.
func (s *Server) EnableAuth(t testing.TB, path, method string) {
	t.Helper()
	err := s.Client(t).Sys().EnableAuthWithOptionsWithContext(context.Background(), path, &api.EnableAuthOptions{Type: method})
	if err != nil {
		t.Fatalf("vault auth enable %s at %s: %v", method, path, err)
	}
}

// cleanEnv is the environment without VAULT_* variables, so an operator's
// settings cannot leak into the test server.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "VAULT_") {
			env = append(env, kv)
		}
	}
	return env
}
