package e2e

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/warden-gw/warden/audit/auditcli"
	"github.com/warden-gw/warden/extproc/extproctest"
	"github.com/warden-gw/warden/internal/testenv"
)

// recordReportTraffic sends allowed, denied and masked traffic through warden on its defaults
// and returns the spool folder once warden stopped.
func recordReportTraffic(t *testing.T) string {
	t.Helper()
	w := startWarden(t, nil)
	up, _ := staticUpstream(200, extproctest.Headers{{Key: "content-type", Value: "application/json"}}, `{"ok":true}`)
	send := jsonSender(t, w, up, "report-agent/1")
	send("r-select", "POST", "https://db.internal/query", `{"query":"SELECT id FROM billing.invoices WHERE id = 1"}`)
	send("r-drop", "POST", "https://db.internal/query", `{"query":"DROP TABLE billing.invoices"}`)
	send("r-pod", "DELETE", "https://k8s.internal:6443/api/v1/namespaces/prod/pods/web-1", "")
	send("r-key", "POST", "https://api.example/v1/notes", `{"note":"key AKIAIOSFODNN7EXAMPLE and mail bob@example.com"}`)
	if err := w.stop(); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(w.cfg.DataDir, "audit")
}

// TestAuditReportOnARecordedSpool: the report verifies the trail, then shows the denials by
// rule, the masked classes, the policy versions and the resources touched, each section naming
// its SOC 2 criteria; Debian's headless chromium renders it without a console error. A
// tampered spool gives a non-zero exit and a report that says verification failed.
func TestAuditReportOnARecordedSpool(t *testing.T) {
	dir := recordReportTraffic(t)
	page := filepath.Join(t.TempDir(), "report.html")
	var out, errb bytes.Buffer
	if err := auditcli.Run(context.Background(), []string{"report", "--dir", dir, "--html", page}, nil, &out, &errb); err != nil {
		t.Fatalf("audit report: %v\n%s", err, errb.String())
	}
	b, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	html := string(b)
	for _, want := range []string{
		"<b>Verified</b>", "warden-sql/destructive-sql", "table: billing.invoices", "kubernetes/pods: prod/web-1",
		"CC6.1", "CC8.1", "CC7.2", "C1.1", "<svg", "warden-sql", "anonymous",
	} {
		if !strings.Contains(html, want) {
			t.Errorf("the report lacks %q", want)
		}
	}
	// The sections themselves, not only their headings: the held pod delete under its rule, and
	// the classes of the key and the address r-key carried in the masking table.
	for _, want := range []string{
		"<tr><td>warden-kubernetes/k8s-delete</td>",
		"<tr><td>secret</td>", "<tr><td>email</td>",
	} {
		if !strings.Contains(html, want) {
			t.Errorf("the report lacks the row %q", want)
		}
	}
	if strings.Contains(html, "AKIAIOSFODNN7EXAMPLE") || strings.Contains(html, "bob@example.com") {
		t.Error("the report carries a secret or an address it masked")
	}
	if regexp.MustCompile(`(?i)<script|\s(src|href)=`).MatchString(html) {
		t.Error("the report is not self-contained: it has a script or an external reference")
	}

	chromium := testenv.RequireTool(t, "chromium", "apt-get install -y chromium")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
		"--user-data-dir="+t.TempDir(), "--enable-logging=stderr", "--v=0", "--dump-dom", "file://"+page)
	var dom, logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &dom, &logs
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium: %v\n%s", err, logs.String())
	}
	if !strings.Contains(dom.String(), "warden audit evidence report") || !strings.Contains(dom.String(), "destructive-sql") {
		t.Fatalf("chromium's DOM lacks the report:\n%.2000s", dom.String())
	}
	if m := regexp.MustCompile(`(?m)^.*(CONSOLE|Uncaught|ERR_FILE_NOT_FOUND|net::ERR).*$`).FindString(logs.String()); m != "" {
		t.Errorf("chromium logged an error rendering the report: %s", m)
	}

	// From an evidence bundle of the same trail, with the signer's public key.
	bundle := filepath.Join(t.TempDir(), "evidence.jsonl")
	if err := auditcli.Run(context.Background(), []string{
		"export", "--dir", dir, "--from", "2000-01-01T00:00:00Z",
		"--to", "2100-01-01T00:00:00Z", "--out", bundle,
	}, nil, &out, &errb); err != nil {
		t.Fatalf("audit export: %v\n%s", err, errb.String())
	}
	bpage := filepath.Join(t.TempDir(), "bundle.html")
	if err := auditcli.Run(context.Background(), []string{
		"report", "--bundle", bundle, "--pubkey", filepath.Join(dir, "checkpoint.key.pub"),
		"--html", bpage,
	}, nil, &out, &errb); err != nil {
		t.Fatalf("audit report --bundle: %v\n%s", err, errb.String())
	}
	if b, _ := os.ReadFile(bpage); !strings.Contains(string(b), "<b>Verified</b>") || !strings.Contains(string(b), "warden-sql/destructive-sql") {
		t.Error("the report of the bundle is not verified or lacks the denial")
	}

	// Tamper with one record: verification fails, the exit status says so, the page too.
	segs, _ := filepath.Glob(filepath.Join(dir, "seg-*.wal"))
	if len(segs) == 0 {
		t.Fatal("no spool segment")
	}
	raw, err := os.ReadFile(segs[0])
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(raw, []byte("DROP TABLE"))
	if i < 0 {
		t.Fatal("the DROP statement is not in the first segment")
	}
	copy(raw[i:], "drop table")
	if err := os.WriteFile(segs[0], raw, 0o600); err != nil {
		t.Fatal(err)
	}
	err = auditcli.Run(context.Background(), []string{"report", "--dir", dir, "--html", page}, nil, &out, &errb)
	if !errors.Is(err, auditcli.ErrVerifyFailed) {
		t.Fatalf("report on a tampered spool: %v, want ErrVerifyFailed", err)
	}
	if b, _ := os.ReadFile(page); !strings.Contains(string(b), "Verification FAILED") {
		t.Error("the report of a tampered spool does not say that verification failed")
	}
}
