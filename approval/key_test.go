package approval

import (
	"context"
	"testing"
	"time"

	"github.com/warden-gw/warden/exchange"
)

// A Key finds an old replica's approval (legacy digest, no digest_version) only for the issuer
// that approval recorded; a new replica's approval only under its own digest — also when an old
// replica rewrote it and dropped the digest_version it does not know.
func TestKeyMatchesAcrossDigestVersions(t *testing.T) {
	x := func(iss string) *exchange.Exchange {
		e := testExchange(`{"pod":"web-1"}`)
		e.Identity.Issuer = iss
		return e
	}
	corp, other := KeyOf(x("https://corp")), KeyOf(x("https://other"))
	if corp.Legacy == "" || corp.Legacy != other.Legacy || corp.Digest == other.Digest {
		t.Fatalf("keys %+v %+v: want one legacy digest and two digests", corp, other)
	}
	if k := KeyOf(x("")); k.Legacy != corp.Legacy || k.Digest == corp.Legacy {
		t.Fatalf("without an issuer the key is %+v: want the same legacy digest, and a digest that is not it", k)
	}
	oldCorp := Approval{Digest: corp.Legacy, Requester: Requester{Issuer: "https://corp"}}
	newCorp := Approval{Digest: corp.Digest, DigestVersion: DigestIssuer, Requester: Requester{Issuer: "https://corp"}}
	rewritten := newCorp
	rewritten.DigestVersion = 0
	legacyLabelled := oldCorp
	legacyLabelled.DigestVersion = DigestIssuer
	cases := []struct {
		name string
		k    Key
		a    Approval
		want bool
	}{
		{"old replica's approval, same issuer", corp, oldCorp, true},
		{"old replica's approval, other issuer", other, oldCorp, false},
		{"old replica's approval, caller without issuer", KeyOf(x("")), oldCorp, false},
		{"old replica's approval of a caller without issuer", KeyOf(x("")), Approval{Digest: corp.Legacy}, true},
		{"new approval rewritten by an old replica, same issuer", corp, rewritten, true},
		{"new approval, same issuer", corp, newCorp, true},
		{"new approval, other issuer", other, newCorp, false},
		{"new approval rewritten by an old replica, other issuer", other, rewritten, false},
		{"a v2 approval under a legacy digest is not legacy", corp, legacyLabelled, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.k.Matches(c.a); got != c.want {
				t.Fatalf("Matches = %v, want %v", got, c.want)
			}
		})
	}
}

// A decision closes the twins of its own principal only: an old replica's pending request under
// the same (legacy) digest is closed for the issuer it recorded, and a decision for the same
// subject name without an issuer leaves another issuer's request alone.
func TestTwinsAreClosedOnlyForTheSamePrincipal(t *testing.T) {
	clk := newClock()
	store := NewMemoryStore()
	s, _, _ := newService(t, Config{}, store, clk)
	ctx := context.Background()
	corp := testExchange(`{"pod":"web-1"}`)
	corp.Identity.Issuer = "https://corp"
	legacy := KeyOf(corp).Legacy
	old := func(id, issuer string) {
		t.Helper()
		a := Approval{
			ID: id, Version: 1, Status: Pending, Digest: legacy, Seq: 1, Created: clk.Now(), Expires: clk.Now().Add(time.Minute),
			Requester: Requester{Subject: corp.Identity.Subject, Issuer: issuer, Agent: corp.Identity.Agent},
		}
		if err := store.Put(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	old("apr_old_corp", "https://corp")
	old("apr_old_corp_twin", "https://corp")
	old("apr_old_none", "")

	if err := s.Decide(ctx, "apr_old_corp", alice, true, ""); err != nil {
		t.Fatal(err)
	}
	if a, _ := store.Get("apr_old_corp_twin"); a.Status != Superseded || a.LinkedTo != "apr_old_corp" {
		t.Fatalf("the old replica's twin of the same issuer: %s linked to %q, want superseded by apr_old_corp", a.Status, a.LinkedTo)
	}
	if a, _ := store.Get("apr_old_none"); a.Status != Pending {
		t.Fatalf("the request of the same subject name without an issuer was %s by another issuer's decision", a.Status)
	}

	noIssuer := testExchange(`{"pod":"web-1"}`)
	mine, err := s.Request(ctx, noIssuer, decision)
	if err != nil || mine.ID != "apr_old_none" {
		t.Fatalf("the issuer-less caller's request: %s, %v; want the old replica's apr_old_none", mine.ID, err)
	}
	if _, ok := s.Consume(ctx, KeyOf(noIssuer)); ok {
		t.Fatal("the issuer-less caller was released by the corp caller's approval")
	}
}
