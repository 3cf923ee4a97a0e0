// Package pgtest starts a private PostgreSQL cluster for tests: initdb in a
// temporary directory, the server on a random 127.0.0.1 port, password
// (scram-sha-256) authentication for the superuser "postgres". Queries run
// through the real psql client.
//
// It uses Debian's packages (`apt-get install -y postgresql`): the binaries
// are found in $WARDEN_PG_BINDIR, /usr/lib/postgresql/<version>/bin, or
// `pg_config --bindir`. PostgreSQL refuses to run as root, so when the test
// runs as root the cluster runs as the user "nobody". When PostgreSQL is
// missing, tests are skipped, except with CI=true, where they fail.
package pgtest

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/warden-gw/warden/internal/testenv"
)

// Server is a running PostgreSQL cluster.
type Server struct {
	Host     string // 127.0.0.1
	Port     int
	User     string // superuser: postgres
	Password string

	bindir string
	dir    string
	cmd    *exec.Cmd
	exited chan struct{}
	mu     sync.Mutex
	log    bytes.Buffer
	once   sync.Once
}

// BinDir returns the directory holding initdb, postgres and psql, skipping
// or failing t when PostgreSQL is not installed.
func BinDir(t testing.TB) string {
	t.Helper()
	var candidates []string
	if d := os.Getenv("WARDEN_PG_BINDIR"); d != "" {
		candidates = append(candidates, d)
	}
	versions, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Sort(sort.Reverse(sort.StringSlice(versions)))
	candidates = append(candidates, versions...)
	if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
		candidates = append(candidates, strings.TrimSpace(string(out)))
	}
	for _, d := range candidates {
		if isExec(filepath.Join(d, "initdb")) && isExec(filepath.Join(d, "postgres")) && isExec(filepath.Join(d, "psql")) {
			return d
		}
	}
	testenv.Missing(t, "PostgreSQL server binaries", "install them with `apt-get install -y postgresql` or set WARDEN_PG_BINDIR")
	return ""
}

func isExec(p string) bool {
	fi, err := os.Stat(p) //nolint:gosec // G703: p is a candidate PostgreSQL binary the operator or the system names; only stat'ed
	return err == nil && fi.Mode()&0o111 != 0
}

// Start creates and starts a cluster, stopped and deleted when the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	bindir := BinDir(t)
	s := &Server{Host: "127.0.0.1", User: "postgres", Password: testenv.RandomHex(t, 12), bindir: bindir}
	if err := s.initdb(); err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(s.dir) })
	var lastErr error
	for range 3 { // the free port may be taken before postgres binds it
		err := s.start()
		if err == nil {
			t.Cleanup(s.Stop)
			return s
		}
		lastErr = err
	}
	t.Fatalf("pgtest: start postgres: %v", lastErr)
	return nil
}

// credential returns the process credential to run the cluster as: nobody
// when running as root, the current user otherwise (nil).
func credential() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("nobody")
	if err != nil {
		return nil, fmt.Errorf("running as root and there is no user nobody to run postgres as: %w", err)
	}
	uid, err := strconv.ParseUint(u.Uid, 10, 32)
	if err != nil {
		return nil, fmt.Errorf("user nobody has uid %q, not a 32-bit number: %w", u.Uid, err)
	}
	gid, err := strconv.ParseUint(u.Gid, 10, 32)
	if err != nil {
		return nil, fmt.Errorf("user nobody has gid %q, not a 32-bit number: %w", u.Gid, err)
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

func (s *Server) command(cred *syscall.Credential, name string, args ...string) *exec.Cmd {
	//nolint:gosec // G204: deliberately runs PostgreSQL's own initdb/postgres from the directory BinDir found; no shell
	cmd := exec.Command(filepath.Join(s.bindir, name), args...)
	cmd.Dir = s.dir
	cmd.Env = append(os.Environ(), "LC_ALL=C", "HOME="+s.dir)
	if cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	}
	return cmd
}

func (s *Server) initdb() error {
	cred, err := credential()
	if err != nil {
		return err
	}
	// Not t.TempDir: its parent is private to the test's user, and the
	// cluster may run as nobody.
	if s.dir, err = os.MkdirTemp("", "pgtest-"); err != nil {
		return err
	}
	pwfile := filepath.Join(s.dir, "pwfile")
	if err := os.WriteFile(pwfile, []byte(s.Password+"\n"), 0o600); err != nil {
		return err
	}
	if cred != nil {
		if err := chownTree(s.dir, int(cred.Uid), int(cred.Gid)); err != nil {
			return err
		}
	}
	cmd := s.command(cred, "initdb", "-D", filepath.Join(s.dir, "data"), "-U", s.User,
		"--pwfile="+pwfile, "--auth=scram-sha-256", "-E", "UTF8", "--locale=C", "--no-sync")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("initdb: %w\n%s", err, out)
	}
	return os.Remove(pwfile)
}

