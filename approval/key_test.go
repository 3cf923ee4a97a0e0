package approval

import (
	"testing"

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
	if k := KeyOf(x("")); k.Legacy != "" || k.Digest != corp.Legacy {
		t.Fatalf("without an issuer the key is %+v, want the legacy digest alone", k)
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
