package pipeline

import (
	"context"
	"testing"
	"time"

	"github.com/warden-gw/warden/approval"
	"github.com/warden-gw/warden/exchange"
)

// oldReplicaRequest writes what a replica from before the issuer binding writes for x: an
// approval request under the digest without the issuer (approval.LegacyDigest), no
// digest_version, and the requester's issuer recorded.
func oldReplicaRequest(t *testing.T, store approval.Store, x *exchange.Exchange, id string) {
	t.Helper()
	r, who := x.Request, x.Identity
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	a := approval.Approval{
		ID: id, Version: 1, Status: approval.Pending, Seq: 1, Created: now, Expires: now.Add(5 * time.Minute),
		Digest:    approval.LegacyDigest(r.Method, r.Scheme, r.Authority, r.Path, r.Body, approval.Principal{Subject: who.Subject, Agent: who.Agent, Session: who.Session}),
		Requester: approval.Requester{Subject: who.Subject, Issuer: who.Issuer, Agent: who.Agent, Session: who.Session},
		Action:    approval.Action{Method: r.Method, Host: r.Authority, Path: r.Path},
	}
	if err := store.Put(context.Background(), a); err != nil {
		t.Fatal(err)
	}
}

// TestApprovalsAcrossARollingUpgrade: an approval an old replica opened (digest without the
// issuer) and an approver granted releases the caller's retry on a new replica, and the retry of
// the same subject name from another identity provider stays blocked; a denial there answers the
// caller's retry and nobody else's.
func TestApprovalsAcrossARollingUpgrade(t *testing.T) {
	from := func(iss string) *exchange.Exchange {
		x := deleteRequest()
		x.Identity = exchange.Identity{Subject: "agent-7", Issuer: iss, Session: "s1"}
		return x
	}
	const corp, other = "https://corp-idp.example", "https://other-idp.example"
	ctx := context.Background()
	t.Run("approved on an old replica", func(t *testing.T) {
		svc, store := newService(t, approval.Config{Reusable: true})
		a := &Approvals{Service: svc, History: store}
		oldReplicaRequest(t, store, from(corp), "apr_old")
		if got, err := a.Resolve(ctx, from(corp), needsApproval(), noHold); err != nil || got.ApprovalID != "apr_old" || len(svc.Pending()) != 1 {
			t.Fatalf("a new replica's retry before the decision got %+v, %v (pending %d): want the old replica's request, not a second one", got, err, len(svc.Pending()))
		}
		if err := svc.Decide(ctx, "apr_old", approver, true, "ok"); err != nil {
			t.Fatal(err)
		}
		stranger, err := a.Resolve(ctx, from(other), needsApproval(), noHold)
		if err != nil {
			t.Fatal(err)
		}
		if !stranger.Blocks() || stranger.ApprovalID == "apr_old" {
			t.Fatalf("the same subject from another issuer got %+v: the old replica's approval crossed issuers", stranger)
		}
		got, err := a.Resolve(ctx, from(corp), needsApproval(), noHold)
		if err != nil {
			t.Fatal(err)
		}
		if got.Blocks() || got.ApprovalID != "apr_old" || got.ApprovedBy != approver.Subject {
			t.Fatalf("the caller's retry on a new replica got %+v, want it released by apr_old", got)
		}
	})
	t.Run("denied on an old replica", func(t *testing.T) {
		svc, store := newService(t, approval.Config{})
		a := &Approvals{Service: svc, History: store}
		oldReplicaRequest(t, store, from(corp), "apr_old")
		if err := svc.Decide(ctx, "apr_old", approver, false, "not today"); err != nil {
			t.Fatal(err)
		}
		got, _ := a.Resolve(ctx, from(corp), needsApproval(), noHold)
		if got.Code != exchange.CodeApprovalDenied || got.ApprovalID != "apr_old" {
			t.Fatalf("the caller's retry got %+v, want the denial of apr_old", got)
		}
		stranger, _ := a.Resolve(ctx, from(other), needsApproval(), noHold)
		if stranger.Code != exchange.CodeApprovalRequired || stranger.ApprovalID == "apr_old" {
			t.Fatalf("the same subject from another issuer got %+v, want a request of its own", stranger)
		}
	})
}