// chownTree gives dir and everything below it to uid:gid. Paths are resolved inside dir
// (os.Root), so a symlink in the tree cannot redirect the change outside it.
func chownTree(dir string, uid, gid int) error {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return err
	}
	defer root.Close()
	return fs.WalkDir(root.FS(), ".", func(p string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return root.Lchown(p, uid, gid)
	})
}

func (s *Server) start() error {
	cred, err := credential()
	if err != nil {
		return err
	}
	if s.Port, err = testenv.FreePort(); err != nil {
		return err
	}
	s.log.Reset()
	s.cmd = s.command(cred, "postgres", "-D", filepath.Join(s.dir, "data"),
		"-p", strconv.Itoa(s.Port), "-c", "listen_addresses=127.0.0.1",
		"-c", "unix_socket_directories="+s.dir, "-c", "fsync=off", "-c", "max_connections=60")
	s.exited = make(chan struct{})
	s.once = sync.Once{}
	stderr, err := s.cmd.StderrPipe()
	if err != nil {
		return err
	}
	s.cmd.Stdout = io.Discard
	if err := s.cmd.Start(); err != nil {
		return fmt.Errorf("run postgres: %w", err)
	}
	ready := make(chan struct{})
	go s.scan(stderr, ready)
	go func() { _ = s.cmd.Wait(); close(s.exited) }()
	select {
	case <-ready:
		return nil
	case <-s.exited:
		return fmt.Errorf("postgres exited during start-up:\n%s", s.Log())
	case <-time.After(60 * time.Second):
		s.Stop()
		return fmt.Errorf("postgres not ready within 60s:\n%s", s.Log())
	}
}

func (s *Server) scan(r io.Reader, ready chan struct{}) {
	sc := bufio.NewScanner(r)
	signalled := false
	for sc.Scan() {
		line := sc.Text()
		s.mu.Lock()
		s.log.WriteString(line + "\n")
		s.mu.Unlock()
		if !signalled && strings.Contains(line, "database system is ready to accept connections") {
			signalled = true
			close(ready)
		}
	}
}

// Log returns the server log so far.
func (s *Server) Log() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.log.String()
}

// Stop shuts the server down (fast shutdown) and waits for it.
func (s *Server) Stop() {
	s.once.Do(func() {
		_ = s.cmd.Process.Signal(syscall.SIGINT)
		select {
		case <-s.exited:
		case <-time.After(30 * time.Second):
			_ = s.cmd.Process.Kill()
			<-s.exited
		}
	})
}

// URL is the superuser's connection URL.
func (s *Server) URL() string {
	return fmt.Sprintf("postgres://%s:%s@%s/postgres?sslmode=disable", s.User, s.Password, net.JoinHostPort(s.Host, strconv.Itoa(s.Port)))
}

// VaultConnectionURL is the connection_url for Vault's database secrets
// engine, with its {{username}} and {{password}} placeholders.
func (s *Server) VaultConnectionURL() string {
	return fmt.Sprintf("postgresql://{{username}}:{{password}}@%s/postgres?sslmode=disable", net.JoinHostPort(s.Host, strconv.Itoa(s.Port)))
}

// ErrQuery wraps a psql failure (connection refused, authentication failed,
// SQL error); the message carries psql's own error text.
var ErrQuery = errors.New("psql")

// QueryAs runs sql as user/password with psql and returns the unaligned,
// tuples-only output (rows separated by newlines, columns by "|").
func (s *Server) QueryAs(user, password, sql string) (string, error) {
	//nolint:gosec // G204: deliberately runs the located psql; sql is passed as one argument, no shell
	cmd := exec.Command(filepath.Join(s.bindir, "psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
		"-h", s.Host, "-p", strconv.Itoa(s.Port), "-U", user, "-d", "postgres", "-c", sql)
	cmd.Env = append(os.Environ(), "PGPASSWORD="+password, "PGCONNECT_TIMEOUT=5", "PGSSLMODE=disable")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("%w as %s: %w: %s", ErrQuery, user, err, strings.TrimSpace(stderr.String()))
	}
	return strings.TrimSpace(stdout.String()), nil
}

// Exec runs sql as the superuser, failing t on error.
func (s *Server) Exec(t testing.TB, sql string) string {
	t.Helper()
	out, err := s.QueryAs(s.User, s.Password, sql)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	return out
}

// RoleExists reports whether a role (user) named name exists, from pg_roles.
func (s *Server) RoleExists(t testing.TB, name string) bool {
	t.Helper()
	out := s.Exec(t, "SELECT count(*) FROM pg_roles WHERE rolname = '"+strings.ReplaceAll(name, "'", "''")+"'")
	return out == "1"
}
