package mainlib

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/warden-gw/warden/approval"
)

// The dev approver is for `warden dev`: a serve configuration asking for it stops the start.
func TestServeRefusesTheDevApprover(t *testing.T) {
	dir := t.TempDir()
	cfgFile := filepath.Join(dir, "warden.yaml")
	yaml := "data_dir: " + dir + "\nlisten: 127.0.0.1:0\nadmin: 127.0.0.1:0\napproval:\n  dev_approver: true\n"
	if err := os.WriteFile(cfgFile, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	err := Main(context.Background(), []string{"serve", "--config", cfgFile}, strings.NewReader(""), &out, &errb)
	if err == nil || !strings.Contains(err.Error(), "approval.dev_approver is for `warden dev` only") {
		t.Fatalf("serve with dev_approver: %v", err)
	}
}

// announce is stdout that tells the test once a line containing want was written.
type announce struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	want string
	seen chan struct{}
}

func (a *announce) Write(p []byte) (int, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	n, err := a.buf.Write(p)
	if a.seen != nil && strings.Contains(a.buf.String(), a.want) {
		close(a.seen)
		a.seen = nil
	}
	return n, err
}

func (a *announce) String() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.buf.String()
}

// The dev approver token approves any held action: `warden dev` names the file it is in (0600)
// and never prints the token itself, so a terminal log or a captured `make dev` output does not
// carry it.
func TestDevNamesTheApproverTokenFileWithoutPrintingTheToken(t *testing.T) {
	dir := t.TempDir()
	cfgFile := filepath.Join(dir, "warden.yaml")
	if err := os.WriteFile(cfgFile, []byte("data_dir: "+dir+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	seen := make(chan struct{})
	out := &announce{want: "warden approvals", seen: seen}
	done := make(chan error, 1)
	go func() {
		done <- Main(ctx, []string{"dev", "--config", cfgFile, "--gateway", "127.0.0.1:0", "--listen", "127.0.0.1:0", "--admin", "127.0.0.1:0"},
			strings.NewReader(""), out, io.Discard)
	}()
	select {
	case <-seen:
	case err := <-done:
		t.Fatalf("warden dev stopped before announcing the approver token: %v\n%s", err, out)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("warden dev: %v", err)
	}
	tok, err := os.ReadFile(filepath.Join(dir, approval.DevApproverTokenFile))
	if err != nil {
		t.Fatal(err)
	}
	token := strings.TrimSpace(string(tok))
	if len(token) < 16 {
		t.Fatalf("dev approver token file holds %q", tok)
	}
	printed := out.String()
	if strings.Contains(printed, token) {
		t.Fatalf("warden dev printed the dev approver token:\n%s", printed)
	}
	if !strings.Contains(printed, "--token-file "+filepath.Join(dir, approval.DevApproverTokenFile)) {
		t.Fatalf("warden dev does not say where the approver token is:\n%s", printed)
	}
}
