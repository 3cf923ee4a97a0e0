package pipeline

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/warden-gw/warden/approval"
	"github.com/warden-gw/warden/audit"
	"github.com/warden-gw/warden/exchange"
)

const ghToken = "AKIAIOSFODNN7EXAMPL3"

// records is a RecordWriter that keeps copies of what it was given.
type records struct {
	got    []exchange.Exchange
	stages []audit.Stage
	err    error
}

func (r *records) Record(_ context.Context, x *exchange.Exchange, stage audit.Stage) error {
	r.got = append(r.got, *x)
	r.stages = append(r.stages, stage)
	return r.err
}

func newTestRedactor(t *testing.T) *Redactor {
	t.Helper()
	r, err := NewRedactor(RedactConfig{})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestAuditorRecordsNoSecret(t *testing.T) {
	red := newTestRedactor(t)
	rec := &records{}
	a := Auditor{Log: rec, View: View{Redact: red.Text}}
	path := "/v1/exec?token=" + ghToken
	x := &exchange.Exchange{ID: "r1", Request: exchange.Request{
		Method: "POST", Authority: "runner.internal", Path: path,
		Headers: exchange.Headers{{Key: "content-type", Value: "application/json"}},
		Body:    []byte(`{"command": "echo ` + ghToken + ` > /tmp/k && rm -rf /srv"}`),
	}}
	Inspector{}.InspectRequest(x)
	if err := a.RecordRequest(context.Background(), x); err != nil {
		t.Fatal(err)
	}
	if err := a.RecordCompletion(context.Background(), x); err != nil {
		t.Fatal(err)
	}
	if len(rec.got) != 2 || rec.stages[0] != audit.StageRequest || rec.stages[1] != audit.StageCompletion {
		t.Fatalf("stages %v", rec.stages)
	}
	r := rec.got[0]
	if strings.Contains(r.Request.Path, ghToken) || !strings.HasPrefix(r.Request.Path, "/v1/exec?token=") {
		t.Fatalf("recorded path %q", r.Request.Path)
	}
	if len(r.ToolCalls) == 0 {
		t.Fatal("the record lists no tool call")
	}
	shell := false
	for _, c := range r.ToolCalls {
		if strings.Contains(c.Text, ghToken) {
			t.Fatalf("tool call text %q carries the secret", c.Text)
		}
		shell = shell || strings.Contains(c.Text, "rm -rf /srv")
	}
	if !shell {
		t.Fatalf("tool calls %+v, want the shell command (redacted)", r.ToolCalls)
	}
	if x.Request.Path != path {
		t.Fatalf("the exchange's own path changed to %q: later phases must see the real one", x.Request.Path)
	}
}

// The record names the role the policy saw (creds.role) even when no lease was injected; an
// injected lease of that role is listed once, with its lease id.
func TestViewNamesTheRoutesRole(t *testing.T) {
	x := &exchange.Exchange{Route: exchange.Route{CredentialRole: "orders-db"}}
	out := View{}.Of(x)
	if len(out.Credentials) != 1 || out.Credentials[0] != (exchange.Credential{Role: "orders-db"}) || len(x.Credentials) != 0 {
		t.Fatalf("denied request: view %+v, exchange %+v", out.Credentials, x.Credentials)
	}
	x.Credentials = []exchange.Credential{{Role: "orders-db", LeaseID: "database/creds/orders/1"}}
	if out := (View{}).Of(x); out != x || len(out.Credentials) != 1 || out.Credentials[0].LeaseID == "" {
		t.Fatalf("injected: %+v", out.Credentials)
	}
	if out := (View{}).Of(&exchange.Exchange{}); len(out.Credentials) != 0 {
		t.Fatalf("no route: %+v", out.Credentials)
	}
}

func TestViewWithoutRedactorDropsToolCallText(t *testing.T) {
	x := &exchange.Exchange{Request: exchange.Request{
		Method: "POST", Authority: "runner.internal", Path: "/v1/exec",
		Headers: exchange.Headers{{Key: "content-type", Value: "application/json"}}, Body: []byte(`{"command": "rm -rf /"}`),
	}}
	Inspector{}.InspectRequest(x)
	out := View{}.Of(x)
	if out != x || len(out.ToolCalls) == 0 || out.ToolCalls[0].Text != "" {
		t.Fatalf("tool calls %+v", out.ToolCalls)
	}
}

// events is an EventWriter that keeps what it was given.
type events struct {
	got []audit.Event
	err error
}

func (e *events) RecordEvent(_ context.Context, ev audit.Event) error {
	e.got = append(e.got, ev)
	return e.err
}

func TestEventsApprovalSteps(t *testing.T) {
	ap := approval.Approval{
		ID: "apr_1", Status: approval.Denied, DecidedBy: "alice@example.com", Note: "not today",
		Requester: approval.Requester{Subject: "agent-7", OnBehalfOf: "bob", Session: "s1"},
		Action:    approval.Action{Method: "DELETE", Host: "db.internal", Path: "/t", Policy: "p", Rule: "r", Reason: "needs a human"},
	}
	for _, tc := range []struct {
		kind    approval.EventKind
		actor   string
		action  exchange.Action
		code    exchange.DecisionCode
		subject string
	}{
		{approval.EventRequested, "", exchange.RequireApproval, exchange.CodeApprovalRequired, "agent-7"},
		{approval.EventApproved, "alice@example.com", exchange.Allow, exchange.CodeApproved, "alice@example.com"},
		{approval.EventUsed, "", exchange.Allow, exchange.CodeApproved, "agent-7"},
		{approval.EventDenied, "alice@example.com", exchange.Deny, exchange.CodeApprovalDenied, "alice@example.com"},
		{approval.EventExpired, "", exchange.Deny, exchange.CodeApprovalExpired, "agent-7"},
		{approval.EventRefused, "mallory", exchange.Deny, exchange.CodeApprovalRefused, "mallory"},
		{approval.EventStoreUnavailable, "alice@example.com", exchange.Deny, exchange.CodeApprovalUnavailable, "alice@example.com"},
	} {
		t.Run(string(tc.kind), func(t *testing.T) {
			rec := &events{}
			Events{Log: rec}.Approval(context.Background(), approval.Event{Kind: tc.kind, Approval: ap, Actor: tc.actor})
			if len(rec.got) != 1 {
				t.Fatalf("%d records", len(rec.got))
			}
			ev := rec.got[0]
			d := ev.Decision
			if !ev.Kind.Valid() || string(ev.Kind) != string(tc.kind) || ev.ID != "apr_1" || d == nil || d.Action != tc.action || d.Code != tc.code || ev.Identity.Subject != tc.subject {
				t.Fatalf("event %+v decision %+v", ev, d)
			}
			if ev.Identity.OnBehalfOf != "bob" || d.ApprovalID != "apr_1" || d.ApprovedBy != "alice@example.com" || ev.Action == nil || ev.Action.Path != "/t" {
				t.Fatalf("event %+v decision %+v: the requester's principal, the action, the approval and its approver stay named", ev, d)
			}
			if tc.actor != "" && d.Reason != "not today" {
				t.Fatalf("reason %q, want the approver's note", d.Reason)
			}
		})
	}
	t.Run("a failed write is logged", func(t *testing.T) {
		var logs strings.Builder
		Events{Log: &events{err: errors.New("spool full")}, Logger: slog.New(slog.NewTextHandler(&logs, nil))}.Approval(context.Background(), approval.Event{Kind: approval.EventRequested, Approval: ap})
		if !strings.Contains(logs.String(), "approval step not audited") {
			t.Fatalf("log %q", logs.String())
		}
	})
}

type leases struct {
	ended []string
	err   error
}

func (l *leases) EndSession(_ context.Context, s string) error {
	l.ended = append(l.ended, s)
	return l.err
}

func TestSessionEndRevokesAndRecords(t *testing.T) {
	rec, ls := &events{}, &leases{}
	Sessions{Leases: ls, Events: Events{Log: rec}}.End(context.Background(), "s1")
	if len(ls.ended) != 1 || ls.ended[0] != "s1" {
		t.Fatalf("leases ended %v", ls.ended)
	}
	if len(rec.got) != 1 || rec.got[0].Kind != audit.EventSessionEnded || rec.got[0].ID != "s1" || rec.got[0].Identity.Session != "s1" {
		t.Fatalf("records %+v", rec.got)
	}
	var logs strings.Builder
	log := slog.New(slog.NewTextHandler(&logs, nil))
	Sessions{Leases: &leases{err: errors.New("vault down")}, Events: Events{Log: &events{err: errors.New("spool")}}, Logger: log}.End(context.Background(), "s2")
	if !strings.Contains(logs.String(), "revoking the leases") || !strings.Contains(logs.String(), "session end not audited") {
		t.Fatalf("log %q", logs.String())
	}
	// Without Vault and without an audit log there is nothing to do, and nothing fails.
	Sessions{}.End(context.Background(), "s3")
}

// memoWriter is a RecordWriter that leaves a note on the exchange it was given at the request
// record and notes what it finds at the completion record, as audit.Log does with its memo.
type memoWriter struct{ atCompletion any }

func (m *memoWriter) Record(_ context.Context, x *exchange.Exchange, stage audit.Stage) error {
	if stage == audit.StageRequest {
		x.AuditMemo = "request record's memo"
		return nil
	}
	m.atCompletion, x.AuditMemo = x.AuditMemo, nil
	return nil
}

// TestAuditorCarriesTheMemoThroughAViewCopy: when the view of an exchange is a copy (its path is
// redacted), the note the audit log leaves on it at the request record reaches the completion
// record, and the completion record's clearing of it reaches the exchange.
func TestAuditorCarriesTheMemoThroughAViewCopy(t *testing.T) {
	w := &memoWriter{}
	a := Auditor{Log: w, View: View{Redact: newTestRedactor(t).Text}}
	x := &exchange.Exchange{ID: "m1", Request: exchange.Request{Method: "GET", Authority: "h", Path: "/x?token=" + ghToken}}
	if v := a.View.Of(x); v == x {
		t.Fatal("the view is not a copy: the test does not test the carrying back")
	}
	if err := a.RecordRequest(context.Background(), x); err != nil {
		t.Fatal(err)
	}
	if x.AuditMemo != "request record's memo" {
		t.Fatalf("after the request record the exchange holds %v, not the log's memo", x.AuditMemo)
	}
	if err := a.RecordCompletion(context.Background(), x); err != nil {
		t.Fatal(err)
	}
	if w.atCompletion != "request record's memo" {
		t.Fatalf("the completion record found %v, not the request record's memo", w.atCompletion)
	}
	if x.AuditMemo != nil {
		t.Fatalf("the exchange still holds %v after the completion record dropped it", x.AuditMemo)
	}
}
