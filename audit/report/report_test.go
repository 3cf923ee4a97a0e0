package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/warden-gw/warden/audit"
	"github.com/warden-gw/warden/exchange"
)

var t0 = time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)

func entry(t *testing.T, x *exchange.Exchange, stage audit.Stage, event audit.EventKind) audit.Entry {
	t.Helper()
	r := audit.BuildRecord(x, stage, audit.Product{Name: "warden"}, x.Start)
	r.Unmapped.Warden.Event = string(event)
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return audit.Entry{Payload: b}
}

// approvalStep is one step of an approval as warden records it (requester, then the approver
// as the record's subject).
func approvalStep(id string, at time.Time, approver string, d exchange.Action, disp exchange.Disposition) *exchange.Exchange {
	x := &exchange.Exchange{
		ID: id, Start: at, End: at,
		Request:  exchange.Request{Method: "DELETE", Authority: "k8s.internal", Path: "/api/v1/namespaces/prod/pods/web-1"},
		Identity: exchange.Identity{Subject: "agent-svc", OnBehalfOf: "alice@example.com", Session: "s_1"},
		Decisions: []exchange.Decision{{
			Action: d, Phase: exchange.PhaseRequest, Policy: "warden-kubernetes", Rule: "k8s-delete", ApprovalID: id,
		}},
		Disposition: disp,
	}
	if approver != "" {
		x.Identity.Subject = approver
	}
	return x
}

// TestApprovalsShowApproverAndWait: an approval's request and decision records give its
// approver and how long the action waited; one without a decision stays pending.
func TestApprovalsShowApproverAndWait(t *testing.T) {
	entries := []audit.Entry{
		entry(t, approvalStep("ap-1", t0, "", exchange.RequireApproval, exchange.ApprovalRequired), audit.StageEvent, audit.EventApprovalRequested),
		entry(t, approvalStep("ap-1", t0.Add(95*time.Second), "bob@example.com", exchange.Allow, exchange.Allowed), audit.StageEvent, audit.EventApprovalApproved),
		entry(t, approvalStep("ap-2", t0.Add(time.Minute), "", exchange.RequireApproval, exchange.ApprovalRequired), audit.StageEvent, audit.EventApprovalRequested),
	}
	// The same steps written as exchange records with the kind as error code (before events).
	legacy := approvalStep("ap-3", t0.Add(2*time.Minute), "", exchange.RequireApproval, exchange.ApprovalRequired)
	legacy.ErrorCode = string(audit.EventApprovalRequested)
	entries = append(entries, entry(t, legacy, audit.StageRequest, ""))
	legacy = approvalStep("ap-3", t0.Add(2*time.Minute+10*time.Second), "carol@example.com", exchange.Deny, exchange.Denied)
	legacy.ErrorCode = string(audit.EventApprovalDenied)
	entries = append(entries, entry(t, legacy, audit.StageRequest, ""))

	r := Build(entries, time.Time{}, time.Time{}, Verification{OK: true}, t0)
	got := map[string]Approval{}
	for _, a := range r.Approvals {
		got[a.ID] = a
	}
	want := map[string]Approval{
		"ap-1": {Outcome: "approved", Approver: "bob@example.com", Wait: 95 * time.Second, Rule: "warden-kubernetes/k8s-delete"},
		"ap-2": {Outcome: "pending"},
		"ap-3": {Outcome: "denied", Approver: "carol@example.com", Wait: 10 * time.Second},
	}
	for id, w := range want {
		a := got[id]
		if a.Outcome != w.Outcome || a.Approver != w.Approver || a.Wait != w.Wait || (w.Rule != "" && a.Rule != w.Rule) {
			t.Errorf("%s = %+v, want %+v", id, a, w)
		}
	}
	if r.Exchanges != 0 {
		t.Errorf("approval steps counted as %d exchanges", r.Exchanges)
	}
	var page bytes.Buffer
	if err := WriteHTML(&page, r); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(page.String(), "bob@example.com") || !strings.Contains(page.String(), "1m35s") {
		t.Errorf("the page does not show the approver and the wait")
	}
}

// TestReportPeriodAndEscaping: records outside [from, to) are left out, and a value from a
// request cannot inject markup into the page (labels inside the SVG charts included).
func TestReportPeriodAndEscaping(t *testing.T) {
	mk := func(id string, at time.Time, rule string) audit.Entry {
		x := &exchange.Exchange{
			ID: id, Start: at, Request: exchange.Request{Method: "POST", Authority: "db.internal", Path: "/q"},
			Decisions:   []exchange.Decision{{Action: exchange.Deny, Phase: exchange.PhaseRequest, Policy: "p", Rule: rule}},
			Disposition: exchange.Denied,
		}
		return entry(t, x, audit.StageRequest, "")
	}
	entries := []audit.Entry{
		mk("in", t0.Add(time.Hour), `<img src=x onerror=alert(1)>`),
		mk("before", t0.Add(-time.Minute), "early-rule"),
		mk("after", t0.Add(2*time.Hour), "late-rule"),
	}
	r := Build(entries, t0, t0.Add(2*time.Hour), Verification{OK: true}, t0)
	if r.Exchanges != 1 || len(r.Denied) != 1 {
		t.Fatalf("exchanges %d, denied %v: want only the one inside the period", r.Exchanges, r.Denied)
	}
	var page bytes.Buffer
	if err := WriteHTML(&page, r); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(page.String(), "<img") {
		t.Fatalf("a rule name reached the page unescaped")
	}
	if !strings.Contains(page.String(), "&lt;img src=x onerror=alert(1)&gt;") {
		t.Fatalf("the escaped rule name is missing")
	}
}
