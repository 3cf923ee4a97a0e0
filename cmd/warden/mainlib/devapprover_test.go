package mainlib

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
