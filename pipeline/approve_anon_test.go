package pipeline

import (
	"context"
	"testing"

	"github.com/warden-gw/warden/approval"
	"github.com/warden-gw/warden/exchange"
)

// anonymousDelete is deleteRequest sent without an identity, from the anonymous session s (what
// identity.AnonymousSession derives from the client's address and user agent).
func anonymousDelete(s string) *exchange.Exchange {
	x := deleteRequest()
	x.Identity = exchange.Identity{Session: s}
	return x
}

// TestApprovalsAnonymousApprovalIsTheRequestersOnly: two anonymous clients send the same
// action; the approval granted to the first one's request releases only the first one's retry.
// The other client's identical request is a request of its own, once-only or reusable.
func TestApprovalsAnonymousApprovalIsTheRequestersOnly(t *testing.T) {
	for _, reusable := range []bool{false, true} {
		svc, store := newService(t, approval.Config{Reusable: reusable})
		a := &Approvals{Service: svc, History: store}
		ctx := context.Background()
		asked, _ := a.Resolve(ctx, anonymousDelete("s_requester"), needsApproval(), noHold)
		if err := svc.Decide(ctx, asked.ApprovalID, approver, true, "ok"); err != nil {
			t.Fatal(err)
		}
		other, err := a.Resolve(ctx, anonymousDelete("s_other"), needsApproval(), noHold)
		if err != nil {
			t.Fatal(err)
		}
		if !other.Blocks() || other.ApprovalID == asked.ApprovalID {
			t.Fatalf("reusable=%v: another anonymous client's identical request got %+v: it used approval %s granted to another session",
				reusable, other, asked.ApprovalID)
		}
		got, err := a.Resolve(ctx, anonymousDelete("s_requester"), needsApproval(), noHold)
		if err != nil {
			t.Fatal(err)
		}
		if got.Blocks() || got.Code != exchange.CodeApproved || got.ApprovalID != asked.ApprovalID {
			t.Fatalf("reusable=%v: the requester's retry got %+v, want it released by %s", reusable, got, asked.ApprovalID)
		}
	}
}

// TestApprovalsAreBoundToTheIssuer: the same subject name vouched for by two identity providers
// is two principals; an approval granted to one's request does not release the other's.
func TestApprovalsAreBoundToTheIssuer(t *testing.T) {
	svc, store := newService(t, approval.Config{Reusable: true})
	a := &Approvals{Service: svc, History: store}
	ctx := context.Background()
	from := func(iss string) *exchange.Exchange {
		x := deleteRequest()
		x.Identity = exchange.Identity{Subject: "agent-7", Issuer: iss, Session: "s1"}
		return x
	}
	asked, _ := a.Resolve(ctx, from("https://corp-idp.example"), needsApproval(), noHold)
	if err := svc.Decide(ctx, asked.ApprovalID, approver, true, "ok"); err != nil {
		t.Fatal(err)
	}
	other, err := a.Resolve(ctx, from("https://partner-idp.example"), needsApproval(), noHold)
	if err != nil {
		t.Fatal(err)
	}
	if !other.Blocks() || other.ApprovalID == asked.ApprovalID {
		t.Fatalf("the same subject from another issuer got %+v: it used approval %s", other, asked.ApprovalID)
	}
	got, _ := a.Resolve(ctx, from("https://corp-idp.example"), needsApproval(), noHold)
	if got.Blocks() || got.ApprovalID != asked.ApprovalID {
		t.Fatalf("the requester's retry got %+v, want it released by %s", got, asked.ApprovalID)
	}
}
