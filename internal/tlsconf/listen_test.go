package tlsconf

import (
	"bytes"
	"errors"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseAddress(t *testing.T) {
	tests := []struct {
		in, network, addr string
		local             bool
		bad               bool
	}{
		{"127.0.0.1:9002", "tcp", "127.0.0.1:9002", true, false},
		{"[::1]:9002", "tcp", "[::1]:9002", true, false},
		{"localhost:9002", "tcp", "localhost:9002", true, false},
		{"0.0.0.0:9002", "tcp", "0.0.0.0:9002", false, false},
		{":9002", "tcp", ":9002", false, false},
		{"warden:9002", "tcp", "warden:9002", false, false},
		{"unix:///run/warden/extproc.sock", "unix", "/run/warden/extproc.sock", true, false},
		{"unix:/run/w.sock", "unix", "/run/w.sock", true, false},
		{"unix:run/w.sock", "", "", false, true},
		{"9002", "", "", false, true},
		{"h:99999", "", "", false, true},
	}
	for _, tt := range tests {
		a, err := ParseAddress(tt.in)
		if tt.bad != (err != nil) {
			t.Errorf("%q: err = %v", tt.in, err)
			continue
		}
		if !tt.bad && (a.Network != tt.network || a.Addr != tt.addr || a.Local() != tt.local) {
			t.Errorf("%q = %+v local=%v", tt.in, a, a.Local())
		}
	}
}

func TestPlaintextNeedsOptInOffLoopback(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	public := Spec{Name: "ext_proc", Addr: Address{"tcp", "0.0.0.0:9002"}}
	if err := public.CheckPlaintext(log, "tls"); !errors.Is(err, ErrPlaintext) {
		t.Errorf("plaintext on 0.0.0.0 without opt-in: %v", err)
	}
	public.InsecurePlaintext = true
	if err := public.CheckPlaintext(log, "tls"); err != nil || !strings.Contains(buf.String(), "level=WARN") || !strings.Contains(buf.String(), "INSECURE") {
		t.Errorf("with opt-in: err %v, log %s", err, buf.String())
	}
	buf.Reset()
	local := Spec{Name: "ext_proc", Addr: Address{"unix", "/run/w.sock"}}
	if err := local.CheckPlaintext(log, "tls"); err != nil || strings.Contains(buf.String(), "WARN") {
		t.Errorf("unix socket: err %v, log %s", err, buf.String())
	}
}

func TestUnixSocketModeAndStaleSocket(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "extproc.sock")
	sp := Spec{Name: "ext_proc", Addr: Address{"unix", path}, SocketMode: 0o660}
	l, err := sp.Listen()
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o660 || fi.Mode().Type() != fs.ModeSocket {
		t.Errorf("socket mode = %v, want 0660 socket", fi.Mode())
	}
	if _, err := sp.Listen(); err == nil || !strings.Contains(err.Error(), "in use") {
		t.Errorf("second listener on a served socket: %v", err)
	}
	// A crash leaves the socket file behind: the next start replaces it.
	l.(*net.UnixListener).SetUnlinkOnClose(false)
	_ = l.Close()
	l2, err := sp.Listen()
	if err != nil {
		t.Fatalf("stale socket not replaced: %v", err)
	}
	_ = l2.Close()
	regular := filepath.Join(dir, "not-a-socket")
	if err := os.WriteFile(regular, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := (Spec{Name: "ext_proc", Addr: Address{"unix", regular}}).Listen(); err == nil {
		t.Error("a regular file at the socket path was replaced")
	}
}

func TestParseSocketMode(t *testing.T) {
	for in, ok := range map[string]bool{"": true, "0660": true, "600": true, "0666": false, "0460": false, "rw": false, "01777": false} {
		if _, err := ParseSocketMode(in); (err == nil) != ok {
			t.Errorf("ParseSocketMode(%q) err = %v", in, err)
		}
	}
}
