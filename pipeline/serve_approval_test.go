package pipeline_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/warden-gw/warden/approval"
	"github.com/warden-gw/warden/envoy"
	"github.com/warden-gw/warden/exchange"
	"github.com/warden-gw/warden/extproc"
	"github.com/warden-gw/warden/extproc/extproctest"
	"github.com/warden-gw/warden/pipeline"
)

// allRecords keeps every record of every exchange, by request id.
type allRecords struct {
	mu sync.Mutex
	by map[string][]exchange.Exchange
}

func (a *allRecords) RecordRequest(_ context.Context, x *exchange.Exchange) error { return a.keep(x) }

func (a *allRecords) RecordCompletion(_ context.Context, x *exchange.Exchange) error {
	return a.keep(x)
}

func (a *allRecords) keep(x *exchange.Exchange) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.by[x.ID] = append(a.by[x.ID], exchange.Exchange{Decisions: append([]exchange.Decision(nil), x.Decisions...)})
	return nil
}

func (a *allRecords) of(id string) []exchange.Exchange {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.by[id]
}

// deleteNeedsApproval asks for approval of every DELETE.
type deleteNeedsApproval struct{}

func (deleteNeedsApproval) Decide(_ context.Context, x *exchange.Exchange, phase exchange.Phase) exchange.Decision {
	if phase == exchange.PhaseRequest && x.Request.Method == "DELETE" {
		return exchange.Decision{Action: exchange.RequireApproval, Code: exchange.CodeApprovalRequired, Phase: phase, Rule: "ask", Reason: "deleting needs a human"}
	}
	return exchange.Decision{Action: exchange.Allow, Code: exchange.CodeDefault, Phase: phase}
}

// Through the ext_proc server as Envoy drives it: the agent's first DELETE gets 403 with an
// approval id; after a denial its retry learns "denied by X: note" and opens no new request;
// after an approval of another action the released request names its approver in both records.
func TestServeApprovalSemantics(t *testing.T) {
	store := approval.NewMemoryStore()
	svc, err := approval.New(context.Background(), approval.Config{ApproverGroups: []string{"approvers"}}, store,
		approval.WithTicks(make(chan time.Time)), approval.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	rec := &allRecords{by: map[string][]exchange.Exchange{}}
	filter := envoy.DefaultExtProcFilter()
	srv, err := extproc.NewServer(extproc.Pipeline{
		Identity: inputIdentity{}, Inspect: pipeline.Inspector{}, Policy: deleteNeedsApproval{},
		Approve: &pipeline.Approvals{Service: svc, History: store}, Audit: rec,
	}, extproc.OptionsFromFilter(filter, extproc.DefaultOptions()))
	if err != nil {
		t.Fatal(err)
	}
	emu, err := extproctest.New(extproctest.StartServer(t, srv), filter)
	if err != nil {
		t.Fatal(err)
	}
	up := extproctest.UpstreamFunc(func(context.Context, *extproctest.UpstreamRequest) (*extproctest.Response, error) {
		return &extproctest.Response{Status: 200, Headers: extproctest.H(":status", "200")}, nil
	})
	agent, _ := json.Marshal(exchange.Identity{Subject: "agent-7"})
	send := func(id, path string) (int, map[string]string) {
		t.Helper()
		res, err := emu.Run(context.Background(), &extproctest.Request{Headers: extproctest.H(
			":method", "DELETE", ":path", path, ":authority", "db.internal", ":scheme", "https",
			"x-request-id", id, identityHeader, b64(agent))}, up)
		if err != nil {
			t.Fatal(err)
		}
		body := map[string]string{}
		_ = json.Unmarshal([]byte(res.Body()), &body)
		return res.Status, body
	}
	alice := exchange.Identity{Subject: "alice", Groups: []string{"approvers"}}

	status, body := send("r1", "/t/orders")
	if status != 403 || body["approval_id"] == "" {
		t.Fatalf("first request: %d %v", status, body)
	}
	if err := svc.Decide(context.Background(), body["approval_id"], alice, false, "not on a Friday"); err != nil {
		t.Fatal(err)
	}
	status, retry := send("r2", "/t/orders")
	if want := "denied by alice (approval " + body["approval_id"] + "): not on a Friday"; status != 403 || retry["reason"] != want || retry["approval_id"] != body["approval_id"] {
		t.Fatalf("retry after denial: %d %v, want reason %q", status, retry, want)
	}
	if n := len(store.List()); n != 1 {
		t.Fatalf("%d approvals, want 1: the retry opened a new request", n)
	}
	if d := rec.of("r2")[0].Final(); d.Code != exchange.CodeApprovalDenied || d.ApprovedBy != "alice" {
		t.Fatalf("record of the retry: %+v", d)
	}

	_, other := send("r3", "/t/users")
	if err := svc.Decide(context.Background(), other["approval_id"], alice, true, ""); err != nil {
		t.Fatal(err)
	}
	if status, _ := send("r4", "/t/users"); status != 200 {
		t.Fatalf("approved retry: %d", status)
	}
	// The completion record is written when Envoy closes the stream after the last reply: wait
	// for the server's streams to end.
	srv.Wait()
	records := rec.of("r4")
	if len(records) != 2 {
		t.Fatalf("%d records of the released request, want request and completion", len(records))
	}
	// The request-phase decision (in every record's decisions[]) says who approved.
	for i, r := range records {
		if d := r.Decisions[0]; d.Code != exchange.CodeApproved || d.ApprovedBy != "alice" || !strings.Contains(d.Reason, "approved by alice") {
			t.Fatalf("record %d of the released request: %+v", i, r.Decisions)
		}
	}
}
