package policydiff

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/warden-gw/warden/audit"
	"github.com/warden-gw/warden/cel/policy"
	"github.com/warden-gw/warden/exchange"
)

// TestCheckLinesAgainstACandidate: JSON lines in the `warden check` format are decided with the
// base (default pack) and the candidate; only the line the candidate decides differently is
// reported, and a line that does not parse is skipped and said.
func TestCheckLinesAgainstACandidate(t *testing.T) {
	in := strings.Join([]string{
		`{"request":{"method":"POST","url":"https://db.internal/query","headers":{"content-type":"application/json"},"body":"{\"query\":\"DROP TABLE t\"}"}}`,
		`{"request":{"method":"POST","url":"https://db.internal/query","headers":{"content-type":"application/json"},"body":"{\"query\":\"SELECT 1\"}"}}`,
		`not json`,
	}, "\n")
	var out, errb bytes.Buffer
	err := Run(context.Background(), []string{"--input", "-", "--policy", "testdata/candidate-body.yaml", "--json"}, strings.NewReader(in), &out, &errb)
	if err != nil {
		t.Fatalf("%v\n%s", err, errb.String())
	}
	var res Result
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		t.Fatal(err)
	}
	if res.Exchanges != 2 || len(res.Changed) != 1 || res.Skipped[SkipUnreadable] != 1 {
		t.Fatalf("exchanges %d, changed %d, skipped %v: want 2, 1 and the bad line", res.Exchanges, len(res.Changed), res.Skipped)
	}
	c := res.Changed[0]
	if c.RequestID != "line 1" || c.Old.Rule != "destructive-sql" || c.New.Rule != "no-drop-in-body" || c.New.Action != exchange.Deny {
		t.Fatalf("change = %+v", c)
	}
	if !strings.Contains(errb.String(), "line 3") {
		t.Errorf("the unreadable line is not reported: %q", errb.String())
	}
}

// TestRulesReadingWhatRecordsOmitAreNamed: a candidate rule that reads the body is listed as
// not replayable from records, in the text and on the page.
func TestRulesReadingWhatRecordsOmitAreNamed(t *testing.T) {
	ps, err := policy.Load("testdata/candidate-body.yaml")
	if err != nil {
		t.Fatal(err)
	}
	d := New(context.Background(), ps, Options{})
	for _, r := range recordTraffic(t, defaultPack(t), 12, false) {
		d.Add(r)
	}
	res := d.Result()
	if len(res.NotReplayable) != 1 || res.NotReplayable[0].Rule != "no-drop-in-body" {
		t.Fatalf("not replayable = %+v", res.NotReplayable)
	}
	var text, page bytes.Buffer
	WriteText(&text, res, []string{"candidate"})
	if err := WriteHTML(&page, res, []string{"candidate<script>"}); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{text.String(), page.String()} {
		if !strings.Contains(s, "body-guard/no-drop-in-body") || !strings.Contains(s, "request.body.raw") {
			t.Errorf("the rule reading the body is not named:\n%s", s)
		}
	}
	if strings.Contains(page.String(), "<script>") {
		t.Error("a path reached the page unescaped")
	}
	// Without the pack's rules every recorded deny becomes an allow: the changes name them.
	if len(res.Changed) != 2 || res.Changed[0].Old.Rule != "destructive-sql" {
		t.Errorf("changed = %+v, want the two destructive deletes of the sample", res.Changed)
	}
}

// TestApprovalStepsAreNotExchanges: the records of an approval's steps and of a session's end
// are neither re-decided nor counted as records without input.
func TestApprovalStepsAreNotExchanges(t *testing.T) {
	ps := defaultPack(t)
	d := New(context.Background(), ps, Options{})
	for _, code := range []string{"approval.requested", "approval.approved", "session.ended"} {
		x := &exchange.Exchange{
			ID: "ap-1", Request: exchange.Request{Method: "DELETE", Authority: "k8s.internal", Path: "/api/v1/namespaces/a/pods/b"},
			Decisions: []exchange.Decision{{Action: exchange.RequireApproval, Phase: exchange.PhaseRequest, Rule: "r", ApprovalID: "ap-1"}},
			ErrorCode: code, Disposition: exchange.ApprovalRequired,
		}
		d.Add(encode(t, x, audit.StageRequest))
	}
	for _, r := range recordTraffic(t, ps, 6, false) {
		d.Add(r)
	}
	res := d.Result()
	if res.Exchanges != 6 || len(res.Skipped) != 0 {
		t.Fatalf("exchanges %d, skipped %v: want the 6 exchanges and nothing skipped", res.Exchanges, res.Skipped)
	}
}
