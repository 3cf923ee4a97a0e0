package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/warden-gw/warden/audit/auditcli"
	"github.com/warden-gw/warden/cel/pack"
	"github.com/warden-gw/warden/cel/policydiff"
	"github.com/warden-gw/warden/exchange"
	"github.com/warden-gw/warden/extproc/extproctest"
)

// relaxedPack writes the default pack to a folder with one rule relaxed: destructive SQL that
// touches only tables of the scratch schema is allowed.
func relaxedPack(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	ents, err := pack.FS.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	const rule = `actions.exists(a, a.kind == "sql" && !a.dry_run && (a.destructive || a.sql.destructive))`
	relaxed := `actions.exists(a, a.kind == "sql" && !a.dry_run && (a.destructive || a.sql.destructive)` +
		` && !a.text.startsWith("DELETE FROM scratch.") && !a.text.startsWith("TRUNCATE scratch."))`
	changed := false
	for _, e := range ents {
		b, err := pack.FS.ReadFile(e.Name())
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), rule) {
			b, changed = []byte(strings.Replace(string(b), rule, relaxed, 1)), true
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if !changed {
		t.Fatal("the pack's destructive-sql condition changed: update this test's relaxation")
	}
	return dir
}

// TestPolicyDiffOnARecordedSpool records traffic through the server with the default pack,
// then diffs the spool against a candidate that relaxes one rule: exactly the exchanges that
// rule denied, and that the relaxation covers, are reported, with their old and new rule.
func TestPolicyDiffOnARecordedSpool(t *testing.T) {
	w := startWarden(t, nil)
	up, _ := staticUpstream(200, extproctest.Headers{{Key: "content-type", Value: "application/json"}}, `{"ok":true}`)
	send := jsonSender(t, w, up, "")
	sql := func(q string) string { return `{"query":` + jsonString(q) + `}` }
	mcp := func(q string) string {
		return `{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"execute_sql","arguments":{"query":` + jsonString(q) + `}}}`
	}
	affected := []string{"scratch-delete", "scratch-truncate", "scratch-mcp", "scratch-delete-again"}
	send("scratch-delete", "POST", "https://db.internal/query", sql("DELETE FROM scratch.tmp"))
	send("scratch-truncate", "POST", "https://db.internal/query", sql("TRUNCATE scratch.events"))
	send("scratch-mcp", "POST", "https://mcp.internal/mcp", mcp("DELETE FROM scratch.sessions"))
	send("users-delete", "POST", "https://db.internal/query", sql("DELETE FROM users"))
	send("mixed-drop", "POST", "https://db.internal/query", sql("DROP TABLE scratch.a; DROP TABLE users"))
	send("select", "POST", "https://db.internal/query", sql("SELECT id FROM users WHERE id = 1"))
	send("shell-rm", "POST", "https://mcp.internal/mcp",
		`{"jsonrpc":"2.0","id":8,"method":"tools/call","params":{"name":"run","arguments":{"command":"rm -rf /"}}}`)
	send("models", "GET", "https://api.example/v1/models", "")
	send("scratch-delete-again", "POST", "https://db.internal/query", sql("DELETE FROM scratch.tmp"))
	if err := w.stop(); err != nil {
		t.Fatal(err)
	}
	spoolDir := filepath.Join(w.cfg.DataDir, "audit")
	candidate := relaxedPack(t)

	var out, errb bytes.Buffer
	if err := policydiff.Run(context.Background(), []string{"--dir", spoolDir, "--policy", candidate, "--json"}, nil, &out, &errb); err != nil {
		t.Fatalf("policy diff: %v\n%s", err, errb.String())
	}
	var res policydiff.Result
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		t.Fatalf("policy diff --json: %v\n%s", err, out.String())
	}
	if res.Exchanges != 9 {
		t.Errorf("re-decided %d exchanges, want the 9 sent (skipped: %v)", res.Exchanges, res.Skipped)
	}
	var got []string
	for _, c := range res.Changed {
		got = append(got, c.RequestID)
		if c.Old.Action != exchange.Deny || c.Old.Rule != "destructive-sql" || c.New.Action != exchange.Allow {
			t.Errorf("%s: %s -> %s, want deny by destructive-sql -> allow", c.RequestID, c.Old.Label(), c.New.Label())
		}
		if c.Host == "" || c.Method != "POST" || c.Time.IsZero() {
			t.Errorf("%s: the change does not say when and what: %+v", c.RequestID, c)
		}
	}
	slices.Sort(got)
	want := slices.Clone(affected)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("changed exchanges = %v, want exactly %v", got, want)
	}
	if res.Unchanged != 5 {
		t.Errorf("unchanged = %d, want 5", res.Unchanged)
	}

	out.Reset()
	if err := policydiff.Run(context.Background(), []string{"--dir", spoolDir, "--policy", candidate}, nil, &out, &errb); err != nil {
		t.Fatal(err)
	}
	text := out.String()
	for _, s := range []string{"changed:   4", "deny by warden-sql/destructive-sql", "scratch-truncate", "POST db.internal/query"} {
		if !strings.Contains(text, s) {
			t.Errorf("text output lacks %q:\n%s", s, text)
		}
	}

	// The same records through an evidence bundle: the same exchanges change.
	bundle := filepath.Join(t.TempDir(), "evidence.jsonl")
	if err := auditcli.Run(context.Background(), []string{
		"export", "--dir", spoolDir, "--from", "2000-01-01T00:00:00Z",
		"--to", "2100-01-01T00:00:00Z", "--out", bundle,
	}, nil, &out, &errb); err != nil {
		t.Fatalf("audit export: %v\n%s", err, errb.String())
	}
	out.Reset()
	if err := policydiff.Run(context.Background(), []string{"--bundle", bundle, "--policy", candidate, "--json"}, nil, &out, &errb); err != nil {
		t.Fatal(err)
	}
	var fromBundle policydiff.Result
	if err := json.Unmarshal(out.Bytes(), &fromBundle); err != nil {
		t.Fatal(err)
	}
	var gotBundle []string
	for _, c := range fromBundle.Changed {
		gotBundle = append(gotBundle, c.RequestID)
	}
	slices.Sort(gotBundle)
	if !slices.Equal(gotBundle, want) {
		t.Errorf("from the bundle, changed = %v, want %v", gotBundle, want)
	}

	// The same spool against the unchanged pack: nothing changes.
	out.Reset()
	same := t.TempDir()
	ents, _ := pack.FS.ReadDir(".")
	for _, e := range ents {
		b, _ := pack.FS.ReadFile(e.Name())
		if err := os.WriteFile(filepath.Join(same, e.Name()), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := policydiff.Run(context.Background(), []string{"--dir", spoolDir, "--policy", same, "--json"}, nil, &out, &errb); err != nil {
		t.Fatal(err)
	}
	res = policydiff.Result{}
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Changed) != 0 || res.Exchanges != 9 {
		t.Errorf("the recording policy itself changes %d of %d exchanges: %+v", len(res.Changed), res.Exchanges, res.Changed)
	}
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
