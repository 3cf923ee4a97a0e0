package audit

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/warden-gw/warden/exchange"
)

// TestRecordEventWritesTypedEvents: every event kind lands in the chain as a record of stage
// "event" that names its kind in unmapped.warden.event (not in error_code), is correlated by its
// id, passes the redactor and verifies with the exchanges around it.
func TestRecordEventWritesTypedEvents(t *testing.T) {
	dir := t.TempDir()
	cfg := testConfig(dir)
	cfg.Redact = func(s string) string { return strings.ReplaceAll(s, "sk-live-EVENTSECRET", "[REDACTED]") }
	l := openLog(t, cfg)
	ctx := context.Background()
	if err := l.Record(ctx, sampleExchange(1, "sess-1"), StageRequest); err != nil {
		t.Fatal(err)
	}
	events := []Event{
		{Kind: EventSessionEnded, ID: "sess-1", Identity: exchange.Identity{Session: "sess-1"}},
		{
			Kind: EventApprovalApproved, ID: "ap-1", Identity: exchange.Identity{Subject: "bob@example.com"},
			Action:   &exchange.Request{Method: "DELETE", Authority: "k8s.example", Path: "/api/v1/namespaces/prod"},
			Decision: &exchange.Decision{Action: exchange.Allow, Rule: "k8s-delete", ApprovalID: "ap-1", Reason: "ticket 42"},
		},
		{Kind: EventApprovalStoreUnavailable, ID: "ap-2", ErrorCode: "approval_store_unavailable", Error: "broker said sk-live-EVENTSECRET"},
	}
	for _, ev := range events {
		if err := l.RecordEvent(ctx, ev); err != nil {
			t.Fatalf("%s: %v", ev.Kind, err)
		}
	}
	if err := l.RecordEvent(ctx, Event{Kind: "approval.made_up", ID: "x"}); !errors.Is(err, ErrUnknownEvent) {
		t.Fatalf("unknown kind: err = %v, want ErrUnknownEvent", err)
	}
	if err := l.RecordEvent(ctx, Event{Kind: EventSessionEnded}); err == nil {
		t.Fatal("an event without an id was recorded")
	}
	closeLog(t, l)
	entries := spoolEntries(t, dir)
	if rep := Verify(entries, VerifyOptions{}); !rep.OK() {
		t.Fatalf("chain with events does not verify: %v", rep.Problems)
	}
	got := map[string]*Record{}
	for _, e := range entries {
		var r Record
		if json.Unmarshal(e.Payload, &r) == nil && r.Unmapped.Warden.Stage == StageEvent {
			got[r.Unmapped.Warden.Event] = &r
		}
	}
	if len(got) != len(events) {
		t.Fatalf("got %d event records, want %d", len(got), len(events))
	}
	for _, ev := range events {
		r := got[string(ev.Kind)]
		if r == nil || r.Metadata.CorrelationUID != ev.ID || r.Metadata.UID != ev.ID+":"+string(ev.Kind) {
			t.Fatalf("%s: record %+v", ev.Kind, r)
		}
		if r.Unmapped.Warden.ErrorCode == string(ev.Kind) {
			t.Errorf("%s: the event kind is in error_code", ev.Kind)
		}
	}
	if r := got[string(EventApprovalApproved)]; r.API.Operation != "DELETE /api/v1/namespaces/prod" || r.Unmapped.Warden.Subject != "bob@example.com" ||
		r.Unmapped.Warden.Decision == nil || r.Unmapped.Warden.Decision.ApprovalID != "ap-1" || r.Unmapped.Warden.Disposition != string(exchange.Allowed) {
		t.Errorf("approval record: operation %q warden %+v", r.API.Operation, r.Unmapped.Warden)
	}
	if r := got[string(EventSessionEnded)]; r.API.Operation != "warden.session.ended" || r.Unmapped.Warden.Session != "sess-1" {
		t.Errorf("session record: operation %q session %q", r.API.Operation, r.Unmapped.Warden.Session)
	}
	r := got[string(EventApprovalStoreUnavailable)]
	if strings.Contains(r.Unmapped.Warden.Error, "EVENTSECRET") || r.Unmapped.Warden.Disposition != string(exchange.Failed) {
		t.Errorf("store-unavailable record: error %q disposition %q", r.Unmapped.Warden.Error, r.Unmapped.Warden.Disposition)
	}
}
