package tlsconf

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"strconv"
	"strings"
	"time"
)

// Address is a parsed listen address: TCP host:port, or a Unix socket path.
type Address struct {
	// Network is "tcp" or "unix".
	Network string
	// Addr is host:port, or the socket's absolute path.
	Addr string
}

// UnixPrefix starts a Unix socket listen address: unix:///run/warden/extproc.sock (the form
// Envoy and gRPC use). unix:/path is accepted too.
const UnixPrefix = "unix:"

// ParseAddress parses a listen address.
func ParseAddress(s string) (Address, error) {
	if rest, ok := strings.CutPrefix(s, UnixPrefix); ok {
		path := strings.TrimPrefix(rest, "//")
		if !strings.HasPrefix(path, "/") {
			return Address{}, fmt.Errorf("%q: a Unix socket path must be absolute (unix:///run/warden/extproc.sock)", s)
		}
		return Address{Network: "unix", Addr: path}, nil
	}
	_, port, err := net.SplitHostPort(s)
	if err != nil {
		return Address{}, fmt.Errorf("%q is neither host:port nor unix:///path", s)
	}
	if p, err := strconv.ParseUint(port, 10, 16); err != nil || (p == 0 && port != "0") {
		return Address{}, fmt.Errorf("%q: port %q is not 0-65535", s, port)
	}
	return Address{Network: "tcp", Addr: s}, nil
}

// String is the address in the form ParseAddress reads.
func (a Address) String() string {
	if a.Network == "unix" {
		return "unix://" + a.Addr
	}
	return a.Addr
}

// Local reports whether only this host can connect: a Unix socket, or TCP on a loopback IP or
// "localhost". An empty host or 0.0.0.0 listens on every interface and is not local.
func (a Address) Local() bool {
	if a.Network == "unix" {
		return true
	}
	host, _, _ := net.SplitHostPort(a.Addr)
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// ParseSocketMode parses an octal file mode such as "0660"; "" is DefaultSocketMode.
func ParseSocketMode(s string) (fs.FileMode, error) {
	if s == "" {
		return DefaultSocketMode, nil
	}
	m, err := strconv.ParseUint(s, 8, 32)
	if err != nil || m > 0o777 {
		return 0, fmt.Errorf("socket mode %q is not an octal mode like 0660", s)
	}
	if m&0o600 != 0o600 {
		return 0, fmt.Errorf("socket mode %q: the owner (warden) needs read and write", s)
	}
	if m&0o002 != 0 {
		return 0, fmt.Errorf("socket mode %q lets every local user connect; use 0660 and a shared group", s)
	}
	return fs.FileMode(m), nil
}

// DefaultSocketMode lets warden's user and group connect (the Envoy sidecar shares the group).
const DefaultSocketMode fs.FileMode = 0o660

// Spec is how one listener is exposed.
type Spec struct {
	// Name labels the listener in logs and errors ("ext_proc", "admin", "xds").
	Name string
	// Addr is where it listens.
	Addr Address
	// SocketMode is the file mode of a Unix socket.
	SocketMode fs.FileMode
	// TLS, if not nil, serves TLS from these files; nil is plaintext.
	TLS *Source
	// InsecurePlaintext allows plaintext on an address other hosts can reach.
	InsecurePlaintext bool
}

// ErrPlaintext refuses plaintext on a non-local address without the operator's opt-in.
var ErrPlaintext = errors.New("plaintext on a non-local address")

// CheckPlaintext returns ErrPlaintext if the spec would serve plaintext to the network
// without InsecurePlaintext, and logs a warning if it does so with it.
func (sp Spec) CheckPlaintext(log *slog.Logger, key string) error {
	if sp.TLS != nil {
		return nil
	}
	if sp.Addr.Local() {
		log.Info("listener is plaintext; it accepts local connections only", "listener", sp.Name, "addr", sp.Addr.String())
		return nil
	}
	if !sp.InsecurePlaintext {
		return fmt.Errorf("%w: %s listens on %s without TLS, so anyone who can reach it is trusted; "+
			"configure %s (cert, key, client CA and the allowed callers), listen on loopback or a Unix socket, "+
			"or set insecure_plaintext: true (--insecure-plaintext) if a mesh sidecar authenticates callers", ErrPlaintext, sp.Name, sp.Addr, key)
	}
	log.Warn("INSECURE: listener serves plaintext to the network; anyone who can reach it is trusted "+
		"(insecure_plaintext is set)", "listener", sp.Name, "addr", sp.Addr.String())
	return nil
}

// Listen binds the address. A Unix socket gets SocketMode; a stale socket file left by a
// previous run is replaced, but a socket someone still serves, or any other file, is not.
func (sp Spec) Listen() (net.Listener, error) {
	if sp.Addr.Network != "unix" {
		l, err := net.Listen("tcp", sp.Addr.Addr)
		if err != nil {
			return nil, fmt.Errorf("listen for %s on %s: %w", sp.Name, sp.Addr, err)
		}
		return l, nil
	}
	if err := removeStaleSocket(sp.Addr.Addr); err != nil {
		return nil, fmt.Errorf("listen for %s on %s: %w", sp.Name, sp.Addr, err)
	}
	l, err := net.Listen("unix", sp.Addr.Addr)
	if err != nil {
		return nil, fmt.Errorf("listen for %s on %s: %w", sp.Name, sp.Addr, err)
	}
	// Until the chmod the socket has the umask's mode (connecting needs write permission,
	// which the default umask 022 gives the owner only).
	mode := sp.SocketMode
	if mode == 0 {
		mode = DefaultSocketMode
	}
	if err := os.Chmod(sp.Addr.Addr, mode); err != nil {
		_ = l.Close()
		return nil, fmt.Errorf("chmod %s socket %s: %w", sp.Name, sp.Addr.Addr, err)
	}
	return l, nil
}

func removeStaleSocket(path string) error {
	fi, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if fi.Mode().Type() != fs.ModeSocket {
		return fmt.Errorf("%s exists and is not a socket; not replacing it", path)
	}
	if c, err := net.DialTimeout("unix", path, time.Second); err == nil {
		_ = c.Close()
		return fmt.Errorf("%s is in use by another process", path)
	}
	return os.Remove(path)
}

// HTTPListener wraps l with TLS when the spec has it (HTTP/2 and HTTP/1.1 offered).
func (sp Spec) HTTPListener(l net.Listener) net.Listener {
	if sp.TLS == nil {
		return l
	}
	return tls.NewListener(l, sp.TLS.ServerConfig("h2", "http/1.1"))
}
